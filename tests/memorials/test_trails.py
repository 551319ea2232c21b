"""Series and trails: the pages that list them, their stops in order with the distances
between them, and what the public sees of drafts."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from memorials.models import MemorialSite, TrailStop
from tests.factories import (
    MemorialSeriesFactory,
    MemorialSiteFactory,
    TrailFactory,
    TrailStopFactory,
)
from tests.helpers import admin_change, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail():
    """Torgau, Strehla and a third site, 27.5 and 7.8 km apart, created out of order."""
    trail = TrailFactory(name_en="Meeting on the Elbe", slug="meeting", kind="walking")
    third = MemorialSiteFactory(
        name_en="Third", town_en="Riesa", latitude="51.300000", longitude="13.300000"
    )
    torgau = MemorialSiteFactory(name_en="Torgau", latitude="51.560000", longitude="13.010000")
    strehla = MemorialSiteFactory(
        name_en="Strehla", town_en="Strehla", latitude="51.352000", longitude="13.225000"
    )
    TrailStopFactory(trail=trail, site=third, position=30)
    TrailStopFactory(trail=trail, site=torgau, position=10)
    TrailStopFactory(trail=trail, site=strehla, position=20)
    return trail


def stops_table(shown):
    return shown.table(shown.find("table"))


def test_trail_page_lists_stops_in_order_with_distances(client, trail):
    shown = page(client.get("/en/memorials/trails/meeting/"))

    assert shown.find("h1").text == "Meeting on the Elbe"
    assert stops_table(shown) == [
        ["1", "Torgau", "Torgau", "—"],
        ["2", "Strehla", "Strehla", "27.5 km"],
        ["3", "Third", "Riesa", "7.8 km"],
    ]
    assert shown.texts("td", within=shown.find("tfoot")) == ["35.3 km"]
    assert shown.texts("p", "text-body-secondary", within=shown.find("main"))[0] == (
        "Walking trail · 3 stops · 35.3 km in all"
    )


def test_trail_stop_at_draft_site_is_left_out(client, trail):
    TrailStop.objects.filter(site__name_en="Strehla").update(position=20)
    strehla = trail.sites.get(name_en="Strehla")
    strehla.is_published = False
    strehla.save()

    shown = page(client.get("/en/memorials/trails/meeting/"))

    # The distance runs from Torgau straight on to the third site.
    assert stops_table(shown) == [
        ["1", "Torgau", "Torgau", "—"],
        ["2", "Third", "Riesa", "35.2 km"],
    ]
    assert "Strehla" not in shown.texts("a")


def test_trail_stop_without_coordinates_has_no_distance(client):
    trail = TrailFactory(slug="walk")
    TrailStopFactory(trail=trail, site=MemorialSiteFactory(name_en="A"), position=1)
    TrailStopFactory(
        trail=trail,
        site=MemorialSiteFactory(
            name_en="B", latitude=None, longitude=None, location_precision="unknown"
        ),
        position=2,
    )

    shown = page(client.get("/en/memorials/trails/walk/"))

    assert stops_table(shown) == [["1", "A", "Torgau", "—"], ["2", "B", "Torgau", "—"]]
    assert shown.texts("td", within=shown.find("tfoot")) == ["0.0 km"]


def test_trail_page_maps_the_trail_geojson(client, trail):
    shown = page(client.get("/en/memorials/trails/meeting/"))

    assert shown.find("div", id="map").attrs["data-geojson"] == (
        "/en/memorials/trails/meeting.geojson"
    )
    assert [link.attrs["href"] for link in shown.find_all("a", type="application/gpx+xml")] == [
        "/en/memorials/trails/meeting.gpx"
    ]


def test_unpublished_trail_is_hidden(client, trail):
    trail.is_published = False
    trail.save()

    listed = page(client.get("/en/memorials/trails/"))

    assert client.get("/en/memorials/trails/meeting/").status_code == 404
    assert "Meeting on the Elbe" not in listed.texts("a")
    assert listed.texts("p", within=listed.find("main")) == [
        "Memorial sites to visit one after another, on foot or by car.",
        "No trail has been published yet.",
    ]


def test_trail_list_shows_kind_and_published_stops(client, trail):
    TrailFactory(name_en="By car", slug="by-car", kind="driving")
    draft = trail.sites.get(name_en="Third")
    draft.is_published = False
    draft.save()

    shown = page(client.get("/en/memorials/trails/"))

    assert [
        (link.text, link.attrs["href"])
        for link in shown.find_all("a", within=shown.find("ul", "list-unstyled"))
    ] == [
        ("By car", "/en/memorials/trails/by-car/"),
        ("Meeting on the Elbe", "/en/memorials/trails/meeting/"),
    ]
    assert shown.texts("p", "text-body-secondary") == [
        "Driving trail · 0 stops",
        "Walking trail · 2 stops",
    ]


def test_trail_page_in_german(client, trail):
    trail.name_de = "Begegnung an der Elbe"
    trail.save()

    shown = page(client.get("/de/memorials/trails/meeting/"))

    assert shown.find("h1").text == "Begegnung an der Elbe"
    assert [row[1] for row in stops_table(shown)] == [
        "Denkmal Torgau",
        "Denkmal Strehla",
        "Denkmal Third",
    ]


def test_trail_stops_unique_position_and_site(trail):
    torgau = trail.sites.get(name_en="Torgau")

    with pytest.raises(ValidationError) as same_position:
        TrailStop(trail=trail, site=MemorialSiteFactory(), position=10).full_clean()
    with pytest.raises(ValidationError) as same_site:
        TrailStop(trail=trail, site=torgau, position=40).full_clean()
    with pytest.raises(IntegrityError):
        TrailStop.objects.create(trail=trail, site=torgau, position=40)

    assert same_position.value.messages == ["Two stops of a trail cannot share a position."]
    assert same_site.value.messages == ["A site can be a stop of a trail only once."]


def test_site_page_names_its_series_and_trails(client, trail):
    torgau = trail.sites.get(name_en="Torgau")
    series = MemorialSeriesFactory(name_en="Elbe Day 1945", slug="elbe-day-1945")
    torgau.series.add(series)
    TrailStopFactory(trail=TrailFactory(name_en="Draft trail", is_published=False), site=torgau)

    shown = page(client.get(torgau.get_absolute_url()))

    section = shown.find("section", **{"aria-labelledby": "part-of-heading"})
    assert shown.texts("li", within=section) == [
        "Part of the series Elbe Day 1945",
        "A stop on the walking trail Meeting on the Elbe",
    ]
    assert [link.attrs["href"] for link in shown.find_all("a", within=section)] == [
        "/en/memorials/series/elbe-day-1945/",
        "/en/memorials/trails/meeting/",
    ]


def test_site_page_without_series_or_trails_has_no_such_section(client):
    site = MemorialSiteFactory()

    shown = page(client.get(site.get_absolute_url()))

    assert shown.find_all("h2", id="part-of-heading") == []


def test_series_page_lists_its_published_sites(client):
    series = MemorialSeriesFactory(
        name_en="Elbe Day 1945", slug="elbe-day-1945", description_en="Where the armies met."
    )
    for name, published in (("Torgau", True), ("Strehla", True), ("Draft", False)):
        MemorialSiteFactory(name_en=name, is_published=published).series.add(series)
    MemorialSiteFactory(name_en="Elsewhere")

    shown = page(client.get("/en/memorials/series/elbe-day-1945/"))

    assert shown.find("h1").text == "Elbe Day 1945"
    assert shown.texts("h2", "card-title") == ["Strehla", "Torgau"]
    assert "Where the armies met." in shown.texts("p")
    assert client.get("/en/memorials/series/no-such-series/").status_code == 404


def create_trail_of(count, series):
    trail = TrailFactory(slug=f"trail-{series.slug}")
    for number in range(count):
        site = MemorialSiteFactory(latitude=f"{51.0 + number * 0.01:.6f}")
        site.series.add(series)
        TrailStopFactory(trail=trail, site=site, position=number)
    return trail


@pytest.mark.parametrize("count", [2, 30])
def test_trail_pages_query_count_bounded(client, django_assert_max_num_queries, count):
    series = MemorialSeriesFactory()
    trail = create_trail_of(count, series)
    create_trail_of(count, MemorialSeriesFactory())

    # The trail, its stops with their sites.
    with django_assert_max_num_queries(2):
        detail = client.get(trail.get_absolute_url())
    with django_assert_max_num_queries(1):
        listed = client.get("/en/memorials/trails/")
    # The series, the count of its sites, a page of them, their photos.
    with django_assert_max_num_queries(4):
        series = client.get(series.get_absolute_url())

    assert (detail.status_code, listed.status_code, series.status_code) == (200, 200, 200)


def test_admin_edits_trail_with_stops_inline(admin_client, trail):
    url = f"/en/admin/memorials/trail/{trail.pk}/change/"

    shown = page(admin_client.get(url))

    assert [
        element.attrs["value"]
        for element in shown.find_all("input")
        if element.attrs.get("name", "").endswith("-position") and element.attrs.get("value")
    ] == ["10", "20", "30"]


@pytest.mark.parametrize("count", [1, 10])
def test_site_page_reads_series_and_trails_without_more_queries(
    client, django_assert_max_num_queries, count
):
    site = MemorialSiteFactory()
    for number in range(count):
        site.series.add(MemorialSeriesFactory(name_en=f"Series {number:02}"))
        TrailStopFactory(trail=TrailFactory(name_en=f"Trail {number:02}"), site=site)

    # As many as without them (tests/test_budget.py): the site, its photos, dates and
    # sources, the nearby sites, the ceremonies.
    with django_assert_max_num_queries(6):
        shown = page(client.get(site.get_absolute_url()))

    section = shown.find("section", **{"aria-labelledby": "part-of-heading"})
    assert shown.texts("li", within=section) == [
        f"Part of the series Series {number:02}" for number in range(count)
    ] + [f"A stop on the walking trail Trail {number:02}" for number in range(count)]


def test_admin_reorders_trail_stops(admin_client, trail):
    url = f"/en/admin/memorials/trail/{trail.pk}/change/"

    # The inline lists the stops in order: the first row is Torgau's.
    response = admin_change(admin_client, url, **{"stops-0-position": "40"})

    assert response.status_code == 302
    assert [stop.site.name_en for stop in trail.public_stops()] == ["Strehla", "Third", "Torgau"]


def test_admin_refuses_two_stops_at_one_position(admin_client, trail):
    url = f"/en/admin/memorials/trail/{trail.pk}/change/"

    response = admin_change(admin_client, url, **{"stops-0-position": "20"})

    assert response.status_code == 200
    assert "Please correct the duplicate data for position." in page(response).texts("li")


def test_series_and_trails_read_with_or_without_the_annotation(trail):
    torgau = trail.sites.get(name_en="Torgau")
    torgau.series.add(MemorialSeriesFactory(name_en="Elbe Day 1945"))
    TrailStopFactory(trail=TrailFactory(name_en="Draft trail", is_published=False), site=torgau)
    annotated = MemorialSite.objects.with_series_and_trails().get(pk=torgau.pk)

    assert [
        ([str(series) for series in site.listed_series()], [str(t) for t in site.listed_trails()])
        for site in (annotated, torgau)
    ] == [(["Elbe Day 1945"], ["Meeting on the Elbe"])] * 2


def test_sitemap_lists_published_trails_and_series_with_published_sites(client):
    TrailFactory(slug="strehla-torgau")
    TrailFactory(slug="draft-trail", is_published=False)
    shown = MemorialSeriesFactory(slug="elbe-day-1945")
    shown.sites.add(MemorialSiteFactory(), MemorialSiteFactory())
    empty = MemorialSeriesFactory(slug="not-yet")
    empty.sites.add(MemorialSiteFactory(is_published=False))

    def locations(section):
        xml = client.get(f"/sitemap-{section}.xml").content.decode()
        return sorted(set(re.findall(r"<loc>http://testserver/en(/[^<]+)</loc>", xml)))

    assert locations("trails") == ["/memorials/trails/strehla-torgau/"]
    assert locations("series") == ["/memorials/series/elbe-day-1945/"]
    assert "/memorials/trails/" in locations("pages")
