import gettext as gettext_module
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from elbeday.roles import EDITORS, ORGANISERS, VOLUNTEERS
from tests.demo import LoadedDemo, load_demo
from tests.factories import UserFactory
from tests.html import page as parse_page

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@pytest.fixture(autouse=True)
def _test_settings(request, settings, tmp_path):
    """Uploaded files go to a temporary folder of the test's own; static files need no
    collectstatic; the test client talks plain HTTP.

    A test on the shared `demo` finds the demo's photos in its folder: they are copied
    there from the module's demo folder, so the test reads them as the demo left them and
    whatever it writes goes away with it, like its database changes."""
    media_root = tmp_path / "media"
    if "demo" in request.fixturenames:
        shutil.copytree(request.getfixturevalue("demo").media_root, media_root)
    settings.MEDIA_ROOT = media_root
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts with an empty cache of its own (pages, rate limits).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{tmp_path.name}",
        },
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-ratelimit-{tmp_path.name}",
        },
        "template_fragments": {
            "BACKEND": "elbeday.cache_backends.ContentCache",
            "LOCATION": f"test-{tmp_path.name}",
            "OPTIONS": {"SHARED": "default"},
        },
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo content (`manage.py load_demo`), loaded once for all the tests of a module,
    since loading it takes seconds; gives a `LoadedDemo`.

    It is loaded inside a transaction (on the default database, the project's only one)
    that stays open while the module's tests run and is rolled back after the last one,
    whatever happened, so nothing of it reaches the next module. Each test runs (through
    `db`) in a savepoint inside that transaction, rolled back after the test, so every test
    starts from the same pristine demo, whatever the tests before it changed, in any order.
    The demo's photos go to a folder of the module, which `_test_settings` copies into each
    test's own MEDIA_ROOT; the page cache during the load is a throwaway one, as the
    tests' is.

    So in a module that uses it, every test must use it (`pytestmark`): a test without it
    would see the demo or not depending on the order. And they must use `db`, not
    `transactional_db`, which flushes the tables instead of rolling back (and would wait
    for the write lock this transaction holds on SQLite)."""
    media_root = tmp_path_factory.mktemp("demo-media")
    # Entered and left by hand, not in a `with`, so that the database stays blocked
    # between the two for anything that did not ask for it.
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(
                MEDIA_ROOT=media_root,
                CACHES={
                    "default": {
                        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": f"demo-{media_root.name}",
                    }
                },
            ),
        ):
            output = load_demo()
        yield LoadedDemo(output=output, media_root=media_root)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in English: a request through the test client leaves its language
    active in the thread, which would otherwise leak into the next test."""
    with translation.override("en"):
        yield


@pytest.fixture
def page():
    """Parses a response (or HTML) into a `Page`."""

    return parse_page


def _catalogue(language):
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="session")
def translated():
    """What our catalogue says a message is in `language`, read from the .po file, since
    translators may change the wording: the English text when not (yet) translated, as
    gettext does. For plurals pass `plural` and `n`."""
    catalogues = {}

    def lookup(language, msgid, *, plural=None, n=None):
        if language == "en":
            return msgid if plural is None or n == 1 else plural
        if language not in catalogues:
            catalogues[language] = _catalogue(language)
        po = catalogues[language]
        entry = po.find(msgid)
        if entry is None or entry.obsolete or entry.fuzzy:
            return msgid if plural is None or n == 1 else plural
        if plural is None:
            return entry.msgstr or msgid
        rule = re.search(r"plural\s*=\s*([^;]+)", po.metadata["Plural-Forms"]).group(1)
        return entry.msgstr_plural[gettext_module.c2py(rule)(n)]

    return lookup


@pytest.fixture
def volunteer(db):
    return UserFactory(username="vera", groups=[VOLUNTEERS])


@pytest.fixture
def editor(db):
    return UserFactory(username="edith", is_staff=True, groups=[EDITORS])


@pytest.fixture
def organiser(db):
    return UserFactory(username="otto", is_staff=True, groups=[ORGANISERS])


@pytest.fixture
def superuser(db):
    return UserFactory(username="susanne", is_staff=True, is_superuser=True)
