"""The WSGI application: `gunicorn elbeday.wsgi`.

Django's handler, building its requests as `ReadableWSGIRequest`: a request that Django
could not even build is answered with a 400 instead of a server error.
"""

import os

import django
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elbeday.settings")
django.setup(set_prefix=False)

from elbeday.middleware import ReadableWSGIRequest  # noqa: E402 - needs the apps ready


class Handler(WSGIHandler):
    request_class = ReadableWSGIRequest


application = Handler()
