import gettext as gettext_module
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from elbeday.roles import EDITORS, ORGANISERS, VOLUNTEERS
from tests.factories import UserFactory
from tests.html import page as parse_page

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded files go to a temporary folder; static files need no collectstatic; the
    test client talks plain HTTP."""
    settings.MEDIA_ROOT = tmp_path / "media"
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
        }
    }


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
