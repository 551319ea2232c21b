"""The map page: the Elbe's sites on the map, the far-away ones listed below it."""

import pytest

from memorials.views import FAR_LISTED
from tests.factories import MemorialSiteFactory
from tests.html import Page

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites():
    return {
        "torgau": MemorialSiteFactory(
            name_en="Torgau", latitude="51.560000", longitude="13.010000"
        ),
        "strehla": MemorialSiteFactory(
            name_en="Strehla", town_en="Strehla", latitude="51.352000", longitude="13.225000"
        ),
        "arlington": MemorialSiteFactory(
            name_en="Elbe River marker",
            name_ru="Знак в Арлингтоне",
            town_en="Arlington",
            country="US",
            latitude="38.878000",
            longitude="-77.069000",
        ),
        "moscow": MemorialSiteFactory(
            name_en="Moscow plaque",
            name_ru="Мемориальная доска в Москве",
            town_en="Moscow",
            town_ru="Москва",
            country="RU",
            latitude="55.748000",
            longitude="37.594000",
        ),
    }


def test_map_reads_the_catalogue_geojson(client, sites):
    """The markers and the table of the sites on the map come from the GeoJSON file
    (static/js/map.js draws those inside data-region); the page holds none of them."""
    page = Page(client.get("/en/memorials/map/").content)

    element = page.find("div", id="map")
    assert (element.attrs["data-geojson"], element.attrs["data-region"]) == (
        "/en/memorials/catalogue.geojson",
        "50.5,8.5,54.0,15.0",
    )
    assert page.find_all("script", id="map-data") == []
    assert page.find_all("tr", within=page.find("tbody", id="map-list")) == []
    south, west, north, east = map(float, element.attrs["data-region"].split(","))
    features = client.get(element.attrs["data-geojson"]).json()["features"]
    assert [
        feature["properties"]["name"]
        for feature in features
        if south <= feature["geometry"]["coordinates"][1] <= north
        and west <= feature["geometry"]["coordinates"][0] <= east
    ] == ["Strehla", "Torgau"]


def test_map_lists_far_away_sites_as_links(client, sites):
    page = Page(client.get("/en/memorials/map/").content)

    far = page.find("section", **{"aria-labelledby": "far-heading"})
    assert page.find("h2", id="far-heading").text == "Farther away"
    assert [item.text for item in page.find_all("li", within=far)] == [
        "Elbe River marker, Arlington, United States of America",
        "Moscow plaque, Moscow, Russia",
    ]
    assert [link.attrs["href"] for link in page.find_all("a", within=far)] == [
        f"/en/memorials/{sites['arlington'].slug}/",
        f"/en/memorials/{sites['moscow'].slug}/",
    ]


def test_map_lists_far_away_sites_in_russian(client, sites):
    page = Page(client.get("/ru/memorials/map/").content)

    far = page.find("section", **{"aria-labelledby": "far-heading"})
    assert [link.text for link in page.find_all("a", within=far)] == [
        "Знак в Арлингтоне",
        "Мемориальная доска в Москве",
    ]


def test_map_without_far_away_sites_has_no_such_list(client):
    MemorialSiteFactory(latitude="51.560000", longitude="13.010000")

    page = Page(client.get("/en/memorials/map/").content)

    assert page.find_all("h2", id="far-heading") == []


def test_map_lists_only_some_far_away_sites(client):
    for number in range(FAR_LISTED + 1):
        MemorialSiteFactory(
            name_en=f"Far {number:02}", country="US", latitude="38.878000", longitude="-77.069000"
        )

    page = Page(client.get("/en/memorials/map/").content)

    far = page.find("section", **{"aria-labelledby": "far-heading"})
    assert page.texts("li", within=far) == [
        f"Far {number:02}, Torgau, United States of America" for number in range(FAR_LISTED)
    ]
    assert page.find_all("a", within=far)[-1].attrs["href"] == "/en/memorials/"


def create_elbe_sites(count):
    for number in range(count):
        MemorialSiteFactory(
            latitude=f"{51.0 + number * 0.001:.6f}", longitude="13.010000", is_published=True
        )


def test_map_page_does_not_grow_with_the_catalogue(client, django_assert_max_num_queries):
    create_elbe_sites(5)
    few = client.get("/en/memorials/map/").content
    create_elbe_sites(195)

    with django_assert_max_num_queries(1):
        many = client.get("/en/memorials/map/").content

    assert (len(few), len(many)) == (len(few), len(few))


@pytest.mark.parametrize("language", ["de", "ru"])
def test_map_region_not_localised(client, language):
    """German and Russian write 50,5: the script reads the region as numbers."""
    page = Page(client.get(f"/{language}/memorials/map/").content)

    assert page.find("div", id="map").attrs["data-region"] == "50.5,8.5,54.0,15.0"
