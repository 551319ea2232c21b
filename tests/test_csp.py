"""Every response carries the strict Content Security Policy; only the map page allows the
OpenStreetMap tiles (that the browser obeys it is tested in tests/browser)."""

import pytest
from django.http import HttpResponse

from tests.factories import MemorialSiteFactory, RegistrationFactory
from tests.test_project import run

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"
TILE_SERVER = "https://tile.openstreetmap.org"
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
MAP_POLICY = {**POLICY, "img-src": ["'self'", "data:", TILE_SERVER]}


def policy(response):
    """The response's policy as {directive: [sources]} (django-csp orders the directives
    differently from one process to the next)."""
    directives = [part.split() for part in response.headers[HEADER].split(";")]
    return {name: sources for name, *sources in directives}


def test_public_page_sends_strict_policy(client):
    site = MemorialSiteFactory()

    response = client.get(f"/en/memorials/{site.slug}/")

    assert (response.status_code, policy(response)) == (200, POLICY)
    assert "unsafe" not in response.headers[HEADER]


def test_page_served_from_page_cache_sends_policy(client, django_assert_num_queries):
    site = MemorialSiteFactory()
    client.get(f"/en/memorials/{site.slug}/")

    # No query at all: the page comes from elbeday.cache.cached_public_page's store.
    with django_assert_num_queries(0):
        response = client.get(f"/en/memorials/{site.slug}/")

    assert (response.status_code, policy(response)) == (200, POLICY)


def test_map_page_alone_allows_tiles(client, django_assert_num_queries):
    MemorialSiteFactory(latitude=51.56, longitude=13.01)

    first = client.get("/en/memorials/map/")
    with django_assert_num_queries(0):
        cached = client.get("/en/memorials/map/")
    other_pages = [client.get(url) for url in ("/en/", "/en/memorials/", "/en/ceremonies/")]

    assert [policy(first), policy(cached)] == [MAP_POLICY, MAP_POLICY]
    assert [policy(response) for response in other_pages] == [POLICY] * 3


def test_booking_page_sends_policy(client):
    registration = RegistrationFactory()

    response = client.get(f"/en/registrations/{registration.manage_token}/")

    assert (response.status_code, policy(response)) == (200, POLICY)


def test_admin_page_sends_policy(admin_client):
    response = admin_client.get("/en/admin/")

    assert (response.status_code, policy(response)) == (200, POLICY)


def test_not_found_page_sends_policy(client):
    response = client.get("/en/memorials/no-such-site/")

    assert (response.status_code, policy(response)) == (404, POLICY)


@pytest.mark.parametrize("url", ["/robots.txt", "/health/"])
def test_plain_responses_send_policy(client, url):
    response = client.get(url)

    assert (response.status_code, policy(response)) == (200, POLICY)


def test_photo_host_allowed_when_photos_served_elsewhere():
    """MEDIA_URL on another host (a CDN or an S3 bucket) adds that host to img-src."""
    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        ],
        DJANGO_SETTINGS_MODULE="elbeday.settings",
        MEDIA_URL="https://photos.example.org/elbeday/",
    )

    assert (result.returncode, result.stdout) == (
        0,
        "[\"'self'\", 'data:', 'https://photos.example.org']\n",
    )


def test_policy_follows_the_settings(client, settings):
    """The policy is built once (elbeday.middleware), and again when the settings change:
    another policy, a report-only one beside it, and addresses left out of it."""
    client.get("/health/")  # built once from the settings above
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**POLICY, "img-src": ["'self'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    changed = client.get("/health/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": POLICY, "EXCLUDE_URL_PREFIXES": ["/robots"]}
    excluded, included = client.get("/robots.txt"), client.get("/health/")

    assert policy(changed) == {**POLICY, "img-src": ["'self'"]}
    assert changed.headers["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert HEADER not in excluded.headers
    assert policy(included) == POLICY


def test_policy_is_the_one_django_csp_builds(rf):
    from csp.middleware import CSPMiddleware

    from elbeday.middleware import CSPMiddleware as BuiltOnce

    def respond(middleware):
        request = rf.get("/en/")
        middleware.process_request(request)
        return middleware.process_response(request, HttpResponse("page"))

    ours, theirs = respond(BuiltOnce(HttpResponse)), respond(CSPMiddleware(HttpResponse))

    assert ours.headers[HEADER] == theirs.headers[HEADER]
    assert policy(ours) == POLICY
