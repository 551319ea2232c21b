"""Public pages cached for all workers, and cleared by any change that shows on them.

A page is stored under a key holding the current *content version*. Saving or deleting
any content (memorial sites, photos, sources, ceremonies, programmes, seat categories,
pages) sets a new version once the transaction commits, so every worker's next request
misses the old entries and renders afresh. Seats are counted on seat categories, so a
registration that takes or frees seats changes the version too. The cache is the shared
one from CACHE_URL (Redis in production, a file cache on one machine by default).
"""

import functools
import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "content-version"
PAGE_SECONDS = 600


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_content_version():
    cache.set(VERSION_KEY, time.time_ns(), None)


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


def cached_public_page(view):
    """Serve anonymous GET requests from the shared cache; signed-in staff always see
    the page rendered fresh."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        # Hashed: the address may be long or hold characters that a cache such as
        # memcached refuses in a key.
        address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"page:{content_version()}:{address}"
        response = cache.get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.cookies:
            cache.set(key, response, PAGE_SECONDS)
        return response

    return wrapped
