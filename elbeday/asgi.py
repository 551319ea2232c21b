"""The ASGI application. Django's handler, answering a request that it cannot even build
(an unreadable charset or Content-Type) with a 400 instead of a server error."""

import os

import django
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponseBadRequest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elbeday.settings")
django.setup(set_prefix=False)


class Handler(ASGIHandler):
    def create_request(self, scope, body_file):
        try:
            return super().create_request(scope, body_file)
        except (ValueError, LookupError, UnicodeError):
            return None, HttpResponseBadRequest()


application = Handler()
