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


# The upcoming ceremonies' numbers (with the interpreters asked for), the attendance
# charts, the failed emails, the years and ceremonies of the "All ceremonies" table (2),
# and the conflicts at the gate (one query when there are none).
DASHBOARD_QUERIES = 20
# With conflicts at the gate: also their check-ins, phones and volunteers.
DASHBOARD_QUERIES_WITH_CONFLICTS = DASHBOARD_QUERIES + 3


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


def all_ceremonies(shown):
    """The rows of the "All ceremonies" table as the organiser reads them."""
    return shown.table(shown.find("table", id="ceremonies-of-year"))


def links_of(shown, ceremony):
    body = shown.find("tbody", within=shown.find("table", id="ceremonies-of-year"))
    row = next(
        row
        for row in shown.find_all("tr", within=body)
        if shown.find("th", within=row).text == ceremony.title
    )
    return {link.text: link.attrs["href"] for link in shown.find_all("a", within=row)}


def test_dashboard_lists_past_and_coming_ceremonies_of_the_year(organiser):
    now = timezone.now()
    this_year = timezone.localdate().year
    past = ceremony_on(now - datetime.timedelta(hours=3), title_en="Morning wreath", slug="morning")
    RegistrationFactory(
        category=SeatCategoryFactory(ceremony=past), party_size=3, now=registration_time(past)
    )
    draft = ceremony_on(
        now + datetime.timedelta(hours=1), title_en="Next draft", slug="next-draft", status="draft"
    )
    ceremony_on(berlin(this_year - 1, 4, 25), title_en="Last year")

    shown = page(logged_in(organiser).get("/en/staff/"))

    assert shown.find("caption", within=shown.find("table", id="ceremonies-of-year")).text == (
        f"Ceremonies in {this_year}"
    )
    rows = all_ceremonies(shown)
    assert [row[0] for row in rows] == ["Morning wreath", "Next draft"]
    assert [row[2:5] for row in rows] == [["Published, past", "3", "0"], ["Draft", "0", "0"]]
    assert links_of(shown, past) == {
        "Morning wreath": f"/en/admin/events/ceremony/{past.pk}/change/",
        "Export": "/en/staff/ceremonies/morning/export/",
        "Guest list": "/en/staff/ceremonies/morning/guest-list/",
        "Message": "/en/staff/ceremonies/morning/message/",
        "Registrations": f"/en/admin/registrations/registration/?ceremony__id__exact={past.pk}",
    }
    assert "Add a registration" not in links_of(shown, draft)


def test_dashboard_reaches_other_years_by_their_links(organiser):
    this_year = timezone.localdate().year
    ceremony_on(datetime.datetime(this_year - 1, 4, 25, tzinfo=BERLIN), title_en="Last year")
    ceremony_on(datetime.datetime(this_year - 3, 4, 25, tzinfo=BERLIN), title_en="Long ago")
    ceremony_on(datetime.datetime(this_year + 1, 4, 25, tzinfo=BERLIN), title_en="Next year")
    client = logged_in(organiser)

    shown = page(client.get("/en/staff/"))
    years = shown.find("nav", **{"aria-label": "Ceremonies by year"})
    year_links = {link.text: link.attrs["href"] for link in shown.find_all("a", within=years)}
    earlier = page(client.get("/en/staff/" + year_links[str(this_year - 3)]))

    # Nothing this year: the nearest year before it is shown.
    assert [row[0] for row in all_ceremonies(shown)] == ["Last year"]
    assert list(year_links) == [str(year) for year in (this_year + 1, this_year - 1, this_year - 3)]
    assert shown.texts("a", within=years, **{"aria-current": "page"}) == [str(this_year - 1)]
    assert [row[0] for row in all_ceremonies(earlier)] == ["Long ago"]


def test_dashboard_with_an_unknown_year_shows_the_default_one(organiser, wreath):
    response = logged_in(organiser).get("/en/staff/", {"year": "1066"})

    assert response.status_code == 200
    assert [row[0] for row in all_ceremonies(page(response))] == ["Wreath-laying"]


