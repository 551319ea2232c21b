import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from registrations.emails import send_due

logger = logging.getLogger(__name__)

BATCH = 20


class Command(BaseCommand):
    help = (
        "Send the queued emails that are due; failures are retried later with a growing "
        "pause. With --loop it keeps running until SIGTERM or Ctrl-C, which let it finish "
        "the email in hand and give back the others (press Ctrl-C again to stop at once)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, checking every few seconds."
        )
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, loop, interval, **options):
        stop = threading.Event()
        if loop:
            self._stop_on_signals(stop)
        while True:
            try:
                sent, failed = send_due(limit=BATCH, stop=stop)
            except DatabaseError:
                if not loop:
                    raise
                # The database restarting must not end the worker; the claims of the
                # round are given back, or run out.
                logger.exception("Outbox round failed; trying again")
                sent = failed = 0
            if sent or failed or not loop:
                self.stdout.write(f"Outbox: {sent} sent, {failed} failed (will retry).")
            if not loop:
                return
            # A full batch may mean more are due: go on at once.
            if stop.is_set() or (sent + failed < BATCH and stop.wait(interval)):
                break
            # A long-running worker drops connections the database has closed meanwhile,
            # as a request would.
            close_old_connections()
        self.stdout.write("Outbox worker stopped.")

    def _stop_on_signals(self, stop):
        """SIGTERM (systemd, `kill`, `make run` ending) and SIGINT (Ctrl-C) end the loop
        after the email in hand; a second one stops at once, as without this. A signal the
        parent ignores stays ignored: a shell's background job (`make run`) ignores Ctrl-C
        and is stopped by the shell with SIGTERM."""
        defaults = {}

        def request_stop(signum, frame):
            stop.set()
            for number, handler in defaults.items():
                signal.signal(number, handler)

        for number in (signal.SIGTERM, signal.SIGINT):
            if signal.getsignal(number) != signal.SIG_IGN:
                defaults[number] = signal.getsignal(number)
                signal.signal(number, request_stop)
