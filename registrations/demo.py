"""Demo guests for `manage.py load_demo`: a few registrations on the sample ceremonies
(one category full, two parties waiting) and on today's check-in rehearsal (one guest
cancelled, so the gate's refusal can be tried), all made through the services."""

from django.utils import timezone

from events.demo import next_elbe_day, rehearsal_slug, sample_slugs
from events.models import Ceremony

from . import services
from .models import OutgoingEmail, Registration

LANGUAGES = ["de", "en", "ru"]


def load_registrations(now=None):
    """Register the demo guests of demo ceremonies that have none yet; return how many
    registrations were made."""
    now = now or timezone.now()
    before = Registration.objects.count()
    slugs = sample_slugs(next_elbe_day(now))
    wreath = _without_guests(slugs["wreath"])
    if wreath:
        _register(wreath, [("Veterans and families", 2), ("Public", 3), ("Public", 1)], now)
    strehla = _without_guests(slugs["strehla"])
    if strehla:
        # Fills the 8 seats and puts two parties on the waiting list.
        parties = [("Public", 3), ("Public", 3), ("Public", 2), ("Public", 2), ("Public", 1)]
        _register(strehla, parties, now)
    rehearsal = _without_guests(rehearsal_slug(now))
    if rehearsal:
        _rehearsal_guests(rehearsal, now)
    return Registration.objects.count() - before


def _without_guests(slug):
    return Ceremony.objects.filter(slug=slug, registrations__isnull=True).first()


def _register(ceremony, parties, now):
    categories = {category.name_en: category for category in ceremony.categories.all()}
    for number, (category_name, size) in enumerate(parties, start=1):
        services.registration_create(
            registration=Registration(
                category=categories[category_name],
                name=f"Demo guest {number}",
                email=f"demo-guest-{number}@{ceremony.slug}.example.org",
                party_size=size,
                language=LANGUAGES[number % 3],
                guest_names="\n".join(f"Demo guest {number}.{i}" for i in range(2, size + 1)),
            ),
            now=now,
        )
    # Demo people have no inbox: drop their queued emails instead of printing them.
    OutgoingEmail.objects.filter(registration__ceremony=ceremony).delete()


def _rehearsal_guests(ceremony, now):
    category = ceremony.categories.get()
    for number, size in enumerate([4, 3, 2, 1, 2], start=1):
        services.registration_create(
            registration=Registration(
                category=category,
                name=f"Rehearsal guest {number}",
                email=f"rehearsal-{number}@{ceremony.slug}.example.org",
                party_size=size,
                language=LANGUAGES[number % 3],
                needs_wheelchair_space=number == 2,
                needs_hearing_loop=number == 3,
            ),
            now=now,
        )
    services.registration_cancel(registration=ceremony.registrations.order_by("pk").last(), now=now)
    OutgoingEmail.objects.filter(registration__ceremony=ceremony).delete()
