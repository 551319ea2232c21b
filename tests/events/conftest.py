import gettext as gettext_module
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

LOCALE_DIR = Path(__file__).resolve().parent.parent.parent / "locale"
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Element:
    def __init__(self, tag, attrs, ancestors):
        self.tag = tag
        self.attrs = {name: value or "" for name, value in attrs}
        self.ancestors = ancestors
        self.parts = []

    @property
    def text(self):
        return " ".join("".join(self.parts).split())

    @property
    def classes(self):
        return self.attrs.get("class", "").split()


class Page(HTMLParser):
    """Every element of a page with its attributes and its text, in document order."""

    def __init__(self, content):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self._open = []
        self.feed(content.decode() if isinstance(content, bytes) else content)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, list(self._open))
        self.elements.append(element)
        if tag not in VOID_TAGS:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, attrs, list(self._open)))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        for element in self._open:
            element.parts.append(data)

    def find_all(self, tag, class_=None, *, within=None, **attrs):
        """Elements of `tag` with these attributes (and this class among their classes),
        inside the element `within` if given."""
        return [
            element
            for element in self.elements
            if element.tag == tag
            and (within is None or within in element.ancestors)
            and (class_ is None or class_ in element.classes)
            and all(element.attrs.get(key) == value for key, value in attrs.items())
        ]

    def find(self, tag, class_=None, **attrs):
        (element,) = self.find_all(tag, class_, **attrs)
        return element

    def texts(self, tag, class_=None, **attrs):
        return [element.text for element in self.find_all(tag, class_, **attrs)]

    def errors(self):
        """The form errors a visitor reads: {field name or None: [message, ...]}."""
        errors = {}
        for element in self.elements:
            match = re.fullmatch(r"error_\d+_id_(\w+)", element.attrs.get("id", ""))
            if match:
                errors.setdefault(match.group(1), []).append(element.text)
        for box in self.find_all("div", id="form-errors"):
            if general := self.texts("li", within=box):
                errors[None] = general
        return errors


@pytest.fixture
def page():
    """Parses a response (or HTML) into a `Page`."""

    def parse(response_or_html):
        content = getattr(response_or_html, "content", response_or_html)
        return Page(content)

    return parse


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
