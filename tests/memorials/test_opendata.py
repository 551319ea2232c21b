"""Open data: GeoJSON and GPX files of the whole catalogue, a site and a trail, valid
against the published schemas (tests/schemas/), of published sites only."""

import json
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from tests.factories import MemorialSiteFactory, TrailFactory, TrailStopFactory
from tests.helpers import page

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
GPX = "{http://www.topografix.com/GPX/1/1}"
SITE_URL = "https://elbeday.example.org"


@pytest.fixture(scope="module")
def gpx_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "gpx.xsd")))


@pytest.fixture(scope="module")
def geojson_schema():
    schema = json.loads((SCHEMAS / "geojson-featurecollection.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def geojson(response, geojson_schema):
    """The response's GeoJSON, checked against the schema and for its content type."""
    assert (response.status_code, response["Content-Type"]) == (200, "application/geo+json")
    data = json.loads(response.content)
    geojson_schema.validate(data)
    return data


def gpx(response, gpx_schema, filename):
    """The response's GPX document, checked against the schema and for its headers."""
    assert (
        response.status_code,
        response["Content-Type"],
        response["Content-Disposition"],
    ) == (200, "application/gpx+xml", f'attachment; filename="{filename}"')
    document = etree.fromstring(response.content)
    gpx_schema.assertValid(document)
    return document


def waypoints(document, tag="wpt"):
    return [
        (
            point.findtext(f"{GPX}name"),
            point.get("lat"),
            point.get("lon"),
            point.find(f"{GPX}link").get("href"),
        )
        for point in document.iter(f"{GPX}{tag}")
    ]


@pytest.fixture
def sites(settings):
    settings.SITE_URL = SITE_URL
    return {
        "torgau": MemorialSiteFactory(
            name_en="Torgau & the <bridge>",
            name_ru="Торгау",
            slug="torgau",
            latitude="51.560000",
            longitude="13.010000",
            location_precision="exact",
        ),
        "strehla": MemorialSiteFactory(
            name_en="Strehla",
            name_ru="Стрела",
            slug="strehla",
            town_en="Strehla",
            kind="plaque",
            status="damaged",
            latitude="51.352000",
            longitude="13.225000",
        ),
        "draft": MemorialSiteFactory(name_en="Draft", slug="draft", is_published=False),
        "nowhere": MemorialSiteFactory(
            name_en="Nowhere",
            slug="nowhere",
            latitude=None,
            longitude=None,
            location_precision="unknown",
        ),
    }


def test_catalogue_geojson_lists_published_located_sites(client, sites, geojson_schema):
    data = geojson(client.get("/en/memorials/catalogue.geojson"), geojson_schema)

    assert data == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [13.225, 51.352]},
                "properties": {
                    "name": "Strehla",
                    "url": f"{SITE_URL}/en/memorials/strehla/",
                    "kind": "plaque",
                    "kind_label": "plaque",
                    "town": "Strehla",
                    "status": "damaged",
                    "status_label": "damaged",
                    "approximate": True,
                },
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [13.01, 51.56]},
                "properties": {
                    "name": "Torgau & the <bridge>",
                    "url": f"{SITE_URL}/en/memorials/torgau/",
                    "kind": "monument",
                    "kind_label": "monument",
                    "town": "Torgau",
                    "status": "standing",
                    "status_label": "standing",
                    "approximate": False,
                },
            },
        ],
    }


def test_catalogue_geojson_in_russian(client, sites, geojson_schema):
    data = geojson(client.get("/ru/memorials/catalogue.geojson"), geojson_schema)

    assert [
        (feature["properties"]["name"], feature["properties"]["url"])
        for feature in data["features"]
    ] == [
        ("Стрела", f"{SITE_URL}/ru/memorials/strehla/"),
        ("Торгау", f"{SITE_URL}/ru/memorials/torgau/"),
    ]


def test_catalogue_gpx_has_a_waypoint_per_published_site(client, sites, gpx_schema):
    document = gpx(
        client.get("/en/memorials/catalogue.gpx"), gpx_schema, "elbe-day-memorials-en.gpx"
    )

    assert waypoints(document) == [
        ("Strehla", "51.352000", "13.225000", f"{SITE_URL}/en/memorials/strehla/"),
        ("Torgau & the <bridge>", "51.560000", "13.010000", f"{SITE_URL}/en/memorials/torgau/"),
    ]
    assert document.findtext(f"{GPX}metadata/{GPX}name") == "Elbe Day memorial sites"
    assert list(document.iter(f"{GPX}rte")) == []


def test_site_files(client, sites, geojson_schema, gpx_schema):
    data = geojson(client.get("/en/memorials/strehla.geojson"), geojson_schema)
    document = gpx(client.get("/en/memorials/strehla.gpx"), gpx_schema, "strehla-en.gpx")

    assert [feature["properties"]["name"] for feature in data["features"]] == ["Strehla"]
    assert waypoints(document) == [
        ("Strehla", "51.352000", "13.225000", f"{SITE_URL}/en/memorials/strehla/"),
    ]


