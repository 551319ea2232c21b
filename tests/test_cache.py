"""Cached public pages stay correct: a seat taken or an edit saved shows on the next
request, in every worker (the versions that keep pages current live in the shared
cache), and a seat taken clears only the pages that show it. A page from the cache is
what was rendered, gzip-compressed for browsers, with the same headers, in one read of
the cache; nothing of one visitor's is stored for the next. Rate-limit counters, which
live in a cache too, hold."""

import datetime
import functools
import gzip
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.contrib import messages
from django.core.cache import caches
from django.core.cache.backends.base import CacheKeyWarning
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from elbeday.cache import (
    _PAGE_PREFIX,
    VERSION_KEY,
    bump_content_version,
    cached_public_page,
    seats_key,
)
from elbeday.cache_backends import ContentCache
from elbeday.models import Page
from events.services import category_set_capacity
from memorials.models import MemorialSite
from memorials.sitemaps import MemorialSitemap
from registrations.services import registration_cancel
from tests import factories
from tests.events.test_pages import SITEMAP
from tests.factories import MemorialSiteFactory, SeatCategoryFactory
from tests.helpers import Served
from tests.html import page
from tests.test_csp import POLICY, policy

pytestmark = pytest.mark.django_db(transaction=True)


def _seats_left(client, ceremony):
    html = client.get(f"/en/ceremonies/{ceremony.slug}/").content.decode()
    return [n for n in range(0, 21) if f">{n} seats left<" in html or f">{n} seat left<" in html]


def rendered(response):
    """Whether the page was rendered for this request (not served from the page cache):
    the test client lists the templates rendered for it."""
    return "base.html" in [template.name for template in response.templates]


def _register(category, name="Anna", party_size=3):
    return factories.register(
        category=category,
        name=name,
        email=f"{name.lower()}@example.org",
        party_size=party_size,
        language="en",
    ).registration


def test_seat_taken_shows_on_next_request(client):
    category = SeatCategoryFactory(capacity=10)
    assert _seats_left(client, category.ceremony) == [10]

    factories.register(
        category=category, name="Anna", email="anna@example.org", party_size=3, language="en"
    )

    assert _seats_left(client, category.ceremony) == [7]


def test_seat_taken_leaves_pages_without_those_seats_cached(client, django_assert_num_queries):
    """A registration rush for one ceremony must not throw away the rest of the site's
    cached pages: the memorial catalogue, the pages, the home page and the other
    ceremonies are served from the cache as before, and only the page showing the seats
    is rendered afresh."""
    rushed = SeatCategoryFactory(capacity=10)
    other = SeatCategoryFactory(capacity=20)
    site = MemorialSiteFactory()
    Page.objects.create(slug="imprint", title="Imprint", body="Who runs the site.")
    untouched = [
        f"/en/memorials/{site.slug}/",
        "/en/memorials/",
        "/en/pages/imprint/",
        "/en/",
        f"/en/ceremonies/{other.ceremony.slug}/",
    ]
    before = [client.get(url).content for url in untouched]
    assert _seats_left(client, rushed.ceremony) == [10]

    _register(rushed)

    with django_assert_num_queries(0):
        after = [client.get(url).content for url in untouched]
    assert after == before
    assert _seats_left(client, rushed.ceremony) == [7]
    assert _seats_left(client, other.ceremony) == [20]


def test_seat_freed_shows_on_next_request(client, django_assert_num_queries):
    category = SeatCategoryFactory(capacity=10)
    site = MemorialSiteFactory()
    registration = _register(category)
    client.get(f"/en/memorials/{site.slug}/")
    assert _seats_left(client, category.ceremony) == [7]

    registration_cancel(registration=registration)

    with django_assert_num_queries(0):
        client.get(f"/en/memorials/{site.slug}/")
    assert _seats_left(client, category.ceremony) == [10]


