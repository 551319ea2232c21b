"""A file cache for counters, for a site on one machine without Redis.

Rate limits (django-ratelimit) count with the cache's `add()` and `incr()`. Redis and
memcached do both atomically and never drop a key to make room. Django's file cache does
neither: it reads, then writes, so requests arriving together all read the same count;
and once it holds more than MAX_ENTRIES files it deletes a third of them, so the page
cache that shares it would wipe the counters every few hundred page views. This cache
takes an exclusive lock on one file around both, for every process of the machine, and
is meant to be given a folder of its own and a MAX_ENTRIES that is never reached.

Beside it, Django's Redis cache with one change: it keeps its Redis client and connection;
and the cache of what is kept until the next content edit, which keeps in each process's
memory what it read from the shared cache.
"""

import contextlib
import fcntl
import os
import weakref

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class LockedFileBasedCache(FileBasedCache):
    @contextlib.contextmanager
    def _locked(self):
        os.makedirs(self._dir, 0o700, exist_ok=True)
        with open(os.path.join(self._dir, "lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._locked():
            return super().incr(key, delta, version)


# The clients kept in this process, forgotten in a child that `os.fork()` makes (gunicorn
# with --preload forks its workers after loading the site): the child must not talk over
# its parent's connection.
_kept_clients = weakref.WeakSet()


def _forget_kept_clients():
    for client in list(_kept_clients):
        client._clients.clear()


os.register_at_fork(after_in_child=_forget_kept_clients)


class _ClientKeptRedisCacheClient(RedisCacheClient):
    """Django's, keeping one Redis client per server instead of making one for every
    command: making one builds redis-py's table of about 170 reply callbacks, 0.1–0.2 ms
    of CPU, a quarter of what a page served from the page cache costs.

    The client keeps one connection of its own (redis-py's `single_connection_client`)
    rather than taking one from the pool and giving it back for every command: taking
    one asks the socket whether it holds a stale reply (a system call) and costs as much
    as the command's own round trip in Python, 20–30 µs of the 50–60 a command cost. Django
    makes a cache object, and so a client, for each thread; redis-py holds a lock around
    each command of a single-connection client all the same. Pipelines still take their
    connections from the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        _kept_clients.add(self)

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(
                connection_pool=self._pools[index], single_connection_client=True
            )
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, with a client kept per server (see above), and no check of
    each key for memcached's limits (250 characters, no spaces or control characters):
    Redis takes any key, and the check walked every character of the keys that each page
    served from the page cache reads."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientKeptRedisCacheClient

    def validate_key(self, key):
        pass


_MISSING = object()


class ContentCache(BaseCache):
    """The template fragments and what views keep until the next content edit
    (`elbeday.cache.until_content_edit`), in the shared cache (OPTIONS["SHARED"], the
    default one) and, in front of it, in the memory of each process: the last MAX_ENTRIES
    entries it read or wrote.

    Only for entries whose key names the release and the content version they were made
    from: such an entry never changes under its key, and an edit makes new keys, so what
    a process keeps in its memory is never out of date, whichever process made it. A page
    rendered again then reads the shared cache once, for the content version, instead of
    once per fragment (and unpickles them from memory, not from the network)."""

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._shared = options.get("SHARED", "default")
        self._memory = LocMemCache(
            f"content-{location}",
            {"TIMEOUT": params.get("TIMEOUT", 3600), "OPTIONS": {"MAX_ENTRIES": self._max_entries}},
        )

    @property
    def shared(self):
        return caches[self._shared]

    def get(self, key, default=None, version=None):
        value = self._memory.get(key, _MISSING, version)
        if value is _MISSING:
            value = self.shared.get(key, _MISSING, version)
            if value is _MISSING:
                return default
            self._memory.set(key, value, version=version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.shared.set(key, value, timeout, version)
        self._memory.set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.shared.add(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.shared.touch(key, timeout, version)

    def delete(self, key, version=None):
        self._memory.delete(key, version)
        return self.shared.delete(key, version)

    def has_key(self, key, version=None):
        return self._memory.has_key(key, version) or self.shared.has_key(key, version)

    def clear(self):
        self._memory.clear()
        self.shared.clear()
