"""The organisers' and the gate's pages on a 390-pixel phone in German and Russian: their own
navigation instead of the public one, the gate's long words ("Platzkategorie", "Код
бронирования") clear of their values, and the dashboard's chart labels in readable type
beside their bars. Every page opened is checked with axe-core."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import RegistrationFactory, SeatCategoryFactory, UserFactory
from tests.helpers import ceremony_today

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390
# The smallest type we ask anyone to read at the gate or on the dashboard.
READABLE_PX = 14


@pytest.fixture
def signed_in(live_server):
    """Opens pages on a phone as a superuser (who may open every staff page)."""

    def signed_in(open_page):
        user = UserFactory(username="susanne", is_staff=True, is_superuser=True)
        page = open_page(
            viewport={"width": PHONE_WIDTH, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        sign_in(page, live_server.url, user)
        return page

    return signed_in


@pytest.fixture
def guest():
    category = SeatCategoryFactory(
        ceremony=ceremony_today(title_de="Kranzniederlegung", title_ru="Возложение венков"),
        name_de="Ehrengäste und Veteranenverbände",
        name_ru="Почётные гости",
        capacity=20,
    )
    return RegistrationFactory(
        category=category, name="Anna Schmidt", party_size=2, needs_wheelchair_space=True
    )


def boxes_apart(a, b):
    """Whether two boxes share no pixel."""
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def assert_staff_navigation(page, translated, language):
    staff_nav = page.get_by_role("navigation", name=translated(language, "Staff"))
    expect(staff_nav.get_by_role("link", name=translated(language, "Gate"))).to_be_visible()
    expect(staff_nav.get_by_role("button", name=translated(language, "Sign out"))).to_be_visible()
    expect(page.get_by_role("navigation", name=translated(language, "Main"))).to_have_count(0)


@pytest.mark.parametrize("language", ["de", "ru"])
def test_gate_ticket_terms_stay_clear_of_their_values_on_a_phone(
    live_server, open_page, signed_in, guest, translated, assert_accessible, language
):
    page = signed_in(open_page)

    page.goto(f"{live_server.url}/{language}/checkin/{guest.ticket_token}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Anna Schmidt")
    terms = page.locator("main dl > dt")
    expect(terms.filter(has_text=translated(language, "Seat category"))).to_have_count(1)
    expect(terms.filter(has_text=translated(language, "Booking code"))).to_have_count(1)
    for term in terms.all():
        value = term.locator("xpath=following-sibling::dd[1]")
        # The term's words fit its own box, and the box keeps clear of the value's.
        assert term.evaluate("dt => dt.scrollWidth <= dt.clientWidth"), term.text_content()
        assert boxes_apart(term.bounding_box(), value.bounding_box()), term.text_content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert_staff_navigation(page, translated, language)
    assert_accessible(page)

    # The search ("Name oder Buchungscode", "Имя или код бронирования") and its results.
    page.goto(f"{live_server.url}/{language}/checkin/?q=Anna")

    result = page.locator("main .list-group-item")
    expect(result).to_have_count(1)
    assert result.evaluate("item => item.scrollWidth <= item.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert_accessible(page)


@pytest.mark.parametrize("language", ["de", "ru"])
def test_dashboard_chart_labels_readable_on_a_phone(
    live_server, open_page, signed_in, guest, translated, assert_accessible, language
):
    page = signed_in(open_page)

    page.goto(f"{live_server.url}/{language}/staff/")

    chart = page.locator("figure.chart").first
    # The drawing, whose labels would shrink to 6 pixels, gives way to rows.
    expect(chart.locator("svg.chart-svg")).to_be_hidden()
    labels = chart.locator(".chart-row-label")
    expect(labels).to_have_count(30)
    meters = chart.locator(".chart-meter")
    previous = None
    for label, meter in zip(labels.all(), meters.all(), strict=True):
        box = label.bounding_box()
        assert float(label.evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= READABLE_PX
        # Upright, whole on the screen, clear of its bar and of the label before it.
        assert label.evaluate("e => getComputedStyle(e).transform") == "none"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
        assert boxes_apart(box, meter.bounding_box())
        if previous:
            assert boxes_apart(box, previous)
        previous = box
    expect(labels.last).to_have_text(timezone.localtime(guest.created_at).strftime("%d.%m."))
    expect(chart.locator(".chart-row-value").last).to_have_text("1")
    # The chart itself fits the screen (the dashboard's tables are another matter).
    figure = chart.bounding_box()
    assert figure["x"] >= 0 and figure["x"] + figure["width"] <= PHONE_WIDTH
    assert chart.evaluate("figure => figure.scrollWidth <= figure.clientWidth")
    assert_staff_navigation(page, translated, language)
    assert_accessible(page)


def test_dashboard_chart_drawn_as_columns_on_a_wide_screen(
    live_server, open_page, signed_in, guest
):
    page = signed_in(lambda **_phone: open_page())

    page.goto(f"{live_server.url}/en/staff/")

    chart = page.locator("figure.chart").first
    expect(chart.locator("svg.chart-svg")).to_be_visible()
    expect(chart.locator(".chart-rows")).to_be_hidden()
