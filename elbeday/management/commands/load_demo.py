from django.core.management.base import BaseCommand
from django.db import transaction

from events.demo import load_ceremonies
from memorials.demo import load_memorials
from registrations.demo import load_registrations

from ...demo import load_pages


class Command(BaseCommand):
    help = (
        "Load the demo content: the memorial sites of the Elbe meeting with their sources, "
        "past Elbe Day ceremonies and a sample programme for the next one. "
        "Creates only what is missing, so running it again changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = load_memorials()
        created += load_ceremonies()
        created += load_registrations()
        created += load_pages()
        self.stdout.write(
            f"Demo content: {created} new objects." if created else "Demo content: up to date."
        )
        self.stdout.write(
            "Try the gate: log in as the admin and open /en/checkin/ for today's demo "
            "'Check-in rehearsal', or open a rehearsal ticket's QR code link."
        )
