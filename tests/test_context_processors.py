from urllib.parse import urlsplit

import pytest
from django.utils.http import url_has_allowed_host_and_scheme

from tests.html import page

pytestmark = pytest.mark.django_db


def switcher_links(response):
    return [link.attrs["href"] for link in page(response).find_all("a") if "hreflang" in link.attrs]


@pytest.mark.parametrize(
    "path", ["//evil.example/", "//evil.example/en/", "/\\evil.example/", "///evil.example/de/"]
)
def test_language_switcher_links_stay_on_this_site(client, path):
    """A request path beginning with two slashes ("//evil.example/") must not become a
    link that a browser reads as another site (it would carry our visitors there)."""
    # PATH_INFO as the server receives it; the test client would read "//host" as a host.
    response = client.get("/en/", PATH_INFO=path)

    links = switcher_links(response)
    assert response.status_code == 404
    assert len(links) == 3
    assert [link.startswith("/") and not link.startswith(("//", "/\\")) for link in links] == [
        True
    ] * 3
    assert all(url_has_allowed_host_and_scheme(link, allowed_hosts=set()) for link in links)


def test_language_switcher_keeps_the_page_of_an_ordinary_path(client):
    response = client.get("/de/ceremonies/")

    assert switcher_links(response) == ["/en/ceremonies/", "/de/ceremonies/", "/ru/ceremonies/"]


def alternates(response):
    return [
        (link.attrs["hreflang"], link.attrs["href"])
        for link in page(response).find_all("link", rel="alternate")
        if "hreflang" in link.attrs
    ]


def test_language_alternates_are_absolute_at_the_configured_address(client, settings):
    settings.SITE_URL = "https://elbeday.example.org/"

    response = client.get("/de/ceremonies/?year=2025")

    assert alternates(response) == [
        ("en", "https://elbeday.example.org/en/ceremonies/?year=2025"),
        ("de", "https://elbeday.example.org/de/ceremonies/?year=2025"),
        ("ru", "https://elbeday.example.org/ru/ceremonies/?year=2025"),
        ("x-default", "https://elbeday.example.org/ceremonies/?year=2025"),
    ]
    # The switcher's links stay paths of the site the visitor is on.
    assert switcher_links(response) == [
        "/en/ceremonies/?year=2025",
        "/de/ceremonies/?year=2025",
        "/ru/ceremonies/?year=2025",
    ]


def test_language_alternate_x_default_leads_to_the_readers_language(client):
    response = client.get("/en/", HTTP_ACCEPT_LANGUAGE="ru")
    (x_default,) = [href for code, href in alternates(response) if code == "x-default"]

    redirect = client.get(urlsplit(x_default).path, HTTP_ACCEPT_LANGUAGE="ru")

    assert (redirect.status_code, redirect.headers["Location"]) == (302, "/ru/")


def test_language_alternates_of_a_hostile_path_stay_on_this_site(client, settings):
    settings.SITE_URL = "https://elbeday.example.org"

    response = client.get("/en/", PATH_INFO="//evil.example/de/")

    assert [urlsplit(href).netloc for _code, href in alternates(response)] == [
        "elbeday.example.org"
    ] * 4
