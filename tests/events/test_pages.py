import datetime
import json
import xml.etree.ElementTree as ET
from unittest import mock

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from elbeday.models import Page
from memorials.models import MemorialSite
from memorials.sitemaps import MemorialSitemap
from tests.factories import (
    CeremonyFactory,
    MemorialSiteFactory,
    ProgrammeItemFactory,
    RegistrationFactory,
    SeatCategoryFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "de", "ru"]
UTC = datetime.UTC
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def days_from_now(days, hour=None):
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0) if hour is not None else moment


def ceremony_on(start, **kwargs):
    """A ceremony of two hours; registration, if any, closes before it starts."""
    kwargs.setdefault("registration_opens", None)
    if kwargs["registration_opens"] and kwargs["registration_opens"] > start:
        kwargs["registration_opens"] = None
    return CeremonyFactory(
        start=start,
        end=start + datetime.timedelta(hours=2),
        registration_closes=(start - datetime.timedelta(hours=12))
        if kwargs["registration_opens"]
        else None,
        **kwargs,
    )


def past(year, **kwargs):
    return ceremony_on(datetime.datetime(year, 4, 25, 8, 0, tzinfo=UTC), **kwargs)


@pytest.fixture
def april_ceremony():
    """Next April's ceremony at 08:00 UTC, which is 10:00 in Berlin (summer time)."""
    start = datetime.datetime(timezone.now().year + 1, 4, 25, 8, 0, tzinfo=UTC)
    return CeremonyFactory(
        title_en="Wreath-laying at the monument",
        title_de="Kranzniederlegung am Denkmal",
        title_ru="Возложение венков к памятнику",
        summary_en="Speeches and wreaths.",
        summary_de="Reden und Kränze.",
        summary_ru="Речи и венки.",
        start=start,
        end=start + datetime.timedelta(hours=2),
        time_zone="Europe/Berlin",
        registration_closes=start - datetime.timedelta(days=1),
    )


def upcoming_titles(listing):
    section = listing.find("section", **{"aria-labelledby": "upcoming-heading"})
    return listing.texts("h3", within=section)


def archive(listing):
    """[(year, [ceremony line, ...]), ...] as the archive shows them."""
    sections = listing.find_all("section", **{"aria-labelledby": "archive-heading"})
    if not sections:
        return []
    years = []
    for element in listing.elements:
        if sections[0] not in element.ancestors:
            continue
        if element.tag == "h3":
            years.append((element.text, []))
        elif element.tag == "li":
            years[-1][1].append(element.text)
    return years


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_shows_upcoming_first_then_past_years(client, page, translated, language):
    later = ceremony_on(days_from_now(60), title_en="Later", title_de="Später", title_ru="Позже")
    sooner = ceremony_on(days_from_now(10), title_en="Sooner", title_de="Bald", title_ru="Скоро")
    oath = past(2025, title_en="Oath", title_de="Schwur", title_ru="Клятва")
    concert = ceremony_on(
        datetime.datetime(2025, 4, 26, 8, 0, tzinfo=UTC),
        title_en="Concert",
        title_de="Konzert",
        title_ru="Концерт",
    )
    called_off = past(
        2022, title_en="Elbe Day", title_de="Elbe-Tag", title_ru="День Эльбы", status="cancelled"
    )
    early = past(2020, title_en="Festival", title_de="Fest", title_ru="Праздник")
    ceremony_on(days_from_now(20), title_en="Draft", title_de="Entwurf", status="draft")
    past(2021, title_en="Old draft", title_de="Alter Entwurf", status="draft")

    response = client.get(f"/{language}/ceremonies/")

    listing = page(response)
    assert response.status_code == 200
    assert listing.texts("h2") == [
        translated(language, "Upcoming"),
        translated(language, "Past years"),
    ]
    assert upcoming_titles(listing) == [
        getattr(sooner, f"title_{language}"),
        getattr(later, f"title_{language}"),
    ]
    cancelled = translated(language, "cancelled")
    assert archive(listing) == [
        ("2025", [archive_line(concert, language), archive_line(oath, language)]),
        ("2022", [f"{archive_line(called_off, language)} · {cancelled[0].upper()}{cancelled[1:]}"]),
        ("2020", [archive_line(early, language)]),
    ]
    assert "Entwurf" not in response.content.decode()
    assert "Draft" not in response.content.decode()


def archive_line(ceremony, language):
    with translation.override(language):
        return f"{getattr(ceremony, f'title_{language}')} · {ceremony.anniversary_label}"


