"""Every change of seats, registration status, check-ins and personal data.

The public pages, the gate, the admin (actions, change forms, inlines), the management
commands and a shell all come through these functions; nothing else writes them.

Every change of seats happens inside one transaction that first locks the seat
category (a row lock on PostgreSQL; on SQLite the IMMEDIATE transaction takes the database
write lock), so the quota holds however many people register at once. On PostgreSQL, a
new registration's transaction is a single statement (`registrations.statement`). Emails
are queued in the same transaction as the change they report (see `registrations.emails`).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from elbeday.cache import seats_changed
from events.models import Ceremony, SeatCategory, take_seats

from . import emails, statement
from .models import CheckIn, OutgoingEmail, Registration


class RegistrationError(Exception):
    """A registration that cannot be made or changed; `message` is for the visitor."""

    def __init__(self, message, *, code, field=None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field


# django-simple-history makes a new manager class each time `history` is read, as its
# own save signal does; this one is made once.
_REGISTRATION_HISTORY = Registration.history


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool


def _lock_category(category_id):
    return SeatCategory.objects.select_for_update().select_related("ceremony").get(pk=category_id)


def _check_registration_open(ceremony, now):
    state = ceremony.registration_state(now)
    if state != Ceremony.RegistrationState.OPEN:
        raise RegistrationError(state.label, code=f"registration_{state}")


def registration_by_hand_problem(ceremony: Ceremony, now=None) -> RegistrationError | None:
    """Why organisers cannot add a registration by hand now, or None. They add people (a
    booking by phone or letter, a walk-in at the gate) outside the public registration
    window too, until the ceremony is over."""
    now = now or timezone.now()
    if ceremony.status == Ceremony.Status.DRAFT:
        return RegistrationError(
            _("This ceremony is a draft; publish it before adding registrations."),
            code="registration_draft",
        )
    if ceremony.is_cancelled:
        return RegistrationError(
            Ceremony.RegistrationState.CANCELLED.label, code="registration_cancelled"
        )
    if now >= ceremony.end:
        return RegistrationError(_("This ceremony is over."), code="registration_over")
    return None


def _check_invitation_code(category, invitation_code):
    if category.invitation_code and invitation_code.strip() != category.invitation_code:
        raise RegistrationError(
            _("This invitation code is not valid for this category."),
            code="invitation_code",
            field="invitation_code",
        )


def _check_party_size(category, party_size):
    if party_size < 1:
        raise RegistrationError(
            _("A party has at least one person."), code="party_too_small", field="party_size"
        )
    if party_size > category.max_party_size:
        raise RegistrationError(
            _("At most %(max)s people can register together in this category.")
            % {"max": category.max_party_size},
            code="party_too_large",
            field="party_size",
        )


# A form sent again by the person who sent it (a double click, a reload) comes within
# minutes; later, the booking link in the confirmation email is the way back.
RESUBMISSION_WINDOW = datetime.timedelta(minutes=15)


def _same_person(earlier: Registration, registration: Registration, now) -> bool:
    """Whether `registration` is `earlier`'s form sent again by the same person: the same
    name and email, within minutes. Anyone else sending the same form (the page left open
    on a shared computer, a copied form) must never be shown that booking."""
    return (
        earlier.anonymised_at is None
        and now - earlier.created_at <= RESUBMISSION_WINDOW
        and earlier.email.casefold() == registration.email.strip().casefold()
        and " ".join(earlier.name.split()) == " ".join(registration.name.split())
    )


def _earlier_submission(registration: Registration, now) -> Registration | None:
    """The booking this form already made, if the same person sends it again. When
    someone else sends it, the form's key is replaced, so that they register on their own."""
    if not registration.submission_key:
        return None
    earlier = Registration.objects.filter(submission_key=registration.submission_key).first()
    if earlier is None:
        return None
    if _same_person(earlier, registration, now):
        return earlier
    registration.submission_key = uuid.uuid4()
    return None


