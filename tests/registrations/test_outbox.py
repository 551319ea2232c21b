"""The outbox worker against a real mail server (aiosmtpd in a thread, on a free port):
each email is delivered once, with workers side by side, killed or stopped; a mail
server that is slow or never answers holds up neither registrations nor other workers;
and a failed attempt is visible to staff at once, with its reason.

Ordering is asserted with events, never with timings (those belong in the benchmark,
`python -m bench.outbox`). Tests with threads or processes commit their data
(`transaction=True`), as each thread and process has its own database connection.
"""

import asyncio
import collections
import datetime
import os
import signal
import socket
import subprocess
import sys
import threading
import zoneinfo
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection
from django.utils import timezone

from bench.outbox import SilentServer
from registrations import emails, services
from registrations.models import OutgoingEmail
from tests.factories import RegistrationFactory, SeatCategoryFactory, register
from tests.helpers import admin_action, ceremony_on, logged_in, page, registration_time

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# The longest the tests wait for something that should happen at once; reached only
# when the code under test is wrong, so that a failing test fails instead of hanging.
PATIENCE = 30
OUTBOX = "/en/admin/registrations/outgoingemail/"
CHANGELIST = "/en/admin/registrations/registration/"


class Mailbox:
    """What the test mail server received: one entry per recipient of each message.

    `hold` names a recipient whose message the server keeps waiting at the end of DATA
    (the worker is inside the send) until another message has come in, or until the test
    sets `release`; `holding` is set while it waits. A hold that ran out of patience is
    noted in `held_up`."""

    def __init__(self, *, hold=None, release_on_another=True):
        self.received = []
        self.hold = hold
        self.release_on_another = release_on_another
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held_up = False

    async def handle_DATA(self, server, session, envelope):
        if self.hold in envelope.rcpt_tos:
            self.holding.set()
            released = await asyncio.to_thread(self.release.wait, PATIENCE)
            self.held_up = not released
        elif self.release_on_another:
            self.release.set()
        self.received.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class LocalController(Controller):
    """aiosmtpd's threaded server, listening on a free port of 127.0.0.1 (port 0)."""

    def __init__(self, handler):
        self._socket = socket.create_server(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._socket.getsockname()[1])

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._socket)


def _point_email_at(settings, port, *, timeout):
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = timeout


@pytest.fixture
def start_mail_server(settings):
    """Starts a test mail server with the given `Mailbox` and points Django's SMTP
    backend at it; the servers are stopped after the test."""
    controllers = []

    def start(mailbox):
        controller = LocalController(mailbox)
        controller.start()
        controllers.append(controller)
        _point_email_at(settings, controller.port, timeout=PATIENCE)
        return mailbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def mail_server(start_mail_server):
    return start_mail_server(Mailbox())


@pytest.fixture
def silent_server(settings):
    server = SilentServer()
    _point_email_at(settings, server.port, timeout=1)
    yield server
    server.stop()


def queue_confirmations(count):
    """`count` registrations of one ceremony, each with its confirmation queued; gives
    their addresses in the order they were queued."""
    category = SeatCategoryFactory(capacity=count + 10)
    return [
        RegistrationFactory(category=category, email=f"guest{number:02}@example.org").email
        for number in range(count)
    ]


def statuses():
    return collections.Counter(OutgoingEmail.objects.values_list("status", flat=True))


class WorkerKilled(BaseException):
    """The worker process dying on the spot (SIGKILL, power cut): nothing after it runs,
    not even `except Exception`."""


class DyingBackend(SMTPBackend):
    """Django's SMTP backend, whose worker dies right after it has handed its
    `die_after`-th message to the mail server, before the worker can record it."""

    die_after = 2
    handed = 0

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        DyingBackend.handed += sent
        if DyingBackend.handed >= DyingBackend.die_after:
            raise WorkerKilled
        return sent


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