@pytest.mark.parametrize("slug", ["draft", "nowhere", "no-such-site"])
def test_site_files_of_drafts_and_unlocated_sites_are_not_found(client, sites, slug):
    statuses = [
        client.get(f"/en/memorials/{slug}.{kind}").status_code for kind in ("geojson", "gpx")
    ]

    assert statuses == [404, 404]


@pytest.fixture
def trail(sites):
    trail = TrailFactory(name_en="Meeting on the Elbe", slug="meeting")
    TrailStopFactory(trail=trail, site=sites["strehla"], position=2)
    TrailStopFactory(trail=trail, site=sites["draft"], position=3)
    TrailStopFactory(trail=trail, site=sites["torgau"], position=5)
    return trail


def test_trail_geojson_in_stop_order(client, trail, geojson_schema):
    data = geojson(client.get("/en/memorials/trails/meeting.geojson"), geojson_schema)

    assert [
        (feature["properties"]["stop"], feature["properties"]["name"])
        for feature in data["features"]
    ] == [(1, "Strehla"), (2, "Torgau & the <bridge>")]


def test_trail_gpx_has_waypoints_and_a_route_in_stop_order(client, trail, gpx_schema):
    document = gpx(client.get("/en/memorials/trails/meeting.gpx"), gpx_schema, "meeting-en.gpx")

    expected = [
        ("Strehla", "51.352000", "13.225000", f"{SITE_URL}/en/memorials/strehla/"),
        ("Torgau & the <bridge>", "51.560000", "13.010000", f"{SITE_URL}/en/memorials/torgau/"),
    ]
    (route,) = document.iter(f"{GPX}rte")
    assert waypoints(document) == expected
    assert route.findtext(f"{GPX}name") == "Meeting on the Elbe"
    assert waypoints(route, "rtept") == expected


def test_unpublished_trail_files_are_not_found(client, trail):
    trail.is_published = False
    trail.save()

    statuses = [
        client.get(f"/en/memorials/trails/meeting.{kind}").status_code
        for kind in ("geojson", "gpx")
    ]

    assert statuses == [404, 404]


def test_files_are_linked_from_the_pages(client, trail, sites):
    links = {
        url: [
            (link.attrs["type"], link.attrs["href"])
            for link in page(client.get(url)).find_all("a")
            if link.attrs.get("type", "").startswith("application/")
        ]
        for url in (
            "/en/memorials/",
            "/en/memorials/map/",
            "/en/memorials/strehla/",
            "/en/memorials/trails/meeting/",
        )
    }

    catalogue = [
        ("application/geo+json", "/en/memorials/catalogue.geojson"),
        ("application/gpx+xml", "/en/memorials/catalogue.gpx"),
    ]
    assert links == {
        "/en/memorials/": catalogue,
        "/en/memorials/map/": catalogue,
        "/en/memorials/strehla/": [
            ("application/geo+json", "/en/memorials/strehla.geojson"),
            ("application/gpx+xml", "/en/memorials/strehla.gpx"),
        ],
        "/en/memorials/trails/meeting/": [
            ("application/geo+json", "/en/memorials/trails/meeting.geojson"),
            ("application/gpx+xml", "/en/memorials/trails/meeting.gpx"),
        ],
    }


def test_catalogue_files_served_from_page_cache(client, sites, django_assert_num_queries):
    first = client.get("/en/memorials/catalogue.gpx")

    with django_assert_num_queries(0):
        cached = client.get("/en/memorials/catalogue.gpx")

    assert (cached["Content-Type"], cached["Content-Disposition"], cached.content) == (
        first["Content-Type"],
        first["Content-Disposition"],
        first.content,
    )


def test_catalogue_file_cleared_when_a_site_changes(
    client, sites, django_capture_on_commit_callbacks
):
    client.get("/en/memorials/catalogue.geojson")

    with django_capture_on_commit_callbacks(execute=True):
        sites["strehla"].is_published = False
        sites["strehla"].save()
    data = json.loads(client.get("/en/memorials/catalogue.geojson").content)

    assert [feature["properties"]["name"] for feature in data["features"]] == [
        "Torgau & the <bridge>"
    ]


def create_sites(count):
    for number in range(count):
        MemorialSiteFactory(latitude=f"{51.0 + number * 0.001:.6f}")


@pytest.mark.parametrize("count", [3, 60])
def test_files_query_count_does_not_grow(client, trail, django_assert_max_num_queries, count):
    create_sites(count)
    for number, site in enumerate(
        MemorialSiteFactory.create_batch(count, latitude="51.400000"), start=10
    ):
        TrailStopFactory(trail=trail, site=site, position=number)

    bounds = {
        "/en/memorials/catalogue.geojson": 1,
        "/en/memorials/catalogue.gpx": 1,
        "/en/memorials/strehla.geojson": 1,
        "/en/memorials/strehla.gpx": 1,
        # The trail, then its sites.
        "/en/memorials/trails/meeting.geojson": 2,
        "/en/memorials/trails/meeting.gpx": 2,
    }
    for url, bound in bounds.items():
        with django_assert_max_num_queries(bound):
            response = client.get(url)
        assert response.status_code == 200, url
