import io
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.client import encode_multipart

from tests.factories import MemorialSiteFactory, PhotoFactory
from tests.helpers import Served

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IS_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
sqlite_only = pytest.mark.skipif(
    not IS_SQLITE, reason="SQLite's WAL mode and busy timeout; PostgreSQL has neither setting"
)


def run(args, **env_changes):
    """Run a Python command in the project folder with the environment changed: a value of
    None removes the variable."""
    env = {key: value for key, value in os.environ.items() if key not in env_changes}
    env.update({key: value for key, value in env_changes.items() if value is not None})
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_refuse_to_start_without_secret_key_in_production():
    result = run(
        ["-c", "import django; django.setup()"],
        DJANGO_SETTINGS_MODULE="elbeday.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=None,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY must be set when "
        "DJANGO_DEBUG is off: set DJANGO_SECRET_KEY for production (see .env.example), or "
        "use `make run` for development."
    )


def test_runserver_without_debug_says_to_use_make_run_for_development():
    result = run(
        ["manage.py", "runserver", "--noreload", "127.0.0.1:1"],
        DJANGO_DEBUG=None,
        DJANGO_SECRET_KEY=None,
        DJANGO_SETTINGS_MODULE=None,
    )

    assert result.returncode == 1
    assert "or use `make run` for development." in result.stderr.strip().splitlines()[-1]


ENV_EXAMPLE = PROJECT_ROOT / ".env.example"


def test_env_example_copied_as_it_stands_is_a_working_development_set_up():
    """`.env.example` read as `.env` is (by django-environ, as settings.py reads `.env`),
    with none of its variables set otherwise: debug on, 127.0.0.1 allowed, plain HTTP."""
    names = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    result = run(
        [
            "-c",
            "import environ; environ.Env.read_env('.env.example', overwrite=True); "
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, '127.0.0.1' in s.ALLOWED_HOSTS, s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.EMAIL_BACKEND)",
        ],
        DJANGO_SETTINGS_MODULE="elbeday.settings",
        **dict.fromkeys(names),
    )

    assert "DJANGO_SECURE_SSL_REDIRECT" in names
    assert (result.returncode, result.stderr, result.stdout) == (
        0,
        "",
        "True True False False 0 django.core.mail.backends.console.EmailBackend\n",
    )


def test_log_lines_are_printed_once_in_debug():
    result = run(
        [
            "-c",
            "import django; django.setup(); import logging; "
            "logging.getLogger('django.request').warning('Not Found: /nowhere'); "
            "logging.getLogger('registrations.emails').warning('Outbox: a warning')",
        ],
        DJANGO_SETTINGS_MODULE="elbeday.settings",
        DJANGO_DEBUG="true",
        DJANGO_LOG_LEVEL=None,
    )

    assert (result.returncode, result.stderr) == (0, "Not Found: /nowhere\nOutbox: a warning\n")


def test_settings_start_without_secret_key_in_debug():
    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, bool(settings.SECRET_KEY))",
        ],
        DJANGO_SETTINGS_MODULE="elbeday.settings",
        DJANGO_DEBUG="true",
        DJANGO_SECRET_KEY=None,
    )

    assert (result.returncode, result.stdout) == (0, "True True\n")


def test_deploy_check_passes_in_production_mode():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
    )

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )


@sqlite_only
def test_sqlite_options_wait_for_lock_and_begin_immediate():
    options = settings.DATABASES["default"]["OPTIONS"]

    assert (options["transaction_mode"], options["timeout"]) == ("IMMEDIATE", 20)
    assert options["init_command"].split(";")[:3] == [
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
    ]


# Opens the database as the site does, then checks from a second, plain connection that a
# transaction holds the write lock from its start.
SQLITE_PROBE = """
import sqlite3
from django.db import connection, transaction
cursor = connection.cursor()
for pragma in ("journal_mode", "busy_timeout", "foreign_keys"):
    cursor.execute(f"PRAGMA {pragma}")
    print(pragma, cursor.fetchone()[0])
with transaction.atomic():
    connection.cursor().execute("SELECT 1")
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("CREATE TABLE probe (x)")
        print("second writer: allowed")
    except sqlite3.OperationalError as error:
        print("second writer:", error)
    finally:
        other.close()
"""


@sqlite_only
def test_sqlite_file_database_uses_wal_busy_timeout_and_immediate_transactions(tmp_path):
    database = tmp_path / "elbeday.sqlite3"

    result = run(
        ["manage.py", "shell", "--no-imports", "-c", SQLITE_PROBE],
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_DEBUG="true",
        SQLITE_BUSY_TIMEOUT=None,
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "journal_mode wal",
        "busy_timeout 20000",
        "foreign_keys 1",
        "second writer: database is locked",
    ]


@pytest.mark.django_db
def test_migrations_match_models():
    # Exits with status 1 when a model change lacks its migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []
        self.inline_scripts = []
        self.inline_styles = []
        self._script_type = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles.append(tag)
        if tag == "script":
            if "src" in attrs:
                self.urls.append(attrs["src"])
            self._script_type = attrs.get("type", "text/javascript")
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.urls.append(attrs["href"])
        if tag == "img":
            self.urls.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_type = None

    def handle_data(self, data):
        if self._script_type not in (None, "application/json") and data.strip():
            self.inline_scripts.append(data)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["", "memorials/", "memorials/map/", "memorials/torgau/"])