def test_list_names_the_anniversary_in_the_visitors_language(client, page, translated):
    past(2025, title_en="Elbe Day 2025", title_de="Elbe Day 2025", title_ru="Elbe Day 2025")

    lines = {
        language: archive(page(client.get(f"/{language}/ceremonies/")))[0][1]
        for language in LANGUAGES
    }

    assert lines["en"] == ["Elbe Day 2025 · 80th anniversary"]
    assert lines["ru"] == ["Elbe Day 2025 · 80-я годовщина"]
    assert lines["de"] == [
        f"Elbe Day 2025 · {translated('de', '%(ordinal)s anniversary')}" % {"ordinal": "80."}
    ]


def test_list_without_ceremonies_says_so(client, page, translated):
    listing = page(client.get("/de/ceremonies/"))

    assert translated("de", "No ceremony has been announced yet.") in listing.texts("p")
    assert archive(listing) == []


def test_draft_is_invisible_everywhere(client):
    draft = ceremony_on(days_from_now(20), title_en="Secret draft", status="draft")

    responses = {
        url: client.get(url)
        for url in (
            "/en/ceremonies/",
            "/en/ceremonies/calendar.ics",
            "/en/ceremonies/feed/",
            "/sitemap.xml",
            "/sitemap-ceremonies.xml",
            "/en/",
        )
    }

    assert client.get(f"/en/ceremonies/{draft.slug}/").status_code == 404
    assert client.get(f"/en/ceremonies/{draft.slug}/calendar.ics").status_code == 404
    assert {url: response.status_code for url, response in responses.items()} == dict.fromkeys(
        responses, 200
    )
    assert [
        url
        for url, response in responses.items()
        if b"Secret draft" in response.content or draft.slug.encode() in response.content
    ] == []


@pytest.mark.parametrize(
    ("language", "times"),
    [
        ("en", ["9:45 a.m.", "10 a.m.", "10:30 a.m."]),
        ("de", ["09:45", "10:00", "10:30"]),
        ("ru", ["9:45", "10:00", "10:30"]),
    ],
)
def test_detail_shows_the_programme_in_order_in_local_time(
    client, page, april_ceremony, language, times
):
    start = april_ceremony.start
    ProgrammeItemFactory(
        ceremony=april_ceremony,
        starts_at=start + datetime.timedelta(minutes=30),
        title_en="Wreaths",
        title_de="Kränze",
        title_ru="Венки",
    )
    ProgrammeItemFactory(
        ceremony=april_ceremony,
        starts_at=start,
        title_en="Speeches",
        title_de="Reden",
        title_ru="Речи",
        languages="de,ru",
        interpretation=True,
    )
    ProgrammeItemFactory(
        ceremony=april_ceremony,
        starts_at=start - datetime.timedelta(minutes=15),
        title_en="Welcome",
        title_de="Begrüßung",
        title_ru="Приветствие",
    )

    detail = page(client.get(f"/{language}/ceremonies/{april_ceremony.slug}/"))

    programme = detail.find("section", **{"aria-labelledby": "programme-heading"})
    titles = {
        "en": ["Welcome", "Speeches", "Wreaths"],
        "de": ["Begrüßung", "Reden", "Kränze"],
        "ru": ["Приветствие", "Речи", "Венки"],
    }[language]
    assert detail.texts("h3", within=programme) == [
        f"{time} · {title}" for time, title in zip(times, titles, strict=True)
    ]
    assert [t.attrs["datetime"] for t in detail.find_all("time", within=programme)] == [
        f"{start.year}-04-25T09:45:00+02:00",
        f"{start.year}-04-25T10:00:00+02:00",
        f"{start.year}-04-25T10:30:00+02:00",
    ]


