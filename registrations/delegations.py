"""Every change of a delegation's request and of the invitations to send one.

An approved delegation holds its seats as a `Registration` in the ceremony's delegation
category, made and changed through `registrations.services` (the same quota, ticket and
gate as everyone). Emails to delegations are written at once, in the recipient's
language, and queued in the same transaction as the change they report. Each function
records who made the change (`by`) in the delegation's history.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.models import Ceremony

from . import order, services
from .emails import absolute_url, queue_written_email
from .models import Delegation, DelegationInvitation, OutgoingEmail, Registration

Status = Delegation.Status
Kind = OutgoingEmail.Kind


class DelegationError(services.RegistrationError):
    """A request that cannot be sent, decided or changed; `message` is for the person."""


# What a delegation may change in its request (and what its form shows).
AMENDABLE = tuple(name for name in Delegation.REQUEST_FIELDS if name != "organisation")


def changes_deadline(ceremony: Ceremony) -> datetime.datetime:
    """Until when requests are taken and amended: the organisers' deadline, or the start."""
    return ceremony.delegation_changes_until or ceremony.start


def can_amend(delegation: Delegation, now=None) -> bool:
    now = now or timezone.now()
    return (
        delegation.status in (Status.WAITING, Status.APPROVED)
        and delegation.anonymised_at is None
        and not delegation.ceremony.is_cancelled
        and now < changes_deadline(delegation.ceremony)
    )


def can_withdraw(delegation: Delegation, now=None) -> bool:
    now = now or timezone.now()
    return (
        delegation.status in (Status.WAITING, Status.APPROVED)
        and delegation.anonymised_at is None
        and now < delegation.ceremony.end
    )


def takes_requests(ceremony: Ceremony, now=None) -> bool:
    """Whether the ceremony takes delegation requests now (by invitation or open)."""
    now = now or timezone.now()
    return (
        ceremony.delegation_requests != Ceremony.DelegationRequests.NONE
        and ceremony.status == Ceremony.Status.PUBLISHED
        and now < changes_deadline(ceremony)
    )


def _queue_email(*, language, template, context, **fields) -> OutgoingEmail:
    """Write the email now, in `language` (links too: /de/... for German), and queue it."""
    if "delegation" in context:
        with translation.override(language):
            manage = reverse(
                "registrations:delegation_manage",
                kwargs={"token": context["delegation"].manage_token},
            )
        context = {**context, "manage_url": absolute_url(manage)}
    return queue_written_email(
        language=language, template=f"registrations/email/{template}", context=context, **fields
    )


def _subject(text, ceremony, language):
    with translation.override(language):
        return str(text) % {"title": ceremony.title}


# Invitations


def invitation_create(
    *, ceremony: Ceremony, organisation: str, email: str, language: str, by
) -> DelegationInvitation:
    """Invite an organisation to ask to take part as a delegation: queues the email with
    its personal link and its code. Refused for ceremonies that take no delegations."""
    if ceremony.delegation_requests == Ceremony.DelegationRequests.NONE:
        raise DelegationError(
            _("This ceremony takes no delegations; change that on the ceremony first."),
            code="no_delegations",
        )
    invitation = DelegationInvitation(
        ceremony=ceremony, organisation=organisation, email=email, language=language, created_by=by
    )
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        with translation.override(language):
            link = absolute_url(
                reverse("registrations:delegation_invitation", kwargs={"token": invitation.token})
            )
        _queue_email(
            kind=Kind.DELEGATION_INVITATION,
            to=invitation.email,
            language=language,
            template="delegation_invitation.txt",
            context={
                "invitation": invitation,
                "ceremony": ceremony,
                "link": link,
                "code": invitation.code,
                "deadline": changes_deadline(ceremony),
            },
            subject=_subject(_("Invitation: %(title)s"), ceremony, language),
            delegation_invitation=invitation,
        )
    return invitation


def invitation_find(*, ceremony: Ceremony, code: str) -> DelegationInvitation | None:
    """The ceremony's invitation with this code (as typed: spaces, dash, any case)."""
    code = "".join(code.split()).replace("-", "").upper()
    if not code:
        return None
    return DelegationInvitation.objects.filter(ceremony=ceremony, code=code).first()


