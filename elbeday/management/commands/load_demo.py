from django.core.management.base import BaseCommand
from django.db import transaction

from memorials.demo import load_memorials


class Command(BaseCommand):
    help = (
        "Load the demo content: the memorial sites of the Elbe meeting with their sources. "
        "Creates only what is missing, so running it again changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = load_memorials()
        self.stdout.write(
            f"Demo content: {created} new objects." if created else "Demo content: up to date."
        )
