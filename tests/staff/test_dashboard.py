import datetime
import zoneinfo

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from registrations import emails, services
from registrations.models import OutgoingEmail, Registration
from staff import dashboard
from tests.factories import (
    CeremonyFactory,
    RegistrationFactory,
    SeatCategoryFactory,
    SeriesFactory,
)
from tests.helpers import ceremony_on, ceremony_today, logged_in, page, registration_time

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def berlin(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=BERLIN)


def registered_on(registration, day):
    """Moves the registration's creation to noon of `day` in Berlin (the server's zone)."""
    created = datetime.datetime.combine(day, datetime.time(12), tzinfo=BERLIN)
    Registration.objects.filter(pk=registration.pk).update(created_at=created)


@pytest.fixture
def wreath():
    """An upcoming ceremony with both categories full and people waiting."""
    ceremony = CeremonyFactory(title_en="Wreath-laying", slug="wreath")
    public = SeatCategoryFactory(ceremony=ceremony, name_en="Public", capacity=9)
    veterans = SeatCategoryFactory(ceremony=ceremony, name_en="Veterans", capacity=4, position=1)
    people = [
        RegistrationFactory(
            category=public, party_size=3, language="en", country="DE", needs_wheelchair_space=True
        ),
        RegistrationFactory(
            category=public,
            party_size=4,
            language="de",
            country="DE",
            needs_wheelchair_space=True,
            needs_hearing_loop=True,
        ),
        RegistrationFactory(
            category=public,
            party_size=2,
            language="ru",
            country="RU",
            needs_note="A chair near the front",
        ),
        RegistrationFactory(category=public, party_size=1, language="de", country="AT"),
        RegistrationFactory(category=public, party_size=3, language="en", country="US"),
        RegistrationFactory(category=veterans, party_size=4, language="en", needs_seating=True),
        RegistrationFactory(category=veterans, party_size=2, language="ru", country="DE"),
        RegistrationFactory(
            category=veterans,
            party_size=1,
            language="en",
            country="FR",
            needs_wheelchair_space=True,
        ),
    ]
    services.registration_cancel(registration=people[-1])
    today = timezone.localdate()
    registered_on(people[0], today - datetime.timedelta(days=2))
    registered_on(people[1], today - datetime.timedelta(days=10))
    registered_on(people[2], today - datetime.timedelta(days=40))
    return ceremony


@pytest.fixture
def other_series_ceremony():
    """A second upcoming ceremony, of another series, with one registration."""
    series = SeriesFactory(slug="peace-oath", name_en="Peace oath", commemorated_year=1945)
    ceremony = CeremonyFactory(
        series=series,
        title_en="Peace oath",
        start=timezone.now() + datetime.timedelta(days=60),
    )
    RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony, name_en="Everyone"),
        party_size=2,
        language="de",
    )
    return ceremony


def ceremony_section(shown, ceremony):
    return shown.find("section", **{"aria-labelledby": f"ceremony-{ceremony.pk}"})


def test_dashboard_shows_seats_and_waiting_list_per_category(organiser, wreath):
    shown = page(logged_in(organiser).get("/en/staff/"))

    section = ceremony_section(shown, wreath)
    seats = next(t for t in shown.find_all("table", within=section) if "table" in t.classes)
    assert shown.find("h2", id=f"ceremony-{wreath.pk}").text == "Wreath-laying"
    assert shown.table(seats) == [
        ["Public", "9", "9", "0", "2 parties (4 people)"],
        ["Veterans", "4", "4", "0", "1 party (2 people)"],
    ]


def test_dashboard_counts_needs_languages_and_countries_of_those_registered(organiser, wreath):
    shown = page(logged_in(organiser).get("/en/staff/"))

    lists = shown.find_all("ul", "list-unstyled", within=ceremony_section(shown, wreath))
    needs, languages, countries = (
        [item.text for item in shown.find_all("li", within=ul)] for ul in lists
    )
    assert needs == [
        "Wheelchair space: 2",
        "Step-free route: 0",
        "Hearing loop: 1",
        "A seat: 1",
        "Other needs: 1",
    ]
    assert languages == ["English: 10", "German: 5", "Russian: 4"]
    assert countries == [
        "Germany: 9",
        "not given: 4",
        "United States of America: 3",
        "Russia: 2",
        "Austria: 1",
    ]