def registration_create(
    *,
    registration: Registration,
    invitation_code: str = "",
    by_hand: bool = False,
    notify: bool = True,
    now: datetime.datetime | None = None,
    validated: bool = False,
) -> RegistrationResult:
    """Register a party: confirmed if the seats are free, else on the waiting list.

    `registration` is unsaved and holds what the person gave (category, name, email,
    party, needs, language, consents, `submission_key`); this function decides its status
    and dates. Queues the confirmation or waiting-list email. A form submitted twice
    (same `submission_key`) by the same person returns the first registration instead of
    making another; anybody else gets their own.

    `by_hand` is for organisers entering a booking made by phone, by letter or at the
    gate: the public registration window and the invitation code do not apply, the
    quota, the party size and the waiting list do. `notify=False` queues no email, for
    seats that a delegation's or a journalist's own decision email announces.
    `validated=True` says that the caller has run the model's validation on what the
    person gave (`RegistrationForm` does, with a message on each field), so it is not
    run a second time here; the party size is checked here either way.
    Raises RegistrationError when the registration is not allowed.
    """
    now = now or timezone.now()
    try:
        _registration_check(
            registration,
            invitation_code=invitation_code,
            by_hand=by_hand,
            now=now,
            validated=validated,
        )
        return _registration_store(registration, notify=notify, now=now)
    except RegistrationError as error:
        # The same form sent again once the seats have run out or registration has
        # closed: the booking it made stands.
        if error.code != "duplicate_email" and (earlier := _earlier_submission(registration, now)):
            return RegistrationResult(earlier, created=False)
        raise


def _registration_check(registration, *, invitation_code, by_hand, now, validated):
    """Everything that can be checked before the seats are locked, so that the lock is
    held only for the seat decision and the writes."""
    category = registration.category
    registration.ceremony = ceremony = category.ceremony
    registration.status = Registration.Status.CONFIRMED
    registration.consent_privacy_at = now
    if by_hand:
        if problem := registration_by_hand_problem(ceremony, now):
            raise problem
        registration._change_reason = "added by hand"
    else:
        _check_registration_open(ceremony, now)
        _check_invitation_code(category, invitation_code)
    _check_party_size(category, registration.party_size)
    if not validated:
        registration.full_clean(
            exclude=["category", "ceremony", "booking_code"],
            validate_unique=False,
            validate_constraints=False,
        )


def _registration_store(registration, *, notify, now) -> RegistrationResult:
    """Take the seats (or a place on the waiting list), store the registration and queue
    its email, in one transaction.

    A form sent again is not looked for beforehand, which would cost every registration
    a query: its key is unique, so the insert fails, and the earlier booking is found
    then. Someone else's copy of the form gets a new key and a second attempt."""
    for _attempt in range(2):
        key = registration.submission_key
        try:
            return _registration_insert(registration, notify=notify, now=now)
        except IntegrityError:
            if earlier := _earlier_submission(registration, now):
                return RegistrationResult(earlier, created=False)
            if registration.submission_key == key:
                break
    raise RegistrationError(
        _(
            "This email address is already registered for this ceremony. "
            "The booking link is in the confirmation email."
        ),
        code="duplicate_email",
        field="email",
    )


def _registration_insert(registration, *, notify, now) -> RegistrationResult:
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = registration.waiting_since = None
    if connection.vendor == "postgresql":
        seated = statement.registration_insert(registration, notify=notify, now=now)
        if seated is None:
            raise _category_full()
        if seated:
            seats_changed(registration.category.ceremony_id)
        return RegistrationResult(registration, created=True)
    return _registration_insert_by_orm(registration, notify=notify, now=now)


def _category_full():
    return RegistrationError(_("This category is fully booked."), code="full", field="category")


def _registration_insert_by_orm(registration, *, notify, now) -> RegistrationResult:
    """What `statement.registration_insert` does, in the ORM's statements (SQLite)."""
    category = registration.category
    party_size = registration.party_size
    with transaction.atomic():
        # One statement takes the seats if they are free, and locks the quota row until
        # the transaction ends.
        if take_seats(category.pk, party_size):
            registration.confirmed_at = now
            kind = OutgoingEmail.Kind.CONFIRMATION
            # The statement sends no save signal: clear the cached pages that show
            # these seats here.
            seats_changed(category.ceremony_id)
        elif category.has_waiting_list:
            registration.status = Registration.Status.WAITING
            registration.waiting_since = now
            kind = OutgoingEmail.Kind.WAITING_LIST
        else:
            raise _category_full()
        # A second active registration for the email, or the same form sent again,
        # fails here, on the database's unique constraints, and the seats are given
        # back with the rollback.
        registration.skip_history_when_saving = True
        try:
            registration.save()
        finally:
            del registration.skip_history_when_saving
        # The history's first row, as the save would have written it (with the user
        # and the reason), through a manager made once rather than on every save.
        _REGISTRATION_HISTORY.bulk_history_create([registration], default_change_reason=None)
        if notify:
            emails.queue_registration_email(registration, kind)
    return RegistrationResult(registration, created=True)


