import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import MemorialSiteFactory, PhotoFactory

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
        "DJANGO_DEBUG is off (see .env.example)."
    )


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