def test_dashboard_registrations_per_day_as_chart_and_table(organiser, wreath):
    shown = page(logged_in(organiser).get("/en/staff/"))

    figure = shown.find("figure", within=ceremony_section(shown, wreath))
    today = timezone.localdate()
    per_day = {
        today: 5,
        today - datetime.timedelta(days=2): 1,
        today - datetime.timedelta(days=10): 1,
    }
    days = [today - datetime.timedelta(days=back) for back in range(29, -1, -1)]
    assert shown.find("figcaption", within=figure).text == "Registrations per day, last 30 days"
    assert shown.table(shown.find("table", within=figure)) == [
        [day.strftime("%d.%m."), str(per_day.get(day, 0))] for day in days
    ]
    svg = shown.find("svg", within=figure)
    assert len(shown.find_all("rect", "chart-bar", within=svg)) == 30
    assert shown.texts("text", "chart-value", within=svg) == ["1", "1", "5"]


def test_dashboard_chart_counts_todays_registrations_just_after_midnight(wreath):
    """Just after midnight in Berlin it is still the day before in UTC; the chart's days
    are Berlin's, like the registrations' dates."""
    after_midnight = datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=1), datetime.time(0, 30), tzinfo=BERLIN
    )
    latest = Registration.objects.filter(ceremony=wreath).order_by("pk").last()
    Registration.objects.filter(pk=latest.pk).update(
        created_at=after_midnight - datetime.timedelta(minutes=10)
    )

    (overview,) = dashboard.upcoming_overview(now=after_midnight.astimezone(datetime.UTC))

    assert overview["per_day_chart"].rows[-3:] == [
        ((after_midnight.date() - datetime.timedelta(days=2)).strftime("%d.%m."), [0]),
        ((after_midnight.date() - datetime.timedelta(days=1)).strftime("%d.%m."), [4]),
        (after_midnight.date().strftime("%d.%m."), [1]),
    ]


def past_year(series, when, parties, arrived):
    ceremony = ceremony_on(when, series=series)
    category = SeatCategoryFactory(ceremony=ceremony)
    for size, people_in in zip(parties, arrived, strict=True):
        registration = RegistrationFactory(
            category=category, party_size=size, now=registration_time(ceremony)
        )
        if people_in:
            services.checkin_record(registration=registration, people=people_in, now=when)
    return ceremony


def test_dashboard_attendance_year_by_year(organiser, wreath, other_series_ceremony):
    elbe_day = wreath.series
    past_year(elbe_day, berlin(2024, 4, 25), parties=[3, 2, 1], arrived=[3, 1, 0])
    cancelled = past_year(elbe_day, berlin(2025, 4, 25), parties=[4, 2], arrived=[2, 0])
    services.registration_cancel(registration=cancelled.registrations.get(party_size=2))
    past_year(other_series_ceremony.series, berlin(2025, 4, 25, 17), parties=[2], arrived=[2])

    shown = page(logged_in(organiser).get("/en/staff/"))

    years = shown.find("section", **{"aria-labelledby": "years-heading"})
    charts = {
        shown.find("figcaption", within=figure).text: shown.table(
            shown.find("table", within=figure)
        )
        for figure in shown.find_all("figure", within=years)
    }
    wreath_year = str(wreath.start.astimezone(BERLIN).year)
    oath_year = str(other_series_ceremony.start.astimezone(BERLIN).year)
    assert charts == {
        "Elbe Day: attendance year by year": [
            ["2024", "6", "4"],
            ["2025", "4", "2"],
            [wreath_year, "13", "0"],
        ],
        "Peace oath: attendance year by year": ([["2025", "2", "2"], [oath_year, "2", "0"]]),
    }
    assert {
        chart.title: [[label, *map(str, values)] for label, values in chart.rows]
        for chart in dashboard.attendance_by_year()
    } == charts
    assert shown.find_all("svg", within=years) != []


