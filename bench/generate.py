"""A large, realistic data set for the benchmark (not the demo content).

At scale 1: 300 memorial sites with photos, dates and sources, 40 years of ceremonies
(3 a year) with programmes and seat categories, and 200,000 registrations; everything
grows with the scale. Rows are written in bulk; seat counters match the registrations.
Run through `bench/run.py`, which points Django at a database of its own.
"""

import datetime
import io
import random
import uuid
import zoneinfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from events.models import Ceremony, ProgrammeItem, SeatCategory, Series
from memorials.models import MemorialSite, Photo, SiteDate, Source
from registrations.models import BOOKING_CODE_ALPHABET, Registration

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SITES_PER_SCALE = 300
YEARS = 40
CEREMONIES_PER_YEAR = 3
REGISTRATIONS_PER_SCALE = 200_000
RUSH_SLUG = "bench-rush"
# The rush that runs while pages are measured: seats to spare, so that it takes seats for
# as long as it runs (the quota rush above runs out of seats within seconds).
PAGES_RUSH_SLUG = "bench-rush-pages"
PAGES_RUSH_CAPACITY = 1_000_000
BATCH = 5000


def _code(number):
    """A unique 8-character booking code for the number."""
    digits = []
    for _i in range(8):
        number, digit = divmod(number, len(BOOKING_CODE_ALPHABET))
        digits.append(BOOKING_CODE_ALPHABET[digit])
    return "".join(digits)


def _image_bytes():
    image = Image.new("RGB", (1600, 1067), (120, 150, 180))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def generate(*, scale, progress, rush_capacity=400, now=None):
    """Fill an empty database; `progress(step, done, total)` is told how far it got."""
    now = now or timezone.now()
    rng = random.Random(1945)
    with transaction.atomic():
        sites = _sites(scale, rng, progress)
        series = Series.objects.create(
            name_en="Bench Day", slug="bench-day", commemorated_year=1945
        )
        ceremonies = _ceremonies(series, scale, sites, now, progress)
        _registrations(ceremonies, scale, rng, now, progress)
        _rush_ceremony(series, sites[0], rush_capacity, now)
        _rush_ceremony(series, sites[1], PAGES_RUSH_CAPACITY, now, slug=PAGES_RUSH_SLUG)
    return {
        "sites": len(sites),
        "ceremonies": Ceremony.objects.count(),
        "registrations": Registration.objects.count(),
    }


