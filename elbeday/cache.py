"""Public pages cached for all workers, and cleared by any change that shows on them.

Two kinds of change clear cached pages:

- A content edit (memorial sites, photos, sources, ceremonies, programmes, seat
  categories, pages) sets a new site-wide *content version* once the transaction
  commits; every page stored with an older one is rendered afresh.
- A seat taken or freed (a registration, a cancellation, a promotion) sets a new *seat
  version* for its ceremony alone (`seats:<ceremony id>`). A page that shows a
  ceremony's seats says so while it renders (`depends_on_seats`); it is stored with the
  seat versions it was rendered with and served only while they are still current.

So during a registration rush, the moment the site is busiest, the memorial catalogue,
the home page and the other ceremonies' pages stay cached, while the rushed ceremony's
page shows every seat taken on the next request. The registration form is not cached at
all: it shows the seats as they are, and its answer on sending is the database's.

The versions live in the shared cache from CACHE_URL (Redis in production, a file cache
on one machine by default), so every worker of every app server sees the same ones.

A page is stored as plain data, its body gzip-compressed once, so that a hit is one cache
read and a few bytes copied: no response object to unpickle, nothing to compress again.

Pages are stored by `PageCacheMiddleware`, the first middleware, for the views wrapped
in `cached_public_page`, as the whole stack answered them, with the security headers, the
content security policy and the compression they applied on its way out. The WSGI
application (`elbeday.wsgi`) serves them in front of Django's handler (`PageCache`), so a
hit costs little more than Django's hello world: no request signals, no middleware, no
response object; the middleware serves them where that application is not used (ASGI,
tests) and to the rare client that does not accept gzip. Only a request that carries no
session and no messages cookie is served from the cache, so a signed-in organiser always
sees the page as it is now.

`PAGE_CACHE_SECONDS = 0` turns the page cache off (every page rendered for every
request) while the fragments the templates cache, and the versions they depend on, go on
working: that is how the benchmark measures what rendering a page costs.
"""

import functools
import hashlib
import time
import zlib
from collections.abc import Sequence
from http import HTTPStatus
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, cache, caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "content-version"
# Pages are stored under this prefix; change it when CachedPage's fields change, so that
# a worker never reads a page stored by an older release (unpickling it would fail).
_PAGE_PREFIX = "page-v3:"
# zlib's window bits for the gzip format, with an mtime of 0 in its header: the same page
# compresses to the same bytes in every worker.
_GZIP = 31
# The seat versions a page being rendered for the cache has read (see depends_on_seats).
_SEATS_READ = "cached_page_seat_versions"
# The content version read before the page was rendered, for the fragments it caches.
_CONTENT_VERSION = "cached_page_content_version"
# Set on a response by `cached_public_page`: the middleware may store it.
_CACHEABLE = "_public_page"
# The seat versions each cached page showed when this process last served it, by page
# key: one get_many then reads a page, the content version and the page's seat versions
# together. Emptied when full; a page not in it takes a second get_many.
_seat_keys = {}
_SEAT_KEYS_KEPT = 10_000


class CachedPage(NamedTuple):
    content_version: int
    seat_versions: dict  # ceremony id → seat version, for the seats the page shows
    status: int
    headers: dict  # as the middleware sent them, without Content-Encoding and -Length
    gzip: bytes  # the body


def seats_key(ceremony_id):
    return f"seats:{ceremony_id}"


def _new_version():
    return time.time_ns()


def _first_version(key):
    """The version under `key`, set now if there is none yet (or the cache dropped it);
    when two workers do this at once, the first one's stays."""
    version = _new_version()
    cache.add(key, version, None)
    return cache.get(key, version)


