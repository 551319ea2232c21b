import datetime
import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from events.models import Ceremony
from registrations import emails, services, tickets
from registrations.models import OutgoingEmail
from tests.factories import CeremonyFactory, RegistrationFactory, SeatCategoryFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "de", "ru"]
KINDS = [
    "confirmation",
    "waiting_list",
    "promotion",
    "cancellation",
    "reminder",
    "cancelled",
    "postponed",
    "changed",
]
SUBJECTS = {
    "confirmation": "Your registration for %(title)s",
    "waiting_list": "You are on the waiting list for %(title)s",
    "promotion": "A seat is free for you: %(title)s",
    "cancellation": "Your registration for %(title)s is cancelled",
    "reminder": "Reminder: %(title)s",
    "cancelled": "Cancelled: %(title)s",
    "postponed": "Postponed: %(title)s",
    "changed": "Changes to %(title)s",
}
MESSAGES = {
    "confirmation": "Thank you for registering. Your seats are confirmed.",
    "waiting_list": (
        "The seats in this category are taken, so you are on the waiting list, at number "
        "%(position)s. We will email you as soon as seats are free for your party."
    ),
    "promotion": "Good news: seats have become free and your registration is now confirmed.",
    "cancellation": (
        "Your registration has been cancelled. If this was a mistake, you are welcome to "
        "register again while seats are free."
    ),
    "reminder": "We look forward to welcoming you soon. Please bring your ticket.",
    "cancelled": "We are sorry: the ceremony you registered for has been cancelled.",
    "postponed": "The ceremony you registered for has been postponed.",
    "changed": "The ceremony you registered for has been changed. Please check the details below.",
}
# The emails of a confirmed registration that carry the ticket and the calendar file.
WITH_TICKET = {"confirmation", "promotion", "reminder", "postponed", "changed"}


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


FAILING_BACKEND = f"{__name__}.FailingBackend"
LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _ceremony(**kwargs):
    start = timezone.now() + datetime.timedelta(days=2)
    return CeremonyFactory(
        title_en="Wreath-laying at the monument",
        title_de="Kranzniederlegung am Denkmal",
        title_ru="Возложение венков к памятнику",
        start=start,
        end=start + datetime.timedelta(hours=2),
        registration_closes=start - datetime.timedelta(hours=1),
        **kwargs,
    )


def registration_with_email(kind, language):
    """A registration in `language` for which an email of `kind` was queued the way the
    site queues it, the other registrants' emails removed."""
    category = SeatCategoryFactory(ceremony=_ceremony(), capacity=1)
    if kind == "waiting_list":
        RegistrationFactory(category=category, email="seated@example.org")
        registration = RegistrationFactory(category=category, name="Anna", language=language)
    elif kind == "promotion":
        seated = RegistrationFactory(category=category, email="seated@example.org")
        registration = RegistrationFactory(category=category, name="Anna", language=language)
        services.registration_cancel(registration=seated)
    else:
        registration = RegistrationFactory(category=category, name="Anna", language=language)
    if kind == "cancellation":
        services.registration_cancel(registration=registration)
    elif kind == "reminder":
        services.reminders_send(days_before=3)
    elif kind in ("cancelled", "postponed"):
        Ceremony.objects.filter(pk=category.ceremony_id).update(status=kind)
        services.ceremony_notify_change(
            ceremony=Ceremony.objects.get(pk=category.ceremony_id), kind=kind
        )
    elif kind == "changed":
        services.ceremony_notify_change(ceremony=category.ceremony, kind=kind)
    OutgoingEmail.objects.exclude(registration=registration).delete()
    registration.refresh_from_db()
    return registration


def send_outbox():
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    return out.getvalue()


def queued(registration, kind):
    """The queued email as the worker writes it just before sending."""
    email = OutgoingEmail.objects.get(registration=registration, kind=kind)
    emails.ensure_written(email)
    return email


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_email_is_written_in_the_registrants_language(translated, kind, language):
    registration = registration_with_email(kind, language)
    title = getattr(registration.ceremony, f"title_{language}")

    email = queued(registration, kind)

    message = translated(language, MESSAGES[kind]) % {"position": 1}
    greeting = translated(language, "Dear %(name)s,") % {"name": "Anna"}
    assert (email.to, email.language, email.status) == (registration.email, language, "queued")
    assert email.subject == translated(language, SUBJECTS[kind]) % {"title": title}
    assert email.body_text.startswith(f"{greeting}\n\n{message}")
    assert escape(message) in email.body_html
    assert escape(greeting) in email.body_html
    assert f'<html lang="{language}">' in email.body_html
    if language != "en":
        # Translated, not the English text the catalogue falls back to.
        assert message != MESSAGES[kind] % {"position": 1}
        assert email.subject != SUBJECTS[kind] % {"title": title}


@pytest.mark.parametrize("kind", KINDS)
def test_email_has_the_booking_code_and_the_absolute_manage_link(settings, kind):
    settings.SITE_URL = "https://elbeday.example.org"
    registration = registration_with_email(kind, "de")

    email = queued(registration, kind)

    manage_url = f"https://elbeday.example.org/de/registrations/{registration.manage_token}/"
    assert registration.booking_code_display in email.body_text
    assert registration.booking_code_display in email.body_html
    assert manage_url in email.body_text.splitlines()
    assert f'<a href="{manage_url}">' in email.body_html


