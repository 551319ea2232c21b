import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from events.models import Ceremony, SeatCategory
from tests.factories import CeremonyFactory, SeatCategoryFactory

pytestmark = pytest.mark.django_db

BERLIN = datetime.timezone(datetime.timedelta(hours=2))
NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)


def day(days):
    return NOW + datetime.timedelta(days=days)


@pytest.fixture
def ceremony_2027():
    return CeremonyFactory(
        start=datetime.datetime(2027, 4, 25, 10, 0, tzinfo=BERLIN),
        end=datetime.datetime(2027, 4, 25, 12, 0, tzinfo=BERLIN),
        registration_opens=day(-10),
        registration_closes=datetime.datetime(2027, 4, 24, 18, 0, tzinfo=BERLIN),
    )


def test_anniversary_counts_from_the_commemorated_year(ceremony_2027):
    assert ceremony_2027.anniversary == 82


def test_anniversary_is_none_in_the_commemorated_year():
    ceremony = CeremonyFactory(
        start=datetime.datetime(1945, 4, 25, 16, 0, tzinfo=BERLIN), registration_opens=None
    )

    assert (ceremony.anniversary, ceremony.anniversary_label) == (None, "")


def test_anniversary_counts_the_local_year_of_a_new_years_eve_ceremony():
    # 23:30 UTC on 31 December is already 1 January in Berlin.
    ceremony = CeremonyFactory(
        start=datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC),
        time_zone="Europe/Berlin",
        registration_opens=None,
    )

    assert ceremony.anniversary == 82


@pytest.mark.parametrize("language", ["en", "de", "ru"])
def test_anniversary_label_in_language(ceremony_2027, translated, language):
    expected = {
        "en": "82nd anniversary",
        "de": translated("de", "%(ordinal)s anniversary") % {"ordinal": "82."},
        "ru": "82-я годовщина",
    }[language]

    with translation.override(language):
        assert ceremony_2027.anniversary_label == expected


@pytest.mark.parametrize(
    ("status", "opens", "closes", "now", "state"),
    [
        ("published", day(-1), day(10), NOW, "open"),
        ("published", day(1), day(10), NOW, "not_yet"),
        ("published", day(-10), day(-1), NOW, "closed"),
        ("published", day(-10), day(10), day(10), "closed"),
        ("published", day(-10), None, day(60), "closed"),
        ("cancelled", day(-1), day(10), NOW, "cancelled"),
        ("postponed", day(-1), day(10), NOW, "open"),
        ("published", None, None, NOW, "none"),
        ("draft", day(-1), day(10), NOW, "closed"),
    ],
)
def test_registration_state(status, opens, closes, now, state):
    ceremony = CeremonyFactory(
        status=status,
        start=day(30),
        end=day(30) + datetime.timedelta(hours=2),
        registration_opens=opens,
        registration_closes=closes,
    )

    assert ceremony.registration_state(now) == state


def test_seats_taken_above_capacity_is_refused_by_the_database():
    category = SeatCategoryFactory(capacity=5)

    with pytest.raises(IntegrityError), transaction.atomic():
        SeatCategory.objects.filter(pk=category.pk).update(seats_taken=6)

    category.refresh_from_db()
    assert (category.capacity, category.seats_taken) == (5, 0)


def test_seats_taken_up_to_capacity_is_allowed():
    category = SeatCategoryFactory(capacity=5)

    SeatCategory.objects.filter(pk=category.pk).update(seats_taken=5)

    category.refresh_from_db()
    assert (category.seats_taken, category.seats_left) == (5, 0)


def test_ceremony_ending_before_it_starts_is_refused_by_the_database():
    start = timezone.now() + datetime.timedelta(days=30)

    with pytest.raises(IntegrityError), transaction.atomic():
        CeremonyFactory(start=start, end=start - datetime.timedelta(minutes=1))

    assert list(Ceremony.objects.all()) == []


def test_registration_closing_before_it_opens_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        CeremonyFactory(registration_opens=day(2), registration_closes=day(1))

    assert list(Ceremony.objects.all()) == []
