"""The Content Security Policy in Chromium, and the check in conftest.py that fails a browser
test whose pages break it: shown here on pages made to break it."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def assert_caught(csp_violations, *expected):
    """The checker fails on what the page did (each of `expected` is in its report); then
    forget it, since breaking the policy was this test's point."""
    with pytest.raises(pytest.fail.Exception) as caught:
        csp_violations.assert_none()
    report = str(caught.value)
    assert [text for text in expected if text not in report] == [], report
    csp_violations.clear()


def test_checker_fails_on_inline_script(live_server, page, csp_violations):
    page.goto(f"{live_server.url}/en/")
    csp_violations.assert_none()

    # The site's own page, rewritten with an inline script: the page keeps its policy.
    page.set_content("<title>Before</title><script>document.title = 'After';</script>")

    expect(page).to_have_title("Before")
    assert_caught(csp_violations, "inline script violates", "script-src 'self'")


def test_checker_fails_on_inline_style_and_foreign_image(live_server, page, csp_violations):
    page.goto(f"{live_server.url}/en/")

    page.evaluate(
        """() => {
          document.querySelector("main").insertAdjacentHTML(
            "beforeend",
            '<p style="color: red">Red</p><img alt="" src="https://tile.openstreetmap.org/1/0/0.png">'
          );
        }"""
    )

    assert_caught(
        csp_violations,
        f"style-src-attr refused inline on {live_server.url}/en/",
        "img-src refused https://tile.openstreetmap.org/1/0/0.png",
    )


def test_map_page_allows_tiles_only_there(live_server, page, csp_violations):
    """The tile server is allowed on the map page (the catalogue tests load tiles there)
    and refused on any other."""
    page.goto(f"{live_server.url}/en/memorials/")

    page.evaluate(
        """() => {
          const image = new Image();
          image.src = "https://tile.openstreetmap.org/1/0/0.png";
        }"""
    )

    assert_caught(csp_violations, "img-src refused https://tile.openstreetmap.org/1/0/0.png")
