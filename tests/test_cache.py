"""Cached public pages stay correct: a seat taken or an edit saved shows on the next
request, in every worker (the version that keys the pages lives in the shared cache).
Rate-limit counters, which live in a cache too, hold."""

import functools
import os
import subprocess
import sys
import threading
import uuid
import warnings

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import CacheKeyWarning
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_ratelimit.core import is_ratelimited

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


# Rate limits: their counters hold with the default set-up on one machine.

FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"


def one_machine_caches(tmp_path):
    """The caches as the settings make them without CACHE_URL (see the test below)."""
    return {
        "default": {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path / "django")},
        "ratelimit": {
            "BACKEND": "elbeday.cache_backends.LockedFileBasedCache",
            "LOCATION": str(tmp_path / "ratelimit"),
            "OPTIONS": {"MAX_ENTRIES": 10_000_000},
        },
    }


def test_settings_without_cache_url_count_in_a_locking_cache_of_their_own():
    from django.conf import settings

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['ratelimit']['BACKEND'], s.CACHES['ratelimit']['LOCATION'] != "
        "s.CACHES['default']['LOCATION'], s.RATELIMIT_USE_CACHE)"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "CACHE_URL"},
        "DJANGO_SETTINGS_MODULE": "elbeday.settings",
        "DJANGO_SECRET_KEY": "x",
    }
    with_redis = {**env, "CACHE_URL": "redis://127.0.0.1:6379/1"}

    run = functools.partial(
        subprocess.run, [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert run(env=env).stdout.split() == [
        "elbeday.cache_backends.LockedFileBasedCache",
        "True",
        "ratelimit",
    ]
    assert run(env=with_redis).stdout.split()[0] == "django.core.cache.backends.redis.RedisCache"
    assert settings.BASE_DIR


def test_registration_limit_holds_however_many_pages_were_cached(client, settings, tmp_path):
    """The page cache fills the default file cache, which then culls a third of its
    entries; a registration counter kept there was culled with them."""
    settings.CACHES = one_machine_caches(tmp_path)
    settings.REGISTRATION_RATE_PER_IP = "3/h"
    category = SeatCategoryFactory(capacity=100)
    url = f"/en/ceremonies/{category.ceremony.slug}/register/"

    def register(number):
        return client.post(
            url,
            {
                "name": f"Person {number}",
                "email": f"person{number}@example.org",
                "category": str(category.pk),
                "party_size": "1",
                "language": "en",
                "consent_privacy": "on",
                "submission_key": str(uuid.uuid4()),
            },
        ).status_code

    allowed = [register(number) for number in range(3)]
    for number in range(1000):
        caches["default"].set(f"page:{number}", "a cached page")
    refused = register(3)

    assert allowed == [302, 302, 302]
    assert refused == 429


def test_rate_limit_lets_exactly_its_number_through_a_burst(settings, tmp_path):
    """100 requests at once against a limit of 30 an hour: 30 pass, not one more."""
    settings.CACHES = one_machine_caches(tmp_path)
    request = RequestFactory().post("/en/ceremonies/x/register/", REMOTE_ADDR="192.0.2.1")
    barrier = threading.Barrier(100)
    outcomes = []

    def attempt():
        barrier.wait()
        outcomes.append(
            is_ratelimited(
                request, group="burst", key="ip", rate="30/h", method="POST", increment=True
            )
        )

    threads = [threading.Thread(target=attempt) for _number in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count(False) == 30


def test_page_cache_key_suits_every_cache_backend(client):
    """GET /sitemap.xml?<a long query> warned CacheKeyWarning ("Cache key will cause
    errors if used with memcached"), an error under the test settings: the page cache's
    key holds the whole query string, so over 250 characters, spaces or control
    characters make memcached, which CACHE_URL allows, refuse it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)

        response = client.get("/en/memorials/", {"q": "x" * 300})

    assert response.status_code == 200
