"""The German and Russian catalogues: complete, compiled, and actually used.

`make messages` (makemessages) updates the .po files; `compilemessages` turns them into the
.mo files Django reads, which are committed. These tests fail when a catalogue has gaps, when
a .mo was not rebuilt after its .po changed, or when Django does not serve the translation.
"""

import gettext as gettext_module
import json
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
# A few pairs checked by hand, so a catalogue that is complete but wrong still fails.
KNOWN = {
    "de": {"Memorial sites": "Gedenkorte", "Map": "Karte", "Elbe Day": "Elbe Day"},
    "ru": {"Memorial sites": "Памятные места", "Map": "Карта", "Elbe Day": "Elbe Day"},
}
# Header fields Django reads from the .mo (msgfmt drops others, such as POT-Creation-Date).
RUNTIME_HEADERS = ("Language", "Content-Type", "Plural-Forms")
# %(name)s and {name} placeholders, and HTML tags, must survive translation unchanged.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]*>")
PLURAL_SAMPLES = (0, 1, 2, 3, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 1000)


def _po_id(path):
    return str(path.relative_to(LOCALE_DIR))


def _language(po_path):
    return po_path.relative_to(LOCALE_DIR).parts[0]


def _label(entry):
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def _placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def _nplurals_and_rule(po):
    plural_forms = po.metadata.get("Plural-Forms", "")
    nplurals = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    rule = re.search(r"plural\s*=\s*([^;]+)", plural_forms)
    assert nplurals and rule, f"no usable Plural-Forms header: {plural_forms!r}"
    return int(nplurals.group(1)), gettext_module.c2py(rule.group(1))


def _catalogue(entries):
    """(context, msgid, plural msgid, translation) of every translated entry."""
    result = set()
    for entry in entries:
        if entry.msgid_plural:
            text = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
        else:
            text = entry.msgstr
        result.add((entry.msgctxt or None, entry.msgid, entry.msgid_plural or None, text))
    return result


po_params = pytest.mark.parametrize("po_path", PO_FILES, ids=[_po_id(p) for p in PO_FILES])
SERVER_PO = [p for p in PO_FILES if p.name == "django.po"]
# The gate's script reads its strings from Django's JavaScriptCatalog (domain djangojs).
SCRIPT_PO = [p for p in PO_FILES if p.name == "djangojs.po"]


def test_every_site_language_has_a_catalogue():
    expected = {code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE}
    present = {_language(p) for p in PO_FILES if p.name == "django.po"}
    assert expected <= present, f"missing locale/<lang>/LC_MESSAGES/django.po for {expected}"


