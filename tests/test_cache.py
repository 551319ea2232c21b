"""Cached public pages stay correct: a seat taken or an edit saved shows on the next
request, in every worker (the version that keys the pages lives in the shared cache)."""

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elbeday.cache import VERSION_KEY, bump_content_version
from tests import factories
from tests.factories import MemorialSiteFactory, SeatCategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _seats_left(client, ceremony):
    html = client.get(f"/en/ceremonies/{ceremony.slug}/").content.decode()
    return [n for n in range(0, 11) if f">{n} seats left<" in html or f">{n} seat left<" in html]


def test_seat_taken_shows_on_next_request(client):
    category = SeatCategoryFactory(capacity=10)
    assert _seats_left(client, category.ceremony) == [10]

    factories.register(
        category=category, name="Anna", email="anna@example.org", party_size=3, language="en"
    )

    assert _seats_left(client, category.ceremony) == [7]


def test_edit_saved_shows_on_next_request(client):
    site = MemorialSiteFactory(name_en="Old name")
    assert "Old name" in client.get(f"/en/memorials/{site.slug}/").content.decode()
    assert "Old name" in client.get("/en/memorials/").content.decode()

    site.name_en = "New name"
    site.save()

    assert "New name" in client.get(f"/en/memorials/{site.slug}/").content.decode()
    assert "New name" in client.get("/en/memorials/").content.decode()


def test_cached_page_is_served_without_database_queries(client, django_assert_num_queries):
    site = MemorialSiteFactory()
    first = client.get(f"/en/memorials/{site.slug}/")

    with django_assert_num_queries(0):
        second = client.get(f"/en/memorials/{site.slug}/")

    assert second.content == first.content


def test_signed_in_staff_always_get_a_fresh_page(admin_client):
    site = MemorialSiteFactory()
    admin_client.get(f"/en/memorials/{site.slug}/")

    with CaptureQueriesContext(connection) as queries:
        admin_client.get(f"/en/memorials/{site.slug}/")

    assert len(queries) > 0


def test_change_made_by_another_worker_is_seen(client, settings, tmp_path):
    location = str(tmp_path / "shared-cache")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location,
        }
    }
    site = MemorialSiteFactory(name_en="Before")
    assert "Before" in client.get(f"/en/memorials/{site.slug}/").content.decode()
    # Change the row behind the cache's back, as if another worker had saved it...
    type(site).objects.filter(pk=site.pk).update(name_en="After")
    assert "Before" in client.get(f"/en/memorials/{site.slug}/").content.decode()

    # ...and that worker, with its own cache client on the shared store, clears the pages.
    other_worker = FileBasedCache(location, {})
    version = other_worker.get(VERSION_KEY)
    other_worker.set(VERSION_KEY, version + 1, None)

    assert "After" in client.get(f"/en/memorials/{site.slug}/").content.decode()


def test_bump_gives_a_new_version(settings):
    from elbeday.cache import content_version

    before = content_version()
    bump_content_version()

    assert content_version() != before
