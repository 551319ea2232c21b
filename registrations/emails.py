"""Composing and sending the registrants' emails through the outbox.

`queue_registration_email` stores the email in `OutgoingEmail` within the caller's
transaction; `send_due` (run by the `send_outbox` command) claims what is due, writes it
in the registrant's language and sends it outside any transaction, and retries failures
with a growing pause.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import tickets
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

Kind = OutgoingEmail.Kind
# Emails that carry the ticket (QR code) and the calendar file.
WITH_TICKET = {Kind.CONFIRMATION, Kind.PROMOTION, Kind.REMINDER, Kind.CHANGED, Kind.POSTPONED}
MESSAGE_TEMPLATES = {Kind.LOST_LINK: "registrations/email/lost_link.txt"}
RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600]


def absolute_url(path):
    """A link for an email: the path at the configured address (DJANGO_SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def queue_registration_email(registration, kind, *, message=None):
    """Queue an email of `kind` to the registrant, in the caller's transaction.

    It is written (in the registrant's language) when the worker sends it, which keeps
    the registration itself quick; an organiser's `message` ({"subject", "body"}) is
    written at once, as the organiser previewed it.
    """
    email = registration_email(registration, kind, message=message)
    if email is not None:
        email.save(force_insert=True)
    return email


def registration_email(registration, kind, *, message=None):
    """The email of `kind` to the registrant, unsaved (see `queue_registration_email`);
    None when the registration has no address."""
    kind = Kind(kind)  # ValueError for a kind that has no templates
    if not registration.email:
        return None  # taken by hand without an address: nobody to write to
    if kind == Kind.MESSAGE:
        return OutgoingEmail(**render_registration_email(registration, kind, message=message))
    return OutgoingEmail(
        registration=registration, kind=kind, to=registration.email, language=registration.language
    )


def queue_written_email(*, kind, to, language, subject, template, context, **owner):
    """Write an email now, in `language`, and queue it in the caller's transaction: for
    the protocol's emails, which belong to a request rather than to a registration
    (`owner`: delegation=, delegation_invitation= or press_accreditation=)."""
    with translation.override(language):
        body_text = render_to_string(template, {**context, "site_url": settings.SITE_URL})
        subject = " ".join(str(subject).split())[:300]
    return OutgoingEmail.objects.create(
        kind=kind, to=to, language=language, subject=subject, body_text=body_text, **owner
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
            "manage_url": absolute_url(registration.get_manage_url()),
            "ticket_url": absolute_url(registration.get_ticket_url()),
            "ceremony_url": absolute_url(registration.ceremony.get_absolute_url()),
            # A kind with a template of its own says its piece there; the older kinds
            # share message.txt.
            "message_template": MESSAGE_TEMPLATES.get(kind, "registrations/email/message.txt"),
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


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
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
    return message


def deliver(email: OutgoingEmail):
    """Write the email if needed and hand it to the mail server (EMAIL_BACKEND; SMTP waits
    at most settings.EMAIL_TIMEOUT for each step)."""
    _message(email).send(fail_silently=False)


def claim_timeout() -> datetime.timedelta:
    """How long an email may stay "being sent" before it counts as left by a worker that
    died, and is given back to be sent again.

    A worker renews its claims before each send, so this must only outlast one send and
    its recording: SMTP waits at most EMAIL_TIMEOUT for each step (connecting, greeting,
    EHLO, STARTTLS, login, MAIL, RCPT, DATA, the message, QUIT: a dozen at most), so
    twenty steps' worth plus a minute for writing the email and for a busy database
    (SQLite's busy timeout is 20 s) is safely longer: 11 minutes with the default 30 s."""
    return datetime.timedelta(seconds=20 * settings.EMAIL_TIMEOUT + 60)


def release_stale_claims(*, now=None) -> int:
    """Give back the emails a worker claimed and never recorded: it died (or was cut off
    from the database) while sending them. Each may have been delivered already: this is
    the one case where an email goes out twice."""
    now = now or timezone.now()
    released = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.SENDING, claimed_at__lt=now - claim_timeout()
    ).update(status=OutgoingEmail.Status.QUEUED, claim_token=None, claimed_at=None)
    if released:
        logger.warning("%d email(s) left by a stopped worker queued again", released)
    return released


def _claim(token, *, limit, now) -> list[int]:
    """Claim up to `limit` due emails for this round, oldest first. The update applies
    only where an email is still queued and due, so of two workers side by side that
    picked the same ones each gets an email or nothing (PostgreSQL re-checks the
    condition after waiting for the other's update; SQLite runs one writer at a time);
    the one that got fewer picks again among the emails still due."""
    due = OutgoingEmail.objects.due(now)
    picked, claimed = [], 0
    while claimed < limit:
        candidates = list(
            due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[: limit - claimed]
        )
        if not candidates:
            break
        picked += candidates
        taken = due.filter(pk__in=candidates).update(
            status=OutgoingEmail.Status.SENDING, claim_token=token, claimed_at=timezone.now()
        )
        claimed += taken
        if taken == len(candidates):
            break
    return list(
        OutgoingEmail.objects.filter(
            pk__in=picked, claim_token=token, status=OutgoingEmail.Status.SENDING
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )


def _record(email: OutgoingEmail, token, **changes) -> bool:
    """Write the result of an attempt, if the claim is still this worker's, with the claim
    cleared and the email as it was written; but not its text if the registrant's data
    was anonymised during the send (the address changed), which must leave none behind."""
    ours = OutgoingEmail.objects.filter(
        pk=email.pk, claim_token=token, status=OutgoingEmail.Status.SENDING
    )
    changes.update(claim_token=None, claimed_at=None)
    written = {
        "subject": email.subject,
        "body_text": email.body_text,
        "body_html": email.body_html,
        "attachments": email.attachments,
    }
    if ours.filter(to=email.to).update(**written, **changes):
        return True
    # Anonymised during the send (or the claim was taken back): no text is kept, and an
    # email that did not go out is dropped, as anonymisation drops unsent emails.
    if changes["status"] == OutgoingEmail.Status.SENT:
        return bool(ours.update(**changes))
    return bool(ours.delete()[0])


def _give_back(token, pks: list[int]):
    """Queue again, as they were, the claimed emails this worker has not begun."""
    try:
        OutgoingEmail.objects.filter(
            pk__in=pks, claim_token=token, status=OutgoingEmail.Status.SENDING
        ).update(status=OutgoingEmail.Status.QUEUED, claim_token=None, claimed_at=None)
    except DatabaseError:
        # Whatever stopped the round may have cut off the database too; the claims
        # then run out instead (claim_timeout).
        logger.exception("Claims of %d email(s) not given back", len(pks))


def _next_claimed(token, pk, pending) -> OutgoingEmail | None:
    """Renew this round's claims before a send, so that only a worker that has stopped
    loses them, and read the email afresh, as it and its registration are now (a batch
    can wait long behind a slow server). None if its claim was taken back meanwhile
    (this worker was stalled for longer than the claim timeout) or it is gone; the email
    of a registrant anonymised meanwhile is dropped, as anonymisation drops unsent ones."""
    ours = OutgoingEmail.objects.filter(
        pk__in=[pk, *pending], claim_token=token, status=OutgoingEmail.Status.SENDING
    )
    ours.update(claimed_at=timezone.now())
    email = (
        ours.filter(pk=pk)
        .select_related("registration__ceremony", "registration__category")
        .first()
    )
    if email is not None and email.registration and email.registration.anonymised_at:
        ours.filter(pk=pk).delete()
        return None
    return email


def _attempt(email: OutgoingEmail, token, *, now) -> bool:
    """Send the claimed email and record the result; whether it went out."""
    attempts = email.attempts + 1
    try:
        deliver(email)
    except Exception as error:
        logger.warning("Email %s (%s) not sent: %s", email.pk, email.kind, type(error).__name__)
        changes = {"attempts": attempts, "last_error": f"{type(error).__name__}: {error}"[:2000]}
        if attempts > len(RETRY_DELAYS):
            changes["status"] = OutgoingEmail.Status.FAILED
        else:
            # From the end of this attempt: a round may have waited long for the server.
            pause = datetime.timedelta(seconds=RETRY_DELAYS[attempts - 1])
            changes.update(
                status=OutgoingEmail.Status.QUEUED,
                next_attempt_at=max(now, timezone.now()) + pause,
            )
        delivered = False
    else:
        changes = {
            "status": OutgoingEmail.Status.SENT,
            "sent_at": timezone.now(),
            "attempts": attempts,
            "last_error": "",
        }
        delivered = True
    if not _record(email, token, **changes):
        logger.warning("Email %s: attempt not recorded, its claim was taken back", email.pk)
    return delivered


def send_due(*, limit=20, now=None, stop=None) -> tuple[int, int]:
    """Send the queued emails that are due; returns (sent, failed attempts).

    Call it outside any transaction (the `send_outbox` command does): every step commits
    on its own, and nothing is locked while the mail server is talked to, however slow it
    is, so registrations never wait for it.

    1. Claims left by a worker that died are given back (`release_stale_claims`).
    2. Up to `limit` due emails are claimed for this round (queued → being sent).
    3. Each is read afresh, written and sent on its own, with settings.EMAIL_TIMEOUT;
       before each send the round renews its claims, and skips an email whose claim
       was taken back.
    4. Each result is recorded at once, only while the claim is still this round's:
       sent; or a failed attempt with its reason and the time of the next one, until
       the last retry fails for good.

    So each email is delivered once. A worker that dies between handing an email to the
    mail server and recording it leaves it claimed: it is sent again after
    `claim_timeout()`, the one way an email can arrive twice.

    With `stop` (a threading.Event) set, the round ends after the email in hand and gives
    back the claims it has not begun; it does so too when an exception ends it.
    """
    now = now or timezone.now()
    release_stale_claims(now=now)
    token = uuid.uuid4()
    pending = _claim(token, limit=limit, now=now)
    sent = failed = 0
    try:
        while pending and not (stop and stop.is_set()):
            email = _next_claimed(token, pending.pop(0), pending)
            if email is None:
                continue
            if _attempt(email, token, now=now):
                sent += 1
            else:
                failed += 1
    finally:
        if pending:
            _give_back(token, pending)
    return sent, failed


def outbox_send_again(*, queryset, now=None) -> int:
    """Make the emails of `queryset` that have not gone out due now, with a fresh series
    of retries; their last error stays until one is sent. Emails sent, and emails a
    worker is sending at this moment, are left alone. Returns how many were queued."""
    return queryset.filter(
        status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.FAILED]
    ).update(status=OutgoingEmail.Status.QUEUED, next_attempt_at=now or timezone.now(), attempts=0)