@functools.cache
def release():
    """A fingerprint of the code, templates and translations this process runs: part of
    every page's and fragment's key, so that a new release never serves what an older one
    rendered, without anyone clearing the cache."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("elbeday", "events", "memorials", "registrations", "staff", "templates"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".xml", ".svg"):
                digest.update(path.read_bytes())
    for path in sorted((root / "locale").rglob("*.mo")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fragment_version(request):
    """What a template fragment kept until the next content edit varies on (besides what
    it shows): this release and the content version read for `request`."""
    return f"{release()}-{content_version(request)}"


def content_version(request=None):
    """The current content version; the one read for `request` when its page was looked
    up, so that a page and the fragments it caches agree."""
    if request is not None and (version := getattr(request, _CONTENT_VERSION, None)):
        return version
    version = cache.get(VERSION_KEY)
    version = _first_version(VERSION_KEY) if version is None else version
    if request is not None:
        setattr(request, _CONTENT_VERSION, version)
    return version


# How long what `until_content_edit` keeps lasts at most, as the templates' fragments.
CONTENT_SECONDS = 3600


def _content_cache():
    """Where the templates' fragments are kept, and what `until_content_edit` keeps: the
    "template_fragments" cache when there is one (as Django's {% cache %} tag does), in
    front of the shared cache (elbeday.cache_backends.ContentCache); the shared one
    otherwise."""
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return cache


def until_content_edit(request, name, build, *parts, expires=None):
    """What `build()` returns, kept in the shared cache until the next content edit or
    release, for the active language: what a page reads of the content (a ceremony with
    its series and venue), so that a page rendered again only because a seat was taken or
    it expired does not build and run those queries again. `name` and `parts` tell one
    value from another.

    Nothing that changes without a content edit belongs in it: seats are read afresh.
    What changes with time alone says when with `expires(value)`, a datetime or None:
    upcoming ceremonies are out of date when the first of them ends. The content version
    is read before `build()` runs, so what is kept under a version is never older than
    that version's content. None (nothing found) is not kept: addresses made up by the
    thousand cannot fill the cache."""
    key = ":".join(("content", fragment_version(request), name, get_language(), *map(str, parts)))
    kept = _content_cache()
    found = kept.get(key)
    if found is not None:
        value, deadline = found
        if deadline is None or timezone.now() < deadline:
            return value
    value = build()
    if value is not None:
        kept.set(key, (value, expires(value) if expires else None), CONTENT_SECONDS)
    return value


class KeptResults:
    """A queryset's count and slices for Django's Paginator, each kept in the shared cache
    until the next content edit (`until_content_edit`, under `name` and `parts`): a page
    of a list rendered again reads nothing from the database, and does not even build the
    queryset (`make_queryset()` does, when something is not kept). Only for a queryset
    whose results change with content edits alone."""

    def __init__(self, request, make_queryset, name, *parts):
        self.request, self.make_queryset = request, make_queryset
        self.name, self.parts = name, parts

    def count(self):
        return until_content_edit(
            self.request, self.name, lambda: self.make_queryset().count(), *self.parts
        )

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("KeptResults gives slices (pages) only")
        start, stop = index.start or 0, index.stop
        return _ReadWhenUsed(
            functools.partial(
                until_content_edit,
                self.request,
                self.name,
                lambda: list(self.make_queryset()[start:stop]),
                *self.parts,
                start,
                stop,
            )
        )


class _ReadWhenUsed(Sequence):
    """A page of `KeptResults`, read from the cache when first used: a page whose list
    is a fragment kept by the template never reads it (nor unpickles its objects)."""

    def __init__(self, read):
        self._read = read

    @functools.cached_property
    def _items(self):
        return self._read()

    def __getitem__(self, index):
        return self._items[index]

    def __len__(self):
        return len(self._items)


def first_end(ceremonies):
    """When the first of these upcoming ceremonies ends, and a list of them is out of date
    (it is then past); None for none: for `until_content_edit`'s `expires`."""
    return min((ceremony.end for ceremony in ceremonies), default=None)


def bump_content_version():
    cache.set(VERSION_KEY, _new_version(), None)


def bump_seat_version(ceremony_id):
    # One key, so one SET (set_many would wrap it in a MULTI/EXEC transaction on Redis).
    cache.set(seats_key(ceremony_id), _new_version(), None)


def seats_changed(ceremony_id):
    """Clear the pages that show this ceremony's seats once the transaction commits (a
    page rendered before the commit would otherwise be stored as current)."""
    transaction.on_commit(functools.partial(bump_seat_version, ceremony_id))


def _seat_versions(ceremony_ids):
    keys = {seats_key(pk): pk for pk in ceremony_ids}
    found = cache.get_many(list(keys))
    return {pk: found[key] if key in found else _first_version(key) for key, pk in keys.items()}


def depends_on_seats(request, ceremony_ids):
    """Declare that the page being rendered shows the seats of these ceremonies, so that
    it is cleared when one of them changes.

    Call it before reading the seats from the database: the seat versions are read here,
    so a seat taken between the two makes the stored page out of date at once, instead
    of storing old seats under the new version. Does nothing for a page that is not
    being cached (signed-in staff, a POST)."""
    read = getattr(request, _SEATS_READ, None)
    if read is None:
        return
    read.update(_seat_versions([pk for pk in ceremony_ids if pk not in read]))


def _changed(sender, **kwargs):
    transaction.on_commit(bump_content_version)


def connect_invalidation(models):
    """Clear the page cache whenever one of these models is saved or deleted."""
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"cache-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"cache-del-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _changed, sender=field.remote_field.through, dispatch_uid=f"cache-m2m-{field}"
            )