@pytest.mark.parametrize("kind", KINDS)
def test_ticket_and_calendar_file_are_attached_while_confirmed(kind):
    registration = registration_with_email(kind, "en")

    email = queued(registration, kind)

    expected = (
        [
            ("ceremony.ics", "text/calendar"),
            (f"ticket-{registration.booking_code}.png", "image/png"),
        ]
        if kind in WITH_TICKET
        else []
    )
    assert [(a["filename"], a["mimetype"]) for a in email.attachments] == expected


def test_attached_calendar_file_and_qr_code_are_the_registrations():
    registration = registration_with_email("confirmation", "ru")

    send_outbox()

    [message] = [m for m in mail.outbox if m.to == [registration.email]]
    (_ics_name, ics, _ics_type), (_png_name, png, _png_type) = message.attachments
    assert png == tickets.qr_png(registration)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # Django hands text attachments over as text.
    assert "BEGIN:VEVENT" in ics
    assert "SUMMARY:Возложение венков к памятнику" in ics


def test_change_notice_names_the_reason():
    registration = registration_with_email("confirmation", "en")
    Ceremony.objects.filter(pk=registration.ceremony_id).update(
        status="cancelled", status_note_en="The river has flooded the meadow."
    )

    services.ceremony_notify_change(
        ceremony=Ceremony.objects.get(pk=registration.ceremony_id), kind="cancelled"
    )

    email = queued(registration, "cancelled")
    assert (
        "We are sorry: the ceremony you registered for has been cancelled. "
        "The river has flooded the meadow."
    ) in email.body_text


def test_qr_code_holds_the_absolute_checkin_link_with_the_ticket_token(settings):
    settings.SITE_URL = "https://elbeday.example.org/"
    registration = RegistrationFactory(language="de")

    url = tickets.checkin_url(registration)

    # No language in it: the gate page opens in the volunteer's (tests/staff/test_checkin.py).
    assert url == f"https://elbeday.example.org/checkin/{registration.ticket_token}/"
    assert registration.booking_code not in url
    assert f"/{registration.pk}/" not in url
    assert registration.manage_token not in url


def test_send_outbox_sends_the_queued_emails():
    registration = registration_with_email("confirmation", "de")
    email = queued(registration, "confirmation")

    assert send_outbox() == "Outbox: 1 sent, 0 failed (will retry).\n"

    (message,) = mail.outbox
    assert (message.to, message.subject, message.body, message.from_email) == (
        [registration.email],
        email.subject,
        email.body_text,
        settings.DEFAULT_FROM_EMAIL,
    )
    assert message.alternatives == [(email.body_html, "text/html")]
    assert [(name, mimetype) for name, _content, mimetype in message.attachments] == [
        ("ceremony.ics", "text/calendar"),
        (f"ticket-{registration.booking_code}.png", "image/png"),
    ]
    assert message.attachments[1][1] == tickets.qr_png(registration)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    assert email.sent_at is not None


def test_send_outbox_sends_each_email_once():
    registration_with_email("waiting_list", "en")

    send_outbox()
    send_outbox()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments == []


def test_email_stays_queued_while_the_server_is_down_and_is_sent_later(settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    registration = registration_with_email("confirmation", "en")
    email = queued(registration, "confirmation")
    before = timezone.now()

    send_outbox()

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (
        "queued",
        1,
        "ConnectionRefusedError: mail server unreachable",
    )
    assert email.next_attempt_at > before
    assert mail.outbox == []

    # Not due yet: a run right away leaves it alone.
    assert emails.send_due(now=before) == (0, 0)

    settings.EMAIL_BACKEND = LOCMEM_BACKEND
    assert emails.send_due(now=email.next_attempt_at) == (1, 0)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert [message.to for message in mail.outbox] == [[registration.email]]


def test_retries_wait_longer_each_time(settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    email = queued(registration_with_email("confirmation", "en"), "confirmation")
    now = timezone.now()
    pauses = []

    for _attempt in range(4):
        emails.send_due(now=now)
        email.refresh_from_db()
        pauses.append(int((email.next_attempt_at - now).total_seconds()))
        now = email.next_attempt_at

    assert pauses == emails.RETRY_DELAYS[:4]
    assert pauses == sorted(pauses)


def test_email_fails_for_good_after_the_last_retry(settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    email = queued(registration_with_email("confirmation", "en"), "confirmation")
    now = timezone.now()

    results = []
    for _attempt in range(len(emails.RETRY_DELAYS) + 1):
        results.append(emails.send_due(now=now))
        email.refresh_from_db()
        now = email.next_attempt_at

    assert results == [(0, 1)] * (len(emails.RETRY_DELAYS) + 1)
    assert (email.status, email.attempts) == ("failed", len(emails.RETRY_DELAYS) + 1)
    assert email.last_error == "ConnectionRefusedError: mail server unreachable"

    settings.EMAIL_BACKEND = LOCMEM_BACKEND
    assert emails.send_due(now=now + datetime.timedelta(days=30)) == (0, 0)
    assert mail.outbox == []
