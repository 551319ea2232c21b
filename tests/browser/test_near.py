"""Near me and search in Chromium: the browser's position asked only on the button, sent
in no address; a place typed in; the search box of the catalogue. Every page opened is
checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.factories import MemorialSiteFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sites():
    MemorialSiteFactory(name_en="Torgau monument", latitude="51.560000", longitude="13.010000")
    MemorialSiteFactory(
        name_en="Strehla plaque", town_en="Strehla", latitude="51.352000", longitude="13.225000"
    )


def result_rows(page):
    return [
        [cell.inner_text().strip() for cell in row.locator("td").all()]
        for row in page.locator("table.near-results tbody tr").all()
    ]


def test_near_me_button_sends_the_position_in_no_address(
    live_server, open_page, sites, assert_accessible
):
    page = open_page(
        geolocation={"latitude": 51.3521, "longitude": 13.2251}, permissions=["geolocation"]
    )
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    page.goto(f"{live_server.url}/en/memorials/near/")
    assert_accessible(page)

    page.get_by_role("button", name="Use my location").click()

    expect(page.get_by_role("heading", name="Nearest to your location")).to_be_visible()
    assert result_rows(page) == [
        ["Strehla plaque", "Monument", "Strehla, Germany", "0.0 km"],
        ["Torgau monument", "Monument", "Torgau, Germany", "27.5 km"],
    ]
    assert [url for _method, url in requests if "51.35" in url] == []
    assert ("POST", f"{live_server.url}/en/memorials/near/") in requests
    assert_accessible(page)


def test_near_me_refused_says_to_type_a_place(live_server, open_page, sites):
    page = open_page()
    page.goto(f"{live_server.url}/en/memorials/near/")

    page.get_by_role("button", name="Use my location").click()

    expect(page.get_by_role("status")).to_have_text(
        "Your browser did not give your location. You can type a place instead."
    )
    expect(page.locator("table.near-results")).to_have_count(0)


def test_near_a_place_typed_in(live_server, page, sites):
    page.goto(f"{live_server.url}/en/memorials/near/")

    page.get_by_label("Place or coordinates").fill("Strehla")
    page.get_by_role("button", name="Find sites near this place").click()

    expect(page.get_by_role("heading", name="Nearest to Strehla")).to_be_visible()
    assert page.url == f"{live_server.url}/en/memorials/near/?place=Strehla"
    assert [row[0] for row in result_rows(page)] == ["Strehla plaque", "Torgau monument"]


def test_search_from_the_catalogue(live_server, page, sites, assert_accessible):
    page.goto(f"{live_server.url}/en/memorials/")

    page.get_by_role("searchbox", name="Search the memorial sites").fill("plaque")
    page.get_by_role("search").get_by_role("button", name="Search").click()

    expect(page.get_by_role("status")).to_have_text("1 site matches “plaque”")
    expect(page.locator("main .stretched-link")).to_have_text(["Strehla plaque"])
    assert_accessible(page)
