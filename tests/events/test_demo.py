import datetime
import zoneinfo

import pytest
from django.utils import timezone

from events.demo import load_ceremonies, next_elbe_day
from events.models import Ceremony, ProgrammeItem, SeatCategory, Series
from registrations.demo import load_registrations
from registrations.models import OutgoingEmail, Registration
from tests.demo import load_demo

# Every test here reads the demo, loaded once for the module (see `demo` in conftest.py);
# each one's changes are rolled back after it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def snapshot():
    """Everything the demo makes, as plain values."""
    return {
        "series": list(Series.objects.order_by("pk").values()),
        "ceremonies": list(Ceremony.objects.order_by("pk").values()),
        "sources": sorted(Ceremony.sources.through.objects.values_list("ceremony_id", "source_id")),
        "programme": list(ProgrammeItem.objects.order_by("pk").values()),
        "categories": list(SeatCategory.objects.order_by("pk").values()),
        "registrations": list(Registration.objects.order_by("pk").values()),
        "emails": OutgoingEmail.objects.count(),
    }


def test_demo_has_the_past_ceremonies(demo):
    past = Ceremony.objects.filter(is_sample=False).order_by("start")

    assert [
        (
            ceremony.slug,
            ceremony.start.astimezone(BERLIN).date(),
            ceremony.end.astimezone(BERLIN).date(),
            ceremony.status,
            ceremony.motto,
            ceremony.dates_only,
        )
        for ceremony in past
    ] == [
        (
            "elbe-day-2020",
            datetime.date(2020, 4, 25),
            datetime.date(2020, 4, 25),
            "cancelled",
            "",
            True,
        ),
        (
            "elbe-day-2022",
            datetime.date(2022, 4, 25),
            datetime.date(2022, 4, 25),
            "cancelled",
            "",
            True,
        ),
        (
            "elbe-day-2025",
            datetime.date(2025, 4, 25),
            datetime.date(2025, 4, 27),
            "published",
            "Begegnung schaffen",
            True,
        ),
    ]
    assert [ceremony.sources.count() >= 1 for ceremony in past] == [True, True, True]
    assert [bool(ceremony.status_note_en) for ceremony in past] == [True, True, False]
    assert [ceremony.anniversary for ceremony in past] == [75, 77, 80]


def test_demo_past_ceremonies_speak_three_languages(demo):
    ceremony = Ceremony.objects.get(slug="elbe-day-2022")

    assert all(
        getattr(ceremony, f"{field}_{language}")
        for field in ("title", "summary", "status_note")
        for language in ("en", "de", "ru")
    )


def elbe_day_samples():
    """The ceremonies the demo dates on the next 25 April."""
    day = datetime.date(next_elbe_day(), 4, 25)
    return [
        ceremony
        for ceremony in Ceremony.objects.order_by("start", "pk")
        if ceremony.start.astimezone(BERLIN).date() == day
    ]


def test_demo_samples_are_dated_on_the_next_elbe_day(demo):
    samples = elbe_day_samples()
    year = next_elbe_day()

    assert [
        (ceremony.slug, ceremony.start.astimezone(BERLIN).time(), ceremony.status)
        for ceremony in samples
    ] == [
        (f"wreath-laying-torgau-{year}", datetime.time(10, 0), "published"),
        (f"commemoration-strehla-{year}", datetime.time(14, 0), "published"),
        (f"peace-oath-torgau-{year}", datetime.time(17, 0), "published"),
    ]
    assert [ceremony.is_sample for ceremony in samples] == [True, True, True]
    assert [ceremony.registration_state() for ceremony in samples] == ["open", "open", "open"]
    assert all(ceremony.start > timezone.now() for ceremony in samples)


def test_demo_has_a_full_category_with_two_parties_waiting(demo):
    (full,) = [
        category
        for ceremony in elbe_day_samples()
        for category in ceremony.categories.all()
        if category.seats_left == 0
    ]

    confirmed = Registration.objects.confirmed().filter(category=full)
    waiting = Registration.objects.waiting().filter(category=full)
    assert (full.capacity, full.seats_taken, full.has_waiting_list) == (8, 8, True)
    assert sum(confirmed.values_list("party_size", flat=True)) == 8
    assert [r.waiting_position for r in waiting] == [1, 2]


