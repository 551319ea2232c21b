"""Demo guests for `manage.py load_demo`: a few registrations on the sample ceremonies
(one category full, two parties waiting) and on today's check-in rehearsal (one guest
cancelled, so the gate's refusal can be tried), and fictional sample delegations and
speakers on the sample wreath-laying, all made through the services."""

import datetime

from django.utils import timezone

from events.demo import next_elbe_day, rehearsal_slug, sample_slugs
from events.models import Ceremony

from . import services
from .delegations import delegation_decide, delegation_request, invitation_create
from .models import Delegation, OutgoingEmail, Registration, Speaker
from .order import speaker_save, wreath_order_propose, wreath_order_publish

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
    protocol = Ceremony.objects.filter(slug=slugs["wreath"], delegations__isnull=True).first()
    if protocol:
        _protocol_samples(protocol, now)
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
    # The rehearsal ends at 23:59: loaded in the day's last minute, its guests registered
    # just before (its gate stays open until midnight, as the day's check-ins).
    now = min(now, ceremony.registration_closes - datetime.timedelta(seconds=1))
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


# Fictional organisations, each marked as a sample: no real organisation is shown as having
# asked for anything. (Organisation, country, kind, email language, decision, wreath,
# wish to speak.)
SAMPLE_DELEGATIONS = [
    ("Example Veterans' Association (sample)", "US", "veterans", "en", "approved", True, False),
    ("Example Town Council (sample)", "DE", "municipal", "de", "approved", True, False),
    ("Example Friendship Society (sample)", "RU", "association", "ru", "approved", False, True),
    ("Example School Class (sample)", "DE", "school", "de", "waiting", True, False),
]


def _protocol_samples(ceremony, now):
    """Sample delegations on the wreath-laying, through the same services as the staff
    pages: invited, requested, decided; the order of wreaths proposed and published, and
    two sample speakers in the speeches."""
    ceremony.delegation_category = ceremony.categories.filter(
        name_en="Official delegations"
    ).first()
    ceremony.save(update_fields=["delegation_category"])
    decided = {}
    for number, (organisation, country, kind, language, status, wreath, speaks) in enumerate(
        SAMPLE_DELEGATIONS, start=1
    ):
        email = f"delegation-{number}@{ceremony.slug}.example.org"
        invitation = invitation_create(
            ceremony=ceremony, organisation=organisation, email=email, language=language, by=None
        )
        delegation = delegation_request(
            ceremony=ceremony,
            invitation=invitation,
            delegation=Delegation(
                organisation=organisation,
                country=country,
                kind=kind,
                head_name=f"Sample head of delegation {number}",
                head_function="Chair (sample)",
                members=f"Sample member {number}.1",
                brings_wreath=wreath,
                ribbon_text="In remembrance (sample)" if wreath else "",
                wreath_bearers="Two sample wreath bearers" if wreath else "",
                wishes_to_speak=speaks,
                contact_name=f"Sample contact {number}",
                contact_email=email,
                contact_phone="+49 3421 000000",
                language=language,
            ),
            now=now,
        )
        if status != "waiting":
            delegation = delegation_decide(
                delegation=delegation, status=status, note="Sample decision.", now=now
            )
        decided[organisation] = delegation
    wreath_order_propose(ceremony=ceremony)
    wreath_order_publish(ceremony=ceremony, published=True)
    speeches = ceremony.programme.filter(title_en="Speeches").first()
    speakers = [
        ("Sample speaker A", "Host of the ceremony (sample)", None, "de", 8),
        (
            "Sample speaker B",
            "For the Example Friendship Society (sample)",
            decided["Example Friendship Society (sample)"],
            "ru",
            6,
        ),
    ]
    for name, function, delegation, language, minutes in speakers:
        speaker_save(
            speaker=Speaker(
                ceremony=ceremony,
                programme_item=speeches,
                delegation=delegation,
                name=name,
                function=function,
                language=language,
                minutes=minutes,
            )
        )
    # Sample organisations have no inbox either.
    OutgoingEmail.objects.filter(delegation__ceremony=ceremony).delete()
    OutgoingEmail.objects.filter(delegation_invitation__ceremony=ceremony).delete()
    OutgoingEmail.objects.filter(
        registration__ceremony=ceremony, registration__delegation__isnull=False
    ).delete()
