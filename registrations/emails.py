"""Composing and sending the registrants' emails through the outbox.

`queue_registration_email` renders the email in the registrant's language and stores it
in `OutgoingEmail` within the caller's transaction; `send_due` (run by the
`send_outbox` command) delivers what is due and retries failures with a growing pause.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import tickets
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

Kind = OutgoingEmail.Kind
# Emails that carry the ticket (QR code) and the calendar file.
WITH_TICKET = {Kind.CONFIRMATION, Kind.PROMOTION, Kind.REMINDER, Kind.CHANGED, Kind.POSTPONED}
RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600]


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def queue_registration_email(registration, kind, *, message=None):
    """Queue an email of `kind` to the registrant, in the caller's transaction.

    It is written (in the registrant's language) when the worker sends it, which keeps
    the registration itself quick; an organiser's `message` ({"subject", "body"}) is
    written at once, as the organiser previewed it.
    """
    kind = Kind(kind)  # ValueError for a kind that has no templates
    if kind == Kind.MESSAGE:
        return OutgoingEmail.objects.create(
            **render_registration_email(registration, kind, message=message)
        )
    return OutgoingEmail.objects.create(
        registration=registration, kind=kind, to=registration.email, language=registration.language
    )


def ensure_written(email: OutgoingEmail):
    """Fill in the subject, texts and attachments of a queued email that has none yet."""
    if email.subject or email.registration is None:
        return
    for field, value in render_registration_email(email.registration, email.kind).items():
        setattr(email, field, value)


def render_registration_email(registration, kind, *, message=None):
    """The fields of the OutgoingEmail for this registration and kind, in the
    registrant's language."""
    kind = Kind(kind)
    with translation.override(registration.language):
        context = {
            "registration": registration,
            "ceremony": registration.ceremony,
            "category": registration.category,
            "kind": kind,
            "manage_url": _absolute(registration.get_manage_url()),
            "ticket_url": _absolute(registration.get_ticket_url()),
            "ceremony_url": _absolute(registration.ceremony.get_absolute_url()),
            "site_url": settings.SITE_URL,
            "with_ticket": kind in WITH_TICKET
            and registration.status == registration.Status.CONFIRMED,
            "custom": message or {},
        }
        subject = render_to_string("registrations/email/subject.txt", context).strip()
        body_text = render_to_string("registrations/email/body.txt", context)
        body_html = render_to_string("registrations/email/body.html", context)
        # The files are made when the email is sent, not here: queueing happens while
        # the seat category is locked, and drawing a QR code takes longer than the rest.
        attachments = []
        if context["with_ticket"]:
            attachments = [
                {"filename": "ceremony.ics", "mimetype": "text/calendar", "make": "calendar"},
                {
                    "filename": f"ticket-{registration.booking_code}.png",
                    "mimetype": "image/png",
                    "make": "ticket_qr",
                },
            ]
    return {
        "registration": registration,
        "kind": kind,
        "to": registration.email,
        "language": registration.language,
        "subject": " ".join(subject.split())[:300],
        "body_text": body_text,
        "body_html": body_html,
        "attachments": attachments,
    }


def _attachment_content(email, attachment):
    if attachment["make"] == "calendar":
        return tickets.registration_ics(email.registration)
    return tickets.qr_png(email.registration)


def deliver(email: OutgoingEmail):
    ensure_written(email)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(
            attachment["filename"], _attachment_content(email, attachment), attachment["mimetype"]
        )
    message.send(fail_silently=False)


def send_due(*, limit=100, now=None) -> tuple[int, int]:
    """Send queued emails that are due; returns (sent, failed attempts)."""
    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        # Workers running side by side each take different emails.
        due = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("registration__ceremony", "registration__category")
            .filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:limit]
        )
        for email in due:
            email.attempts += 1
            try:
                deliver(email)
            except Exception as error:
                failed += 1
                email.last_error = f"{type(error).__name__}: {error}"[:2000]
                if email.attempts > len(RETRY_DELAYS):
                    email.status = OutgoingEmail.Status.FAILED
                else:
                    delay = RETRY_DELAYS[email.attempts - 1]
                    email.next_attempt_at = now + datetime.timedelta(seconds=delay)
                logger.warning(
                    "Email %s (%s) not sent: %s", email.pk, email.kind, type(error).__name__
                )
            else:
                sent += 1
                email.status = OutgoingEmail.Status.SENT
                email.sent_at = timezone.now()
                email.last_error = ""
            email.save(
                update_fields=[
                    "attempts",
                    "status",
                    "sent_at",
                    "last_error",
                    "next_attempt_at",
                    "subject",
                    "body_text",
                    "body_html",
                    "attachments",
                ]
            )
    return sent, failed