def test_dashboard_offers_adding_a_registration_per_coming_ceremony(organiser, wreath):
    shown = page(logged_in(organiser).get("/en/staff/"))

    section = ceremony_section(shown, wreath)
    links = {link.text: link.attrs["href"] for link in shown.find_all("a", within=section)}
    assert links["Add a registration"] == "/en/staff/ceremonies/wreath/registrations/add/"
    assert links_of(shown, wreath)["Add a registration"] == (
        "/en/staff/ceremonies/wreath/registrations/add/"
    )


@pytest.fixture
def last_year():
    """A ceremony of a year ago with two confirmed registrants."""
    ceremony = ceremony_on(
        berlin(timezone.localdate().year - 1, 4, 25), title_en="Last year", slug="last-year"
    )
    category = SeatCategoryFactory(ceremony=ceremony)
    for name, email in [("Anna", "anna@example.org"), ("Boris", "boris@example.org")]:
        RegistrationFactory(
            category=category, name=name, email=email, now=registration_time(ceremony)
        )
    OutgoingEmail.objects.all().delete()
    return ceremony


def test_past_ceremony_keeps_its_export_guest_list_and_thank_you_message(organiser, last_year):
    client = logged_in(organiser)

    export = client.get(
        "/en/staff/ceremonies/last-year/export/",
        {"which": "confirmed", "columns": ["name"], "file_format": "csv"},
    )
    guests = page(client.get("/en/staff/ceremonies/last-year/guest-list/"))
    sent = client.post(
        "/en/staff/ceremonies/last-year/message/",
        {"audience": "confirmed", "subject_en": "Thank you", "body_en": "For coming.", "send": "1"},
    )

    assert export.content.decode("utf-8-sig").splitlines() == ['"Name"', '"Anna"', '"Boris"']
    assert guests.texts("th", scope="row") == ["Anna", "Boris"]
    assert sent.status_code == 302
    assert sorted(OutgoingEmail.objects.values_list("to", "kind", "subject")) == [
        ("anna@example.org", "message", "Thank you"),
        ("boris@example.org", "message", "Thank you"),
    ]


def test_anonymised_ceremony_says_its_personal_data_is_gone(organiser, last_year):
    services.registrations_anonymise(after_days=30)
    client = logged_in(organiser)

    export = page(client.get("/en/staff/ceremonies/last-year/export/"))
    dashboard_page = page(client.get("/en/staff/", {"year": last_year.year}))

    assert export.texts("p", "alert-info") == [
        "The registrants' personal data of this ceremony has been anonymised: there is nobody "
        "left to list. The numbers remain on the dashboard."
    ]
    assert export.find_all("form", method="get") == []
    assert all_ceremonies(dashboard_page)[0][2:] == [
        "Published, past",
        "2",
        "0",
        "Personal data anonymised · Registrations",
    ]
    assert list(links_of(dashboard_page, last_year)) == ["Last year", "Registrations"]


def many_ceremonies(count):
    """`count` ceremonies over five years, this year's with registrations."""
    this_year = timezone.localdate().year
    ceremonies = []
    for number in range(count):
        when = berlin(this_year - number % 5, 1 + number % 12, 1 + number % 28)
        ceremony = ceremony_on(when, slug=f"many-{number}")
        category = SeatCategoryFactory(ceremony=ceremony, capacity=2)
        RegistrationFactory(category=category, party_size=2, now=registration_time(ceremony))
        RegistrationFactory(category=category, now=registration_time(ceremony))
        ceremonies.append(ceremony)
    return ceremonies


@pytest.mark.parametrize("count", [5, 50])
def test_dashboard_queries_do_not_grow_with_ceremonies(
    organiser, django_assert_max_num_queries, count
):
    ceremonies = many_ceremonies(count)
    this_year = [c for c in ceremonies if c.year == timezone.localdate().year]
    client = logged_in(organiser)

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get("/en/staff/")

    rows = all_ceremonies(page(response))
    assert len(rows) == len(this_year)
    assert {tuple(row[3:5]) for row in rows} == {("2", "1")}