def _sites(scale, rng, progress):
    count = SITES_PER_SCALE * scale
    sources = Source.objects.bulk_create(
        Source(title=f"Source {n}", author=f"Archive {n % 37}", url=f"https://example.org/{n}")
        for n in range(max(50, count // 2))
    )
    kinds = [kind for kind, _label in MemorialSite.Kind.choices]
    sites = MemorialSite.objects.bulk_create(
        MemorialSite(
            name_en=f"Memorial {n}",
            name_de=f"Denkmal {n}",
            name_ru=f"Памятник {n}",
            slug=f"memorial-{n}",
            kind=kinds[n % len(kinds)],
            summary_en="A memorial of the meeting on the Elbe, generated for the benchmark.",
            summary_de="Ein Denkmal der Begegnung an der Elbe, für den Benchmark erzeugt.",
            history_en="Generated text. " * 60,
            town_en=f"Town {n % 97}",
            country=("DE", "US", "RU", "PL")[n % 4],
            latitude=round(50 + rng.random() * 3, 6),
            longitude=round(11 + rng.random() * 4, 6),
            location_precision="town",
            is_published=n % 10 != 0,
        )
        for n in range(count)
    )
    progress("sites", 1, 3)
    # One real upload (checked, re-encoded, resized) shared by every photo row.
    first = Photo(site=sites[0], alt_text_en="Generated photo", licence="CC0")
    first.image = ContentFile(_image_bytes(), name="bench.jpg")
    first.save()
    Photo.objects.bulk_create(
        Photo(
            site=site,
            image=first.image.name,
            width=first.width,
            height=first.height,
            renditions=first.renditions,
            alt_text_en=f"Photo {index} of {site.name_en}",
            caption_en="Generated photo",
            licence="CC0",
            position=index,
        )
        for site in sites[1:]
        for index in range(3)
    )
    SiteDate.objects.bulk_create(
        SiteDate(site=site, kind="dedicated", year=1945 + rng.randrange(80)) for site in sites
    )
    through = MemorialSite.sources.through
    through.objects.bulk_create(
        through(memorialsite_id=site.pk, source_id=source.pk)
        for site in sites
        for source in rng.sample(sources, 3)
    )
    progress("sites", 3, 3)
    return sites


def _ceremonies(series, scale, sites, now, progress):
    this_year = now.astimezone(BERLIN).year
    ceremonies = []
    per_year = CEREMONIES_PER_YEAR * scale
    for year in range(this_year - YEARS + 1, this_year + 2):
        for number in range(per_year):
            start = datetime.datetime(year, 4, 25, 10 + number % 8, 0, tzinfo=BERLIN)
            ceremonies.append(
                Ceremony(
                    series=series,
                    title_en=f"Ceremony {number} of {year}",
                    title_de=f"Gedenkfeier {number} {year}",
                    slug=f"ceremony-{year}-{number}",
                    summary_en="Speeches and wreaths.",
                    start=start,
                    end=start + datetime.timedelta(hours=2),
                    year=year,  # bulk_create skips Ceremony.save(), which sets it
                    status="published",
                    venue_site=sites[(year * per_year + number) % len(sites)],
                    registration_opens=start - datetime.timedelta(days=120),
                    registration_closes=start - datetime.timedelta(hours=12),
                )
            )
    ceremonies = Ceremony.objects.bulk_create(ceremonies)
    ProgrammeItem.objects.bulk_create(
        ProgrammeItem(
            ceremony=ceremony,
            starts_at=ceremony.start + datetime.timedelta(minutes=15 * index),
            title_en=f"Item {index}",
            languages="de,en,ru",
            interpretation=index % 2 == 0,
        )
        for ceremony in ceremonies
        for index in range(6)
    )
    SeatCategory.objects.bulk_create(
        SeatCategory(
            ceremony=ceremony, name_en=name, capacity=capacity, max_party_size=4, position=index
        )
        for ceremony in ceremonies
        for index, (name, capacity) in enumerate(
            [("Public", 1200), ("Veterans and families", 400), ("Press", 200)]
        )
    )
    progress("ceremonies", 1, 1)
    return ceremonies


def _registrations(ceremonies, scale, rng, now, progress):
    total = REGISTRATIONS_PER_SCALE * scale
    categories = {}
    for category in SeatCategory.objects.all():
        categories.setdefault(category.ceremony_id, []).append(category)
    taken = {category.pk: 0 for group in categories.values() for category in group}
    batch = []
    done = 0
    languages = ["de", "en", "ru"]
    countries = ["DE", "US", "RU", "PL", "FR", ""]
    for number in range(total):
        ceremony = ceremonies[number % len(ceremonies)]
        category = categories[ceremony.pk][number % 3]
        party = 1 + rng.randrange(3)
        confirmed = taken[category.pk] + party <= category.capacity
        if confirmed:
            taken[category.pk] += party
        past = ceremony.end < now
        batch.append(
            Registration(
                ceremony=ceremony,
                category=category,
                status="confirmed" if confirmed else "waiting",
                name=f"Guest {number}",
                email=f"guest{number}@example.org",
                party_size=party,
                country=countries[number % len(countries)],
                language=languages[number % 3],
                needs_wheelchair_space=number % 17 == 0,
                needs_hearing_loop=number % 23 == 0,
                consent_privacy_at=ceremony.start - datetime.timedelta(days=30),
                public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                booking_code=_code(number),
                waiting_since=None if confirmed else ceremony.start - datetime.timedelta(days=30),
                checked_in=party if confirmed and past and number % 5 else 0,
            )
        )
        if len(batch) == BATCH:
            Registration.objects.bulk_create(batch)
            done += len(batch)
            batch = []
            progress("registrations", done, total)
    if batch:
        Registration.objects.bulk_create(batch)
        progress("registrations", total, total)
    for pk, seats in taken.items():
        SeatCategory.objects.filter(pk=pk).update(seats_taken=seats)


def _rush_ceremony(series, site, capacity, now, slug=RUSH_SLUG, max_party_size=2):
    """A ceremony a registration rush targets (also bench.post's and bench.outbox's): one
    category, open for registration; `site` may be None."""
    start = now + datetime.timedelta(days=60)
    ceremony = Ceremony.objects.create(
        series=series,
        title_en="Registration rush",
        slug=slug,
        summary_en="The ceremony the benchmark's registration rush registers for.",
        start=start,
        end=start + datetime.timedelta(hours=2),
        status="published",
        venue_site=site,
        registration_opens=now - datetime.timedelta(days=1),
        registration_closes=start - datetime.timedelta(hours=1),
    )
    SeatCategory.objects.create(
        ceremony=ceremony, name_en="Public", capacity=capacity, max_party_size=max_party_size
    )
    return ceremony