@pytest.mark.parametrize(
    ("language", "when"),
    [
        ("en", "April 25, {year}, 10 a.m. – noon"),
        ("de", "25. April {year}, 10:00 – 12:00"),
        ("ru", "25 апреля {year} г., 10:00 – 12:00"),
    ],
)
def test_detail_shows_the_local_time_of_the_venue(client, page, april_ceremony, language, when):
    detail = page(client.get(f"/{language}/ceremonies/{april_ceremony.slug}/"))

    dd = detail.find_all("dd")[0]
    assert dd.text.startswith(when.format(year=april_ceremony.start.year))
    assert "Europe/Berlin" in dd.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_detail_shows_the_seats_per_category(client, page, translated, april_ceremony, language):
    names = ["Public", "Veterans", "Press", "Delegations"]
    seats = SeatCategoryFactory(ceremony=april_ceremony, name_en="Public", capacity=7)
    RegistrationFactory(category=seats, party_size=2)
    veterans = SeatCategoryFactory(ceremony=april_ceremony, name_en="Veterans", capacity=1)
    RegistrationFactory(category=veterans)
    press = SeatCategoryFactory(
        ceremony=april_ceremony, name_en="Press", capacity=1, has_waiting_list=False
    )
    RegistrationFactory(category=press)
    SeatCategoryFactory(
        ceremony=april_ceremony, name_en="Delegations", capacity=1, invitation_code="X"
    )
    for category in april_ceremony.categories.all():
        for lang in ("de", "ru"):
            setattr(category, f"name_{lang}", f"{category.name_en} ({lang})")
        category.save()

    detail = page(client.get(f"/{language}/ceremonies/{april_ceremony.slug}/"))

    table = detail.find("table")
    left = translated(language, "%(count)s seat left", plural="%(count)s seats left", n=5)
    one_left = translated(language, "%(count)s seat left", plural="%(count)s seats left", n=1)
    suffix = "" if language == "en" else f" ({language})"
    assert list(
        zip(
            detail.texts("th", scope="row", within=table),
            detail.texts("td", within=table),
            strict=True,
        )
    ) == [
        (names[0] + suffix, left % {"count": 5}),
        (names[1] + suffix, translated(language, "Waiting list")),
        (names[2] + suffix, translated(language, "Fully booked")),
        (
            names[3] + suffix,
            (one_left % {"count": 1}) + " · " + translated(language, "by invitation"),
        ),
    ]


@pytest.mark.parametrize("language", ["en", "de"])
def test_register_button_only_while_registration_is_open(client, page, translated, language):
    now = timezone.now()
    states = {
        "open": {},
        "not_yet": {"registration_opens": now + datetime.timedelta(days=1)},
        "closed": {
            "registration_opens": now - datetime.timedelta(days=3),
            "registration_closes": now - datetime.timedelta(days=1),
        },
        "cancelled": {"status": "cancelled"},
    }
    buttons = {}
    for state, kwargs in states.items():
        category = SeatCategoryFactory(ceremony=CeremonyFactory(**kwargs))
        detail = page(client.get(f"/{language}/ceremonies/{category.ceremony.slug}/"))
        buttons[state] = detail.texts(
            "a", href=f"/{language}/ceremonies/{category.ceremony.slug}/register/"
        )

    assert buttons == {
        "open": [translated(language, "Register")],
        "not_yet": [],
        "closed": [],
        "cancelled": [],
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_detail_links_to_its_calendar_file(client, page, translated, april_ceremony, language):
    detail = page(client.get(f"/{language}/ceremonies/{april_ceremony.slug}/"))

    ics_url = f"/{language}/ceremonies/{april_ceremony.slug}/calendar.ics"
    assert detail.texts("a", href=ics_url) == [translated(language, "Add to calendar (.ics)")]

    response = client.get(ics_url)
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert (str(event["SUMMARY"]), event.decoded("DTSTART"), str(event["STATUS"])) == (
        getattr(april_ceremony, f"title_{language}"),
        april_ceremony.start,
        "CONFIRMED",
    )
    assert response["Content-Disposition"] == (f'attachment; filename="{april_ceremony.slug}.ics"')


@pytest.mark.parametrize("language", LANGUAGES)
def test_detail_has_open_graph_tags(client, page, april_ceremony, language):
    detail = page(client.get(f"/{language}/ceremonies/{april_ceremony.slug}/"))

    tags = {
        meta.attrs["property"]: meta.attrs["content"]
        for meta in detail.find_all("meta")
        if meta.attrs.get("property", "").startswith("og:")
    }
    assert tags == {
        "og:type": "event",
        "og:title": getattr(april_ceremony, f"title_{language}"),
        "og:description": getattr(april_ceremony, f"summary_{language}"),
        "og:url": f"http://testserver/{language}/ceremonies/{april_ceremony.slug}/",
    }


def json_ld(detail):
    (script,) = [
        script
        for script in detail.find_all("script")
        if script.attrs.get("type") == "application/ld+json"
    ]
    return json.loads(script.text)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_detail_has_structured_data_for_search_engines(client, page, april_ceremony, language):
    site = MemorialSiteFactory(name_en="Monument of the Meeting", name_ru="Памятник встречи")
    april_ceremony.venue_site = site
    april_ceremony.save()

    data = json_ld(page(client.get(f"/{language}/ceremonies/{april_ceremony.slug}/")))

    year = april_ceremony.start.year
    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": getattr(april_ceremony, f"title_{language}"),
        "description": getattr(april_ceremony, f"summary_{language}"),
        "startDate": f"{year}-04-25T10:00:00+02:00",
        "endDate": f"{year}-04-25T12:00:00+02:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": f"http://testserver/{language}/ceremonies/{april_ceremony.slug}/",
        "location": {
            "@type": "Place",
            "name": getattr(site, f"name_{language}"),
            "address": {
                "@type": "PostalAddress",
                "addressLocality": getattr(site, f"town_{language}") or site.town_en,
                "addressCountry": "DE",
            },
            "geo": {"@type": "GeoCoordinates", "latitude": 51.56, "longitude": 13.01},
        },
        "organizer": {
            "@type": "Organization",
            "name": getattr(april_ceremony.series, f"name_{language}"),
        },
    }


