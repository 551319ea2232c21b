"""Near me: the nearest published sites to a position from the browser or a place typed
in, found through growing bounding boxes."""

import logging

import pytest

from memorials.models import MemorialSite
from memorials.search import bounding_box, haversine_km, parse_coordinates
from tests.factories import MemorialSiteFactory
from tests.html import Page

pytestmark = pytest.mark.django_db

TORGAU = (51.56, 13.01)
KM_PER_DEGREE = 111.19508  # of latitude, on the mean Earth radius


def north_of_torgau(km, **fields):
    """A published site `km` due north of Torgau, so its distance is known exactly."""
    return MemorialSiteFactory(
        latitude=f"{TORGAU[0] + km / KM_PER_DEGREE:.6f}", longitude=f"{TORGAU[1]:.6f}", **fields
    )


def nearest_names(latitude, longitude, *, limit):
    return [
        (site.name, round(km, 1))
        for site, km in MemorialSite.objects.published().near(latitude, longitude, limit=limit)
    ]


def test_near_orders_by_distance_with_distances():
    north_of_torgau(30, name_en="Thirty")
    north_of_torgau(3, name_en="Three")
    north_of_torgau(12, name_en="Twelve")
    MemorialSiteFactory(name_en="Moscow", latitude="55.748000", longitude="37.594000")

    assert nearest_names(*TORGAU, limit=3) == [("Three", 3.0), ("Twelve", 12.0), ("Thirty", 30.0)]


def test_near_grows_the_box_until_enough_sites(django_assert_num_queries):
    north_of_torgau(3, name_en="Three")
    north_of_torgau(60, name_en="Sixty")
    north_of_torgau(300, name_en="Three hundred")

    # Boxes of 1, 5, 25, 100 and 500 km, the last one with all three, then the sites.
    with django_assert_num_queries(6):
        found = nearest_names(*TORGAU, limit=3)

    assert found == [("Three", 3.0), ("Sixty", 60.0), ("Three hundred", 300.0)]


def test_near_stops_at_the_first_box_with_enough_sites(django_assert_num_queries):
    north_of_torgau(3, name_en="Three")
    north_of_torgau(4, name_en="Four")
    north_of_torgau(300, name_en="Three hundred")

    # Boxes of 1 and 5 km, then the sites.
    with django_assert_num_queries(3):
        found = nearest_names(*TORGAU, limit=2)

    assert found == [("Three", 3.0), ("Four", 4.0)]


def test_near_a_site_in_the_box_corner_is_not_taken_before_a_nearer_one_outside():
    # 4.5 km north and 4.5 km east: inside the 5 km box, but 6.4 km away, farther than
    # the site 6 km north in the next box.
    MemorialSiteFactory(
        name_en="Corner",
        latitude=f"{TORGAU[0] + 4.5 / KM_PER_DEGREE:.6f}",
        longitude=f"{TORGAU[1] + 4.5 / KM_PER_DEGREE / 0.6217:.6f}",
    )
    north_of_torgau(6, name_en="Six")

    assert [name for name, _km in nearest_names(*TORGAU, limit=1)] == ["Six"]


def test_near_finds_sites_across_the_world():
    MemorialSiteFactory(name_en="Arlington", latitude="38.878000", longitude="-77.069000")

    assert nearest_names(-41.29, 174.78, limit=5) == [
        ("Arlington", round(haversine_km(-41.29, 174.78, 38.878, -77.069), 1))
    ]


def test_near_across_the_180th_meridian():
    # Fiji: a site 0.2° east of the meridian is nearer than one 0.9° west.
    MemorialSiteFactory(name_en="East", latitude="-16.500000", longitude="-179.900000")
    MemorialSiteFactory(name_en="West", latitude="-16.500000", longitude="179.000000")

    assert nearest_names(-16.5, 179.9, limit=1) == [("East", 21.3)]
    assert nearest_names(-16.5, -179.95, limit=2) == [("East", 5.3), ("West", 111.9)]