def connect_seat_invalidation(model, *, counters, ceremony):
    """As `connect_invalidation`, except for a save that writes only seat counters
    (`counters`, as the services name them in `save(update_fields=...)`): that clears only
    the pages showing the seats of the ceremony whose id is in the attribute `ceremony`.
    Any other save (a name or capacity edited) or a delete is a content change."""
    counters = frozenset(counters)

    def saved(sender, instance, update_fields=None, **kwargs):
        if update_fields and update_fields <= counters:
            seats_changed(getattr(instance, ceremony))
        else:
            _changed(sender)

    label = model._meta.label
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"cache-{label}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"cache-del-{label}")


def _remember_seat_keys(key, page):
    if len(_seat_keys) >= _SEAT_KEYS_KEPT:
        _seat_keys.clear()
    _seat_keys[key] = [seats_key(pk) for pk in page.seat_versions]


def _is_current(page, version, found, asked):
    """Whether the page has the current content and seat versions; `found` holds what
    the cache answered for the keys in `asked`."""
    if page.content_version != version:
        return False
    shown = {seats_key(pk): seats for pk, seats in page.seat_versions.items()}
    if not_asked := [key for key in shown if key not in asked]:
        found = {**found, **cache.get_many(not_asked)}
    return all(found.get(key) == seats for key, seats in shown.items())


def _is_personal(request, response):
    """Whether the page holds something of this visitor's own, to be sent to no one else:
    a cookie set on the way out (by the view, or CSRF's for a page with a form), a CSRF
    token (used by the page even when the visitor's cookie already held it) or messages
    waiting for them.

    So a cached page holds no secret."""
    messages = getattr(request, "_messages", None)
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or (messages is not None and len(messages))
    )


def _page(response, content_version, seat_versions):
    """The page to store from the answer of the whole middleware: its body compressed
    once (or as GZipMiddleware compressed it for a browser)."""
    # Cookie: whether a page comes from here depends on the visitor's cookies.
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", "content-encoding")
    }
    if response.get("Content-Encoding") == "gzip":
        body = response.content
    else:
        body = zlib.compress(response.content, wbits=_GZIP)
    return CachedPage(content_version, seat_versions, response.status_code, headers, body)


def _accepts_gzip(request):
    return re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))


def _gzip_headers(page):
    """The headers the page is sent with, gzipped as the cache keeps it."""
    return {**page.headers, "Content-Encoding": "gzip", "Content-Length": str(len(page.gzip))}


def _response(request, page):
    """A new response with the page's body in the encoding the client accepts: gzip (any
    browser), or plain for the rare client that does not."""
    if _accepts_gzip(request):
        return HttpResponse(page.gzip, status=page.status, headers=_gzip_headers(page))
    body = zlib.decompress(page.gzip, wbits=_GZIP)
    response = HttpResponse(body, status=page.status, headers=page.headers)
    response.headers["Content-Length"] = str(len(body))
    return response


