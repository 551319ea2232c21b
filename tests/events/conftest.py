import gettext as gettext_module
import re
from pathlib import Path

import polib
import pytest

from tests.html import page as parse_page

LOCALE_DIR = Path(__file__).resolve().parent.parent.parent / "locale"


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
