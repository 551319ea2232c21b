"""The performance budget's fixed parts: every public page makes at most 6 SQL queries
(rendered afresh, with a little or a lot of data) and weighs at most 60 KB compressed
with its CSS and JS (photos aside)."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache

from tests.factories import (
    CeremonyFactory,
    HistoryNoteFactory,
    MemorialSiteFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegistrationFactory,
    SeatCategoryFactory,
    SourceFactory,
)

MAX_QUERIES = 6
MAX_BYTES = 60 * 1024
PAGES = [
    "/en/",
    "/en/ceremonies/",
    "/en/ceremonies/{ceremony}/",
    "/en/memorials/",
    "/en/memorials/{site}/",
    "/en/memorials/map/",
    "/sitemap.xml",
    "/sitemap-memorials.xml",
]


def _data(size):
    sources = SourceFactory.create_batch(size)
    sites = MemorialSiteFactory.create_batch(size)
    for site in sites:
        site.sources.set(sources)
        PhotoFactory(site=site)
    HistoryNoteFactory.create_batch(size)
    category = SeatCategoryFactory(ceremony=CeremonyFactory(venue_site=sites[0]), capacity=500)
    for _number in range(size):
        ProgrammeItemFactory(ceremony=category.ceremony)
        RegistrationFactory(category=category, party_size=1)
    return {"ceremony": category.ceremony.slug, "site": sites[0].slug}


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 12], ids=["little data", "more data"])
def test_public_pages_make_at_most_six_queries(client, django_assert_max_num_queries, size):
    names = _data(size)
    for path in PAGES:
        cache.clear()
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(path.format(**names))
        assert response.status_code == 200, path


@pytest.mark.django_db
def test_public_pages_weigh_at_most_60_kb_compressed(client):
    names = _data(12)
    weights = {}
    # The map page is left out: Leaflet alone is about 42 KB compressed (see README).
    for path in PAGES[:5]:
        html = client.get(path.format(**names)).content
        assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
        total = len(gzip.compress(html))
        for asset in assets:
            with open(finders.find(asset.decode()), "rb") as file:
                total += len(gzip.compress(file.read()))
        weights[path] = total
    assert {path: weight <= MAX_BYTES for path, weight in weights.items()} == dict.fromkeys(
        weights, True
    ), weights


@pytest.mark.django_db
def test_pages_are_sent_compressed_to_browsers_that_accept_it(client):
    MemorialSiteFactory.create_batch(3)

    response = client.get("/en/memorials/", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response["Content-Encoding"] == "gzip"
    assert b"<h1>Memorial sites</h1>" in gzip.decompress(response.content)


@pytest.mark.django_db
def test_memorial_list_links_only_a_few_pages_however_many_there_are(client):
    MemorialSiteFactory.create_batch(12 * 30)

    html = client.get("/en/memorials/?page=15").content.decode()

    pages = re.findall(r'href="\?page=(\d+)"', html)
    assert pages == ["14", "1", "13", "14", "15", "16", "17", "30", "16"]