def cached_public_page(view):
    """Mark the view's pages as public: the same for every visitor who is not signed in,
    so that `PageCacheMiddleware` may store them and serve them to the next one."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        setattr(response, _CACHEABLE, True)
        return response

    return wrapped


def _page_key(request):
    # Hashed: the address may be long or hold characters that a cache such as memcached
    # refuses in a key.
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{_PAGE_PREFIX}{release()}:{address}"


# Where `PageCache.answer` leaves what it looked up for a page it could not serve, in
# the WSGI environ (request.META), so that the middleware does not look it up again.
_LOOKED_UP = "elbeday.page_cache_lookup"


class PageCache:
    """Which requests may be served from the page cache, and the current page for one.

    Used by `PageCacheMiddleware` and, in front of Django's handler, by the WSGI
    application (`elbeday.wsgi`), which serves a page found here without the handler."""

    def __init__(self):
        self.seconds = settings.PAGE_CACHE_SECONDS
        # A session means a signed-in organiser (the public never gets one); a messages
        # cookie, something to tell this visitor alone.
        self.personal_cookies = (settings.SESSION_COOKIE_NAME, "messages")
        # Static files (WhiteNoise, after this) and uploads are never pages.
        self.not_pages = tuple(
            prefix for prefix in (settings.STATIC_URL, settings.MEDIA_URL) if prefix != "/"
        )
        self.ssl_redirect = settings.SECURE_SSL_REDIRECT

    def may_serve(self, request):
        return (
            self.seconds
            and request.method in ("GET", "HEAD")
            # Its address or data could not be read (elbeday.middleware): a 400.
            and not getattr(request, "unreadable", False)
            and not any(name in request.COOKIES for name in self.personal_cookies)
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.path.startswith(self.not_pages)
            # SecurityMiddleware, after this, sends a plain-HTTP request to HTTPS.
            and not (self.ssl_redirect and not request.is_secure())
        )

    def look_up(self, request):
        """(the page's key, the content version, the page if it is current or None), in
        one `get_many` (see PageCacheMiddleware)."""
        if looked_up := request.META.pop(_LOOKED_UP, None):
            return looked_up
        key = _page_key(request)
        asked = [VERSION_KEY, key, *_seat_keys.get(key, ())]
        found = cache.get_many(asked)
        version = found.get(VERSION_KEY)
        if version is None:
            version = _first_version(VERSION_KEY)
        page = found.get(key)
        if isinstance(page, CachedPage):
            _remember_seat_keys(key, page)
            if _is_current(page, version, found, asked):
                return key, version, page
        return key, version, None

    def answer(self, environ, request_class):
        """The WSGI status, headers and body of the current page for the request in
        `environ`, gzipped as the cache keeps it, or None: then Django's handler answers,
        and the middleware finds what was looked up here in the request. A request that
        is no GET or HEAD is not even built (`request_class`) here."""
        if not (self.seconds and environ.get("REQUEST_METHOD") in ("GET", "HEAD")):
            return None
        request = request_class(environ)
        if not (self.may_serve(request) and _accepts_gzip(request)):
            return None
        looked_up = self.look_up(request)
        page = looked_up[2]
        if page is None:
            request.META[_LOOKED_UP] = looked_up
            return None
        status = f"{page.status} {HTTPStatus(page.status).phrase}"
        return status, list(_gzip_headers(page).items()), page.gzip


class PageCacheMiddleware:
    """Serves the pages of `cached_public_page` views from the shared cache, and stores
    them, for requests without a session or messages cookie.

    One `get_many` reads the page, the content version and the seat versions the page
    showed when this process last served it. The visitor whose request rendered the page
    gets it as the cache then serves it, in the same bytes. Behind the WSGI application,
    which serves the pages it finds itself, this serves the pages for the clients that do
    not accept gzip, and stores them all."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.page_cache = PageCache()

    def __call__(self, request):
        if not self.page_cache.may_serve(request):
            return self.get_response(request)
        key, version, page = self.page_cache.look_up(request)
        if page is not None:
            return _response(request, page)
        # The versions are read before the page is rendered: a change committed while it
        # renders sets newer ones, and the page stored below is out of date at once.
        setattr(request, _CONTENT_VERSION, version)
        setattr(request, _SEATS_READ, {})
        response = self.get_response(request)
        if (
            not getattr(response, _CACHEABLE, False)
            or response.status_code != 200
            or response.streaming
            or response.get("Content-Encoding", "gzip") != "gzip"
            or _is_personal(request, response)
        ):
            return response
        page = _page(response, version, getattr(request, _SEATS_READ))
        cache.set(key, page, self.page_cache.seconds)
        _remember_seat_keys(key, page)
        return _response(request, page)