@po_params
def test_catalogue_is_complete(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [_label(e) for e in po.untranslated_entries()]
    fuzzy = [_label(e) for e in po.fuzzy_entries()]
    assert not untranslated and not fuzzy, (
        f"{_po_id(po_path)}: untranslated entries: {untranslated}; fuzzy entries: {fuzzy}"
    )
    assert not po.metadata_is_fuzzy, f"{_po_id(po_path)}: the header is marked fuzzy"


@po_params
def test_catalogue_header(po_path):
    po = polib.pofile(str(po_path))
    assert po.metadata.get("Language") == _language(po_path)
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")


@po_params
def test_plural_entries_have_every_form(po_path):
    po = polib.pofile(str(po_path))
    nplurals, _rule = _nplurals_and_rule(po)
    incomplete = [
        e.msgid
        for e in po
        if e.msgid_plural
        and not e.obsolete
        and sorted(int(k) for k, v in e.msgstr_plural.items() if v) != list(range(nplurals))
    ]
    assert not incomplete, f"{_po_id(po_path)}: need {nplurals} plural forms: {incomplete}"


@po_params
def test_placeholders_are_kept(po_path):
    po = polib.pofile(str(po_path))
    broken = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            expected = _placeholders(entry.msgid_plural)
            texts = entry.msgstr_plural.values()
        else:
            expected = _placeholders(entry.msgid)
            texts = [entry.msgstr]
        broken += [(entry.msgid, text) for text in texts if _placeholders(text) != expected]
    assert not broken, f"{_po_id(po_path)}: placeholders changed: {broken}"


@po_params
def test_compiled_catalogue_matches_po(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{_po_id(mo_path)} is missing: run compilemessages"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))
    expected = _catalogue(po.translated_entries())
    compiled = _catalogue(mo)
    stale = sorted({m[1] for m in expected ^ compiled})
    assert not stale, f"{_po_id(mo_path)} is out of date (run compilemessages): {stale}"
    for key in RUNTIME_HEADERS:
        assert mo.metadata.get(key) == po.metadata.get(key), f"{_po_id(mo_path)}: {key} differs"


@pytest.mark.parametrize("po_path", SERVER_PO, ids=[_po_id(p) for p in SERVER_PO])
def test_django_serves_every_translation(po_path):
    language = _language(po_path)
    po = polib.pofile(str(po_path))
    _nplurals, rule = _nplurals_and_rule(po)
    wrong = []
    with translation.override(language):
        for entry in po.translated_entries():
            if entry.msgid_plural:
                for n in PLURAL_SAMPLES:
                    expected = entry.msgstr_plural[rule(n)]
                    if entry.msgctxt:
                        got = translation.npgettext(
                            entry.msgctxt, entry.msgid, entry.msgid_plural, n
                        )
                    else:
                        got = translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    if got != expected:
                        wrong.append((entry.msgid, n, got, expected))
            else:
                if entry.msgctxt:
                    got = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    got = translation.gettext(entry.msgid)
                if got != entry.msgstr:
                    wrong.append((entry.msgid, got, entry.msgstr))
    assert not wrong, f"{language}: gettext disagrees with {_po_id(po_path)}: {wrong}"


@pytest.mark.parametrize("po_path", SCRIPT_PO, ids=[_po_id(p) for p in SCRIPT_PO])
def test_javascript_catalogue_serves_every_translation(client, po_path):
    """What the gate's script gets from /<lang>/jsi18n/: every string of djangojs.po, all
    plural forms, and the language's plural rule."""
    language = _language(po_path)
    po = polib.pofile(str(po_path))
    nplurals, _rule = _nplurals_and_rule(po)

    response = client.get(f"/{language}/jsi18n/")

    source = response.content.decode()
    match = re.search(r"const newcatalog = (\{.*?\});\n", source, re.S)
    catalog = json.loads(match.group(1))
    expected = {
        entry.msgid: (
            [entry.msgstr_plural[n] for n in range(nplurals)]
            if entry.msgid_plural
            else entry.msgstr
        )
        for entry in po.translated_entries()
    }
    assert {msgid: catalog.get(msgid) for msgid in expected} == expected
    rule = po.metadata["Plural-Forms"].split("plural=", 1)[1].rstrip(";")
    served = re.search(r"const v = (.*?);\n", source).group(1)
    assert "".join(served.split()) == "".join(rule.split())


@pytest.mark.parametrize("language", sorted(KNOWN))
def test_known_translations(language):
    with translation.override(language):
        for msgid, expected in KNOWN[language].items():
            assert translation.gettext(msgid) == expected


@pytest.mark.parametrize("language", sorted(KNOWN))
def test_template_renders_in_the_active_language(language):
    template = Template(
        "{% load i18n %}{% get_current_language as LANG %}{{ LANG }}|"
        '{% translate "Memorial sites" %}|'
        "{% blocktranslate count counter=n %}{{ counter }} site"
        "{% plural %}{{ counter }} sites{% endblocktranslate %}"
    )
    with translation.override(language):
        rendered = template.render(Context({"n": 5}))
        expected_count = translation.ngettext("%(counter)s site", "%(counter)s sites", 5) % {
            "counter": 5
        }
    assert rendered == f"{language}|{KNOWN[language]['Memorial sites']}|{expected_count}"
    assert expected_count != "5 sites"


def test_russian_plural_forms():
    with translation.override("ru"):
        forms = {
            n: translation.ngettext("%(counter)s site", "%(counter)s sites", n) % {"counter": n}
            for n in (1, 3, 5, 21, 11)
        }
    assert forms == {
        1: "1 памятное место",
        3: "3 памятных места",
        5: "5 памятных мест",
        21: "21 памятное место",
        11: "11 памятных мест",
    }


def test_english_stays_english():
    with translation.override("en"):
        assert translation.gettext("Memorial sites") == "Memorial sites"


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(KNOWN))
def test_page_is_served_in_the_language_of_its_url(client, language):
    # LocaleMiddleware leaves the request's language active; override() restores the old one.
    with translation.override(settings.LANGUAGE_CODE):
        response = client.get(f"/{language}/memorials/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{KNOWN[language]['Memorial sites']}</h1>" in html