def invitation_problem(invitation, ceremony) -> DelegationError | None:
    if (
        invitation is None
        or invitation.ceremony_id != ceremony.pk
        or invitation.anonymised_at is not None
    ):
        return DelegationError(
            _("This invitation is not valid for this ceremony."),
            code="invitation",
            field="invitation_code",
        )
    if Delegation.objects.filter(invitation=invitation).exists():
        return DelegationError(
            _("This invitation has been used already: the request's own link is in its email."),
            code="invitation_used",
            field="invitation_code",
        )
    return None


# Requests


def _validate(delegation: Delegation, ceremony: Ceremony):
    """The ceremony's rules for a request, beside the model's own; all errors at once."""
    errors = {}
    members_max = ceremony.delegation_members_max - 1
    if len(delegation.member_lines) > members_max:
        errors["members"] = ngettext(
            "At most %(count)d further member can come with the head of delegation.",
            "At most %(count)d further members can come with the head of delegation.",
            members_max,
        ) % {"count": members_max}
    if delegation.brings_wreath and not delegation.ribbon_text.strip():
        errors["ribbon_text"] = _("Please give the text of the wreath's ribbon.")
    elif len(delegation.ribbon_text) > ceremony.ribbon_text_max_length:
        errors["ribbon_text"] = _(
            "The ribbon text can have at most %(max)d characters (it has %(count)d)."
        ) % {"max": ceremony.ribbon_text_max_length, "count": len(delegation.ribbon_text)}
    try:
        delegation.full_clean(exclude=["ceremony", "invitation", "registration"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def delegation_request(
    *,
    ceremony: Ceremony,
    delegation: Delegation,
    invitation: DelegationInvitation | None = None,
    code: str = "",
    now=None,
) -> Delegation:
    """Save an organisation's request (unsaved `delegation`), always waiting for the
    organisers' decision, and queue the "request received" email with its own link.

    A ceremony with requests "by invitation" takes one only with an unused invitation of
    its own (the link's, or its `code` typed on the page); an "open" one takes any.
    Raises DelegationError, or ValidationError for entries the rules refuse."""
    now = now or timezone.now()
    if not takes_requests(ceremony, now):
        raise DelegationError(
            _("This ceremony takes no delegation requests (any more)."), code="closed"
        )
    if invitation is None and code.strip():
        invitation = invitation_find(ceremony=ceremony, code=code)
        if invitation is None:
            raise DelegationError(
                _("This invitation code is not valid for this ceremony."),
                code="invitation",
                field="invitation_code",
            )
    by_invitation = ceremony.delegation_requests != Ceremony.DelegationRequests.OPEN
    if (invitation is not None or by_invitation) and (
        problem := invitation_problem(invitation, ceremony)
    ):
        raise problem
    delegation.ceremony = ceremony
    delegation.invitation = invitation
    delegation.status = Status.WAITING
    if invitation and not delegation.organisation:
        delegation.organisation = invitation.organisation
    _validate(delegation, ceremony)
    try:
        with transaction.atomic():
            delegation._change_reason = "requested"
            delegation.save()
            _queue_email(
                kind=Kind.DELEGATION_RECEIVED,
                to=delegation.contact_email,
                language=delegation.language,
                template="delegation_received.txt",
                context={"delegation": delegation, "ceremony": ceremony},
                subject=_subject(
                    _("Your delegation request: %(title)s"), ceremony, delegation.language
                ),
                delegation=delegation,
            )
    except IntegrityError:
        # The same invitation used twice at the very same moment.
        raise DelegationError(
            _("This invitation has been used already: the request's own link is in its email."),
            code="invitation_used",
            field="invitation_code",
        ) from None
    return delegation


# What the seats' registration copies from the request.
REGISTRATION_DETAILS = [
    "name",
    "email",
    "phone",
    "country",
    "language",
    *Delegation.NEEDS,
    "needs_note",
    "carers",
    "interpreter_language",
    "needs_transport",
]


def _registration_for(delegation: Delegation) -> Registration:
    """The unsaved registration that holds an approved delegation's seats."""
    registration = Registration(
        category=delegation.ceremony.delegation_category,
        name=delegation.head_name,
        email=delegation.contact_email,
        phone=delegation.contact_phone,
        party_size=delegation.people,
        guest_names="\n".join(delegation.member_lines)[:2000],
        country=delegation.country,
        language=delegation.language,
        carers=delegation.carers,
        needs_note=delegation.needs_note,
        interpreter_language=delegation.interpreter_language,
        needs_transport=delegation.needs_transport,
    )
    for name in Delegation.NEEDS:
        setattr(registration, name, getattr(delegation, name))
    return registration


def _take_seats(delegation: Delegation, now):
    """Give the delegation its confirmed seats, or refuse with the reason."""
    ceremony = delegation.ceremony
    category = ceremony.delegation_category
    if category is None:
        raise DelegationError(
            _("Choose the seat category for delegations on the ceremony before approving."),
            code="no_category",
        )
    registration = delegation.registration
    if registration is not None and registration.is_active:
        if registration.party_size != delegation.people:
            services.registration_change_party(
                registration=registration,
                party_size=delegation.people,
                guest_names="\n".join(delegation.member_lines)[:2000],
                now=now,
            )
        return registration
    # The decision email announces the seats, with the ticket link: a booking email would
    # offer the booking page.
    result = services.registration_create(
        registration=_registration_for(delegation), by_hand=True, notify=False, now=now
    )
    registration = result.registration
    if registration.status != Registration.Status.CONFIRMED:
        # Taken by the waiting list instead: rolled back with the caller's transaction.
        raise DelegationError(
            ngettext(
                "Only %(free)s seat is left in “%(category)s”; this delegation needs %(count)s.",
                "Only %(free)s seats are left in “%(category)s”; this delegation needs %(count)s.",
                category.seats_left,
            )
            % {
                "free": category.seats_left,
                "category": category.name,
                "count": delegation.people,
            },
            code="not_enough_seats",
        )
    return registration


def _free_seats(delegation: Delegation, now):
    registration = delegation.registration
    if registration is not None and registration.is_active:
        # The decision email says it: a booking email would offer the booking page.
        services.registration_cancel(registration=registration, notify=False, now=now)
        registration.refresh_from_db()


def delegation_decide(
    *, delegation: Delegation, status: str, note: str = "", by=None, now=None
) -> Delegation:
    """Approve, decline or put back to waiting, with a note; email the decision in the
    requester's language (with the ticket link if approved).

    Approving takes the seats (`people`) from the ceremony's delegation category; refused
    with the reason when no category is set or the seats are short. Declining or waiting
    after approval gives the seats back. Raises DelegationError."""
    now = now or timezone.now()
    status = Status(status)
    if status == Status.WITHDRAWN:
        raise DelegationError(_("Only the delegation can withdraw its request."), code="status")
    try:
        with transaction.atomic():
            delegation = (
                Delegation.objects.select_for_update(of=("self",))
                .select_related("ceremony__delegation_category", "registration")
                .get(pk=delegation.pk)
            )
            if delegation.anonymised_at or delegation.status == Status.WITHDRAWN:
                raise DelegationError(
                    _("This request was withdrawn; it cannot be decided."), code="withdrawn"
                )
            if status == Status.APPROVED:
                delegation.registration = _take_seats(delegation, now)
            else:
                _free_seats(delegation, now)
            delegation.status = status
            delegation.decision_note = note
            delegation.decided_at = now
            delegation._history_user = by
            delegation._change_reason = f"decided: {status}"
            delegation.save()
            # Who lays a wreath, and so the proposed order, follows the decision.
            order.wreath_order_propose(ceremony=delegation.ceremony, by=by)
            registration = delegation.registration
            with translation.override(delegation.language):
                ticket_url = (
                    absolute_url(registration.get_ticket_url()) if status == Status.APPROVED else ""
                )
            _queue_email(
                kind=Kind.DELEGATION_DECISION,
                to=delegation.contact_email,
                language=delegation.language,
                template="delegation_decision.txt",
                context={
                    "delegation": delegation,
                    "ceremony": delegation.ceremony,
                    "ticket_url": ticket_url,
                    "registration": registration if status == Status.APPROVED else None,
                },
                subject=_subject(
                    _("Decision on your delegation: %(title)s"),
                    delegation.ceremony,
                    delegation.language,
                ),
                delegation=delegation,
            )
    except services.RegistrationError as error:
        if isinstance(error, DelegationError):
            raise
        raise DelegationError(error.message, code=error.code) from None
    return delegation


def delegation_amend(*, delegation: Delegation, changes: dict, by=None, now=None) -> Delegation:
    """Change a request until the ceremony's deadline. After approval it waits for review
    again, keeping its seats (resized to the new number of people, which is refused if the
    seats are short). Raises DelegationError, or ValidationError for refused entries."""
    now = now or timezone.now()
    if not set(changes) <= set(AMENDABLE):
        raise DelegationError(_("These details cannot be changed here."), code="not_amendable")
    with transaction.atomic():
        current = (
            Delegation.objects.select_for_update(of=("self",))
            .select_related("ceremony", "registration")
            .get(pk=delegation.pk)
        )
        if not can_amend(current, now):
            raise DelegationError(_("This request can no longer be changed."), code="closed")
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, changes[name])
        _validate(current, current.ceremony)
        registration = current.registration
        if current.status == Status.APPROVED and registration and registration.is_active:
            try:
                if registration.party_size != current.people:
                    services.registration_change_party(
                        registration=registration,
                        party_size=current.people,
                        guest_names="\n".join(current.member_lines)[:2000],
                        now=now,
                    )
                details = _registration_for(current)
                details.pk = registration.pk
                services.registration_update(registration=details, fields=REGISTRATION_DETAILS)
            except services.RegistrationError as error:
                raise DelegationError(error.message, code=error.code, field="members") from None
            except ValidationError as error:
                # The contact's address is registered for this ceremony already.
                raise ValidationError({"contact_email": error.messages}) from None
            current.status = Status.WAITING
        current._history_user = by
        current._change_reason = "amended"
        current.save()
        order.wreath_order_propose(ceremony=current.ceremony, by=by)
    return current


def delegation_withdraw(*, delegation: Delegation, by=None, now=None) -> Delegation:
    """The delegation withdraws its request; approved seats are given back."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            Delegation.objects.select_for_update(of=("self",))
            .select_related("ceremony", "registration")
            .get(pk=delegation.pk)
        )
        if not can_withdraw(current, now):
            raise DelegationError(_("This request can no longer be withdrawn."), code="closed")
        _free_seats(current, now)
        current.status = Status.WITHDRAWN
        current._history_user = by
        current._change_reason = "withdrawn"
        current.save()
        order.wreath_order_propose(ceremony=current.ceremony, by=by)
    return current


# Anonymisation

PERSONAL = {
    "head_name": "",
    "head_title": "",
    "head_function": "",
    "members": "",
    "wreath_bearers": "",
    "needs_note": "",
    "contact_name": "",
    "contact_phone": "",
    "decision_note": "",
}


def _blank_emails(emails, address):
    # Unsent emails are dropped; sent ones keep only their kind, state and dates.
    emails.filter(status=OutgoingEmail.Status.QUEUED).delete()
    emails.update(to=address, subject="", body_text="", body_html="", attachments=[], last_error="")


def _anonymise(delegation: Delegation, now):
    address = f"anonymised-{delegation.public_id.hex[:12]}@invalid"
    values = {**PERSONAL, "contact_email": address}
    for field, value in values.items():
        setattr(delegation, field, value)
    delegation.anonymised_at = now
    delegation._change_reason = "anonymised"
    delegation.save()
    delegation.history.all().update(**values)
    _blank_emails(delegation.emails.all(), address)


def delegations_anonymise(*, after_days: int, now=None) -> int:
    """Remove the people's names, contacts and notes from the delegations (and their
    history and emails) and the addresses from the invitations of ceremonies that ended
    more than `after_days` ago; the organisation, kind, country, numbers and ribbon
    stay. Safe to run any number of times. Returns how many delegations were anonymised."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=after_days)
    count = 0
    for delegation in Delegation.objects.not_anonymised().filter(ceremony__end__lt=before):
        with transaction.atomic():
            _anonymise(delegation, now)
        count += 1
    invitations = DelegationInvitation.objects.filter(
        anonymised_at__isnull=True, ceremony__end__lt=before
    )
    for invitation in invitations:
        with transaction.atomic():
            address = f"anonymised-{invitation.public_id.hex[:12]}@invalid"
            DelegationInvitation.objects.filter(pk=invitation.pk).update(
                email=address, anonymised_at=now
            )
            _blank_emails(invitation.emails.all(), address)
    return count
