"""The admin and the staff pages in Chromium under the site's Content Security Policy: a
superuser signs in and works through the main pages, using their scripts (calendar, inline
rows, related-object lists, autocomplete, prepopulated slugs). conftest.py fails the test on
any policy violation; everything must come from the site itself and arrive."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from tests.factories import (
    MemorialSiteFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegistrationFactory,
    SeatCategoryFactory,
    SourceFactory,
    UserFactory,
)
from tests.helpers import ceremony_today
from tests.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def settled(page):
    """The page once it has loaded everything (the icons the admin's CSS draws come late),
    so that leaving it aborts no request."""
    page.wait_for_load_state("networkidle")
    return page


def sign_in(page, base_url):
    page.goto(f"{base_url}/en/admin/")
    expect(page).to_have_url(re.compile(r"/en/admin/login/\?next=/en/admin/$"))
    page.get_by_label("Username").fill("susanne")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


@pytest.fixture
def ceremony():
    """Today's ceremony, with everything its change form shows: a photo, sources, a venue,
    a programme and seats, one registration that has a history."""
    site = MemorialSiteFactory(name_en="Meeting Monument")
    PhotoFactory(site=site)
    ceremony = ceremony_today(venue_site=site)
    ceremony.photo = ContentFile(image_bytes(size=(900, 600)), name="wreaths.jpg")
    ceremony.photo_alt_text_en = "Wreaths at the monument"
    ceremony.save()
    ceremony.sources.add(SourceFactory())
    SourceFactory()
    ProgrammeItemFactory(ceremony=ceremony)
    category = SeatCategoryFactory(ceremony=ceremony)
    registration = RegistrationFactory(category=category, name="Anna Admin")
    registration.party_size = 2
    registration.save()
    return ceremony


def test_admin_and_staff_pages_keep_the_policy(live_server, page, network, ceremony):
    UserFactory(username="susanne", is_staff=True, is_superuser=True)
    base = live_server.url
    sign_in(page, base)

    # The ceremony's change form and its scripts.
    settled(page).goto(f"{base}/en/admin/events/ceremony/")
    settled(page).get_by_role("link", name=ceremony.title_en).click()
    expect(page.get_by_role("heading", name="Change ceremony")).to_be_visible()
    page.locator("#calendarlink0").click()
    expect(page.locator("#calendarbox0")).to_be_visible()
    page.locator("#calendarbox0").get_by_role("link", name="Today").click()
    page.locator("#clocklink0").click()
    expect(page.locator("#clockbox0")).to_be_visible()
    page.locator("#clockbox0").get_by_role("link", name="Noon").click()
    page.locator("#id_sources_add_all").click()
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results__option").first).to_contain_text("Meeting Monument")
    page.keyboard.press("Escape")
    expect(page.locator(".file-upload a")).to_have_attribute(
        "href", re.compile(r"^/media/events/photos/")
    )
    # Adding a row starts the calendars afresh, with new numbers: add the rows last.
    page.get_by_role("button", name="Add another Programme item").click()
    page.get_by_role("button", name="Add another Seat category").click()
    expect(page.locator(".inline-deletelink")).to_have_count(2)

    # Adding a ceremony: the slug is filled in from the title as it is typed.
    settled(page).goto(f"{base}/en/admin/events/ceremony/add/")
    page.locator("#id_title_en").fill("Evening concert")
    page.locator("#id_title_en").blur()
    expect(page.locator("#id_slug")).to_have_value("evening-concert")

    # A memorial site with its photo inline (the thumbnail is a rendition).
    settled(page).goto(f"{base}/en/admin/memorials/memorialsite/{ceremony.venue_site.pk}/change/")
    thumbnail = page.locator(".inline-group img").first
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0

    # Registrations: the list, the change form and the history.
    settled(page).goto(f"{base}/en/admin/registrations/registration/")
    settled(page).locator("#result_list tbody th a").first.click()
    expect(page.get_by_role("heading", name="Change registration")).to_be_visible()
    settled(page).get_by_role("link", name="History", exact=True).click()
    expect(page.locator("#change-history")).to_contain_text("Anna Admin")

    # The organisers' dashboard and the gate, linked from the admin's index.
    settled(page).goto(f"{base}/en/admin/")
    settled(page).get_by_role("link", name=re.compile("^Dashboard")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    settled(page).goto(f"{base}/en/admin/")
    settled(page).get_by_role("link", name="Check-in at the gate").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    settled(page)
    network.assert_only_from(base)


# axe's rules for form controls without a name: inputs and text areas, and selects.
LABEL_RULES = ["label", "select-name"]


def test_ceremony_change_page_fits_the_screen_with_every_control_labelled(
    live_server, page, axe, ceremony
):
    """The programme inline has a field per language: laid out as table columns it made
    the page 4,600 pixels wide, its controls without labels."""
    UserFactory(username="susanne", is_staff=True, is_superuser=True)
    ProgrammeItemFactory(ceremony=ceremony)
    sign_in(page, live_server.url)

    settled(page).goto(f"{live_server.url}/en/admin/events/ceremony/{ceremony.pk}/change/")
    page.get_by_role("button", name="Add another Programme item").click()
    page.get_by_role("button", name="Add another Seat category").click()

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    results = axe.run(page, options={"runOnly": {"type": "rule", "values": LABEL_RULES}})
    unlabelled = [
        " ".join(node["target"])
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]
    assert unlabelled == [], unlabelled
    settled(page)
