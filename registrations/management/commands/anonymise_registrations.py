from django.conf import settings
from django.core.management.base import BaseCommand

from memorials.services import submissions_anonymise
from registrations.delegations import delegations_anonymise
from registrations.press import accreditations_anonymise
from registrations.services import registrations_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise the registrants of ceremonies that ended more than ANONYMISE_AFTER_DAYS "
        "days ago, keeping the numbers, and the senders of corrections and photos "
        "SUBMISSION_RETENTION_DAYS days after the decision. Run it daily; running it again "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.ANONYMISE_AFTER_DAYS)

    def handle(self, *args, days, **options):
        count = registrations_anonymise(after_days=days)
        self.stdout.write(f"Registrations anonymised: {count}.")
        count = delegations_anonymise(after_days=days)
        self.stdout.write(f"Delegations anonymised: {count}.")
        count = accreditations_anonymise(after_days=days)
        self.stdout.write(f"Press accreditations anonymised: {count}.")
        # Corrections and photos from the public keep their own time
        # (SUBMISSION_RETENTION_DAYS after the decision), whatever --days says.
        count = submissions_anonymise()
        self.stdout.write(f"Corrections and photos from the public anonymised: {count}.")
