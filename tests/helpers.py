"""Helpers of the tests: clients signed in as a role, ceremonies at a given time, a small
HTML reader for what a user sees, and a request to the deployed WSGI application."""

import datetime
import io
from wsgiref.util import setup_testing_defaults

from django.core.signals import request_started
from django.test import Client
from django.utils import timezone

from tests.factories import CeremonyFactory
from tests.html import Page, page  # noqa: F401 - used by the staff tests


def logged_in(user):
    """A test client of its own, signed in as `user` (or anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def ceremony_today(**kwargs):
    """A ceremony taking place right now, in Berlin, open for registration."""
    now = timezone.now()
    return CeremonyFactory(
        start=now - datetime.timedelta(hours=1),
        end=now + datetime.timedelta(hours=2),
        time_zone="Europe/Berlin",
        registration_opens=now - datetime.timedelta(days=5),
        registration_closes=now + datetime.timedelta(hours=1),
        **kwargs,
    )


def ceremony_on(start, **kwargs):
    """A ceremony of two hours from `start` whose registration was open the ten days
    before; register for it with `RegistrationFactory(..., now=registration_time(c))`."""
    return CeremonyFactory(
        start=start,
        end=start + datetime.timedelta(hours=2),
        time_zone="Europe/Berlin",
        registration_opens=start - datetime.timedelta(days=10),
        registration_closes=start - datetime.timedelta(hours=1),
        **kwargs,
    )


def registration_time(ceremony):
    """A moment when registration for `ceremony` was open."""
    return ceremony.start - datetime.timedelta(days=2)


def admin_change(client, url, **changes):
    """Submits an admin change form as an organiser would after editing `changes`."""
    form_page = page(client.get(url))
    form = next(
        form for form in form_page.find_all("form") if form.attrs.get("id", "").endswith("_form")
    )
    data = form_page.form_data(form)
    data.update({name: [value] for name, value in changes.items()})
    data["_save"] = ["Save"]
    return client.post(url, data)


def admin_action(client, url, action, objects):
    """Runs an admin action on `objects` from the changelist at `url`; returns the
    messages shown afterwards."""
    response = client.post(
        url,
        {"action": action, "index": "0", "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )
    assert response.status_code == 200
    shown = page(response)
    return (
        shown.texts("li", within=shown.find("ul", "messagelist"))
        if shown.find_all("ul", "messagelist")
        else []
    )


class Served:
    """What the deployed WSGI application (elbeday.wsgi) answered, and whether Django's
    handler ran for it (its request_started signal)."""

    def __init__(self, path, *, query="", cookie="", content_type="", **headers):
        from elbeday.wsgi import Handler

        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": content_type,
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": cookie,
            "wsgi.input": io.BytesIO(b""),
            **headers,
        }
        setup_testing_defaults(environ)
        started = []

        def receiver(**kwargs):
            started.append(kwargs)

        request_started.connect(receiver, weak=False)
        try:
            # A handler of its own: it reads the settings when it is made.
            body = Handler()(environ, self._start)
            self.body = b"".join(body)
            getattr(body, "close", lambda: None)()
        finally:
            request_started.disconnect(receiver)
        self.through_django = bool(started)

    def _start(self, status, headers, exc_info=None):
        self.status = status
        self.headers = dict(headers)
