"""Browser tests: Debian's Chromium driven by Playwright, every page checked with axe-core,
and every test failed at teardown if any page it opened broke the Content Security Policy.

Chromium comes from the system (`apt-get install -y chromium`), never from
`playwright install`. Without it the tests are skipped, except on CI (`CI=true`), where a
missing browser fails them so the check cannot quietly vanish.
"""

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an asyncio loop running in the main thread from the first
# browser test to the end of the session, and Django refuses ORM calls while a loop runs,
# even in the tests that come after. Those calls are ordinary synchronous ones, so Django's
# documented switch for this case turns the guard off (for the whole pytest run).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).parent
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        install = "install it with `apt-get install -y chromium` to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {path} and CI=true: {install}", pytrace=False)
        pytest.skip(f"Chromium not found at {path}: {install}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def _plain_http_server():
    """The live server speaks plain HTTP. Its SecurityMiddleware reads the settings once, when
    the server starts, so the redirect to HTTPS must be off before then: the per-test
    settings of tests/conftest.py come too late."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http_server, live_server):
    """pytest-django's live server (which also serves MEDIA_ROOT), started over plain HTTP."""
    return live_server


@dataclass
class Network:
    """Every request the test's pages made, and those that failed or got an error status."""

    requests: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    # Requests the browser dropped because their page went on to another address (a
    # timer's fetch still running when the test opens the next page): not a failure.
    abandoned: list = field(default_factory=list)

    def watch(self, page):
        navigations = []
        started = {}

        def on_request(request):
            self.requests.append(request.url)
            started[request] = len(navigations)
            if request.is_navigation_request() and request.frame == page.main_frame:
                navigations.append(request.url)

        def on_failed(request):
            text = f"{request.url} ({request.failure})"
            left_behind = started.get(request, len(navigations)) < len(navigations)
            if request.failure == "net::ERR_ABORTED" and left_behind:
                self.abandoned.append(text)
            else:
                self.failed.append(text)

        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on(
            "response",
            lambda response: (
                self.errors.append(f"{response.url} ({response.status})")
                if response.status >= 400
                else None
            ),
        )

    def elsewhere(self, base_url):
        """The URLs requested from anywhere but `base_url`'s scheme, host and port."""
        own = urlsplit(base_url)[:2]
        return [url for url in self.requests if urlsplit(url)[:2] != own]

    def assert_only_from(self, base_url):
        """Everything came from `base_url`'s host and port, and all of it arrived."""
        assert self.requests, "the pages made no request at all"
        assert self.elsewhere(base_url) == []
        assert self.failed == []
        assert self.errors == []


@pytest.fixture
def network():
    return Network()


# Runs in every document before its own scripts (Playwright adds it through the DevTools
# protocol, which the page's policy does not govern) and reports each violation to Python.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : "";
  window.reportCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "?"} on ${event.documentURI}${where}`
  );
}, true);
"""


@dataclass
class CspViolations:
    """What the pages of a test reported as breaking the Content Security Policy: the
    `securitypolicyviolation` events, and Chromium's console errors about the policy (which
    also cover documents whose listeners are gone, e.g. after `document.open()`)."""

    events: list = field(default_factory=list)
    console: list = field(default_factory=list)
    pages: list = field(default_factory=list)

    def watch(self, context):
        context.add_init_script(CSP_LISTENER)
        context.expose_binding("reportCspViolation", lambda source, text: self.events.append(text))

    def watch_page(self, page):
        self.pages.append(page)
        page.on(
            "console",
            lambda message: (
                self.console.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )

    def settle(self):
        """Let the pages deliver the reports still on their way."""
        for page in self.pages:
            # A page that is closed or navigating has nothing more to say.
            with contextlib.suppress(PlaywrightError):
                page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")

    def assert_none(self):
        self.settle()
        if self.events or self.console:
            report = "\n".join(f"- {text}" for text in [*self.events, *self.console])
            pytest.fail(f"Content Security Policy violated:\n{report}", pytrace=False)

    def clear(self):
        self.events.clear()
        self.console.clear()


@pytest.fixture
def csp_violations():
    return CspViolations()


@contextlib.contextmanager
def page_opener(browser, base_url, network, csp_violations):
    """`open_page(viewport=..., **context_args)` for the server at `base_url`: a page in a
    fresh browser context (desktop size unless told otherwise).

    A request for another host never leaves the machine: it is aborted (and so recorded
    as failed) unless the test fulfils it itself with `page.route`. At the end the test
    fails if any of its pages reported a Content Security Policy violation.
    """
    contexts = []
    own = urlsplit(base_url)[:2]

    def keep_local(route):
        if urlsplit(route.request.url)[:2] == own:
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def open_page(*, viewport=DESKTOP, **context_args):
        context = browser.new_context(viewport=viewport, **context_args)
        contexts.append(context)
        context.route("**/*", keep_local)
        csp_violations.watch(context)
        page = context.new_page()
        network.watch(page)
        csp_violations.watch_page(page)
        return page

    try:
        yield open_page
        csp_violations.assert_none()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def open_page(browser, live_server, network, csp_violations):
    """Open a page of the test server (see `page_opener`)."""
    with page_opener(browser, live_server.url, network, csp_violations) as opener:
        yield opener


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def phone_page(open_page):
    return open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)


def _describe(violation):
    lines = [
        f"- {violation['id']} ({violation['impact']}): {violation['help']}",
        f"  {violation['helpUrl']}",
    ]
    for node in violation["nodes"]:
        target = " ".join(str(part) for part in node["target"])
        summary = node.get("failureSummary", "").replace("\n", " ")
        lines.append(f"  * {target}: {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core (the copy in axe-playwright-python) on the page; fail on any violation."""

    def assert_accessible(page):
        # A page that a click or a form has just opened can be parsed before its
        # stylesheets have arrived; axe would then judge the browser's default colours
        # (a grey button under white text), which no visitor ever sees.
        page.wait_for_load_state("load")
        results = axe.run(page)
        if results.violations_count:
            report = "\n".join(_describe(v) for v in results.response["violations"])
            pytest.fail(
                f"{results.violations_count} accessibility violation(s) on {page.url}:\n{report}",
                pytrace=False,
            )

    return assert_accessible


def sign_in(page, base_url, user):
    """Sign `user` in for the page's browser context, with a session made on the server
    (no login form to fill, no password check to wait for)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )
    return page