def test_seat_taken_while_the_page_renders_shows_on_next_request(client):
    """The page read the seats just before a registration committed, and is stored just
    after: it must not be served as if it showed the seats after that registration."""
    category = SeatCategoryFactory(capacity=10)
    registered = []

    def register_elsewhere():
        try:
            registered.append(_register(category))
        finally:
            connection.close()

    def register_after_the_seats_are_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        # The seats read (the categories' other columns are kept until a content edit).
        seats_read = (
            sql.startswith("SELECT")
            and '"events_seatcategory"' in sql
            and '"seats_taken"' in sql
            and '"name_en"' not in sql
        )
        if seats_read and not registered:
            # Another worker, with a connection of its own.
            worker = threading.Thread(target=register_elsewhere)
            worker.start()
            worker.join()
        return result

    with connection.execute_wrapper(register_after_the_seats_are_read):
        rendered_during_the_registration = _seats_left(client, category.ceremony)

    assert len(registered) == 1
    assert rendered_during_the_registration == [10]
    assert _seats_left(client, category.ceremony) == [7]


def test_seat_taken_renders_the_page_again_with_one_query(client, django_assert_num_queries):
    """After a seat taken, the ceremony's page is rendered again: its ceremony, series,
    venue and categories are kept until the next content edit, and only the seats are
    read."""
    category = SeatCategoryFactory(capacity=10)
    factories.ProgrammeItemFactory(ceremony=category.ceremony)
    assert _seats_left(client, category.ceremony) == [10]
    _register(category)

    with django_assert_num_queries(1) as queries:
        assert _seats_left(client, category.ceremony) == [7]

    assert '"seats_taken"' in queries.captured_queries[0]["sql"]


def test_capacity_changed_shows_on_next_request(client):
    category = SeatCategoryFactory(capacity=10)
    assert _seats_left(client, category.ceremony) == [10]

    category_set_capacity(category=category, capacity=15)

    assert _seats_left(client, category.ceremony) == [15]


def test_seat_category_renamed_shows_on_next_request(client):
    category = SeatCategoryFactory(name_en="Public")
    url = f"/en/ceremonies/{category.ceremony.slug}/"
    assert "Veterans" not in client.get(url).content.decode()

    category.name_en = "Veterans"
    category.save()

    assert "Veterans" in client.get(url).content.decode()


def test_register_page_shows_the_seats_left_now(client):
    """The ceremony page may come from the cache; the form people register with shows
    the seats as they are."""
    category = SeatCategoryFactory(capacity=10)
    url = f"/en/ceremonies/{category.ceremony.slug}/register/"
    assert "(10 seats left)" in client.get(url).content.decode()

    _register(category)

    assert "(7 seats left)" in client.get(url).content.decode()


def test_cached_ceremony_page_is_served_without_database_queries(client, django_assert_num_queries):
    category = SeatCategoryFactory()
    url = f"/en/ceremonies/{category.ceremony.slug}/"
    first = client.get(url)

    with django_assert_num_queries(0):
        second = client.get(url)

    assert second.content == first.content


def test_seat_taken_by_another_worker_is_seen(client, settings, tmp_path):
    location = str(tmp_path / "shared-cache")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location,
        }
    }
    category = SeatCategoryFactory(capacity=10)
    assert _seats_left(client, category.ceremony) == [10]
    # Take seats behind the cache's back, as if another worker had registered...
    type(category).objects.filter(pk=category.pk).update(seats_taken=4)
    assert _seats_left(client, category.ceremony) == [10]

    # ...and that worker, with its own cache client on the shared store, clears the page.
    FileBasedCache(location, {}).set(seats_key(category.ceremony_id), "a newer version", None)

    assert _seats_left(client, category.ceremony) == [6]


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


