"""The browser tests' record of failed requests: a fetch the browser drops because the
test opened the next page is not a failure of the site, every other failure is."""

from playwright.sync_api import expect

HELD = "/en/held-by-the-test/"


def test_a_fetch_left_behind_by_the_next_page_is_not_a_failure(live_server, page, network):
    held = []
    # Never answered: the fetch stays in flight.
    page.route(f"**{HELD}", lambda route: held.append(route))
    page.goto(live_server.url + "/en/")
    with page.expect_request(f"**{HELD}"):
        page.evaluate(f"() => {{ fetch({HELD!r}).catch(() => null); }}")

    with page.expect_event("requestfailed", lambda request: request.url.endswith(HELD)):
        page.goto(live_server.url + "/de/")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    assert held
    assert network.failed == []
    # (The first page's favicon, still loading, may be left behind with it.)
    assert f"{live_server.url}{HELD} (net::ERR_ABORTED)" in network.abandoned


def test_a_fetch_aborted_on_the_page_itself_is_a_failure(live_server, page, network):
    page.route(f"**{HELD}", lambda route: None)
    page.goto(live_server.url + "/en/")
    with page.expect_event("requestfailed"):
        page.evaluate(
            f"""() => {{
                const controller = new AbortController();
                fetch({HELD!r}, {{signal: controller.signal}}).catch(() => null);
                setTimeout(() => controller.abort(), 50);
            }}"""
        )

    assert network.abandoned == []
    assert network.failed == [f"{live_server.url}{HELD} (net::ERR_ABORTED)"]