def test_pages_load_assets_only_from_own_host(client, path):
    PhotoFactory(site=MemorialSiteFactory(slug="torgau"))

    response = client.get(f"/de/{path}")
    assets = Assets()
    assets.feed(response.content.decode())

    assert response.status_code == 200
    assert [url for url in assets.urls if not url.startswith(("/static/", "/media/"))] == []
    assert (assets.inline_scripts, assets.inline_styles) == ([], [])


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/en/")

    assert {
        header: response.headers.get(header)
        for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")
    } == {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


# Requests in a character set the site cannot read (fuzzing sent forms as charset=utf-7).
FORM = "application/x-www-form-urlencoded"
UNREADABLE_CHARSETS = [
    f"{FORM}; charset=utf-7",
    f"{FORM}; charset=utf-16",
    # A form is UTF-8 (RFC 1866): Django refuses any other charset for one.
    f"{FORM}; charset=latin-1",
    # Codecs that are no text encodings, or refuse everything.
    f"{FORM}; charset=base64",
    "multipart/form-data; boundary=x; charset=undefined",
    "multipart/form-data; boundary=x; charset=utf-16",
    "text/plain; charset=rot13",
]


def _signed_in(user):
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get("/en/accounts/login/")  # sets the CSRF cookie, as a browser has it
    return client


def _form_urls(volunteer, organiser):
    """The site's POST forms, each with the user who may send it."""
    from tests.factories import RegistrationFactory

    registration = RegistrationFactory()
    ceremony = registration.ceremony
    return {
        "login": ("/en/accounts/login/", None),
        "admin login": ("/en/admin/login/", None),
        "registration": (f"/en/ceremonies/{ceremony.slug}/register/", None),
        "party size": (f"{registration.get_manage_url()}party/", None),
        "gate check-in": (registration.get_checkin_url(), volunteer),
        "message": (f"/en/staff/ceremonies/{ceremony.slug}/message/", organiser),
        "admin change": (
            f"/en/admin/events/ceremony/{ceremony.pk}/change/",
            organiser,
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", UNREADABLE_CHARSETS)
def test_form_sent_in_an_unreadable_charset_is_a_bad_request(
    page, volunteer, organiser, content_type
):
    for name, (url, user) in _form_urls(volunteer, organiser).items():
        client = _signed_in(user)
        data = {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, "people": "1"}
        if content_type.startswith("multipart/"):
            body = encode_multipart("x", data)
        else:
            body = urlencode(data).encode()

        response = client.generic("POST", url, body, content_type=content_type)

        assert (name, response.status_code) == (name, 400)
        assert page(response).texts("h1") == ["Bad request"]


@pytest.mark.django_db
def test_bad_request_page_speaks_the_visitors_language(page, translated):
    client = _signed_in(None)
    token = client.cookies["csrftoken"].value

    response = client.generic(
        "POST",
        "/de/accounts/login/",
        f"csrfmiddlewaretoken={token}".encode(),
        content_type=f"{FORM}; charset=utf-7",
    )

    assert response.status_code == 400
    assert page(response).texts("h1") == [translated("de", "Bad request")]


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf-16", "utf-7", "cp037"])
def test_page_asked_for_in_an_unreadable_charset_is_a_bad_request(client, charset):
    """Django reads the query string in the declared charset too: these garble it."""
    response = client.get(
        "/en/memorials/?kind=memorial", CONTENT_TYPE=f"text/plain; charset={charset}"
    )

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf8", "UTF_8", "UTF-8"])
def test_form_sent_as_utf8_under_another_name_is_read(organiser, charset):
    """Django refuses a form whose charset is not spelt "utf-8"; these are UTF-8 too."""
    client = _signed_in(None)
    token = client.cookies["csrftoken"].value

    response = client.generic(
        "POST",
        "/en/accounts/login/",
        f"csrfmiddlewaretoken={token}&username=otto&password=password".encode(),
        content_type=f"{FORM}; charset={charset}",
    )

    assert (response.status_code, response.url) == (302, "/en/checkin/")


def _many_fields(count):
    return "&".join(f"f{number}=1" for number in range(count)).encode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n"),  # no boundary
        ("multipart/form-data; boundary=x", encode_multipart("x", {"f": ["1"] * 1001})),
        (FORM, _many_fields(1001)),  # more than DATA_UPLOAD_MAX_NUMBER_FIELDS
        (FORM, b"f=" + b"x" * 5000),  # more than DATA_UPLOAD_MAX_MEMORY_SIZE, set below
    ],
    ids=["no boundary", "multipart fields", "form fields", "too big"],
)
@pytest.mark.parametrize("url", ["/en/no-such-page/", "/xx/ceremonies/"])
def test_form_that_cannot_be_read_sent_to_a_missing_page_is_a_bad_request(
    settings, page, url, content_type, body
):
    """Fuzzing found 500s: with no view to run, CSRF's check first reads the form in
    Django's 404 handler, where an unreadable form is an error of the handler."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    client = _signed_in(None)

    response = client.generic("POST", url, body, content_type=content_type)

    assert response.status_code == 400
    assert page(response).texts("h1") == ["Bad request"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/admin/events/ceremony/?status__exact=%00",
        "/en/admin/autocomplete/?app_label=events&model_name=ceremony&field_name=venue_site"
        "&term=%00",
    ],
    ids=["list filter", "autocomplete"],
)
def test_query_with_a_nul_character_is_a_bad_request(admin_client, page, url):
    """Server errors on PostgreSQL, which can neither store nor compare a NUL: the admin
    hands these values to it unchecked."""
    response = admin_client.get(url)

    assert response.status_code == 400
    assert page(response).texts("h1") == ["Bad request"]


@pytest.mark.django_db
def test_form_with_a_nul_character_is_a_bad_request(page):
    client = _signed_in(None)

    response = client.post(
        "/en/accounts/login/",
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, "username": "ot\x00to"},
    )

    assert response.status_code == 400
    assert page(response).texts("h1") == ["Bad request"]


def _wsgi(path, query="", content_type=""):
    """The status the deployed application (elbeday.wsgi) answers: the test client
    builds its request itself, so it cannot show what happens while Django builds it."""
    return Served(path, query=query, content_type=content_type).status


@pytest.mark.parametrize(
    "content_type",
    [
        # parse_header_parameters() refuses an RFC 2231 value in an unknown charset.
        "text/plain; charset*=nonsense''utf-8",
        # Django decodes the query string with the declared charset while it builds the
        # request, and only LookupError of an unknown codec is expected there.
        "text/plain; charset=base64",
        "text/plain; charset=undefined",
    ],
)
# A WSGI request starts by closing stale database connections, whichever test ran before.
@pytest.mark.django_db
def test_request_that_django_cannot_build_is_a_bad_request(content_type):
    """GET /en/memorials/?kind=memorial with these Content-Types raised ValueError,
    LookupError or UnicodeError from WSGIRequest(), before any middleware: no project
    code runs, so only a WSGI (and ASGI) wrapper can answer 400."""
    assert _wsgi("/en/memorials/", "kind=memorial", content_type).startswith("400")


def test_wsgi_application_loads_its_views_and_freezes_them_out_of_the_collector():
    """What a worker loads at start lives as long as the worker: frozen, it is not walked
    again by every full collection, which happened during a request and held it up.
    The views are loaded with it, not by the first visitor's request."""
    result = run(
        [
            "-c",
            "import gc, sys; import elbeday.wsgi; "
            "print(gc.get_freeze_count(), 'registrations.views' in sys.modules)",
        ],
        DJANGO_SETTINGS_MODULE="elbeday.settings",
    )

    assert result.returncode == 0, result.stderr
    frozen, views_loaded = result.stdout.split()
    assert int(frozen) > 50_000
    assert views_loaded == "True"


def test_asgi_request_that_django_cannot_build_is_a_bad_request():
    """As over WSGI (above); other unreadable charsets reach the middleware there."""
    from elbeday.asgi import application

    content_type = b"text/plain; charset*=nonsense''utf-8"
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/en/memorials/",
        "query_string": b"kind=memorial",
        "headers": [(b"host", b"testserver"), (b"content-type", content_type)],
    }

    request, response = application.create_request(scope, io.BytesIO())

    assert (request, response.status_code) == (None, 400)


