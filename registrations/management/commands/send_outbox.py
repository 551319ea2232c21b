import time

from django.core.management.base import BaseCommand

from registrations.emails import send_due


class Command(BaseCommand):
    help = "Send the queued emails that are due; failures are retried later with a growing pause."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, checking every few seconds."
        )
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, loop, interval, **options):
        while True:
            sent, failed = send_due()
            if sent or failed or not loop:
                self.stdout.write(f"Outbox: {sent} sent, {failed} failed (will retry).")
            if not loop:
                return
            time.sleep(interval)