def test_near_the_pole_every_longitude_is_near():
    MemorialSiteFactory(name_en="Other side", latitude="89.990000", longitude="-170.000000")

    assert nearest_names(89.99, 10.0, limit=1) == [("Other side", 2.2)]


@pytest.mark.parametrize(
    ("latitude", "longitude", "radius", "expected"),
    [
        # 5 km are 0.044966° of latitude, and 0.072328° of longitude at 51.56° north.
        (51.56, 13.01, 5, ((51.515034, 51.604966), (12.937672, 13.082328))),
        # At the equator as many degrees of longitude as of latitude, wrapped at 180°.
        (0, 179.99, 25, ((-0.22483, 0.22483), (179.76517, -179.78517))),
        # The circle holds the pole: every longitude.
        (89.99, 0, 5, ((89.945034, 90), None)),
    ],
)
def test_bounding_box(latitude, longitude, radius, expected):
    bounds = dict(_lookups(bounding_box(latitude, longitude, radius)))
    (south, north), longitudes = expected

    assert (bounds["latitude__gte"], bounds["latitude__lte"]) == pytest.approx(
        (south, north), abs=2e-6
    )
    if longitudes is None:
        assert "longitude__gte" not in bounds
    else:
        assert (bounds["longitude__gte"], bounds["longitude__lte"]) == pytest.approx(
            longitudes, abs=2e-6
        )


def _lookups(q):
    for child in q.children:
        if isinstance(child, tuple):
            yield child
        else:
            yield from _lookups(child)


def test_near_leaves_out_drafts_and_unlocated_sites():
    north_of_torgau(1, name_en="Draft", is_published=False)
    MemorialSiteFactory(
        name_en="Nowhere", latitude=None, longitude=None, location_precision="unknown"
    )
    north_of_torgau(2, name_en="Published")

    assert nearest_names(*TORGAU, limit=5) == [("Published", 2.0)]


# The page


def results(page):
    return page.table(page.find("table", "near-results"))


def test_near_page_for_a_town_typed_in(client):
    north_of_torgau(0, name_en="Monument of the Meeting", town_en="Torgau")
    north_of_torgau(25, name_en="Strehla memorial", town_en="Strehla", kind="plaque")

    response = client.get("/en/memorials/near/", {"place": "torgau"})

    page = Page(response.content)
    assert (response.status_code, page.find("h2", id="results-heading").text) == (
        200,
        "Nearest to torgau",
    )
    assert results(page) == [
        ["Monument of the Meeting", "Monument", "Torgau, Germany", "0.0 km"],
        ["Strehla memorial", "Plaque", "Strehla, Germany", "25.0 km"],
    ]


def test_near_page_for_a_town_in_russian(client):
    north_of_torgau(12.3, name_en="Monument", name_ru="Памятник", town_ru="Торгау")

    page = Page(client.get("/ru/memorials/near/", {"place": "торгау"}).content)

    assert [[name, town, km] for name, _kind, town, km in results(page)] == [
        ["Памятник", "Торгау, Германия", "0,0 км"]
    ]


def test_near_page_for_a_site_name(client):
    north_of_torgau(0, name_en="Monument of the Meeting", town_en="Torgau")
    north_of_torgau(10, name_en="Strehla memorial", town_en="Strehla")

    page = Page(client.get("/en/memorials/near/", {"place": "Strehla memorial"}).content)

    assert [row[0] for row in results(page)] == ["Strehla memorial", "Monument of the Meeting"]


def test_near_page_for_coordinates_typed_in_german(client):
    north_of_torgau(12.34, name_en="Memorial", name_de="Denkmal")

    page = Page(client.get("/de/memorials/near/", {"place": "51,56 13,01"}).content)

    assert [[name, town, km] for name, _kind, town, km in results(page)] == [
        ["Denkmal", "Torgau, Deutschland", "12,3 km"]
    ]


