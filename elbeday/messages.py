"""Django's message storage, which keeps messages in a cookie and, when they do not fit,
in the session, with both made only when a request reads, adds or stores a message.

Django's MessageMiddleware makes a storage for every request, and its FallbackStorage
makes both of its storages at once: the cookie's with a signer built from the settings,
and the session's. A request that never touches a message (a registration sent without a
mistake, which is redirected; a file or a feed) paid for them all the same: 1.2% of a
registration POST's instructions.
"""

import functools

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.fallback import FallbackStorage


class LazyFallbackStorage(FallbackStorage):
    def __init__(self, request, *args, **kwargs):
        # FallbackStorage's own __init__ makes the storages; everything else it sets is here.
        BaseStorage.__init__(self, request, *args, **kwargs)
        self._storage_arguments = args, kwargs
        self._used_storages = set()

    @functools.cached_property
    def storages(self):
        args, kwargs = self._storage_arguments
        return [
            storage_class(self.request, *args, **kwargs) for storage_class in self.storage_classes
        ]
