"""The main pages as people see them, on the demo content: a phone (390 px) and a desktop
(1280 px), in English, German and Russian. Each page is checked with axe-core and must not
scroll sideways, and a full-length screenshot of each is written to the test's temporary
folder (choose it with `--basetemp`, e.g. `--basetemp=/tmp/elbe-shots`, to look at them).

`SCREENSHOT_DIR` refreshes the small PNGs kept in the repository for the README: the first
screen of the pages in `README_SHOTS`, as palette PNGs of a few dozen KB:

    SCREENSHOT_DIR=docs/screenshots DJANGO_SECRET_KEY=x \
        python -m pytest tests/browser/test_screenshots.py -k fit_the_screen
"""

import io
import os
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from elbeday.roles import ORGANISERS, VOLUNTEERS
from events.models import Ceremony
from memorials.models import MemorialSite
from registrations.models import Registration
from tests.browser.conftest import sign_in
from tests.demo import load_demo
from tests.factories import UserFactory

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "de", "ru"]
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
# (page, width, language): the first screens kept in the repository for the README.
README_SHOTS = {
    ("home", "phone", "en"),
    ("home", "desktop", "en"),
    ("ceremony", "phone", "en"),
    ("ceremony", "desktop", "en"),
    ("ceremony", "phone", "de"),
}


@pytest.fixture
def shots_dir(tmp_path):
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


@pytest.fixture
def readme_dir():
    """Where the README's screenshots go, if they are to be refreshed."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder) if folder else None


def _real(queryset):
    """The demo's sample ceremonies without the check-in rehearsal."""
    return queryset.exclude(slug__startswith="check-in-rehearsal")


def _demo_urls(language):
    """The pages to look at, as (name, path, who is logged in)."""
    ceremony = _real(Ceremony.objects.filter(is_sample=True)).order_by("start").first()
    site = MemorialSite.objects.published().order_by("pk").first()
    booking = Registration.objects.filter(
        category__ceremony=ceremony, status=Registration.Status.CONFIRMED
    ).first()
    at_the_gate = (
        Registration.objects.filter(
            category__ceremony__slug__startswith="check-in-rehearsal",
            status=Registration.Status.CONFIRMED,
        ).first()
        or booking
    )
    with translation.override(language):
        return [
            ("home", f"/{language}/", None),
            ("memorials", f"/{language}/memorials/", None),
            ("memorial", site.get_absolute_url(), None),
            ("map", f"/{language}/memorials/map/", None),
            ("ceremonies", f"/{language}/ceremonies/", None),
            ("ceremony", ceremony.get_absolute_url(), None),
            ("register", f"/{language}/ceremonies/{ceremony.slug}/register/", None),
            ("booking", booking.get_manage_url(), None),
            ("ticket", booking.get_ticket_url(), None),
            ("gate", at_the_gate.get_checkin_url(), "volunteer"),
            ("dashboard", f"/{language}/staff/", "organiser"),
        ]


def _save_small(png, path):
    """A palette PNG: a text page's first screen in a few dozen KB."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_fit_the_screen_and_pass_axe(
    live_server, open_page, assert_accessible, shots_dir, readme_dir, language
):
    load_demo()
    users = {
        "volunteer": UserFactory(username="vera", groups=[VOLUNTEERS]),
        "organiser": UserFactory(username="otto", is_staff=True, groups=[ORGANISERS]),
    }
    overflowing = []
    for width_name, viewport in WIDTHS.items():
        pages = {
            who: open_page(viewport=viewport, device_scale_factor=1)
            for who in (None, "volunteer", "organiser")
        }
        for who, user in users.items():
            sign_in(pages[who], live_server.url, user)
        for name, path, who in _demo_urls(language):
            page = pages[who]
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            if name == "register":
                # Sent empty, to show the error summary.
                page.locator("form.registration-form [type=submit]").click()
                expect(page.locator("#form-errors")).to_be_focused()
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("h1")).to_have_count(1)
            if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                overflowing.append(f"{name} ({width_name})")
            assert_accessible(page)
            shot = f"{name}-{width_name}-{language}.png"
            page.screenshot(path=shots_dir / shot, full_page=True)
            if readme_dir and (name, width_name, language) in README_SHOTS:
                _save_small(page.screenshot(), readme_dir / shot)
    assert overflowing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_ceremony_page_shows_register_button_and_seats_on_a_phones_first_screen(
    live_server, phone_page, language
):
    load_demo()
    ceremony = _real(Ceremony.objects.filter(is_sample=True)).order_by("start").first()

    phone_page.goto(f"{live_server.url}/{language}/ceremonies/{ceremony.slug}/")

    screen = phone_page.viewport_size["height"]
    button = phone_page.locator("a.register-button").bounding_box()
    first_category = phone_page.locator(".seat-table tbody tr").first.bounding_box()
    bottoms = {
        "register button": button["y"] + button["height"],
        "seats left of the first category": first_category["y"] + first_category["height"],
    }
    assert {name: bottom <= screen for name, bottom in bottoms.items()} == dict.fromkeys(
        bottoms, True
    ), bottoms


def test_home_page_shows_the_next_ceremonys_register_button_on_a_phones_first_screen(
    live_server, phone_page
):
    load_demo()

    phone_page.goto(f"{live_server.url}/en/")

    button = phone_page.locator("section[aria-labelledby=next-heading]").get_by_role(
        "link", name="Register", exact=True
    )
    box = button.bounding_box()
    assert box["y"] + box["height"] <= phone_page.viewport_size["height"], box


def test_every_control_shows_the_sites_focus_ring(live_server, page):
    load_demo()
    ceremony = _real(Ceremony.objects.filter(is_sample=True)).order_by("start").first()
    page.goto(f"{live_server.url}/en/ceremonies/{ceremony.slug}/register/")

    rings = {}
    for selector in [
        "#id_name",
        "#id_country",
        "#id_category_0",
        "#id_consent_privacy",
        "form [type=submit]",
        "header a.nav-link",
    ]:
        control = page.locator(selector).first
        control.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        rings[selector] = control.evaluate(
            "element => { const style = getComputedStyle(element);"
            " return [style.outlineStyle, style.outlineWidth, style.outlineColor]; }"
        )
    assert rings == {selector: ["solid", "3px", "rgb(255, 221, 0)"] for selector in rings}


def test_error_summary_link_moves_to_its_field(live_server, page, assert_accessible):
    load_demo()
    ceremony = _real(Ceremony.objects.filter(is_sample=True)).order_by("start").first()
    page.goto(f"{live_server.url}/en/ceremonies/{ceremony.slug}/register/")
    page.locator("#id_party_size").fill("0")
    page.locator("form.registration-form [type=submit]").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()

    summary.get_by_role("link", name="Number of people").click()

    expect(page.locator("#id_party_size")).to_be_focused()
    summary.get_by_role("link", name="Seat category").click()
    expect(page.locator("#id_category_0")).to_be_focused()
    widths = {
        field: page.locator(f"#{field}").bounding_box()["width"]
        for field in ("id_party_size", "id_name", "id_email")
    }
    assert widths["id_party_size"] < 130 < widths["id_name"] == widths["id_email"] <= 500
    assert_accessible(page)