# What a browser sends (Firefox, Chrome); the test client sends no Accept-Encoding.
BROWSER = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"}
SENT_HEADERS = (
    "Content-Type",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Vary",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


def _sent_headers(response):
    return {name: response.get(name) for name in SENT_HEADERS}


def test_cached_page_is_sent_gzipped_to_browsers_as_it_was_rendered(
    client, django_assert_num_queries
):
    site = MemorialSiteFactory(name_en="Torgau bridge")
    url = f"/en/memorials/{site.slug}/"
    rendered = client.get(url, **BROWSER)

    with django_assert_num_queries(0):
        cached = client.get(url, **BROWSER)

    html = gzip.decompress(cached.content).decode()
    assert (cached.status_code, cached.content) == (200, rendered.content)
    assert "<h1>Torgau bridge</h1>" in html
    assert (
        _sent_headers(cached)
        == _sent_headers(rendered)
        == {
            "Content-Type": "text/html; charset=utf-8",
            "Content-Encoding": "gzip",
            "Content-Language": "en",
            "Content-Length": str(len(cached.content)),
            "Vary": "Accept-Encoding, Cookie",
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
    )
    assert policy(cached) == policy(rendered) == POLICY


def test_cached_page_is_sent_plain_to_clients_that_do_not_accept_gzip(
    client, django_assert_num_queries
):
    site = MemorialSiteFactory()
    url = f"/en/memorials/{site.slug}/"
    compressed = client.get(url, **BROWSER)

    with django_assert_num_queries(0):
        plain = client.get(url)
        also_plain = client.get(url, HTTP_ACCEPT_ENCODING="identity")

    assert plain.content == also_plain.content == gzip.decompress(compressed.content)
    assert [response.get("Content-Encoding") for response in (plain, also_plain)] == [None, None]
    assert _sent_headers(plain) == {
        **_sent_headers(compressed),
        "Content-Encoding": None,
        "Content-Length": str(len(plain.content)),
    }
    assert policy(plain) == POLICY


def test_page_rendered_for_a_plain_client_is_served_gzipped_to_browsers(client):
    site = MemorialSiteFactory()
    url = f"/en/memorials/{site.slug}/"
    plain = client.get(url)

    compressed = client.get(url, **BROWSER)

    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content


@pytest.fixture
def redis_url():
    """A Redis server of the test's own, as in production (CI installs redis-server)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait()


@pytest.mark.parametrize("backend", ["locmem", "file", "redis"])
def test_cached_page_is_one_cache_read(client, settings, tmp_path, request, backend):
    """A hit reads the page, the content version and the seat versions the page shows
    in one round trip to the cache (one `get_many`), and nothing else."""
    if backend == "file":
        settings.CACHES = {
            "default": {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path / "shared-cache")}
        }
    elif backend == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "elbeday.cache_backends.RedisCache",
                "LOCATION": request.getfixturevalue("redis_url"),
            }
        }
    category = SeatCategoryFactory(capacity=10)
    url = f"/en/ceremonies/{category.ceremony.slug}/"
    rendered = client.get(url, **BROWSER)

    with mock.patch("elbeday.cache.cache", wraps=caches["default"]) as shared_cache:
        cached = client.get(url, **BROWSER)

    assert [name for name, _args, _kwargs in shared_cache.method_calls] == ["get_many"]
    assert cached.content == rendered.content
    assert ">10 seats left<" in gzip.decompress(cached.content).decode()


def test_redis_cache_keeps_pages_current_across_workers(client, settings, redis_url):
    """The page cache on Redis, as in production: a seat taken by another worker, with
    a cache client of its own, shows on the next request."""
    settings.CACHES = {
        "default": {"BACKEND": "elbeday.cache_backends.RedisCache", "LOCATION": redis_url}
    }
    category = SeatCategoryFactory(capacity=10)
    assert _seats_left(client, category.ceremony) == [10]
    type(category).objects.filter(pk=category.pk).update(seats_taken=4)
    assert _seats_left(client, category.ceremony) == [10]

    other_worker = caches.create_connection("default")
    other_worker.set(seats_key(category.ceremony_id), "a newer version", None)

    assert _seats_left(client, category.ceremony) == [6]


def test_redis_cache_parses_replies_in_c_and_takes_any_key(settings, redis_url):
    """Production's cache reads Redis's replies with hiredis (requirements.txt), and
    checks no key against memcached's limits (spaces, 250 characters), which Redis does
    not have: a page served from it spends its time on neither."""
    settings.CACHES = {
        "default": {"BACKEND": "elbeday.cache_backends.RedisCache", "LOCATION": redis_url}
    }
    cache = caches["default"]
    key = "a key memcached would refuse " + "x" * 300

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        cache.set(key, "kept")
        assert cache.get_many([key, "absent"]) == {key: "kept"}

    pool = cache._cache.get_client().connection_pool
    connection = pool.get_connection()
    try:
        assert type(connection._parser).__name__ == "_HiredisParser"
    finally:
        pool.release(connection)


def test_redis_cache_serves_pages_over_a_connection_of_its_own(client, settings, redis_url):
    """A page served from Redis takes no connection from the pool and gives none back
    (each costs a system call and as much Python as the command): the cache's client
    keeps one."""
    settings.CACHES = {
        "default": {"BACKEND": "elbeday.cache_backends.RedisCache", "LOCATION": redis_url}
    }
    site = MemorialSiteFactory()
    url = f"/en/memorials/{site.slug}/"
    rendered = client.get(url, **BROWSER)
    pool = caches["default"]._cache.get_client().connection_pool

    with mock.patch.object(pool, "get_connection", wraps=pool.get_connection) as taken:
        served = [client.get(url, **BROWSER) for _request in range(3)]

    assert taken.call_count == 0
    assert [page.content for page in served] == [rendered.content] * 3


def test_redis_cache_connection_is_not_shared_with_a_forked_child(settings, redis_url):
    """gunicorn --preload forks its workers from a process that may have used the cache:
    a child that talked over its parent's connection would read replies meant for
    another process, a page for another address. The child connects afresh."""
    settings.CACHES = {
        "default": {"BACKEND": "elbeday.cache_backends.RedisCache", "LOCATION": redis_url}
    }
    cache = caches["default"]
    cache.set("parent", "the parent's")
    parent = cache._cache.get_client().connection._sock.getsockname()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        try:
            value = cache.get("parent")
            own = cache._cache.get_client().connection._sock.getsockname()
            os.write(writing, f"{value}|{own != parent}".encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as report:
        told = report.read()
    os.waitpid(child, 0)

    assert told == "the parent's|True"
    assert cache.get("parent") == "the parent's"


def test_head_request_is_answered_from_the_cache(client, django_assert_num_queries):
    site = MemorialSiteFactory()
    url = f"/en/memorials/{site.slug}/"
    page = client.get(url, **BROWSER)

    with django_assert_num_queries(0):
        head = client.head(url, **BROWSER)

    assert (head.status_code, head.content) == (200, b"")
    assert _sent_headers(head) == _sent_headers(page)


def test_page_first_asked_for_with_head_is_cached_whole(client, django_assert_num_queries):
    site = MemorialSiteFactory(name_en="Strehla")
    url = f"/en/memorials/{site.slug}/"
    client.head(url)

    with django_assert_num_queries(0):
        page = client.get(url)

    assert "<h1>Strehla</h1>" in page.content.decode()


@cached_public_page
def _form_page(request):
    return HttpResponse(f'<form method="post"><input value="{get_token(request)}"></form>' * 10)


@cached_public_page
def _welcome_page(request):
    shown = " ".join(str(message) for message in messages.get_messages(request))
    return HttpResponse(f"<p>{shown}</p>" + "<p>Welcome</p>" * 20)


def _tell(request):
    messages.success(request, "Your booking has been changed.")
    return HttpResponse("told")


# The URLs of the tests below that use them (pytest.mark.urls), through the whole
# middleware as every page is served.
urlpatterns = [
    path("form/", _form_page),
    path("welcome/", _welcome_page),
    path("tell/", _tell),
]


@pytest.mark.urls(__name__)
def test_page_holding_a_csrf_token_is_not_served_to_the_next_visitor(client):
    """A token is the visitor's own secret; a page holding one must not be stored: not for
    a first visitor (whose CSRF cookie is set on the way out), nor for one who already
    has the cookie (and so gets none)."""
    first = client.get("/form/")
    again = client.get("/form/")
    other = Client().get("/form/")

    # Each answer rendered afresh, with a newly masked token: a stored page would be sent
    # again in the same bytes.
    assert len({page.content for page in (first, again, other)}) == 3


@pytest.mark.urls(__name__)
def test_page_showing_a_visitors_messages_is_not_served_to_the_next_visitor(client):
    client.get("/tell/")
    told = client.get("/welcome/").content.decode()
    next_visitor = Client().get("/welcome/").content.decode()
    told_again = client.get("/welcome/").content.decode()

    assert "Your booking has been changed." in told
    assert "Your booking has been changed." not in next_visitor + told_again


def test_signed_in_staff_always_get_a_fresh_page(admin_client, client):
    site = MemorialSiteFactory()
    admin_client.get(f"/en/memorials/{site.slug}/")
    client.get(f"/en/memorials/{site.slug}/")

    response = admin_client.get(f"/en/memorials/{site.slug}/")

    assert rendered(response)
    assert not rendered(client.get(f"/en/memorials/{site.slug}/"))  # the public's, cached


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
    assert run(env=with_redis).stdout.split()[0] == "elbeday.cache_backends.RedisCache"
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


def test_page_cache_turned_off_renders_every_page(client, settings):
    """PAGE_CACHE_SECONDS = 0: every request renders its page (as the benchmark measures
    rendering), and nothing is stored."""
    settings.PAGE_CACHE_SECONDS = 0
    site = MemorialSiteFactory(name_en="Strehla")
    url = f"/en/memorials/{site.slug}/"
    client.get(url)

    page = client.get(url)

    assert "<h1>Strehla</h1>" in page.content.decode()
    assert rendered(page)
    assert not [key for key in caches["default"]._cache if _PAGE_PREFIX in key]


def test_signed_in_staffs_page_is_not_served_to_the_public(admin_client, client):
    site = MemorialSiteFactory(name_en="Strehla")
    url = f"/en/memorials/{site.slug}/"
    admin_client.get(url)

    assert not [key for key in caches["default"]._cache if _PAGE_PREFIX in key]
    assert rendered(client.get(url))


def test_ceremony_page_rendered_again_reuses_what_only_an_edit_changes(
    client, settings, django_assert_max_num_queries
):
    """With the page rendered for every request (the page cache off, or a seat just
    taken), the ceremony's content comes from fragments kept until the next content edit:
    only the seats and the ceremony are read again; an edit shows at once."""
    settings.PAGE_CACHE_SECONDS = 0
    category = SeatCategoryFactory(capacity=10)
    ceremony = category.ceremony
    item = factories.ProgrammeItemFactory(ceremony=ceremony, title_en="Wreaths are laid")
    url = f"/en/ceremonies/{ceremony.slug}/"
    client.get(url)
    _register(category, party_size=3)

    with django_assert_max_num_queries(2):
        html = client.get(url).content.decode()

    assert ">7 seats left<" in html
    assert "Wreaths are laid" in html
    item.title_en = "Flowers are laid"
    item.save()
    assert "Flowers are laid" in client.get(url).content.decode()


def test_home_page_rendered_again_reads_only_the_next_ceremony(
    client, settings, django_assert_max_num_queries
):
    """The home page's history and sites come from fragments kept until the next edit;
    rendered again, it reads only the upcoming ceremonies; an edited note shows at once."""
    settings.PAGE_CACHE_SECONDS = 0
    note = factories.HistoryNoteFactory(text_en="They met at Strehla.", is_published=True)
    MemorialSiteFactory(name_en="Torgau bridge")
    client.get("/en/")

    with django_assert_max_num_queries(1):
        html = client.get("/en/").content.decode()

    assert "They met at Strehla." in html
    assert "Torgau bridge" in html
    note.text_en = "They met at Torgau."
    note.save()
    assert "They met at Torgau." in client.get("/en/").content.decode()


def test_plain_http_request_is_sent_to_https_not_served_from_the_cache(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    site = MemorialSiteFactory()
    url = f"/en/memorials/{site.slug}/"
    assert client.get(url, secure=True, **BROWSER).status_code == 200

    response = client.get(url, **BROWSER)

    assert (response.status_code, response["Location"]) == (301, f"https://testserver{url}")


def test_memorial_list_rendered_again_reads_nothing_until_an_edit(
    client, settings, django_assert_num_queries
):
    """The list's choices, its count and each page of sites with their covers are kept
    until the next content edit: rendered again (the page cache off, or the page
    expired), a page asks the database nothing; each page and filter is its own, and an
    edit shows at once."""
    settings.PAGE_CACHE_SECONDS = 0
    sites = [MemorialSiteFactory(name_en=f"Site {number:02}") for number in range(14)]
    for url in ("/en/memorials/", "/en/memorials/?page=2"):
        client.get(url)

    with django_assert_num_queries(0):
        first = client.get("/en/memorials/").content.decode()
        second = client.get("/en/memorials/?page=2").content.decode()

    assert ">14 sites<" in first
    assert ("Site 00" in first, "Site 13" in first) == (True, False)
    assert ("Site 00" in second, "Site 13" in second) == (False, True)
    sites[0].name_en = "Renamed site"
    sites[0].save()
    MemorialSiteFactory(name_en="Site 14")
    html = client.get("/en/memorials/").content.decode()
    assert ">15 sites<" in html
    assert "Renamed site" in html


def test_ceremony_list_rendered_again_is_one_fragment_until_an_edit(
    client, settings, django_assert_num_queries
):
    """The ceremony list's upcoming ceremonies and archive are kept as one fragment, as
    long as what the view read of them: rendered again, the page renders no ceremony's
    summary and asks the database nothing; an edit shows at once."""
    settings.PAGE_CACHE_SECONDS = 0
    ceremony = factories.CeremonyFactory(title_en="Meeting on the Elbe")
    client.get("/en/ceremonies/")

    with django_assert_num_queries(0):
        again = client.get("/en/ceremonies/")

    templates = [template.name for template in again.templates]
    assert "Meeting on the Elbe" in again.content.decode()
    assert "events/ceremony_list.html" in templates
    assert "events/includes/ceremony_summary.html" not in templates
    ceremony.title_en = "Renamed ceremony"
    ceremony.save()
    assert "Renamed ceremony" in client.get("/en/ceremonies/").content.decode()


def test_sitemap_index_rendered_again_asks_nothing_until_an_edit(
    client, settings, monkeypatch, django_assert_num_queries
):
    """The sitemap index's sizes and newest changes are kept until the next content edit:
    rendered again, it asks the database nothing; a site published since is counted, and
    its change is the section's newest, at once."""
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(MemorialSitemap, "limit", 3)  # a site's three languages a page
    MemorialSiteFactory()
    MemorialSite.objects.update(updated_at=datetime.datetime(2020, 1, 1, 12, tzinfo=datetime.UTC))

    def memorial_pages():
        index = ET.fromstring(client.get("/sitemap.xml").content)
        return [
            (entry.findtext(f"{SITEMAP}loc"), entry.findtext(f"{SITEMAP}lastmod"))
            for entry in index.iter(f"{SITEMAP}sitemap")
            if "-memorials" in entry.findtext(f"{SITEMAP}loc")
        ]

    first = memorial_pages()
    with django_assert_num_queries(0):
        assert memorial_pages() == first

    MemorialSiteFactory()
    pages = memorial_pages()
    assert first == [("http://testserver/sitemap-memorials.xml", "2020-01-01T13:00:00+01:00")]
    assert [address for address, _ in pages] == [
        "http://testserver/sitemap-memorials.xml",
        "http://testserver/sitemap-memorials.xml?p=2",
    ]
    assert {lastmod[:4] for _, lastmod in pages} == {str(timezone.localtime().year)}


def test_sitemap_index_rendered_again_reads_the_content_version_once(client, settings, monkeypatch):
    """Each section of the index keeps its totals under the content version read once
    for the request, and does not even make its queryset while they are kept."""
    settings.PAGE_CACHE_SECONDS = 0
    MemorialSiteFactory()
    client.get("/sitemap.xml")
    shared = caches["default"]
    items = mock.Mock(wraps=MemorialSitemap.items)
    monkeypatch.setattr(MemorialSitemap, "items", lambda sitemap: items(sitemap))

    with mock.patch.object(shared, "get", wraps=shared.get) as get:
        index = client.get("/sitemap.xml")

    assert [call.args[0] for call in get.call_args_list].count(VERSION_KEY) == 1
    assert items.call_count == 0
    assert b"/sitemap-memorials.xml" in index.content
    # A sitemap's page still lists its items.
    assert b"/en/memorials/" in client.get("/sitemap-memorials.xml").content
    assert items.call_count == 1


def test_content_cache_reads_the_shared_cache_once_per_process():
    """What one process keeps reaches another through the shared cache, once: after
    that, the other takes it from its own memory."""
    one, other = (
        ContentCache(f"{name}-{uuid.uuid4().hex}", {"OPTIONS": {"SHARED": "default"}})
        for name in ("one", "other")
    )
    one.set("fragment", "<p>kept</p>")
    shared = caches["default"]

    with mock.patch.object(shared, "get", wraps=shared.get) as get:
        read = [other.get("fragment"), other.get("fragment"), other.get("absent", "none")]

    assert read == ["<p>kept</p>", "<p>kept</p>", "none"]
    assert [call.args[0] for call in get.call_args_list] == ["fragment", "absent"]


def test_page_rendered_again_reads_the_shared_cache_once(client, settings):
    """Rendered again (the page cache off, or the page gone after a seat was taken), a
    memorial site's page takes its fragments and what its view keeps from the process's
    memory: it reads the shared cache once, for the content version, not once per
    fragment. An edit made by another process (a new content version in the shared
    cache) still shows at once."""
    settings.PAGE_CACHE_SECONDS = 0
    site = MemorialSiteFactory(name_en="Strehla")
    factories.CeremonyFactory(venue_site=site, title_en="Meeting on the Elbe")
    url = f"/en/memorials/{site.slug}/"
    client.get(url)
    shared = caches["default"]

    with (
        mock.patch.object(shared, "get", wraps=shared.get) as get,
        mock.patch.object(shared, "get_many", wraps=shared.get_many) as get_many,
    ):
        again = client.get(url).content.decode()

    assert [call.args[0] for call in get.call_args_list] == [VERSION_KEY]
    assert get_many.call_args_list == []
    assert ("Strehla" in again, "Meeting on the Elbe" in again) == (True, True)
    MemorialSite.objects.filter(pk=site.pk).update(name_en="Strehla on the Elbe")
    bump_content_version()
    assert "Strehla on the Elbe" in client.get(url).content.decode()


def test_page_parts_kept_for_every_page_stay_right_for_each_page_and_language(
    client, page, settings
):
    """The header, navigation and footer are fragments kept for every page: the
    navigation still marks the section of the page shown, in the page's language."""
    settings.PAGE_CACHE_SECONDS = 0

    def current(url):
        shown = page(client.get(url))
        nav = shown.find_all("nav")[0]  # the main navigation, in the header
        return shown.texts("a", within=nav, **{"aria-current": "page"})

    assert [
        current(url)
        for url in (
            "/en/ceremonies/",
            "/en/memorials/",
            "/en/memorials/map/",
            "/en/",
            "/de/memorials/map/",
            "/de/ceremonies/",
        )
    ] == [["Ceremonies"], ["Memorial sites"], ["Map"], [], ["Karte"], ["Gedenkfeiern"]]


def test_unknown_addresses_keep_nothing_in_the_cache(client):
    """A made-up address is answered 404 and leaves no entry behind: what views keep until
    the next content edit is only what they found, so a flood of invented slugs cannot
    fill the shared cache."""
    site = MemorialSiteFactory()
    category = SeatCategoryFactory()
    urls = [
        f"/en/memorials/{site.slug}/",
        f"/en/ceremonies/{category.ceremony.slug}/",
        f"/en/ceremonies/{category.ceremony.slug}/register/",
    ]
    for url in urls:
        assert client.get(url).status_code == 200
    kept = [key for key in caches["default"]._cache if ":content:" in key]
    assert len(kept) == 3

    unknown = [
        "/en/memorials/no-such-site/",
        "/en/ceremonies/no-such-ceremony/",
        "/en/ceremonies/no-such-ceremony/register/",
    ]
    assert [client.get(url).status_code for url in unknown] == [404, 404, 404]

    assert [key for key in caches["default"]._cache if ":content:" in key] == kept


def test_page_in_the_cache_is_served_before_djangos_handler_as_the_middleware_serves_it(client):
    site = MemorialSiteFactory(name_en="Torgau bridge")
    url = f"/en/memorials/{site.slug}/"
    rendered = client.get(url, **BROWSER)

    served = Served(url, HTTP_ACCEPT_ENCODING=BROWSER["HTTP_ACCEPT_ENCODING"])

    assert (served.status, served.through_django) == ("200 OK", False)
    assert served.body == rendered.content
    assert "<h1>Torgau bridge</h1>" in gzip.decompress(served.body).decode()
    assert {name: served.headers.get(name) for name in SENT_HEADERS} == _sent_headers(rendered)
    assert served.headers["Content-Security-Policy"] == rendered["Content-Security-Policy"]


def test_page_out_of_date_is_rendered_again_by_django_after_one_cache_read(client):
    category = SeatCategoryFactory(capacity=10)
    url = f"/en/ceremonies/{category.ceremony.slug}/"
    client.get(url, **BROWSER)
    _register(category, party_size=3)
    shared = caches["default"]
    reads = mock.patch.object(shared, "get_many", wraps=shared.get_many)

    with reads as get_many:
        served = Served(url, HTTP_ACCEPT_ENCODING="gzip")

    assert (served.status, served.through_django) == ("200 OK", True)
    assert ">7 seats left<" in gzip.decompress(served.body).decode()
    # The page was looked up once, in front of the handler; the middleware behind it
    # took what was found there.
    assert [call.args[0][0] for call in get_many.call_args_list].count(VERSION_KEY) == 1
    assert not Served(url, HTTP_ACCEPT_ENCODING="gzip").through_django


def test_pages_for_a_signed_in_organiser_or_a_plain_client_come_through_django(client):
    site = MemorialSiteFactory(name_en="Strehla")
    url = f"/en/memorials/{site.slug}/"
    client.get(url, **BROWSER)

    organiser = Served(url, cookie="sessionid=abc", HTTP_ACCEPT_ENCODING="gzip")
    plain = Served(url, HTTP_ACCEPT_ENCODING="identity")

    assert (organiser.through_django, plain.through_django) == (True, True)
    assert "<h1>Strehla</h1>" in plain.body.decode()
    assert "Content-Encoding" not in plain.headers


def test_request_that_cannot_be_read_is_refused_even_when_its_page_is_cached(client):
    """Django builds such a request without its query string (elbeday.middleware), so it
    has the address of a page without one, which may well be cached."""
    assert client.get("/en/memorials/", **BROWSER).status_code == 200

    for cookie in ("", "sessionid=abc"):
        served = Served(
            "/en/memorials/",
            query="kind=memorial",
            cookie=cookie,
            content_type="text/plain; charset=base64",
            HTTP_ACCEPT_ENCODING="gzip",
        )
        assert served.status.startswith("400")


def test_memorial_filters_are_kept_for_each_language_until_an_edit(client):
    """The catalogue's filters are made once per language and content version: each
    language gets its own words, and a site published afterwards brings its country."""

    def filters(url):
        options = page(client.get(url)).find_all("option")
        return [(option.attrs["value"], option.text) for option in options]

    MemorialSiteFactory(country="DE", kind="monument")
    english, german = filters("/en/memorials/"), filters("/de/memorials/")

    assert english[:2] == [("", "All countries"), ("DE", "Germany")]
    assert german[:2] == [("", "Alle Länder"), ("DE", "Deutschland")]
    assert filters("/en/memorials/") == english
    MemorialSiteFactory(country="FR", kind="museum")
    assert filters("/en/memorials/")[:3] == [
        ("", "All countries"),
        ("FR", "France"),
        ("DE", "Germany"),
    ]


def test_page_cache_out_of_reach_is_answered_with_the_sites_error_page(client, settings):
    settings.DEBUG = False
    site = MemorialSiteFactory()
    url = f"/en/memorials/{site.slug}/"
    client.get(url, **BROWSER)
    shared = caches["default"]
    gone = mock.patch.object(shared, "get_many", side_effect=ConnectionError("no cache"))

    with gone:
        served = Served(url, HTTP_ACCEPT_ENCODING="gzip")

    assert (served.status, served.through_django) == ("500 Internal Server Error", True)
    assert "<title>Server error · Elbe Day</title>" in served.body.decode()
