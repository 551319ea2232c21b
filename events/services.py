"""Writes to ceremonies that others must hear about.

The admin calls these functions, and so does anyone changing a ceremony from a script or
a shell, so that registrants are told of a new time, place or status and waiting lists
move up when seats are added, whichever door the change comes in by. What happens to the
people registered is the business of `registrations`, which answers `events.signals`.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from . import signals
from .models import Ceremony, SeatCategory


class Notice(models.TextChoices):
    """What participants are told about a change to their ceremony (the kind of the
    email they get)."""

    CHANGED = "changed"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


# A change of any of these is a new time or place for the people coming.
WHEN_AND_WHERE = ("start", "end", "venue_site_id", "venue_address")


def _notice(before: Ceremony, after: Ceremony) -> Notice | None:
    if after.status != before.status and after.status == Ceremony.Status.CANCELLED:
        return Notice.CANCELLED
    if after.status != before.status and after.status == Ceremony.Status.POSTPONED:
        return Notice.POSTPONED
    if any(getattr(after, name) != getattr(before, name) for name in WHEN_AND_WHERE):
        return Notice.CHANGED
    return None


def ceremony_save(*, ceremony: Ceremony) -> int:
    """Save a new or changed ceremony. When its time, place or status changes, everyone
    registered (confirmed or waiting) is sent a notice in the same transaction; returns
    how many will be told."""
    # The photo is checked by its own field when it is saved.
    ceremony.full_clean(exclude=["photo"])
    with transaction.atomic():
        notice = None
        if ceremony.pk is not None:
            before = Ceremony.objects.select_for_update().filter(pk=ceremony.pk).first()
            notice = before and _notice(before, ceremony)
        ceremony.save()
        if not notice:
            return 0
        responses = signals.ceremony_changed.send(Ceremony, ceremony=ceremony, notice=notice)
        return sum(count for _receiver, count in responses)


def category_set_capacity(*, category: SeatCategory, capacity: int, now=None) -> list:
    """Change a quota; added seats go to the waiting list first. Refused below the seats
    already confirmed. Returns the registrations that took the added seats."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = SeatCategory.objects.select_for_update().get(pk=category.pk)
        if capacity < locked.seats_taken:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(taken)s seats are already confirmed; cancel registrations first."
                    )
                    % {"taken": locked.seats_taken}
                },
                code="capacity_below_taken",
            )
        added = capacity > locked.capacity
        locked.capacity = category.capacity = capacity
        locked.save(update_fields=["capacity"])
        if not added:
            return []
        responses = signals.seats_added.send(SeatCategory, category=locked, now=now)
        return [taker for _receiver, takers in responses for taker in takers]


def _next_year(value):
    if value is None:
        return None
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value + datetime.timedelta(days=365)


def _with_next_year(text: str, year: int) -> str:
    """`text` with the year `year`, written as a number of its own, made the next one.
    Other numbers stay: "81st anniversary" is not a year, and neither is "20261"."""
    return re.sub(rf"(?<!\d){year}(?!\d)", str(year + 1), text)


def _next_year_slug(slug: str, year: int) -> str:
    """The slug with its year moved on ("elbe-day-2026" → "elbe-day-2027"), or with the
    next year added when it names none; free of any other ceremony's."""
    parts = slug.split("-")
    if str(year) in parts:
        base = "-".join(str(year + 1) if part == str(year) else part for part in parts)
    else:
        base = f"{slug}-{year + 1}"
    candidate, suffix = base, 2
    while Ceremony.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{suffix}"
        suffix += 1
    return candidate


@transaction.atomic
def ceremony_copy_to_next_year(*, ceremony: Ceremony) -> Ceremony:
    """A draft copy one year later, with its programme and seat categories (no
    registrations, all seats free). The year in the title (in every language) and in the
    slug becomes the next one; an anniversary number in the title stays as it was, for
    the organisers to correct (the pages count the anniversary from the date)."""
    programme = list(ceremony.programme.all())
    categories = list(ceremony.categories.all())
    copy = Ceremony.objects.get(pk=ceremony.pk)
    copy.pk = None
    copy.status = Ceremony.Status.DRAFT
    # The year the venue's guests would name (see `Ceremony.year`).
    year = ceremony.local_year
    for code, _name in settings.LANGUAGES:
        field = build_localized_fieldname("title", code)
        if value := getattr(copy, field):
            setattr(copy, field, _with_next_year(value, year))
    copy.slug = _next_year_slug(ceremony.slug, year)
    for field in (
        "start",
        "end",
        "registration_opens",
        "registration_closes",
        "waiting_list_promotion_deadline",
    ):
        setattr(copy, field, _next_year(getattr(ceremony, field)))
    copy.save()
    for item in programme:
        item.pk = None
        item.ceremony = copy
        item.starts_at = _next_year(item.starts_at)
        item.save()
    for category in categories:
        category.pk = None
        category.ceremony = copy
        category.seats_taken = 0
        category.save()
    return copy
