from django.conf import settings
from django.core.management.base import BaseCommand

from registrations.services import reminders_send


class Command(BaseCommand):
    help = (
        "Queue reminder emails for ceremonies starting within REMINDER_DAYS_BEFORE days. "
        "Run it from a scheduler (e.g. hourly); running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.REMINDER_DAYS_BEFORE)

    def handle(self, *args, days, **options):
        count = reminders_send(days_before=days)
        self.stdout.write(f"Reminders queued: {count}.")