@pytest.mark.django_db(transaction=True)
def test_two_workers_side_by_side_deliver_each_email_once(start_mail_server):
    addresses = queue_confirmations(20)
    # The server keeps the first email waiting until another has come in: the other
    # worker must be able to send while one is stuck with a slow server.
    mailbox = start_mail_server(Mailbox(hold=addresses[0]))
    barrier = threading.Barrier(2)
    rounds, errors = [], []

    def work():
        try:
            barrier.wait()
            while True:
                sent, failed = emails.send_due(limit=5)
                rounds.append((sent, failed))
                if not sent and not failed:
                    return
        except Exception as error:  # every error is a test failure
            errors.append(repr(error))
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _number in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert mailbox.held_up is False
    assert sorted(mailbox.received) == addresses
    assert sum(sent for sent, _failed in rounds) == 20
    assert sum(failed for _sent, failed in rounds) == 0
    assert statuses() == {"sent": 20}


@pytest.mark.django_db(transaction=True)
def test_killed_worker_sends_at_most_one_email_twice(settings, mail_server):
    addresses = queue_confirmations(6)
    settings.EMAIL_BACKEND = f"{__name__}.DyingBackend"
    DyingBackend.handed = 0

    with pytest.raises(WorkerKilled):
        emails.send_due()
    assert mail_server.received == addresses[:2]

    # A new worker at once: what the dead one had not begun goes out; the email it
    # was sending may have been delivered, so it waits for the claim to run out.
    settings.EMAIL_BACKEND = SMTP_BACKEND
    assert emails.send_due() == (4, 0)
    assert mail_server.received == addresses[:2] + addresses[2:]
    assert statuses() == {"sent": 5, "sending": 1}

    later = timezone.now() + emails.claim_timeout() + datetime.timedelta(seconds=1)
    assert emails.send_due(now=later) == (1, 0)

    deliveries = collections.Counter(mail_server.received)
    assert sorted(deliveries) == addresses
    assert sorted(deliveries.values()) == [1, 1, 1, 1, 1, 2]
    assert deliveries[addresses[1]] == 2
    assert statuses() == {"sent": 6}


@pytest.mark.django_db(transaction=True)
def test_worker_gives_up_on_a_server_that_never_answers(silent_server):
    [address] = queue_confirmations(1)
    before = timezone.now()

    assert emails.send_due() == (0, 1)

    email = OutgoingEmail.objects.get()
    assert silent_server.connections == 1
    assert (email.to, email.status, email.attempts, email.last_error) == (
        address,
        "queued",
        1,
        "SMTPServerDisconnected: Connection unexpectedly closed: timed out",
    )
    assert email.next_attempt_at >= before + datetime.timedelta(seconds=emails.RETRY_DELAYS[0])


@pytest.mark.django_db(transaction=True)
def test_registration_does_not_wait_for_a_worker_stuck_with_the_mail_server(
    settings, silent_server
):
    # Only the server hanging up ends the worker's wait, not its timeout.
    settings.EMAIL_TIMEOUT = PATIENCE
    category = SeatCategoryFactory(capacity=10)
    RegistrationFactory(category=category, email="first@example.org")
    events, results = [], []

    def work():
        try:
            results.append(emails.send_due())
        finally:
            events.append("worker done")
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert silent_server.connected.wait(PATIENCE)  # the worker is inside the send
        second = register(
            category=category, name="Second", email="second@example.org", party_size=1
        )
        events.append("registered")
    finally:
        silent_server.stop()
        worker.join()

    assert events == ["registered", "worker done"]
    assert results == [(0, 1)]
    assert second.registration.status == "confirmed"
    assert sorted(OutgoingEmail.objects.values_list("to", "status", "attempts")) == [
        ("first@example.org", "queued", 1),
        ("second@example.org", "queued", 0),
    ]


