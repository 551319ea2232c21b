"""Load the demo memorial sites from `demo_data` (written from the project's fact sheet).

Creates only what is missing: existing objects, and edits staff made to them, are left
as they are, so loading twice changes nothing.
"""

import io
import textwrap
from decimal import Decimal

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from . import demo_data
from .models import HistoryNote, MemorialSite, Photo, Series, SiteDate, Source, Trail, TrailStop

LANGUAGES = ("en", "de", "ru")
TRANSLATED_SITE_FIELDS = (
    "name",
    "summary",
    "history",
    "inscription_language",
    "inscription_translation",
    "inscription_note",
    "town",
    "creator",
    "dedicated_by",
    "visiting_info",
    "accessibility_notes",
)


def _translated(field, values):
    """{"en": "..", "de": ".."} -> {"field_en": "..", "field_de": ".."}."""
    return {f"{field}_{lang}": (values or {}).get(lang, "") for lang in LANGUAGES}


def _decimal(value):
    return None if value is None else Decimal(str(value))


def demo_sources():
    """The fact sheet's sources by number, created where missing."""
    by_number = {}
    for number, data in demo_data.SOURCES.items():
        source, _created = Source.objects.get_or_create(
            title=data["title"],
            url=data.get("url", ""),
            defaults={
                "author": data.get("author", ""),
                "year": data.get("year"),
                "month": data.get("month"),
                "day": data.get("day"),
                "caution": data.get("caution", ""),
                **_translated("note", data.get("note")),
            },
        )
        by_number[number] = source
    return by_number


def placeholder_image(title, *, size=(1200, 800)):
    """A drawn placeholder (JPEG bytes) that says plainly it is not a photograph."""
    image = Image.new("RGB", size, (214, 225, 232))
    draw = ImageDraw.Draw(image)
    width, height = size
    # A stylised river: a few bands across the lower third.
    for index, colour in enumerate(((160, 190, 210), (130, 168, 195), (105, 148, 180))):
        top = int(height * (0.62 + index * 0.08))
        draw.rectangle((0, top, width, top + int(height * 0.05)), fill=colour)
    try:
        big = ImageFont.load_default(size=56)
        small = ImageFont.load_default(size=34)
    except (OSError, TypeError):
        big = small = ImageFont.load_default()
    draw.text((60, 80), "PLACEHOLDER", fill=(40, 55, 70), font=small)
    lines = textwrap.wrap(title, width=34)[:3]
    for index, line in enumerate(lines):
        draw.text((60, 140 + index * 68), line, fill=(15, 30, 45), font=big)
    draw.text(
        (60, 160 + len(lines) * 68),
        "Drawn image - not a historical photograph",
        fill=(40, 55, 70),
        font=small,
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def load_memorials():
    """Create the demo sites, sources, dates, placeholder photos and home notes that are
    missing; return how many objects were created."""
    count_before = _count()
    sources = demo_sources()
    for data in demo_data.SITES:
        site, site_created = MemorialSite.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "kind": data["kind"],
                "inscription": data.get("inscription", ""),
                "address": data.get("address", ""),
                "country": data["country"],
                "latitude": _decimal(data.get("latitude")),
                "longitude": _decimal(data.get("longitude")),
                "location_precision": data.get("location_precision") or "unknown",
                "is_published": True,
                **{
                    key: value
                    for field in TRANSLATED_SITE_FIELDS
                    for key, value in _translated(field, data.get(field)).items()
                },
            },
        )
        if not site_created:
            continue
        site.full_clean()
        site.sources.set([sources[number] for number in data.get("sources", [])])
        for date in data.get("dates", []):
            SiteDate.objects.create(
                site=site,
                kind=date["kind"],
                year=date["year"],
                month=date.get("month"),
                day=date.get("day"),
                **_translated("note", date.get("note")),
            )
        photo = Photo(
            site=site,
            credit="Elbe Day",
            licence="CC0 1.0",
            is_placeholder=True,
            **_translated(
                "caption",
                {
                    "en": "Placeholder drawing",
                    "de": "Platzhalter-Zeichnung",
                    "ru": "Рисунок-заполнитель",
                },
            ),
            **_translated(
                "alt_text",
                {
                    "en": (
                        f"Placeholder drawing with the words '{data['name']['en']}'; "
                        "not a photograph"
                    ),
                    "de": f"Platzhalter-Zeichnung mit dem Namen „{data['name']['en']}“; kein Foto",
                    "ru": f"Рисунок-заполнитель с надписью «{data['name']['en']}»; не фотография",
                },
            ),
        )
        # Assigned, not saved, so that PhotoField checks and processes it like any upload.
        photo.image = ContentFile(
            placeholder_image(data["name"]["en"]), name=f"{site.slug}-placeholder.jpg"
        )
        photo.full_clean()
        photo.save()
    for position, note in enumerate(demo_data.HOME_INTRO):
        if HistoryNote.objects.filter(text_en=note["en"]).exists():
            continue
        # A note of an earlier demo, as it left it: corrected in place, not doubled.
        earlier = HistoryNote.objects.filter(text_en__in=note.get("replaces", [])).first()
        if earlier:
            for field, value in _translated("text", note).items():
                setattr(earlier, field, value)
            earlier.save()
            earlier.sources.set([sources[number] for number in note.get("sources", [])])
            continue
        history_note = HistoryNote.objects.create(
            position=position, is_published=True, **_translated("text", note)
        )
        history_note.sources.set([sources[number] for number in note.get("sources", [])])
    load_series_and_trails()
    return _count() - count_before


def load_series_and_trails():
    """The demo series and trails that are missing, of the demo sites."""
    sites = MemorialSite.objects.in_bulk(
        [slug for data in demo_data.SERIES for slug in data["sites"]]
        + [slug for data in demo_data.TRAILS for slug in data["stops"]],
        field_name="slug",
    )
    for data in demo_data.SERIES:
        series, created = Series.objects.get_or_create(
            slug=data["slug"],
            defaults={
                **_translated("name", data["name"]),
                **_translated("description", data["description"]),
            },
        )
        if created:
            series.sites.set([sites[slug] for slug in data["sites"] if slug in sites])
    for data in demo_data.TRAILS:
        trail, created = Trail.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "kind": data["kind"],
                "is_published": True,
                **_translated("name", data["name"]),
                **_translated("description", data["description"]),
            },
        )
        if created:
            TrailStop.objects.bulk_create(
                TrailStop(trail=trail, site=sites[slug], position=position)
                for position, slug in enumerate(data["stops"], start=1)
            )


def _count():
    return sum(
        model.objects.count()
        for model in (Source, MemorialSite, SiteDate, Photo, HistoryNote, Series, Trail, TrailStop)
    )