def test_near_page_distances_have_thousands_separators(client):
    MemorialSiteFactory(name_en="Arlington", latitude="38.878000", longitude="-77.069000")

    page = Page(client.get("/en/memorials/near/", {"place": "51.56, 13.01"}).content)

    assert [row[3] for row in results(page)] == ["6,738.0 km"]


def test_near_page_position_from_the_browser_is_neither_kept_nor_logged(client, caplog):
    north_of_torgau(1, name_en="Monument")

    with caplog.at_level(logging.DEBUG):
        response = client.post(
            "/en/memorials/near/", {"latitude": "51.56001", "longitude": "13.01002"}
        )

    page = Page(response.content)
    assert (response.status_code, page.find("h2", id="results-heading").text, results(page)) == (
        200,
        "Nearest to your location",
        [["Monument", "Monument", "Torgau, Germany", "1.0 km"]],
    )
    assert {"no-store", "private"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }
    assert dict(client.session) == {}
    assert [
        record.getMessage() for record in caplog.records if "51.56001" in record.getMessage()
    ] == []
    # The hidden fields are empty again: the position is in no link or field of the page.
    assert [
        element.attrs.get("value", "")
        for element in page.find_all("input", type="hidden")
        if element.attrs["name"] in ("latitude", "longitude")
    ] == ["", ""]
    assert b"51.56001" not in response.content


def test_near_page_without_a_query_shows_the_form(client):
    page = Page(client.get("/en/memorials/near/").content)

    assert (page.find("h1").text, page.find_all("table", "near-results"), page.errors()) == (
        "Memorial sites near you",
        [],
        {},
    )
    assert page.find("button", id="use-location").attrs["type"] == "button"


@pytest.mark.parametrize(
    ("query", "field", "messages"),
    [
        ({"place": "95, 13"}, "place", ["Latitude must lie between -90 and 90."]),
        ({"place": "51, 200"}, "place", ["Longitude must lie between -180 and 180."]),
        (
            {"place": "Atlantis"},
            "place",
            [
                "No town or memorial site called “%(place)s” is in our catalogue. Try another "
                "spelling, or type coordinates such as 51.56, 13.01."
            ],
        ),
        ({"place": ""}, "place", ["Type a place or coordinates, or use your location."]),
        ({"latitude": "-91", "longitude": "0"}, None, ["Latitude must lie between -90 and 90."]),
        ({"latitude": "10"}, None, ["Give both latitude and longitude."]),
    ],
)
def test_near_page_bad_input_in_german(client, translated, query, field, messages):
    north_of_torgau(1)

    response = client.get("/de/memorials/near/", query)

    page = Page(response.content)
    expected = [translated("de", message) % {"place": "Atlantis"} for message in messages]
    assert (response.status_code, page.errors()) == (400, {field: expected})
    assert page.find_all("table", "near-results") == []


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("count", [25, 250])
def test_near_page_queries_do_not_grow_with_the_sites(
    client, django_assert_max_num_queries, count, language
):
    # Names and towns untranslated in German: shown in English, read in the same query.
    for number in range(count):
        north_of_torgau(1 + number * 0.01, name_de="", town_de="")

    # The town's position (1), the 1 km box (1), the sites (1).
    with django_assert_max_num_queries(3):
        response = client.get(f"/{language}/memorials/near/", {"place": "Torgau"})

    assert len(results(Page(response.content))) == 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("51.56, 13.01", (51.56, 13.01)),
        ("51.56,13.01", (51.56, 13.01)),
        ("51,56 13,01", (51.56, 13.01)),
        ("51,56; 13,01", (51.56, 13.01)),
        (" -33.9° 151.2° ", (-33.9, 151.2)),
        ("51 13", (51.0, 13.0)),
        ("Torgau", None),
        ("51.56", None),
        ("1234, 13", None),
    ],
)
def test_parse_coordinates(text, expected):
    assert parse_coordinates(text) == expected