def _database_url():
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or 'localhost'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_worker_stops_after_the_email_in_hand_and_gives_back_the_rest(
    settings, start_mail_server, stop_signal
):
    addresses = queue_confirmations(3)
    mailbox = start_mail_server(Mailbox(hold=addresses[0], release_on_another=False))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "elbeday.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "insecure-key-for-tests-only",
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}",
        "CACHE_URL": "locmemcache://",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "send_outbox", "--loop", "--interval", "0.2"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert mailbox.holding.wait(PATIENCE)  # the worker is inside the first send
        worker.send_signal(stop_signal)
        mailbox.release.set()
        stdout, stderr = worker.communicate(timeout=PATIENCE)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert (worker.returncode, stderr) == (0, "")
    assert stdout == "Outbox: 1 sent, 0 failed (will retry).\nOutbox worker stopped.\n"
    assert mailbox.received == addresses[:1]
    assert list(OutgoingEmail.objects.order_by("pk").values_list("to", "status", "attempts")) == [
        (addresses[0], "sent", 1),
        (addresses[1], "queued", 0),
        (addresses[2], "queued", 0),
    ]
    # Given back, not left for the claim to run out: the next worker sends them at once.
    assert list(OutgoingEmail.objects.due(timezone.now()).order_by("pk").values_list("to")) == [
        (addresses[1],),
        (addresses[2],),
    ]


def test_email_timeout_comes_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.%s)"
    base = {key: value for key, value in os.environ.items() if key != "EMAIL_TIMEOUT"}
    base.update(DJANGO_SETTINGS_MODULE="elbeday.settings", DJANGO_DEBUG="true")

    def timeout(**env):
        return subprocess.run(
            [sys.executable, "-c", code % "EMAIL_TIMEOUT"],
            cwd=PROJECT_ROOT,
            env={**base, **env},
            capture_output=True,
            text=True,
            check=True,
            timeout=PATIENCE * 4,
        ).stdout.strip()

    assert (timeout(), timeout(EMAIL_TIMEOUT="7")) == ("30", "7")


# What staff see of a failed attempt, at once and with its reason.


@pytest.fixture
def failed_attempt(db, settings):
    """Anna's confirmation, which the mail server refused once; tried again in a minute."""
    anna = RegistrationFactory(name="Anna Schmidt", email="anna@example.org")
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    assert emails.send_due() == (0, 1)
    return anna


def retrying_at(registration, *args):
    """Moves the next try of the registration's emails to a time shown in the tests."""
    OutgoingEmail.objects.filter(registration=registration).update(
        next_attempt_at=datetime.datetime(*args, tzinfo=BERLIN)
    )


def test_admin_registration_page_shows_a_failed_attempt_with_its_reason(organiser, failed_attempt):
    retrying_at(failed_attempt, 2026, 4, 20, 14, 5)

    shown = page(logged_in(organiser).get(f"{CHANGELIST}{failed_attempt.pk}/change/"))

    group = shown.find("div", id="emails-group")
    rows = [
        [
            shown.find("td", f"field-{field}", within=row).text
            for field in ("kind", "status", "delivery", "attempts", "last_error")
        ]
        for row in shown.find_all("tr", within=group)
        if shown.find_all("td", "field-kind", within=row)
    ]
    assert rows == [
        [
            "confirmation",
            "queued",
            "failed attempt, retrying at April 20, 2026, 2:05 p.m.",
            "1",
            "ConnectionRefusedError: mail server unreachable",
        ]
    ]


def test_admin_registration_list_shows_a_failed_attempt_with_its_reason(organiser, failed_attempt):
    retrying_at(failed_attempt, 2026, 4, 20, 14, 5)
    RegistrationFactory(name="Ben", email="ben@example.org")

    shown = page(logged_in(organiser).get(CHANGELIST))

    states = dict(
        zip(shown.texts("td", "field-name"), shown.texts("td", "field-email_state"), strict=True)
    )
    assert states == {
        "Anna Schmidt": (
            "failed attempt, retrying at April 20, 2026, 2:05 p.m.: "
            "ConnectionRefusedError: mail server unreachable"
        ),
        "Ben": "queued",
    }


