"""Where private uploads (letters from press outlets) are stored: a folder of their own,
PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, so that nothing that serves the public media
(SERVE_MEDIA in development, the web server in production) can reach them. They have no
URL; protocol staff download them through `staff.press.letter`."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


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


def private_storage():
    """The storage of the press letters (a callable, so migrations name it and do not
    copy its folder)."""
    return PrivateStorage()
