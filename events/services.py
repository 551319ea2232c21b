"""Writes to ceremonies that others must hear about.

The admin calls these functions, and so does anyone changing a ceremony from a script or
a shell, so that registrants are told of a new time, place or status and waiting lists
move up when seats are added, whichever door the change comes in by. What happens to the
people registered is the business of `registrations`, which answers `events.signals`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


@transaction.atomic
def ceremony_copy_to_next_year(*, ceremony: Ceremony) -> Ceremony:
    """A draft copy one year later, with its programme and seat categories (no
    registrations, all seats free)."""
    programme = list(ceremony.programme.all())
    categories = list(ceremony.categories.all())
    copy = Ceremony.objects.get(pk=ceremony.pk)
    copy.pk = None
    copy.status = Ceremony.Status.DRAFT
    year = _next_year(ceremony.start).year
    base_slug = ceremony.slug.removesuffix(str(ceremony.start.year)).rstrip("-")
    copy.slug = f"{base_slug}-{year}"
    suffix = 2
    while Ceremony.objects.filter(slug=copy.slug).exists():
        copy.slug = f"{base_slug}-{year}-{suffix}"
        suffix += 1
    for field in ("start", "end", "registration_opens", "registration_closes"):
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