@pytest.mark.skipif(IS_SQLITE, reason="PostgreSQL: SQLite makes its file itself")
def test_ensure_database_creates_a_missing_postgresql_database():
    database = settings.DATABASES["default"]
    name = f"elbeday_ensure_{secrets.token_hex(4)}"
    url = "postgres://{user}@{host}:{port}/{name}".format(
        user=database["USER"], host=database["HOST"], port=database["PORT"] or 5432, name=name
    )
    try:
        created = run(["manage.py", "ensure_database"], DATABASE_URL=url, DJANGO_DEBUG="true")
        again = run(["manage.py", "ensure_database"], DATABASE_URL=url, DJANGO_DEBUG="true")
        exists = run(
            [
                "manage.py",
                "shell",
                "--no-imports",
                "-c",
                "from django.db import connection; connection.ensure_connection(); print('ok')",
            ],
            DATABASE_URL=url,
            DJANGO_DEBUG="true",
        )
    finally:
        run(
            [
                "manage.py",
                "shell",
                "--no-imports",
                "-c",
                "from django.db import connection\n"
                "with connection._nodb_cursor() as cursor:\n"
                f"    cursor.execute('DROP DATABASE IF EXISTS {name}')",
            ],
            DATABASE_URL=url,
            DJANGO_DEBUG="true",
        )

    assert (created.returncode, created.stdout) == (
        0,
        f"Created the PostgreSQL database '{name}'.\n",
    )
    assert (again.returncode, again.stdout) == (0, "")
    assert exists.stdout == "ok\n"