def waiting_list_fill(*, category: SeatCategory, now=None) -> list[Registration]:
    """Confirm waiting parties in order while seats are free, skipping parties that do
    not fit; emails each promoted person. The caller holds the category lock (it is
    called when a registration frees seats, and by `events.services` when seats are
    added). After the ceremony's waiting-list deadline nobody is moved up: the seats stay
    free for the gate, and organisers can still promote by hand
    (`registration_promote`). Returns the promoted registrations."""
    now = now or timezone.now()
    if not category.ceremony.promotes_waiting_list(now):
        return []
    promoted = []
    for registration in Registration.objects.waiting().filter(category=category):
        if category.seats_left == 0:
            break
        if registration.party_size > category.seats_left:
            continue
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at", "updated_at"])
        category.seats_taken += registration.party_size
        promoted.append(registration)
        emails.queue_registration_email(registration, OutgoingEmail.Kind.PROMOTION)
    if promoted:
        category.save(update_fields=["seats_taken"])
    return promoted


def registration_cancel(
    *, registration: Registration, notify: bool = True, now=None
) -> list[Registration]:
    """Cancel a registration (or leave the waiting list), free its seats, email the person
    (unless `notify=False`) and promote the waiting list. Returns the promoted
    registrations."""
    now = now or timezone.now()
    with transaction.atomic():
        category = _lock_category(registration.category_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            return []
        was_confirmed = registration.status == Registration.Status.CONFIRMED
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        if notify:
            emails.queue_registration_email(registration, OutgoingEmail.Kind.CANCELLATION)
        if not was_confirmed:
            return []
        category.seats_taken -= registration.party_size
        category.save(update_fields=["seats_taken"])
        return waiting_list_fill(category=category, now=now)


def registration_change_party(
    *, registration: Registration, party_size: int, guest_names: str, now=None
) -> Registration:
    """Change the party size within what is free; a smaller party frees seats for the
    waiting list."""
    now = now or timezone.now()
    with transaction.atomic():
        category = _lock_category(registration.category_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise RegistrationError(_("This registration is cancelled."), code="cancelled")
        if registration.ceremony.end < now or registration.ceremony.is_cancelled:
            raise RegistrationError(_("This ceremony can no longer be changed."), code="closed")
        _check_party_size(category, party_size)
        if party_size < registration.checked_in:
            raise RegistrationError(
                _("%(count)s people of this party are already checked in.")
                % {"count": registration.checked_in},
                code="below_checked_in",
                field="party_size",
            )
        delta = party_size - registration.party_size
        if registration.status == Registration.Status.CONFIRMED and delta > category.seats_left:
            raise RegistrationError(
                ngettext(
                    "Only %(free)s more seat is free, so your party can have at most %(max)s.",
                    "Only %(free)s more seats are free, so your party can have at most %(max)s.",
                    category.seats_left,
                )
                % {
                    "free": category.seats_left,
                    "max": registration.party_size + category.seats_left,
                },
                code="not_enough_seats",
                field="party_size",
            )
        registration.party_size = party_size
        registration.guest_names = guest_names
        registration.full_clean(exclude=["category", "ceremony", "booking_code"])
        registration.save(update_fields=["party_size", "guest_names", "updated_at"])
        if registration.status == Registration.Status.CONFIRMED and delta:
            category.seats_taken += delta
            category.save(update_fields=["seats_taken"])
            if delta < 0:
                waiting_list_fill(category=category, now=now)
        return registration


def registration_erase(*, registration: Registration, now=None) -> None:
    """Delete a registrant's personal data at their request, at once: cancel the
    registration (freeing the seats) and anonymise it as after a ceremony."""
    now = now or timezone.now()
    registration_cancel(registration=registration, now=now)
    with transaction.atomic():
        _anonymise(Registration.objects.select_for_update().get(pk=registration.pk), now)


def ceremony_notify_change(*, ceremony: Ceremony, kind: OutgoingEmail.Kind) -> int:
    """Queue a notice to everyone registered (confirmed or waiting) that the ceremony was
    changed, postponed or cancelled. Returns how many were queued."""
    count = 0
    with transaction.atomic():
        for registration in ceremony.registrations.active().select_related("category"):
            emails.queue_registration_email(registration, kind)
            count += 1
    return count


# What the organisers may correct in a registration by hand; its seats, status and
# check-ins change only through the functions above.
DETAILS = (
    "name",
    "email",
    "phone",
    "guest_names",
    "country",
    "language",
    *Registration.NEEDS,
    "needs_note",
    "carers",
    "interpreter_language",
    "needs_transport",
    "consent_future",
)


def registration_update(*, registration: Registration, fields) -> Registration:
    """Save corrections to a registrant's details: `fields` (names from DETAILS) are
    taken from `registration`; anything else is refused, as are anonymised registrations.
    Raises ValidationError for values the model refuses."""
    fields = list(fields)
    if not fields:
        return registration
    if not set(fields) <= set(DETAILS):
        raise RegistrationError(
            _("Only the registrant's details can be changed here."), code="not_details"
        )
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.anonymised_at:
            raise RegistrationError(
                _("This registration is anonymised; its details are gone."), code="anonymised"
            )
        for name in fields:
            setattr(current, name, getattr(registration, name))
        # Nothing excluded: the one-active-registration-per-email rule involves the
        # ceremony, which no form changes but which the check must see.
        current.full_clean()
        current.save(update_fields=[*fields, "updated_at"])
    return current


def registration_resend_confirmation(*, registration: Registration) -> None:
    """Queue the confirmation (with the ticket) again; only for confirmed registrations."""
    if registration.status != Registration.Status.CONFIRMED:
        raise RegistrationError(
            _("Only confirmed registrations have a ticket."), code="not_confirmed"
        )
    emails.queue_registration_email(registration, OutgoingEmail.Kind.CONFIRMATION)


def registration_links_send(*, email: str, now=None) -> int:
    """Queue, to `email`, the booking link of each of its registrations that can still be
    used (confirmed or waiting, not anonymised, ceremony not over), one email each, in
    the registration's language. Returns how many were queued; the public page must not
    tell (see `views.lost_link`)."""
    now = now or timezone.now()
    registrations = (
        Registration.objects.not_anonymised()
        .active()
        .filter(email__iexact=email.strip(), ceremony__end__gte=now)
        .select_related("ceremony", "category")
    )
    count = 0
    with transaction.atomic():
        for registration in registrations:
            emails.queue_registration_email(registration, OutgoingEmail.Kind.LOST_LINK)
            count += 1
    return count


def registrations_message(*, registrations, texts) -> int:
    """Queue the organisers' message to each registration, in its language: `texts` maps
    a language to {"subject", "body"}. Returns how many were queued."""
    count = 0
    with transaction.atomic():
        for registration in registrations:
            queued = emails.queue_registration_email(
                registration, OutgoingEmail.Kind.MESSAGE, message=texts[registration.language]
            )
            count += queued is not None  # booked by hand without an address: nobody to write
    return count


def reminders_send(*, days_before: int = 3, now=None) -> int:
    """Queue a reminder for every confirmed registration of ceremonies starting within
    `days_before` days that has not had one; safe to run any number of times."""
    now = now or timezone.now()
    count = 0
    due = (
        Registration.objects.confirmed()
        .filter(
            reminder_sent_at__isnull=True,
            ceremony__status=Ceremony.Status.PUBLISHED,
            ceremony__start__gt=now,
            ceremony__start__lte=now + datetime.timedelta(days=days_before),
        )
        .select_related("ceremony", "category")
    )
    for registration in due:
        with transaction.atomic():
            # Marked in the same transaction as the email is queued: never twice.
            updated = Registration.objects.filter(
                pk=registration.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if updated and emails.queue_registration_email(
                registration, OutgoingEmail.Kind.REMINDER
            ):
                count += 1
    return count


class CheckInRefused(Exception):
    """A ticket that must not be let in (or not for that many people); `message` says why,
    for the volunteer at the gate."""

    def __init__(self, message, *, code):
        super().__init__(str(message))
        self.message = message
        self.code = code


def checkin_problem(registration: Registration, now=None):
    """Why this ticket cannot be checked in now, or None."""
    now = now or timezone.now()
    ceremony = registration.ceremony
    if registration.status == Registration.Status.CANCELLED:
        return CheckInRefused(
            _("This registration was cancelled. Do not admit on this ticket."), code="cancelled"
        )
    if registration.status == Registration.Status.WAITING:
        return CheckInRefused(
            _("This person is on the waiting list and has no seat."), code="waiting"
        )
    if ceremony.is_cancelled:
        return CheckInRefused(_("This ceremony has been cancelled."), code="ceremony_cancelled")
    today = now.astimezone(ceremony.tz).date()
    first_day = ceremony.start.astimezone(ceremony.tz).date()
    last_day = ceremony.end.astimezone(ceremony.tz).date()
    if not first_day <= today <= last_day:
        return CheckInRefused(
            _("This ticket is for “%(title)s” on %(date)s, not for today.")
            % {"title": ceremony.title, "date": date_format(first_day, "DATE_FORMAT")},
            code="other_day",
        )
    return None


def checkin_record(
    *,
    registration: Registration,
    people: int,
    by=None,
    now=None,
    device=None,
    client_id=None,
    offline: bool = False,
    at=None,
) -> CheckIn:
    """Let `people` of the party in. Refused for cancelled, waiting-list and other days'
    tickets, and beyond the party size; the registration row is locked so that two
    volunteers scanning the same ticket at once cannot let in more than the party.

    A check-in a phone made `offline` (at `at` by its clock) is not refused: the people
    are already inside. What the ticket does not cover is recorded as a conflict and left
    out of the party's count. A `client_id` already recorded returns that check-in again
    and records nothing: a phone may send its queue twice."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .select_related("ceremony", "category")
            .get(pk=registration.pk)
        )
        # After the lock: a second copy sent at the same moment waits here, then finds
        # the first one.
        if client_id and (earlier := CheckIn.objects.filter(client_id=client_id).first()):
            return earlier
        problem = checkin_problem(registration, now)
        remaining = registration.party_size - registration.checked_in
        counted, conflict = people, ""
        if offline:
            if problem:
                counted, conflict = 0, problem.code
            elif people > remaining:
                counted, conflict = remaining, CheckIn.Conflict.EXCESS
        elif problem:
            raise problem
        elif remaining == 0:
            raise CheckInRefused(_("The whole party is already checked in."), code="already")
        elif not 1 <= people <= remaining:
            raise CheckInRefused(
                _("Between 1 and %(remaining)s people of this party can still be checked in.")
                % {"remaining": remaining},
                code="too_many",
            )
        if counted:
            registration.checked_in += counted
            registration._change_reason = "check-in"
            registration.save(update_fields=["checked_in", "updated_at"])
        return CheckIn.objects.create(
            registration=registration,
            people=people,
            uncounted=people - counted,
            conflict=conflict,
            by=by,
            device=device,
            client_id=client_id,
            # A phone's clock may be wrong; a check-in is never dated after it arrived.
            at=min(at, now) if at else now,
            received_at=now if device else None,
        )


def registration_promote(*, registration: Registration, now=None) -> Registration:
    """Move one person off the waiting list by hand, only into free seats."""
    now = now or timezone.now()
    with transaction.atomic():
        category = _lock_category(registration.category_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.WAITING:
            raise RegistrationError(
                _("This registration is not on the waiting list."), code="not_waiting"
            )
        if registration.party_size > category.seats_left:
            raise RegistrationError(
                ngettext(
                    "Only %(free)s seat is free; this party needs %(size)s.",
                    "Only %(free)s seats are free; this party needs %(size)s.",
                    category.seats_left,
                )
                % {"free": category.seats_left, "size": registration.party_size},
                code="not_enough_seats",
            )
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration._change_reason = "promoted by hand"
        registration.save(update_fields=["status", "confirmed_at", "updated_at"])
        category.seats_taken += registration.party_size
        category.save(update_fields=["seats_taken"])
        emails.queue_registration_email(registration, OutgoingEmail.Kind.PROMOTION)
        return registration


def _anonymise(registration: Registration, now) -> None:
    """Remove the name, email and free texts from a registration, its history and its
    emails; keep the numbers (status, party, category, needs, country, language,
    check-ins) that the dashboard counts."""
    address = f"anonymised-{registration.public_id.hex[:12]}@invalid"
    personal = {"name": "", "email": address, "phone": "", "guest_names": "", "needs_note": ""}
    for field, value in personal.items():
        setattr(registration, field, value)
    registration.consent_future = False
    registration.anonymised_at = now
    registration._change_reason = "anonymised"
    registration.save()
    registration.history.all().update(**personal)
    # Unsent emails are dropped; sent ones keep only their kind, state and dates.
    registration.emails.filter(status=OutgoingEmail.Status.QUEUED).delete()
    registration.emails.update(
        to=address, subject="", body_text="", body_html="", attachments=[], last_error=""
    )
    # The admin's log names the registration it changed ("ABCD-EFGH Anna Schmidt").
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(registration.pk),
    ).update(object_repr=str(registration)[:200])


def registrations_anonymise(*, after_days: int, now=None) -> int:
    """Anonymise the registrants of ceremonies that ended more than `after_days` ago;
    safe to run any number of times. Returns how many were anonymised."""
    now = now or timezone.now()
    due = Registration.objects.not_anonymised().filter(
        ceremony__end__lt=now - datetime.timedelta(days=after_days)
    )
    count = 0
    for registration in due.iterator():
        with transaction.atomic():
            _anonymise(registration, now)
        count += 1
    return count
