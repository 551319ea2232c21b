"""Press accreditation: a journalist applies, protocol staff decide, an approved
journalist holds a seat (and a badge, the ticket with its QR code) as a Registration in
the ceremony's press category, taken through `registrations.services` under the same
quota, and is let in at the gate like everyone else.

The letter from the outlet is private: checked here (a PDF, or an image that really
decodes, within PRESS_DOCUMENT_MAX_BYTES), stored without its image metadata in the
private storage (`registrations.storage`), downloaded only by protocol staff, and deleted
when the accreditation is anonymised.

Emails are written at once, in the journalist's language, and queued in the same
transaction as the change they report.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from elbeday import images

from . import services
from .emails import absolute_url, queue_written_email
from .models import Decision, OutgoingEmail, PressAccreditation, Registration
from .services import RegistrationError

PDF_MAGIC = b"%PDF-"


def _read_head(file, size=8):
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def letter_is_pdf(file) -> bool:
    return _read_head(file).startswith(PDF_MAGIC)


def validate_letter(file) -> None:
    """Refuse anything but a PDF or a sound JPEG, PNG or WebP image within the size
    limit. Already stored letters are not read again."""
    if getattr(file, "_committed", False):
        return
    max_bytes = settings.PRESS_DOCUMENT_MAX_BYTES
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s; a letter may be at most %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
        )
    if letter_is_pdf(file):
        return
    try:
        images.validate_photo(file)
    except ValidationError:
        raise ValidationError(
            _("Please upload the letter as a PDF or as a JPEG, PNG or WebP image."),
            code="letter_format",
        ) from None


def _sanitise_letter(accreditation) -> None:
    """An image letter is stored re-encoded, without its metadata (camera, place); a
    PDF as it came."""
    letter = accreditation.letter
    if not letter or letter._committed or letter_is_pdf(letter):
        return
    data, _width, _height = images.sanitise(letter)
    letter.file = ContentFile(data)


def manage_path(accreditation) -> str:
    with translation.override(accreditation.language):
        return reverse("registrations:press_manage", kwargs={"token": accreditation.manage_token})


def _queue_email(accreditation, kind) -> OutgoingEmail:
    """Write the email of `kind` at once, in the journalist's language, and queue it."""
    registration = accreditation.registration
    with translation.override(accreditation.language):
        context = {
            "accreditation": accreditation,
            "ceremony": accreditation.ceremony,
            "manage_url": absolute_url(manage_path(accreditation)),
            "badge_url": absolute_url(registration.get_ticket_url())
            if registration and registration.status == Registration.Status.CONFIRMED
            else "",
            "ceremony_url": absolute_url(accreditation.ceremony.get_absolute_url()),
        }
        if kind == OutgoingEmail.Kind.PRESS_RECEIVED:
            subject = _("Your press accreditation for %(title)s")
            template = "registrations/email/press_received.txt"
        else:
            subject = _("Decision on your press accreditation for %(title)s")
            template = "registrations/email/press_decision.txt"
        subject = str(subject) % {"title": accreditation.ceremony.title}
    return queue_written_email(
        kind=kind,
        to=accreditation.email,
        language=accreditation.language,
        subject=subject,
        template=template,
        context=context,
        press_accreditation=accreditation,
    )


def accreditation_problem(ceremony, now=None) -> RegistrationError | None:
    """Why journalists cannot apply for this ceremony now, or None."""
    now = now or timezone.now()
    if not ceremony.press_accreditation:
        return RegistrationError(
            _("This ceremony does not accredit the press."), code="press_closed"
        )
    if problem := services.registration_by_hand_problem(ceremony, now):
        return problem
    return None


def accreditation_apply(*, accreditation: PressAccreditation, now=None) -> PressAccreditation:
    """Save a journalist's application (unsaved `accreditation`, with its ceremony) as
    waiting for a decision, and queue the "application received" email with the link to
    the application's own page. Raises RegistrationError when the ceremony takes no
    applications, ValidationError for a letter or field the rules refuse."""
    now = now or timezone.now()
    if problem := accreditation_problem(accreditation.ceremony, now):
        raise problem
    if accreditation.letter:
        try:
            validate_letter(accreditation.letter)
        except ValidationError as error:
            raise ValidationError({"letter": error.error_list}) from None
    if not accreditation.press_card_number.strip() and not accreditation.letter:
        raise ValidationError(
            {
                "press_card_number": _(
                    "Please give your press card number or upload a letter from your outlet."
                )
            }
        )
    accreditation.status = Decision.WAITING
    accreditation.full_clean(exclude=["ceremony"])
    _sanitise_letter(accreditation)
    letter = accreditation.letter
    if letter and not letter._committed:
        # Written before the transaction, not inside it: the storage may be remote, and
        # on SQLite a transaction holds the whole database's write lock.
        letter.save(letter.name, letter.file, save=False)
    try:
        with transaction.atomic():
            accreditation.save()
            _queue_email(accreditation, OutgoingEmail.Kind.PRESS_RECEIVED)
    except BaseException:
        if letter:
            letter.storage.delete(letter.name)
        raise
    return accreditation


DECISIONS = (Decision.APPROVED, Decision.DECLINED, Decision.WAITING)