def test_structured_data_has_the_ceremonys_own_address(client, page, april_ceremony):
    april_ceremony.venue_site = MemorialSiteFactory(address="Elbstraße", town_en="Torgau")
    april_ceremony.venue_address = "Elbstraße 1, Torgau"
    april_ceremony.save()

    data = json_ld(page(client.get(f"/en/ceremonies/{april_ceremony.slug}/")))

    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Elbstraße 1, Torgau",
        "addressLocality": "Torgau",
        "addressCountry": "DE",
    }


def test_structured_data_without_a_memorial_site_has_no_coordinates(client, page, april_ceremony):
    april_ceremony.venue_name_en = "Town hall"
    april_ceremony.venue_address = "Markt 1, 04860 Torgau"
    april_ceremony.save()

    data = json_ld(page(client.get(f"/en/ceremonies/{april_ceremony.slug}/")))

    assert data["location"] == {
        "@type": "Place",
        "name": "Town hall",
        "address": {"@type": "PostalAddress", "streetAddress": "Markt 1, 04860 Torgau"},
    }


def test_structured_data_cannot_break_out_of_its_script(client, page):
    title = '</script><script>alert("x")</script> & more'
    ceremony = CeremonyFactory(title_en=title)

    response = client.get(f"/en/ceremonies/{ceremony.slug}/")

    detail = page(response)
    assert json_ld(detail)["name"] == title
    assert [script.attrs.get("type") for script in detail.find_all("script")] == [
        "application/ld+json"
    ]
    assert b"</script><script>alert" not in response.content


