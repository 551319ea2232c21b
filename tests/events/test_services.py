"""Changes to ceremonies made through `events.services`, as a script or a shell makes
them: registrants hear of them just as when an organiser uses the admin."""

import datetime

import pytest
from django.core.exceptions import ValidationError

import registrations.services
from events import services
from events.models import Ceremony
from registrations.models import OutgoingEmail
from tests.factories import (
    CeremonyFactory,
    MemorialSiteFactory,
    RegistrationFactory,
    SeatCategoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    """A ceremony with one confirmed, one waiting and one cancelled registration, and no
    email queued yet."""
    category = SeatCategoryFactory(capacity=1)
    RegistrationFactory(category=category, email="seated@example.org")
    RegistrationFactory(category=category, email="waiting@example.org")
    gone = RegistrationFactory(category=category, email="gone@example.org")
    registrations.services.registration_cancel(registration=gone)
    OutgoingEmail.objects.all().delete()
    return Ceremony.objects.get(pk=category.ceremony_id)


def notices():
    return sorted(OutgoingEmail.objects.values_list("to", "kind"))


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"start": datetime.timedelta(hours=1), "end": datetime.timedelta(hours=1)}, "changed"),
        ({"venue_address": "Elbstraße 1, Torgau"}, "changed"),
        ({"status": Ceremony.Status.POSTPONED}, "postponed"),
        ({"status": Ceremony.Status.CANCELLED}, "cancelled"),
    ],
)
def test_ceremony_change_from_a_shell_tells_everyone_registered(registered, change, kind):
    ceremony = Ceremony.objects.get(pk=registered.pk)
    for field, value in change.items():
        if isinstance(value, datetime.timedelta):
            value = getattr(ceremony, field) + value
        setattr(ceremony, field, value)

    told = services.ceremony_save(ceremony=ceremony)

    assert told == 2
    assert notices() == [("seated@example.org", kind), ("waiting@example.org", kind)]


def test_ceremony_moved_to_another_site_tells_everyone_registered(registered):
    ceremony = Ceremony.objects.get(pk=registered.pk)
    ceremony.venue_site = MemorialSiteFactory()

    assert services.ceremony_save(ceremony=ceremony) == 2
    assert {kind for _to, kind in notices()} == {"changed"}


def test_ceremony_saved_with_a_new_text_only_tells_nobody(registered):
    ceremony = Ceremony.objects.get(pk=registered.pk)
    ceremony.summary_en = "Speeches, wreaths and a minute's silence."

    assert services.ceremony_save(ceremony=ceremony) == 0
    assert notices() == []
    assert Ceremony.objects.get(pk=ceremony.pk).summary_en == ceremony.summary_en


def test_ceremony_save_refuses_an_end_before_the_start(registered):
    ceremony = Ceremony.objects.get(pk=registered.pk)
    ceremony.end = ceremony.start - datetime.timedelta(hours=1)

    with pytest.raises(ValidationError) as caught:
        services.ceremony_save(ceremony=ceremony)

    assert caught.value.messages == ["The end must not be before the start."]
    assert notices() == []


def test_ceremony_files_under_the_year_at_its_venue():
    """The archive's year is the local year of the start: a New Year's Eve ceremony in
    New York that starts after midnight in Berlin is still the old year's."""
    category = SeatCategoryFactory(
        ceremony__time_zone="America/New_York",
        ceremony__start=datetime.datetime(2024, 12, 31, 23, 30, tzinfo=datetime.UTC),
        ceremony__end=datetime.datetime(2025, 1, 1, 1, 0, tzinfo=datetime.UTC),
        ceremony__registration_opens=None,
        ceremony__registration_closes=None,
    )

    assert category.ceremony.year == 2024


def test_raising_the_capacity_promotes_the_waiting_list():
    category = SeatCategoryFactory(capacity=1)
    RegistrationFactory(category=category, name="Seated")
    first = RegistrationFactory(category=category, name="First", party_size=2)
    second = RegistrationFactory(category=category, name="Second")

    promoted = services.category_set_capacity(category=category, capacity=4)

    assert promoted == [first, second]
    category.refresh_from_db()
    assert (category.capacity, category.seats_taken) == (4, 4)
    assert sorted(
        OutgoingEmail.objects.filter(kind="promotion").values_list("to", flat=True)
    ) == sorted([first.email, second.email])


def test_lowering_the_capacity_below_the_confirmed_seats_is_refused():
    category = SeatCategoryFactory(capacity=5)
    RegistrationFactory(category=category, party_size=3)

    with pytest.raises(ValidationError) as caught:
        services.category_set_capacity(category=category, capacity=2)

    assert caught.value.message_dict == {
        "capacity": ["3 seats are already confirmed; cancel registrations first."]
    }
    category.refresh_from_db()
    assert (category.capacity, category.seats_taken) == (5, 3)


def test_lowering_the_capacity_to_the_confirmed_seats_is_allowed():
    category = SeatCategoryFactory(capacity=5)
    RegistrationFactory(category=category, party_size=3)

    assert services.category_set_capacity(category=category, capacity=3) == []
    category.refresh_from_db()
    assert (category.capacity, category.seats_taken) == (3, 3)


def next_year_copy(**fields):
    start = datetime.datetime(2026, 4, 25, 10, 0, tzinfo=datetime.UTC)
    ceremony = CeremonyFactory(
        start=start,
        end=start + datetime.timedelta(hours=2),
        time_zone="Europe/Berlin",
        registration_opens=None,
        registration_closes=None,
        **fields,
    )
    return Ceremony.objects.get(pk=services.ceremony_copy_to_next_year(ceremony=ceremony).pk)


def test_copy_to_next_year_moves_the_year_in_every_title_and_the_slug():
    copy = next_year_copy(
        title_en="Elbe Day 2026: wreath-laying",
        title_de="Elbe Day 2026: Kranzniederlegung",
        title_ru="День встречи на Эльбе — 2026",
        slug="elbe-day-2026",
    )

    assert (copy.title_en, copy.title_de, copy.title_ru, copy.slug, copy.year) == (
        "Elbe Day 2027: wreath-laying",
        "Elbe Day 2027: Kranzniederlegung",
        "День встречи на Эльбе — 2027",
        "elbe-day-2027",
        2027,
    )


def test_copy_to_next_year_leaves_anniversary_numbers_and_other_years_alone():
    copy = next_year_copy(
        title_en="81st anniversary of 1945, Torgau 2026",
        title_de="81. Jahrestag (1945–2026)",
        title_ru="",
        slug="81st-anniversary-2026-torgau",
    )

    assert (copy.title_en, copy.title_de, copy.title_ru, copy.slug) == (
        "81st anniversary of 1945, Torgau 2027",
        "81. Jahrestag (1945–2027)",
        "",
        "81st-anniversary-2027-torgau",
    )


def test_copy_to_next_year_adds_the_year_to_a_slug_and_title_without_one():
    copy = next_year_copy(title_en="Wreath-laying at the monument", slug="wreath-laying")

    assert (copy.title_en, copy.slug) == ("Wreath-laying at the monument", "wreath-laying-2027")


def test_copy_to_next_year_moves_the_waiting_list_deadline():
    deadline = datetime.datetime(2026, 4, 24, 18, 0, tzinfo=datetime.UTC)

    copy = next_year_copy(waiting_list_promotion_deadline=deadline)

    assert copy.waiting_list_promotion_deadline == deadline.replace(year=2027)
