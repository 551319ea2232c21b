"""A file cache for counters, for a site on one machine without Redis.

Rate limits (django-ratelimit) count with the cache's `add()` and `incr()`. Redis and
memcached do both atomically and never drop a key to make room. Django's file cache does
neither: it reads, then writes, so requests arriving together all read the same count;
and once it holds more than MAX_ENTRIES files it deletes a third of them, so the page
cache that shares it would wipe the counters every few hundred page views. This cache
takes an exclusive lock on one file around both, for every process of the machine, and
is meant to be given a folder of its own and a MAX_ENTRIES that is never reached.
"""

import contextlib
import fcntl
import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


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