def _approve(accreditation, now) -> None:
    """Take the journalist's seat in the press category; refused (RegistrationError)
    when the ceremony has no press category or its quota is short."""
    category = accreditation.ceremony.press_category
    if category is None:
        raise RegistrationError(
            _("Choose the seat category for the press in the ceremony first."),
            code="no_press_category",
        )
    result = services.registration_create(
        registration=Registration(
            category=category,
            name=accreditation.name,
            email=accreditation.email,
            phone=accreditation.phone,
            party_size=1,
            language=accreditation.language,
            needs_note=accreditation.needs_note,
        ),
        by_hand=True,
        # The decision email announces the seat, with the badge link.
        notify=False,
        now=now,
    )
    registration = result.registration
    if registration.status != Registration.Status.CONFIRMED:
        # Rolled back with the caller's transaction: no place on a waiting list.
        raise RegistrationError(
            _("No seat is free in “%(category)s”; add seats there before approving.")
            % {"category": category.name},
            code="full",
        )
    accreditation.registration = registration


def _give_back_seat(accreditation, now) -> None:
    registration = accreditation.registration
    if registration is not None and registration.is_active:
        services.registration_cancel(registration=registration, notify=False, now=now)


def accreditation_decide(
    *, accreditation: PressAccreditation, status: str, note: str = "", by=None, now=None
) -> PressAccreditation:
    """Approve, decline or set waiting, with a note; emails the decision (with the badge
    link when approved) in the journalist's language when the status changes.
    Approving takes a seat in the ceremony's press category; declining or setting
    waiting after an approval gives it back. Raises RegistrationError when the seat
    cannot be taken, or for an application that was withdrawn or anonymised."""
    now = now or timezone.now()
    status = Decision(status)
    if status not in DECISIONS:
        raise RegistrationError(_("Choose approved, declined or waiting."), code="status")
    with transaction.atomic():
        accreditation = (
            PressAccreditation.objects.select_for_update(of=("self",))
            .select_related("ceremony__press_category", "registration")
            .get(pk=accreditation.pk)
        )
        if accreditation.anonymised_at:
            raise RegistrationError(
                _("This application is anonymised; its details are gone."), code="anonymised"
            )
        if accreditation.status == Decision.WITHDRAWN:
            raise RegistrationError(
                _("The journalist has withdrawn this application."), code="withdrawn"
            )
        changed = accreditation.status != status
        holds_seat = accreditation.registration is not None and accreditation.registration.is_active
        if status == Decision.APPROVED and not holds_seat:
            _approve(accreditation, now)
        elif status != Decision.APPROVED and holds_seat:
            _give_back_seat(accreditation, now)
        accreditation.status = status
        accreditation.decision_note = note
        accreditation.decided_at = now
        accreditation._history_user = by
        accreditation.full_clean(exclude=["ceremony", "registration"])
        accreditation.save()
        if changed:
            _queue_email(accreditation, OutgoingEmail.Kind.PRESS_DECISION)
    return accreditation


def accreditation_withdraw(*, accreditation: PressAccreditation, now=None) -> PressAccreditation:
    """The journalist withdraws the application; an approved one gives its seat back."""
    now = now or timezone.now()
    with transaction.atomic():
        accreditation = (
            PressAccreditation.objects.select_for_update(of=("self",))
            .select_related("ceremony", "registration")
            .get(pk=accreditation.pk)
        )
        if accreditation.status == Decision.WITHDRAWN or accreditation.anonymised_at:
            return accreditation
        _give_back_seat(accreditation, now)
        accreditation.status = Decision.WITHDRAWN
        accreditation._change_reason = "withdrawn"
        accreditation.save()
    return accreditation


def _delete_letter(name) -> None:
    if name:
        PressAccreditation._meta.get_field("letter").storage.delete(name)


def _anonymise(accreditation, now) -> None:
    """Remove the journalist's personal data from the application, its history and its
    emails, and delete the letter; keep the numbers (status, role, language, dates)."""
    address = f"anonymised-{accreditation.public_id.hex[:12]}@invalid"
    personal = {
        "name": "",
        "outlet": "",
        "press_card_number": "",
        "email": address,
        "phone": "",
        "needs_note": "",
        "decision_note": "",
    }
    letters = {accreditation.letter.name} if accreditation.letter else set()
    letters.update(name for name in accreditation.history.values_list("letter", flat=True) if name)
    for field, value in personal.items():
        setattr(accreditation, field, value)
    accreditation.letter = ""
    accreditation.anonymised_at = now
    accreditation._change_reason = "anonymised"
    accreditation.save()
    accreditation.history.all().update(**personal, letter="")
    accreditation.emails.filter(status=OutgoingEmail.Status.QUEUED).delete()
    accreditation.emails.update(
        to=address, subject="", body_text="", body_html="", attachments=[], last_error=""
    )
    # Files go once the change is committed: a rolled-back one still refers to them.
    for name in sorted(letters):
        transaction.on_commit(lambda name=name: _delete_letter(name), robust=True)


def accreditations_anonymise(*, after_days: int, now=None) -> int:
    """Anonymise the press applications of ceremonies that ended more than `after_days`
    ago, as `services.registrations_anonymise` does for registrations (their seats are
    registrations, anonymised there); safe to run any number of times. Returns how many
    were anonymised."""
    now = now or timezone.now()
    due = PressAccreditation.objects.not_anonymised().filter(
        ceremony__end__lt=now - datetime.timedelta(days=after_days)
    )
    count = 0
    for accreditation in due.iterator():
        with transaction.atomic():
            _anonymise(accreditation, now)
        count += 1
    return count