def test_demo_counters_match_the_registrations(demo):
    for category in SeatCategory.objects.all():
        confirmed = Registration.objects.confirmed().filter(category=category)
        assert category.seats_taken == sum(confirmed.values_list("party_size", flat=True))


def test_demo_queues_no_email(demo):
    assert list(OutgoingEmail.objects.all()) == []


def test_demo_loaded_twice_changes_nothing(demo):
    """Loaded again on top of the module's demo, as when the command runs a second time."""
    before = snapshot()

    output = load_demo()

    assert output.splitlines()[0] == "Demo content: up to date."
    assert snapshot() == before


def test_demo_pages_show_the_ceremonies(demo, client):
    for language in ("en", "de", "ru"):
        for ceremony in Ceremony.objects.all():
            response = client.get(f"/{language}/ceremonies/{ceremony.slug}/")
            assert response.status_code == 200, (language, ceremony.slug)


def rehearsals():
    return list(Ceremony.objects.filter(slug__startswith="check-in-rehearsal-"))


def test_demo_rehearsal_is_no_anniversary_ceremony(demo, client, page, translated):
    (rehearsal,) = rehearsals()

    shown = page(client.get(f"/de{rehearsal.get_absolute_url()[3:]}"))

    assert (rehearsal.anniversary, rehearsal.anniversary_label) == (None, "")
    assert translated("de", "Anniversary") not in shown.texts("dt")
    # Nor is it counted among the Elbe Day ceremonies (attendance year by year).
    assert rehearsal.series.slug != "elbe-day"


def test_demo_loaded_on_several_days_keeps_one_rehearsal_titled_once(demo):
    today = timezone.now()
    for days in (1, 2, 5):
        later = today + datetime.timedelta(days=days)
        load_ceremonies(now=later)
        load_registrations(now=later)

    (rehearsal,) = rehearsals()
    assert rehearsal.start.astimezone(BERLIN).date() == later.astimezone(BERLIN).date()
    assert [rehearsal.title_en, rehearsal.title_de, rehearsal.title_ru] == [
        "Check-in rehearsal",
        "Einlass-Probe",
        "Репетиция регистрации на входе",
    ]
    assert sorted(rehearsal.registrations.values_list("name", flat=True)) == [
        f"Rehearsal guest {number}" for number in range(1, 6)
    ]
    assert (
        Registration.objects.filter(ceremony__slug__startswith="check-in-rehearsal-").count() == 5
    )


@pytest.mark.parametrize("moment", [(23, 59, 30), (0, 0, 0)])
def test_demo_loaded_in_the_last_minute_of_a_day_has_the_days_rehearsal(demo, moment):
    """The rehearsal ends at 23:59; the demo loaded after that, before midnight, still
    registers its guests (it failed then: registration had closed)."""
    day = timezone.now().astimezone(BERLIN).date() + datetime.timedelta(days=3)
    now = datetime.datetime.combine(day, datetime.time(*moment), tzinfo=BERLIN)

    load_ceremonies(now=now)
    load_registrations(now=now)

    (rehearsal,) = rehearsals()
    assert rehearsal.start.astimezone(BERLIN).date() == day
    assert sorted(rehearsal.registrations.values_list("name", "status")) == [
        (f"Rehearsal guest {number}", "cancelled" if number == 5 else "confirmed")
        for number in range(1, 6)
    ]


def test_demo_2020_names_the_mayor_as_a_woman_and_the_celebrations_as_cancelled(demo):
    ceremony = Ceremony.objects.get(slug="elbe-day-2020")

    assert "die Oberbürgermeisterin Romina Barth" in ceremony.summary_de
    assert "der Oberbürgermeister " not in ceremony.summary_de
    assert ceremony.summary_en.startswith("The celebrations of the 75th anniversary were cancelled")
    assert "Feierlichkeiten" in ceremony.summary_de
    assert ceremony.summary_ru.startswith("Празднование 75-й годовщины было отменено")
    assert ceremony.status_note_en == "The celebrations were cancelled because of COVID-19."
