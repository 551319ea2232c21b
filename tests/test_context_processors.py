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