def test_dashboard_counts_failed_emails_with_a_link_to_them(organiser, wreath):
    failed = list(OutgoingEmail.objects.order_by("pk")[:2])
    OutgoingEmail.objects.filter(pk__in=[email.pk for email in failed]).update(
        status=OutgoingEmail.Status.FAILED, last_error="SMTPRecipientsRefused"
    )
    client = logged_in(organiser)

    shown = page(client.get("/en/staff/"))
    link = shown.find("a", within=shown.find("div", "alert-danger"))
    listed = page(client.get(link.attrs["href"]))

    assert (link.text, link.attrs["href"]) == (
        "2 emails could not be delivered.",
        "/en/admin/registrations/outgoingemail/?delivery=problems",
    )
    assert sorted(
        int(box.attrs["value"]) for box in listed.find_all("input", "action-select")
    ) == sorted(email.pk for email in failed)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses everything it is given."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


def test_dashboard_shows_a_failed_attempt_at_once_with_its_reason(organiser, wreath, settings):
    OutgoingEmail.objects.exclude(pk=OutgoingEmail.objects.order_by("pk")[0].pk).update(
        status=OutgoingEmail.Status.SENT
    )
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert emails.send_due() == (0, 1)  # the first attempt: eight retries are still to come
    client = logged_in(organiser)

    shown = page(client.get("/en/staff/"))
    alert = shown.find("div", "alert-danger")
    link = shown.find("a", within=alert)
    listed = page(client.get(link.attrs["href"]))

    assert (link.text, link.attrs["href"]) == (
        "1 email could not be delivered.",
        "/en/admin/registrations/outgoingemail/?delivery=problems",
    )
    assert shown.texts("li", within=alert) == ["ConnectionRefusedError: mail server unreachable"]
    assert [int(box.attrs["value"]) for box in listed.find_all("input", "action-select")] == [
        OutgoingEmail.objects.order_by("pk")[0].pk
    ]


def test_dashboard_without_failed_emails_shows_no_alert(organiser, wreath):
    shown = page(logged_in(organiser).get("/en/staff/"))

    assert shown.find_all("div", "alert-danger") == []


DASHBOARD_QUERIES = 16


def many_registrations(count):
    """`count` registrations spread over three upcoming ceremonies (one of them today,
    with arrivals), with needs, languages, countries and waiting lists."""
    categories = [
        SeatCategoryFactory(ceremony=ceremony_today(), capacity=count),
        SeatCategoryFactory(capacity=count // 3),
        SeatCategoryFactory(
            ceremony=CeremonyFactory(start=timezone.now() + datetime.timedelta(days=90)),
            capacity=count,
        ),
    ]
    SeatCategoryFactory(ceremony=categories[1].ceremony, name_en="Press", position=1)
    for number in range(count):
        registration = RegistrationFactory(
            category=categories[number % 3],
            party_size=1 + number % 4,
            language=["en", "de", "ru"][number % 3],
            country=["DE", "RU", "US", ""][number % 4],
            needs_wheelchair_space=number % 4 == 0,
            needs_hearing_loop=number % 5 == 0,
            needs_note="Guide dog" if number % 7 == 0 else "",
        )
        if number % 6 == 0:
            services.checkin_record(registration=registration, people=1)
    OutgoingEmail.objects.filter(pk__in=OutgoingEmail.objects.order_by("pk")[:3]).update(
        status=OutgoingEmail.Status.FAILED
    )
    return [category.ceremony for category in categories]


@pytest.mark.parametrize("count", [5, 200])
def test_dashboard_queries_do_not_grow_with_registrations(
    organiser, django_assert_max_num_queries, count
):
    ceremonies = many_registrations(count)
    confirmed = Registration.objects.confirmed().filter(ceremony=ceremonies[0])
    arrived = sum(confirmed.values_list("checked_in", flat=True))
    expected = sum(confirmed.values_list("party_size", flat=True))
    client = logged_in(organiser)

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get("/en/staff/")

    shown = page(response)
    assert response.status_code == 200
    assert [h2.text for h2 in shown.find_all("h2") if h2.attrs.get("id", "").startswith("cer")] == [
        ceremony.title for ceremony in ceremonies
    ]
    assert shown.texts("p", id="live-counts") == [f"{arrived} of {expected} guests are in"]
    assert shown.find("div", "alert-danger").text == "3 emails could not be delivered."
