"""Where private uploads are stored: `STORAGES["private"]`. Press outlets' letters
(registrations) and the photos the public sends before an editor has decided on them
(memorials) go there.

On one machine that is a folder of its own, PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, so
that nothing that serves the public media (SERVE_MEDIA in development, the web server in
production) can reach them. With media on S3 it is a bucket of its own that is never made
public (see settings.py). Either way they have no URL: staff read them through views that
check their permission (`staff.press.letter`, the photo in the admin's review queue)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateStorage(FileSystemStorage):
    # Read from the settings each time (not once at start-up), so that a changed
    # PRIVATE_MEDIA_ROOT (as in the tests) is where files go.
    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL.")


class _PrivateStorage(LazyObject):
    """The backend that `STORAGES["private"]` names, chosen when first used (as Django's
    `default_storage` is), so that a model field can refer to it at import time."""

    def _setup(self):
        self._wrapped = storages["private"]

    def url(self, name):
        # Whatever the backend: an S3 storage would otherwise give a link to the file.
        raise ValueError("Private files have no URL.")


_private_storage = _PrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    # As Django does for default_storage: a test that changes STORAGES gets the new backend.
    if setting == "STORAGES":
        _private_storage._wrapped = empty


def private_storage():
    """The private storage (a callable, so migrations name it and do not copy its
    settings)."""
    return _private_storage
