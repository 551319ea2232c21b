"""The public pages in Chromium: the catalogue in another language, the map, keyboard use and
a phone-sized screen. Every page opened is checked with axe-core."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import HistoryNoteFactory, MemorialSiteFactory, PhotoFactory, SourceFactory
from tests.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

TILE_HOST = "tile.openstreetmap.org"
TILE_PNG = image_bytes(fmt="PNG", size=(256, 256), colour=(230, 236, 240))


def described_site(**kwargs):
    """A site with everything its page can show: photos, inscription, dates, sources."""
    site = MemorialSiteFactory(
        name_en="Meeting Monument",
        name_de="Begegnungsdenkmal",
        name_ru="Памятник встрече",
        inscription="25. April 1945",
        inscription_language_en="German",
        inscription_translation_en="25 April 1945",
        creator="A. Sculptor",
        visiting_info_en="Open all year.",
        step_free_access="partial",
        accessibility_notes_en="A gravel path leads to the monument.",
        **kwargs,
    )
    PhotoFactory(site=site)
    PhotoFactory(site=site, is_placeholder=True, caption_en="A drawing")
    site.dates.create(kind="dedicated", year=1995, month=4, day=25)
    site.sources.add(SourceFactory(), SourceFactory(caution="state_media"))
    return site


def assert_images_loaded(page):
    images = page.locator("main img")
    expect(images).not_to_have_count(0)
    for image in images.all():
        # The photos load lazily: bring each into view so the browser fetches it.
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0, image.get_attribute("src")


def test_catalogue_in_german_loads_only_own_host(live_server, page, network, assert_accessible):
    site = described_site()
    MemorialSiteFactory.create_batch(12)  # a second page of the catalogue

    page.goto(f"{live_server.url}/en/memorials/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch").click()
    expect(page).to_have_url(f"{live_server.url}/de/memorials/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_accessible(page)

    page.get_by_role("link", name="Begegnungsdenkmal", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/de/memorials/{site.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Begegnungsdenkmal")
    assert_images_loaded(page)
    assert_accessible(page)

    network.assert_only_from(live_server.url)


@pytest.mark.parametrize("language", ["en", "de", "ru"])
def test_home_page_accessible(live_server, page, network, assert_accessible, language):
    site = MemorialSiteFactory()
    PhotoFactory(site=site)
    note = HistoryNoteFactory()
    note.sources.add(SourceFactory())

    page.goto(f"{live_server.url}/{language}/")

    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_images_loaded(page)
    assert_accessible(page)
    network.assert_only_from(live_server.url)


def test_map_loads_no_tiles_until_asked(live_server, page, network, assert_accessible):
    MemorialSiteFactory(latitude="51.560000", longitude="13.010000")
    MemorialSiteFactory(latitude="51.570000", longitude="12.950000")
    MemorialSiteFactory(latitude="52.100000", longitude="12.600000", location_precision="exact")
    MemorialSiteFactory(latitude=None, longitude=None, location_precision="unknown")
    MemorialSiteFactory(is_published=False)
    tiles = []

    def serve_tiles(route):
        # Stand-in tiles: the request is answered here and never leaves the machine.
        if urlsplit(route.request.url).hostname == TILE_HOST:
            tiles.append(route.request.url)
            route.fulfill(status=200, content_type="image/png", body=TILE_PNG)
        else:
            route.fallback()

    page.route("**/*", serve_tiles)
    page.goto(f"{live_server.url}/en/memorials/map/")

    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(3)
    assert_accessible(page)
    network.assert_only_from(live_server.url)
    assert tiles == []

    button = page.get_by_role("button", name="Load the OpenStreetMap background")
    button.click()

    expect(button).to_be_disabled()
    expect(page.locator("#map img.leaflet-tile-loaded").first).to_be_visible()
    assert tiles
    assert {urlsplit(url).hostname for url in network.elsewhere(live_server.url)} == {TILE_HOST}
    assert network.failed == []
    assert network.errors == []
    assert_accessible(page)


def test_keyboard_user_can_reach_main_content(live_server, page, assert_accessible):
    MemorialSiteFactory()
    page.goto(f"{live_server.url}/en/")
    assert_accessible(page)

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    # Bootstrap hides it in a 1-pixel box until it has the focus.
    assert box["width"] > 20
    assert box["height"] > 10

    page.keyboard.press("Enter")

    expect(page.locator("#main")).to_be_focused()


def test_site_page_on_a_phone(live_server, phone_page, network, assert_accessible):
    site = described_site()
    MemorialSiteFactory(name_en="Nearby Memorial", latitude="51.565000", longitude="13.020000")

    phone_page.goto(f"{live_server.url}/en/memorials/{site.slug}/")

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Meeting Monument")
    assert_images_loaded(phone_page)
    assert_accessible(phone_page)
    # Nothing wider than the screen, which would make readers scroll sideways.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    network.assert_only_from(live_server.url)
