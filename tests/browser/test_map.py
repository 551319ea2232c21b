"""The map in Chromium as production serves it: static files collected with hashed names
(WhiteNoise's manifest storage, DEBUG off) and served by WhiteNoise from STATIC_ROOT, as
`collectstatic` and gunicorn do. Leaflet's default marker guessed its image folder from
leaflet.css and, with hashed names, asked for /en/memorials/map/marker-icon.png (a 404)."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, page_opener
from tests.factories import MemorialSiteFactory, TrailFactory, TrailStopFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def production_server(settings, tmp_path):
    """A server of its own, started after the settings changed (WhiteNoise reads STATIC_ROOT
    when it starts), serving static files only from the collected, hashed copies."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    call_command("collectstatic", interactive=False, verbosity=0)
    # No static handler of the test server's (it would look in the source folders): the
    # site's own WhiteNoise middleware answers, as in production.
    server = LiveServerThread("127.0.0.1", lambda app: app)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{server.port}"
    server.terminate()


@pytest.fixture
def open_production_page(browser, production_server, network, csp_violations):
    """A page for the production server; requests for any other host are aborted."""
    with page_opener(browser, production_server, network, csp_violations) as opener:
        yield opener


@pytest.fixture
def sites():
    MemorialSiteFactory(name_en="Torgau monument", latitude="51.560000", longitude="13.010000")
    MemorialSiteFactory(
        name_en="Strehla plaque", town_en="Strehla", latitude="51.352000", longitude="13.225000"
    )
    MemorialSiteFactory(
        name_en="Elbe River marker",
        town_en="Arlington",
        country="US",
        latitude="38.878000",
        longitude="-77.069000",
    )
    MemorialSiteFactory(
        name_en="Moscow plaque",
        town_en="Moscow",
        country="RU",
        latitude="55.748000",
        longitude="37.594000",
    )


def box_inside(inner, outer):
    return (
        outer["x"] <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and outer["y"] <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_map_markers_load_with_hashed_static_files(
    production_server, open_production_page, network, assert_accessible, sites, viewport
):
    page = open_production_page(viewport=viewport)
    page.goto(f"{production_server}/en/memorials/map/")
    page.wait_for_load_state("networkidle")

    markers = page.locator("#map img.leaflet-marker-icon")
    # The Elbe's two sites; Arlington and Moscow are listed, not drawn.
    expect(markers).to_have_count(2)
    map_box = page.locator("#map").bounding_box()
    boxes = []
    for marker in markers.all():
        src = marker.get_attribute("src")
        assert urlsplit(src).path.startswith("/static/img/map-marker.")
        assert src.endswith(".svg") and not src.endswith("/map-marker.svg")
        expect(marker).to_have_js_property("complete", True)
        assert marker.evaluate("img => img.naturalWidth") > 0
        box = marker.bounding_box()
        # Large enough to tap, and both inside the first view.
        assert box["width"] >= 44 and box["height"] >= 44
        assert box_inside(box, map_box)
        boxes.append(box)
    # Framed on the Elbe, not the world: Strehla and Torgau (25 km apart) lie apart.
    assert abs(boxes[0]["y"] - boxes[1]["y"]) > 100

    # The table of the sites on the map, filled from the same GeoJSON file.
    expect(page.locator("#map-list td")).to_have_text(
        [
            "Strehla plaque",
            "Strehla",
            "51.352, 13.225 (approximate)",
            "Torgau monument",
            "Torgau",
            "51.56, 13.01 (approximate)",
        ]
    )
    far = page.get_by_role("region", name="Farther away")
    expect(far.get_by_role("link")).to_have_text(["Elbe River marker", "Moscow plaque"])

    markers.first.click()
    popup = page.locator(".leaflet-popup")
    expect(popup.get_by_role("link")).to_be_visible()
    # Faded in: axe would read the link's colour half-way.
    expect(popup).to_have_css("opacity", "1")

    assert_accessible(page)
    network.assert_only_from(production_server)
    assert [url for url in network.requests if "marker-icon" in url] == []


def test_trail_map_shows_its_stops(live_server, page, network, assert_accessible):
    trail = TrailFactory(name_en="Meeting on the Elbe", slug="meeting")
    for position, (name, latitude, longitude) in enumerate(
        [
            ("Strehla plaque", "51.352000", "13.225000"),
            ("Torgau monument", "51.560000", "13.010000"),
        ]
    ):
        site = MemorialSiteFactory(name_en=name, latitude=latitude, longitude=longitude)
        TrailStopFactory(trail=trail, site=site, position=position)

    page.goto(f"{live_server.url}/en/memorials/trails/meeting/")

    markers = page.locator("#map img.leaflet-marker-icon")
    expect(markers).to_have_count(2)
    assert sorted(marker.get_attribute("title") for marker in markers.all()) == [
        "1. Strehla plaque",
        "2. Torgau monument",
    ]
    assert_accessible(page)
    network.assert_only_from(live_server.url)