@pytest.mark.parametrize(
    ("status", "event_status"),
    [
        ("cancelled", "https://schema.org/EventCancelled"),
        ("postponed", "https://schema.org/EventPostponed"),
    ],
)
def test_structured_data_says_when_a_ceremony_is_called_off(
    client, page, april_ceremony, status, event_status
):
    april_ceremony.status = status
    april_ceremony.save()

    data = json_ld(page(client.get(f"/en/ceremonies/{april_ceremony.slug}/")))

    assert (data["eventStatus"], data["startDate"]) == (
        event_status,
        f"{april_ceremony.start.year}-04-25T10:00:00+02:00",
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_detail_of_a_cancelled_ceremony_says_why(client, page, translated, language):
    ceremony = past(
        2020,
        status="cancelled",
        status_note_en="Cancelled because of COVID-19.",
        status_note_de="Abgesagt wegen COVID-19.",
    )

    detail = page(client.get(f"/{language}/ceremonies/{ceremony.slug}/"))

    note = {"en": "Cancelled because of COVID-19.", "de": "Abgesagt wegen COVID-19."}[language]
    assert detail.texts("div", class_="alert-danger") == [
        f"{translated(language, 'This ceremony has been cancelled.')} {note}"
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_memorial_page_lists_the_upcoming_ceremonies_held_there(client, page, translated, language):
    site = MemorialSiteFactory()
    later = ceremony_on(
        days_from_now(40), venue_site=site, title_en="Later", title_de="Später", title_ru="Позже"
    )
    sooner = ceremony_on(
        days_from_now(5), venue_site=site, title_en="Sooner", title_de="Bald", title_ru="Скоро"
    )
    ceremony_on(days_from_now(8), title_en="Elsewhere", title_de="Anderswo")
    ceremony_on(days_from_now(9), venue_site=site, title_en="Draft here", status="draft")
    past(2025, venue_site=site, title_en="Past here", title_de="Vergangen")

    memorial = page(client.get(f"/{language}/memorials/{site.slug}/"))

    section = memorial.find("section", **{"aria-labelledby": "ceremonies-heading"})
    assert memorial.texts("h2", within=section) == [
        translated(language, "Upcoming ceremonies here")
    ]
    assert memorial.texts("h3", within=section) == [
        getattr(sooner, f"title_{language}"),
        getattr(later, f"title_{language}"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_shows_the_next_ceremony(client, page, translated, language):
    ceremony_on(days_from_now(40), title_en="Later", title_de="Später", title_ru="Позже")
    sooner = ceremony_on(days_from_now(5), title_en="Sooner", title_de="Bald", title_ru="Скоро")
    ceremony_on(days_from_now(2), title_en="Draft", status="draft")
    past(2025, title_en="Past")

    home = page(client.get(f"/{language}/"))

    section = home.find("section", **{"aria-labelledby": "next-heading"})
    assert home.texts("h2", within=section) == [translated(language, "Next ceremony")]
    assert [link.text for link in home.find_all("a", within=section)] == [
        getattr(sooner, f"title_{language}"),
        translated(language, "All ceremonies"),
    ]


def test_home_page_without_upcoming_ceremonies_has_no_next_ceremony(client, page):
    past(2025)

    home = page(client.get("/en/"))

    assert home.find_all("section", **{"aria-labelledby": "next-heading"}) == []


def test_calendar_feed_has_one_event_per_public_ceremony(client):
    published = ceremony_on(days_from_now(10), title_en="Published")
    cancelled = past(2022, title_en="Cancelled", status="cancelled")
    ceremony_on(days_from_now(20), title_en="Postponed", status="postponed")
    past(2025, title_en="Three days", dates_only=True)
    ceremony_on(days_from_now(5), title_en="Draft", status="draft")

    response = client.get("/en/ceremonies/calendar.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert {title: str(event["STATUS"]) for title, event in events.items()} == {
        "Published": "CONFIRMED",
        "Cancelled": "CANCELLED",
        "Postponed": "TENTATIVE",
        "Three days": "CONFIRMED",
    }
    assert len({str(event["UID"]) for event in events.values()}) == 4
    assert events["Published"].decoded("DTSTART") == published.start.replace(microsecond=0)
    assert events["Three days"].decoded("DTSTART") == datetime.date(2025, 4, 25)
    assert str(events["Cancelled"]["URL"]).endswith(f"/en/ceremonies/{cancelled.slug}/")


def test_calendar_file_has_the_venues_time_zone_address_and_coordinates(client, april_ceremony):
    april_ceremony.venue_site = MemorialSiteFactory(
        name_en="Monument of the Meeting",
        address="Elbstraße",
        town_en="Torgau",
        latitude="51.560500",
        longitude="13.002100",
        location_precision="exact",
    )
    april_ceremony.save()

    response = client.get(f"/en/ceremonies/{april_ceremony.slug}/calendar.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    (zone,) = calendar.walk("VTIMEZONE")
    local = datetime.datetime(april_ceremony.start.year, 4, 25, 10, 0)
    assert b"DTSTART;TZID=Europe/Berlin:" + local.strftime("%Y%m%dT%H%M%S").encode() in (
        response.content.splitlines()
    )
    assert (event["DTSTART"].params["TZID"], event["DTEND"].params["TZID"]) == (
        "Europe/Berlin",
        "Europe/Berlin",
    )
    assert event.decoded("DTSTART") == april_ceremony.start
    assert str(zone["TZID"]) == "Europe/Berlin"
    # Summer time, which the ceremony falls in, for the years around it only.
    assert {part.decoded("TZOFFSETTO") for part in zone.walk("DAYLIGHT")} == {
        datetime.timedelta(hours=2)
    }
    assert b"1970" not in response.content
    assert str(event["LOCATION"]) == "Monument of the Meeting, Elbstraße, Torgau"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (51.5605, 13.0021)


def test_calendar_feed_has_a_time_zone_for_each_venues_zone(client):
    berlin = ceremony_on(days_from_now(10), title_en="Torgau", time_zone="Europe/Berlin")
    ceremony_on(days_from_now(12), title_en="Arlington", time_zone="America/New_York")
    ceremony_on(days_from_now(14), title_en="Strehla", time_zone="Europe/Berlin")

    calendar = icalendar.Calendar.from_ical(client.get("/en/ceremonies/calendar.ics").content)

    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert sorted(str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")) == [
        "America/New_York",
        "Europe/Berlin",
    ]
    assert {title: event["DTSTART"].params["TZID"] for title, event in events.items()} == {
        "Torgau": "Europe/Berlin",
        "Arlington": "America/New_York",
        "Strehla": "Europe/Berlin",
    }
    assert events["Torgau"].decoded("DTSTART") == berlin.start.replace(microsecond=0)


def test_calendar_file_without_a_memorial_site_has_no_coordinates(client, april_ceremony):
    april_ceremony.venue_name_en = "Town hall"
    april_ceremony.venue_address = "Markt 1, 04860 Torgau"
    april_ceremony.save()

    response = client.get(f"/en/ceremonies/{april_ceremony.slug}/calendar.ics")

    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["LOCATION"]) == "Town hall, Markt 1, 04860 Torgau"
    assert "GEO" not in event


def test_calendar_feed_speaks_the_visitors_language(client):
    ceremony_on(days_from_now(10), title_en="Wreath-laying", title_de="Kranzniederlegung")

    calendar = icalendar.Calendar.from_ical(client.get("/de/ceremonies/calendar.ics").content)

    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == ["Kranzniederlegung"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_atom_feed_lists_the_public_ceremonies(client, language):
    ceremony_on(days_from_now(10), title_en="Published", title_de="Veröffentlicht")
    past(2022, title_en="Cancelled", title_de="Abgesagt", status="cancelled")
    ceremony_on(days_from_now(5), title_en="Draft", title_de="Entwurf", status="draft")

    response = client.get(f"/{language}/ceremonies/feed/")

    feed = ET.fromstring(response.content)
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.tag == f"{ATOM}feed"
    titles = sorted(entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry"))
    assert titles == (
        ["Cancelled", "Published"] if language == "en" else ["Abgesagt", "Veröffentlicht"]
    )
    links = [entry.find(f"{ATOM}link").attrib["href"] for entry in feed.iter(f"{ATOM}entry")]
    assert all(link.startswith(f"http://testserver/{language}/ceremonies/") for link in links)


def test_sitemap_lists_memorials_and_ceremonies_in_three_languages(client):
    site = MemorialSiteFactory()
    ceremony = ceremony_on(days_from_now(10))
    ceremony_on(days_from_now(5), status="draft")

    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    urls = [
        url
        for section in sections
        for url in ET.fromstring(client.get(section.removeprefix("http://testserver")).content)
    ]

    assert sorted(sections) == [
        f"http://testserver/sitemap-{name}.xml"
        for name in ("ceremonies", "memorials", "pages", "series", "trails")
    ]
    entries = {
        url.findtext(f"{SITEMAP}loc"): {
            link.attrib["hreflang"]: link.attrib["href"]
            for link in url.findall(f"{XHTML}link")
            if link.attrib["rel"] == "alternate"
        }
        for url in urls
    }
    for path in (f"/memorials/{site.slug}/", f"/ceremonies/{ceremony.slug}/"):
        alternates = {language: f"http://testserver/{language}{path}" for language in LANGUAGES} | {
            "x-default": f"http://testserver{path}"
        }
        assert {loc: links for loc, links in entries.items() if loc.endswith(path)} == {
            f"http://testserver/{language}{path}": alternates for language in LANGUAGES
        }
    assert sorted(loc for loc in entries if "/ceremonies/" in loc) == sorted(
        f"http://testserver/{language}/ceremonies/{suffix}"
        for language in LANGUAGES
        for suffix in ("", f"{ceremony.slug}/")
    )


@pytest.mark.parametrize("sites", [1, 12])
def test_sitemap_index_gives_each_sections_newest_change(
    client, sites, django_assert_max_num_queries
):
    """The index's lastmod is the newest change of each section, however many sites
    there are: one query per section for its size, with its newest change where its items
    have one (sites, ceremonies)."""
    MemorialSiteFactory.create_batch(sites)
    newest = MemorialSiteFactory()
    MemorialSite.objects.filter(pk=newest.pk).update(
        updated_at=datetime.datetime(2031, 4, 25, 12, tzinfo=datetime.UTC)
    )

    with django_assert_max_num_queries(4):
        index = ET.fromstring(client.get("/sitemap.xml").content)

    lastmods = {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in index.iter(f"{SITEMAP}sitemap")
    }
    assert lastmods["http://testserver/sitemap-memorials.xml"] == "2031-04-25T14:00:00+02:00"


def test_sitemap_index_counts_each_section_without_reading_its_items(client):
    """However many sites there are, the index asks each section its size (and newest
    change) and reads none of their rows."""
    MemorialSiteFactory.create_batch(3)
    ceremony_on(days_from_now(10))

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/sitemap.xml").status_code == 200

    assert len(queries) == 4  # sites, trails, series, ceremonies; the pages need none
    assert [query["sql"] for query in queries if "COUNT(" not in query["sql"]] == []


def test_sitemap_pages_list_every_address_once_in_order(client, monkeypatch):
    """With more addresses than fit on one sitemap page, the pages split them as the
    index says, a site's languages across two pages included, and each page reads only
    its own sites."""
    monkeypatch.setattr(MemorialSitemap, "limit", 4)
    sites = MemorialSiteFactory.create_batch(5)  # 15 addresses: pages of 4, 4, 4 and 3

    index = ET.fromstring(client.get("/sitemap.xml").content)
    pages = [
        loc.text.removeprefix("http://testserver")
        for loc in index.iter(f"{SITEMAP}loc")
        if "-memorials" in loc.text
    ]
    listed = []
    for number, page in enumerate(pages, start=1):
        with CaptureQueriesContext(connection) as queries:
            urls = ET.fromstring(client.get(page).content)
        listed.append([url.findtext(f"{SITEMAP}loc") for url in urls])
        reads = [query["sql"] for query in queries if '"slug"' in query["sql"]]
        # Each page's addresses come from 2 sites, the last one's from 1.
        assert len(reads) == 1
        assert f"LIMIT {1 if number == 4 else 2}" in reads[0]

    assert pages == [
        "/sitemap-memorials.xml",
        *(f"/sitemap-memorials.xml?p={n}" for n in (2, 3, 4)),
    ]
    assert [len(page) for page in listed] == [4, 4, 4, 3]
    assert [url for page in listed for url in page] == [
        f"http://testserver/{language}/memorials/{site.slug}/"
        for site in sorted(sites, key=lambda site: site.pk)
        for language in LANGUAGES
    ]


def test_robots_txt_keeps_crawlers_out_of_admin_and_bookings(client):
    response = client.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert response["Content-Type"] == "text/plain"
    assert lines[0] == "User-agent: *"
    assert {f"Disallow: /{language}/admin/" for language in LANGUAGES} <= set(lines)
    assert {f"Disallow: /{language}/registrations/" for language in LANGUAGES} <= set(lines)
    # The tickets' QR codes lead to /checkin/<token>/, in no language.
    assert "Disallow: /checkin/" in lines
    assert lines[-1] == "Sitemap: http://testserver/sitemap.xml"


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Privacy notice"), ("de", "Datenschutzhinweis"), ("ru", "Конфиденциальность")],
)
def test_privacy_page_shows_the_text_staff_wrote(client, page, language, title):
    Page.objects.create(
        slug="privacy",
        title_en="Privacy notice",
        title_de="Datenschutzhinweis",
        title_ru="Конфиденциальность",
        body_en="We store your name.\n\nYou can delete it.",
        body_de="Wir speichern Ihren Namen.\n\nSie können ihn löschen.",
        body_ru="Мы храним ваше имя.\n\nВы можете его удалить.",
    )

    privacy = page(client.get(f"/{language}/pages/privacy/"))

    body = {
        "en": ["We store your name.", "You can delete it."],
        "de": ["Wir speichern Ihren Namen.", "Sie können ihn löschen."],
        "ru": ["Мы храним ваше имя.", "Вы можете его удалить."],
    }[language]
    article = privacy.find("article")
    assert privacy.texts("h1") == [title]
    assert privacy.texts("p", within=article) == body


def test_missing_page_is_not_found(client):
    assert client.get("/en/pages/privacy/").status_code == 404


# Query counts: the pages must not make a query per registration, programme item,
# category or past ceremony. Each bound holds for a small and a large ceremony.
LIST_QUERIES = 3  # upcoming, the archive years, the latest years' ceremonies
# The ceremony with its series and venue, its categories, their seats, the programme
# and its sources: after that first render only the seats are read again (tests/test_cache.py).
DETAIL_QUERIES = 5


def _populate(*, registrations, items, categories, past_years):
    ceremony = CeremonyFactory(venue_site=MemorialSiteFactory())
    ceremony.sources.set(SourceFactory.create_batch(2))
    category_list = SeatCategoryFactory.create_batch(
        categories, ceremony=ceremony, capacity=100, max_party_size=1
    )
    for number in range(registrations):
        RegistrationFactory(category=category_list[number % categories])
    for number in range(items):
        ProgrammeItemFactory(
            ceremony=ceremony,
            starts_at=ceremony.start + datetime.timedelta(minutes=number),
            languages="de,en",
        )
    for year in range(2000, 2000 + past_years):
        past(year, venue_site=MemorialSiteFactory())
    return ceremony


SIZES = {
    "small": {"registrations": 1, "items": 1, "categories": 1, "past_years": 2},
    "large": {"registrations": 30, "items": 15, "categories": 6, "past_years": 20},
}


@pytest.mark.parametrize("size", SIZES)
def test_ceremony_list_queries_do_not_grow(client, django_assert_max_num_queries, size):
    _populate(**SIZES[size])

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get("/en/ceremonies/")

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_ceremony_detail_queries_do_not_grow(client, django_assert_max_num_queries, size):
    ceremony = _populate(**SIZES[size])

    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(f"/en/ceremonies/{ceremony.slug}/")

    assert response.status_code == 200


def test_older_years_are_links_to_their_own_archive_page(client, page):
    for year in range(2015, 2023):
        past(year, title_en=f"Elbe Day {year}")

    listing = page(client.get("/en/ceremonies/"))

    assert [year for year, _lines in archive(listing)] == [
        "2022",
        "2021",
        "2020",
        "2019",
        "2018",
        "Earlier years",
    ]
    older = [
        link.attrs["href"] for link in listing.find_all("a") if "/archive/" in link.attrs["href"]
    ]
    assert older == [f"/en/ceremonies/archive/{year}/" for year in (2017, 2016, 2015)]
    year_page = page(client.get("/en/ceremonies/archive/2016/"))
    assert year_page.texts("h1") == ["Ceremonies in 2016"]
    assert [a.text for a in year_page.find_all("a") if "/ceremonies/" in a.attrs["href"]][-1] == (
        "Elbe Day 2016"
    )
    assert client.get("/en/ceremonies/archive/1900/").status_code == 404


@pytest.mark.parametrize(
    "year", ["0", "00001", "02016", "10000", "99999", "9" * 19, "9" * 30, "-2016", "2016.0"]
)
def test_archive_year_outside_1_to_9999_is_not_found_before_the_database_is_asked(
    client, django_assert_num_queries, year
):
    """Fuzzing found 500s for such years (the database's integer overflowed); now the
    address itself is refused, and a year has one address only (not also 02016)."""
    past(2016)

    with django_assert_num_queries(0):
        response = client.get(f"/en/ceremonies/archive/{year}/")

    assert response.status_code == 404


def test_archive_year_links_are_the_years_as_written():
    from django.urls import NoReverseMatch, reverse

    assert reverse("events:year", kwargs={"year": 1}) == "/en/ceremonies/archive/1/"
    assert reverse("events:year", kwargs={"year": 2016}) == "/en/ceremonies/archive/2016/"
    with pytest.raises(NoReverseMatch):
        reverse("events:year", kwargs={"year": 10000})


def test_ceremony_photo_is_shown_with_its_resized_versions(client, page):
    from django.core.files.base import ContentFile

    from tests.images import image_bytes

    ceremony = ceremony_on(days_from_now(10), photo_alt_text_en="The monument at dusk")
    ceremony.photo = ContentFile(image_bytes(size=(1000, 600)), name="dusk.jpg")
    ceremony.save()

    [img] = page(client.get(f"/en/ceremonies/{ceremony.slug}/")).find_all("img")

    assert img.attrs["alt"] == "The monument at dusk"
    assert img.attrs["loading"] == "lazy"
    widths = [part.split()[1] for part in img.attrs["srcset"].split(", ")]
    assert widths == ["320w", "640w", "1000w"]


def test_ceremony_that_ends_leaves_the_upcoming_lists_with_no_edit(client, page, settings):
    """What the pages read is kept until the next content edit, or until the first of
    the upcoming ceremonies in it ends: then it is past, with nobody saving anything."""
    settings.PAGE_CACHE_SECONDS = 0  # as when the cached page has expired
    site = MemorialSiteFactory()
    soon = ceremony_on(days_from_now(1), venue_site=site, title_en="Soon")
    ceremony_on(days_from_now(40), venue_site=site, title_en="Later")

    def shown():
        listing = page(client.get("/en/ceremonies/"))
        home = page(client.get("/en/"))
        memorial = page(client.get(f"/en/memorials/{site.slug}/"))
        next_section = home.find("section", **{"aria-labelledby": "next-heading"})
        here = memorial.find("section", **{"aria-labelledby": "ceremonies-heading"})
        return (
            upcoming_titles(listing),
            [year for year, _lines in archive(listing)],
            home.texts("h3", within=next_section),
            memorial.texts("h3", within=here),
        )

    assert shown() == (["Soon", "Later"], [], ["Soon"], ["Soon", "Later"])
    after_the_end = soon.end + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=after_the_end):
        assert shown() == (["Later"], [str(soon.start.year)], ["Later"], ["Later"])
