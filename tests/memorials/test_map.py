"""The map page: the Elbe's sites on the map, the far-away ones listed below it."""

import json

import pytest

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


def test_map_shows_only_the_elbe_sites(client, sites):
    page = Page(client.get("/en/memorials/map/").content)

    assert [site["name"] for site in json.loads(page.find("script", id="map-data").text)] == [
        "Strehla",
        "Torgau",
    ]
    assert [row.text for row in page.find_all("tr", within=page.find("tbody"))] == [
        "Strehla Strehla 51.352, 13.225 (approximate)",
        "Torgau Torgau 51.56, 13.01 (approximate)",
    ]


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