def test_email_list_filters_the_emails_not_delivered(organiser, failed_attempt):
    retrying_at(failed_attempt, 2026, 4, 20, 14, 5)
    given_up = RegistrationFactory(email="given-up@example.org")
    OutgoingEmail.objects.filter(registration=given_up).update(
        status=OutgoingEmail.Status.FAILED, attempts=9, last_error="SMTPRecipientsRefused"
    )
    sent = RegistrationFactory(email="sent@example.org")
    OutgoingEmail.objects.filter(registration=sent).update(status=OutgoingEmail.Status.SENT)
    RegistrationFactory(email="queued@example.org")

    listed = page(logged_in(organiser).get(OUTBOX, {"delivery": "problems"}))

    rows = listed.table(listed.find("table", id="result_list"))
    assert [row[3:6] for row in rows] == [
        ["given-up@example.org", "failed", "failed for good after 9 attempts"],
        ["anna@example.org", "queued", "failed attempt, retrying at April 20, 2026, 2:05 p.m."],
    ]
    assert [row[-1] for row in rows] == [
        "SMTPRecipientsRefused",
        "ConnectionRefusedError: mail server unreachable",
    ]


def test_send_again_makes_a_failed_attempt_due_now(organiser, failed_attempt, settings):
    email = OutgoingEmail.objects.get(registration=failed_attempt)

    messages = admin_action(logged_in(organiser), OUTBOX, "retry", [email])

    assert messages == ["1 email queued again."]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert emails.send_due() == (1, 0)
    email.refresh_from_db()
    assert (email.status, email.last_error) == ("sent", "")


class SendAgainWhileSending(BaseEmailBackend):
    """A mail server that takes the email while staff press "Send again" on it."""

    client = None

    def send_messages(self, email_messages):
        admin_action(self.client, OUTBOX, "retry", list(OutgoingEmail.objects.all()))
        return len(email_messages)


def test_send_again_leaves_an_email_being_sent_alone(organiser, settings):
    RegistrationFactory(email="anna@example.org")
    SendAgainWhileSending.client = logged_in(organiser)
    settings.EMAIL_BACKEND = f"{__name__}.SendAgainWhileSending"

    assert emails.send_due() == (1, 0)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert emails.send_due() == (0, 0)
    assert list(OutgoingEmail.objects.values_list("status", "attempts")) == [("sent", 1)]


class AnonymiseWhileSending(BaseEmailBackend):
    """A mail server that takes a message while the registrants' data is anonymised."""

    received = []

    def send_messages(self, email_messages):
        AnonymiseWhileSending.received.extend(message.to[0] for message in email_messages)
        services.registrations_anonymise(after_days=30)
        return len(email_messages)


@pytest.mark.django_db
def test_anonymising_during_a_send_leaves_no_personal_data_and_sends_no_more(settings):
    ceremony = ceremony_on(timezone.now() - datetime.timedelta(days=40))
    category = SeatCategoryFactory(ceremony=ceremony, capacity=5)
    for name in ("Anna Schmidt", "Ben Weber"):
        RegistrationFactory(
            category=category,
            name=name,
            email=f"{name.split()[0].lower()}@example.org",
            now=registration_time(ceremony),
        )
    settings.EMAIL_BACKEND = f"{__name__}.AnonymiseWhileSending"
    AnonymiseWhileSending.received = []

    assert emails.send_due() == (1, 0)

    # Anna's went out as the data was anonymised; Ben's, claimed but not begun, did not.
    assert AnonymiseWhileSending.received == ["anna@example.org"]
    assert list(OutgoingEmail.objects.values_list("status", "subject", "body_text")) == [
        ("sent", "", "")
    ]
    assert emails.send_due() == (0, 0)
