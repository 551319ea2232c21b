"""Fuzzing: generated requests against every URL of the project, anonymous and signed in;
any server error (5xx, or an exception out of the view) fails, with the request shown.

Each URL pattern, walked from the resolver so that new ones are covered without a change
here, is one test, and each Hypothesis example sends one or two requests to it:

- the path filled with real values (slugs, signed tokens of registrations in every state,
  primary keys and history ids for the admin, archive years) or generated ones, which may
  or may not match the pattern;
- GET, HEAD, an odd method, or POST: either a form of the page itself, read from its
  HTML and sent back as a browser would (CSRF token and all) with some fields changed to
  generated values and files, or a generated body in an odd content type and charset;
- odd query strings (the keys the pages and the admin's filters read) and headers
  (Accept-Language, Referer, cookies; the Host stays one the site serves);
- as a visitor, a check-in volunteer, an editor, an organiser or a superuser.

Examples are reproducible (derandomized) and bounded (FUZZ_EXAMPLES per pattern); each
runs in a savepoint rolled back afterwards, with empty caches, so one example's
registrations, sessions and rate limits do not leak into the next. The module prints how
many requests it sent and how many 5xx it saw ("fuzz on sqlite: N requests, 0 5xx").

Not generated here, because Django fails on them before any of our code runs (while it
builds the request) and the test client cannot show the fix: a charset that is no text
encoding (base64) together with a query string, and RFC 2231 parameters in the
Content-Type (charset*=). tests/test_fuzz_findings.py holds those.
"""

import dataclasses
import datetime
import json
import os
import re
import time
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.client import encode_multipart
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import regex_helper, timezone, translation
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from elbeday.models import Page
from registrations import gate as gate_devices
from registrations import services
from tests.factories import (
    CeremonyFactory,
    HistoryNoteFactory,
    MemorialSiteFactory,
    PhotoFactory,
    ProgrammeItemFactory,
    RegistrationFactory,
    SeatCategoryFactory,
    SiteDateFactory,
    SourceFactory,
    UserFactory,
)
from tests.images import image_bytes, svg_bytes, truncated_jpeg

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# Where the forms are, more examples: a form's bug needs the right role, a real object and
# the right field changed at once.
FORM_EXAMPLES = 3 * EXAMPLES
FORM_ROUTES = re.compile(
    r"registrations:(register|manage|change_party|cancel|erase)|checkin:(home|ticket)"
    r"|staff:(export|message)|login|admin:(login|password_change"
    r"|(auth|elbeday|memorials|events|registrations)_.*_(add|change|changelist))"
)
FUZZED = Counter()  # "requests", "5xx"
# Weighted by repetition, and the richest first: Hypothesis draws the first of a list more
# often than the others. The admin and the organisers' pages hold most of the forms.
ROLES = ["superuser", "organiser", "editor", "visitor", "volunteer", "organiser", "superuser"]
METHODS = ["POST form", "GET", "POST raw", "GET", "POST form", "HEAD", "POST form", "GET"]
METHODS += ["POST form", "POST raw", "other"]
HOSTS = ["testserver", "testserver:80", "TestServer"]
# A CSRF secret the client holds as its cookie and sends back as the token, as a browser
# with the site's cookie does; a form read from a page brings its own (masked) token.
CSRF_SECRET = "Fuzzfuzzfuzzfuzzfuzzfuzzfuzz1945"


# The URL patterns ------------------------------------------------------------------------

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    regex: str


@dataclasses.dataclass(frozen=True)
class Regex:
    """A level written as a regular expression (re_path): its pieces to fill in."""

    regex: str
    template: str
    names: tuple


@dataclasses.dataclass(frozen=True)
class Route:
    parts: tuple  # "lang", literal strings, Param and Regex
    name: str = ""

    def __str__(self):
        return "".join(map(_label, self.parts))

    @property
    def admin_model(self):
        """The model of an admin URL (admin/events/ceremony/...), if any."""
        text = "".join(part for part in self.parts if isinstance(part, str))
        for model in admin.site._registry:
            if f"admin/{model._meta.app_label}/{model._meta.model_name}/" in text:
                return model
        return None


def _label(part):
    if part == "lang":
        return "<lang>/"
    if isinstance(part, Param):
        return f"<{part.name}>"
    if isinstance(part, Regex):
        return part.template
    return part


def _route_parts(pattern):
    route, parts, position = str(pattern), [], 0
    for match in _PARAMETER.finditer(route):
        parts.append(route[position : match.start()])
        parts.append(Param(match["name"], pattern.converters[match["name"]].regex))
        position = match.end()
    parts.append(route[position:])
    return [part for part in parts if part != ""]


def _walk(patterns, parts=(), namespace=""):
    for entry in patterns:
        pattern = entry.pattern
        if isinstance(pattern, LocalePrefixPattern):
            here = (*parts, "lang")
        elif isinstance(pattern, RoutePattern):
            here = (*parts, *_route_parts(pattern))
        else:
            regex = pattern.regex.pattern
            [(template, names)] = regex_helper.normalize(regex)[:1]
            here = (*parts, Regex(regex, template, tuple(names)))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, here, inner)
        else:
            yield Route(here, f"{namespace}{entry.name or ''}")


ROUTES = list(dict.fromkeys(_walk(get_resolver().url_patterns)))


# What the requests are made of -----------------------------------------------------------

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "3",
    "2147483648",
    "9223372036854775808",
    "9" * 30,
    "1e309",
    "NaN",
    "-0",
    "1.5",
    "1,5",
    "٣",
    "²",
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2025-02-30",
    "31.12.9999",
    "00:00",
    "23:59",
    "24:00",
    "0001-01-01 00:00",
    "9999-12-31 23:59:59",
    "Europe/Berlin",
    "Pacific/Kiritimati",
    "Mars/Olympus",
    "@",
    "a@b",
    "guest@example.org",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "a\x00b",
    "%00",
    "\u202e",
    "😀",
    "Ω" * 400,
    "x" * 10_001,
    "\r\n",
    "null",
    "[]",
    "../../etc/passwd",
    "Müßig",
    "Сильвашко",
    "DE",
    "ZZ",
    "de",
    "xx",
    "on",
    "yes",
    "category-1",
    "category-x",
    "12",
    "31",
    "9999",
    "10000",
]
# Path pieces kept as they are: broken escapes and dots.
RAW_PIECES = ["%FF", "%C3%28", "%00", "..", "%2e%2e", "a%2Fb", "%", ";x=1"]
QUERY_KEYS = [
    "page",
    "country",
    "kind",
    "q",
    "new",
    "done",
    "which",
    "columns",
    "file_format",
    "next",
    "language",
    "o",
    "p",
    "e",
    "all",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "app_label",
    "model_name",
    "field_name",
    "term",
]
for _model, _model_admin in admin.site._registry.items():
    if _model_admin.date_hierarchy:
        QUERY_KEYS += [
            f"{_model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")
        ]
    for _filter in _model_admin.list_filter:
        if isinstance(_filter, str):
            QUERY_KEYS += [f"{_filter}__exact", f"{_filter}__id__exact", f"{_filter}__isnull"]
        elif isinstance(_filter, type):
            QUERY_KEYS.append(getattr(_filter, "parameter_name", "") or "x")
QUERY_KEYS = sorted(set(QUERY_KEYS))
# What the admin's autocomplete asks for: the model and field it completes.
AUTOCOMPLETE = sorted(
    (model._meta.app_label, model._meta.model_name, field)
    for model, model_admin in admin.site._registry.items()
    for field in model_admin.autocomplete_fields
)

ACCEPT_LANGUAGES = ["", "de", "ru-RU,ru;q=0.9", "en;q=abc", "*", "zz-ZZ", "de-DE;q=0.5,ru;q=1"]
CHARSETS = ["", "utf-8", "UTF8", "utf-7", "utf-16", "utf-32", "latin-1", "cp037", "nonsense"]
CONTENT_TYPES = [
    *(
        f"application/x-www-form-urlencoded; charset={charset}"
        if charset
        else "application/x-www-form-urlencoded"
        for charset in CHARSETS
    ),
    "multipart/form-data",
    "multipart/form-data; boundary=",
    'multipart/form-data; boundary="BOUNDARY"',
    "multipart/form-data; boundary=BOUNDARY",
    "multipart/form-data; boundary=BOUNDARY; charset=utf-16",
    "multipart/form-data; boundary=BOUNDARY; charset=latin-1",
    "multipart/form-data; boundary=" + "x" * 80,
    "multipart/mixed; boundary=BOUNDARY",
    "text/plain",
    "text/plain; charset=utf-32",
    "application/json",
    "",
    "garbage",
    ";;;",
    "a/b; c",
]
FILE_NAMES = ["photo.jpg", "x.png", "a.webp", "", "a" * 300 + ".jpg", "../../evil.jpg", "ü.jpg"]

latin1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"))
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(-(2**70), 2**70).map(str),
    st.dates().map(str),
)


@st.composite
def uploads(draw):
    kinds = ["jpeg", "jpeg", "png", "webp", "svg", "truncated", "bytes", "empty"]
    content = draw(st.sampled_from(kinds))
    data = {
        "jpeg": lambda: image_bytes(size=(48, 32)),
        "png": lambda: image_bytes(fmt="PNG", size=(40, 30)),
        "webp": lambda: image_bytes(fmt="WEBP", size=(40, 30)),
        "svg": svg_bytes,
        "truncated": lambda: truncated_jpeg(size=(48, 32)),
        "bytes": lambda: draw(st.binary(max_size=200)),
        "empty": lambda: b"",
    }[content]()
    name = draw(st.sampled_from(FILE_NAMES))
    return SimpleUploadedFile(name or "blank", data, draw(st.sampled_from(["image/jpeg", ""])))


# The world the requests meet -------------------------------------------------------------


@dataclasses.dataclass(repr=False)
class World:
    slugs: list
    tokens: list
    years: list
    emails: list
    gate_token: str = ""
    gate_registrations: list = ()
    media_root: object = None

    def __repr__(self):
        return "World(...)"


def _build_world():
    """Content in every state a page can show: sites with a photo and dates, the pages,
    an open ceremony with its categories (one by invitation) and registrations in every
    state, today's ceremony at the gate with a party partly in, past, cancelled and draft
    ceremonies."""
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    gatekeeper = UserFactory(username="gatekeeper")
    site = MemorialSiteFactory()
    PhotoFactory(site=site)
    SiteDateFactory(site=site)
    site.sources.set([SourceFactory()])
    MemorialSiteFactory(is_published=False)
    HistoryNoteFactory().sources.set([SourceFactory()])
    for slug in ("privacy", "imprint"):
        Page.objects.create(slug=slug, title=slug.title(), body="First.\n\nSecond.")

    upcoming = CeremonyFactory(venue_site=site)
    upcoming.sources.set([SourceFactory()])
    ProgrammeItemFactory(ceremony=upcoming, languages="de,en")
    public = SeatCategoryFactory(ceremony=upcoming, capacity=3, max_party_size=2)
    SeatCategoryFactory(ceremony=upcoming, name_en="Guests", invitation_code="ELBE1945")
    confirmed = RegistrationFactory(category=public, party_size=2, guest_names="Anna")
    waiting = RegistrationFactory(category=public, party_size=2)
    cancelled = RegistrationFactory(category=public)
    services.registration_cancel(registration=cancelled)
    erased = RegistrationFactory(category=public)
    services.registration_erase(registration=erased)

    today = CeremonyFactory(
        start=now - hour,
        end=now + hour,
        registration_opens=now - 10 * hour,
        registration_closes=now - 2 * hour,
    )
    gate = SeatCategoryFactory(ceremony=today, capacity=10, max_party_size=4)
    arrived = RegistrationFactory(category=gate, party_size=3, now=now - 3 * hour)
    services.checkin_record(registration=arrived, people=1, by=gatekeeper)
    expected = RegistrationFactory(category=gate, party_size=1, now=now - 3 * hour)
    # A phone at the gate, whose token the requests sometimes carry (see _draw_headers).
    _phone, gate_token = gate_devices.gate_device_create(
        user=UserFactory(username="phone", groups=["Check-in volunteers"]), label="North", now=now
    )

    past = [
        CeremonyFactory(
            start=datetime.datetime(year, 4, 25, 8, tzinfo=datetime.UTC),
            end=datetime.datetime(year, 4, 25, 10, tzinfo=datetime.UTC),
            registration_opens=None,
            registration_closes=None,
        )
        for year in (1995, 2020, 2024)
    ]
    CeremonyFactory(status="cancelled", status_note_en="Flooding.")
    CeremonyFactory(status="draft")

    registrations = [confirmed, waiting, cancelled, erased, arrived, expected]
    tokens = [r.manage_token for r in registrations] + [r.ticket_token for r in registrations]
    tokens.append(confirmed.manage_token[:-1] + ("A" if confirmed.manage_token[-1] != "A" else "B"))
    return World(
        slugs=[site.slug, upcoming.slug, today.slug, past[0].slug, "privacy", "imprint"],
        tokens=tokens,
        years=[str(ceremony.year) for ceremony in past],
        emails=[confirmed.email, waiting.email],
        gate_token=gate_token,
        gate_registrations=[r.pk for r in registrations],
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, made once for the module's tests inside a transaction rolled back after
    the last one (as tests/conftest.py's `demo`); each test runs in a savepoint in it."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        throwaway = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        media_root = tmp_path_factory.mktemp("fuzz-media")
        with (
            django_db_blocker.unblock(),
            override_settings(
                MEDIA_ROOT=media_root,
                CACHES={"default": throwaway, "ratelimit": throwaway},
            ),
        ):
            built = _build_world()
        built.media_root = media_root
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """Prints how many requests were fuzzed and how many 5xx were seen (a failing example
    counts twice: Hypothesis runs it again to report it)."""
    FUZZED.clear()
    started = time.monotonic()
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = (
        f"fuzz on {connection.vendor}: {FUZZED['requests']} requests fuzzed, "
        f"{FUZZED['5xx']} 5xx seen, "
        f"in {time.monotonic() - started:.0f} s "
        f"({EXAMPLES} examples per URL pattern, {FORM_EXAMPLES} where the forms are; "
        f"{len(ROUTES)} patterns)"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)


# Sending and checking --------------------------------------------------------------------


class ServerError(AssertionError):
    pass


def _describe(method, url, role, headers, content_type=None, body=None):
    lines = [f"{method} {url} as {role}"]
    lines += [f"  {name}: {value!r}" for name, value in headers.items()]
    if content_type is not None:
        lines.append(f"  Content-Type: {content_type!r}")
    if body is not None:
        text = repr(body)
        lines.append(f"  body: {text[:2000]}{' ...' if len(text) > 2000 else ''}")
    return "\n".join(lines)


def send(client, role, method, url, headers, *, data=None, content_type=None):
    """One request through the test client; a 5xx or an exception fails the example."""
    FUZZED["requests"] += 1
    description = _describe(method, url, role, headers, content_type, data)
    try:
        if method == "POST" and isinstance(data, dict):
            response = client.post(url, data, **headers)
        elif data is None:
            response = client.generic(method, url, **headers)
        else:
            response = client.generic(method, url, data, content_type=content_type, **headers)
    except Exception as error:
        FUZZED["5xx"] += 1
        raise ServerError(f"{description}\nraised {error!r}") from error
    if response.status_code >= 500:
        FUZZED["5xx"] += 1
        raise ServerError(f"{description}\nanswered {response.status_code}")
    return response


class Forms(HTMLParser):
    """The forms of a page as a browser sees them: fields with their values, options and
    kinds (inline formsets' empty templates, named __prefix__, left out)."""

    def __init__(self, content):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None
        self.feed(content)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = {
                "method": attrs.get("method", "get").lower(),
                "action": attrs.get("action", ""),
                "fields": [],
                "submits": [],
            }
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select["value"] = attrs.get("value", "")
            return
        name = attrs.get("name", "")
        if self._form is None or not name or "__prefix__" in name:
            return
        kind = attrs.get("type", "text").lower()
        if tag == "button":
            if attrs.get("type", "submit").lower() == "submit":
                self._form["submits"].append((name, attrs.get("value", "")))
        elif tag == "input" and kind in ("submit", "image"):
            self._form["submits"].append((name, attrs.get("value", "")))
        elif tag == "input" and kind in ("checkbox", "radio"):
            checked = "checked" in attrs
            self._form["fields"].append(
                {"name": name, "kind": kind, "value": attrs.get("value", "on"), "on": checked}
            )
        elif tag == "input" and kind not in ("reset",):
            self._form["fields"].append(
                {"name": name, "kind": kind, "value": attrs.get("value", "")}
            )
        elif tag == "select":
            self._select = {
                "name": name,
                "kind": "select",
                "options": [],
                "value": None,
                "multiple": "multiple" in attrs,
            }
            self._form["fields"].append(self._select)
        elif tag == "textarea":
            self._textarea = {"name": name, "kind": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if self._select["value"] is None and self._select["options"]:
                self._select["value"] = self._select["options"][0]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data.removeprefix("\n")


# Drawing one example ---------------------------------------------------------------------


def _real_values(route, part_name, world):
    """Values of the site for a path parameter, by its name."""
    model = route.admin_model
    if part_name == "slug":
        return world.slugs
    if part_name == "token":
        return world.tokens
    if part_name == "year":
        return [*world.years, "1", "9999"]
    if part_name == "section":
        return ["pages", "memorials", "ceremonies"]
    if part_name == "content_type_id":
        return [str(pk) for pk in ContentType.objects.values_list("pk", flat=True)[:30]]
    if model is not None or part_name in ("object_id", "id"):
        model = model or ContentType
        found = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:20]]
        if part_name.startswith("_") and hasattr(model, "history"):
            history = model.history.values_list("history_id", flat=True)[:20]
            found += [str(pk) for pk in history]
        return found
    return []


def _draw_piece(data, route, name, regex, world):
    real = _real_values(route, name, world)
    choice = data.draw(
        st.sampled_from(
            ["real", "real", "real", "real", "matching", "text", "raw"]
            if real
            else ["matching", "text", "raw"]
        ),
        label=f"{name} from",
    )
    if choice == "real":
        return data.draw(st.sampled_from(real), label=name)
    if choice == "raw":
        return data.draw(st.sampled_from(RAW_PIECES), label=name)
    if choice == "matching":
        piece = data.draw(st.from_regex(regex, fullmatch=True), label=name)
    else:
        piece = data.draw(st.text(max_size=30), label=name)
    return quote(piece, safe="")


def _draw_path(data, route, world):
    pieces = []
    for part in route.parts:
        if part == "lang":
            pieces.append(
                data.draw(st.sampled_from(["en/", "de/", "ru/", "en/", "xx/"]), label="lang")
            )
        elif isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, Param):
            pieces.append(_draw_piece(data, route, part.name, part.regex, world))
        elif any(_real_values(route, name, world) for name in part.names) and data.draw(
            st.booleans(), label="fill the regex"
        ):
            fill = {name: _draw_piece(data, route, name, "[^/]+", world) for name in part.names}
            pieces.append(part.template % fill)
        else:
            core = part.regex.removeprefix("^").removesuffix("$")
            piece = data.draw(st.from_regex(core, fullmatch=True), label=part.template)
            pieces.append(quote(piece, safe="/"))
    return "/" + "".join(pieces)


def _draw_query(data):
    kind = data.draw(
        st.sampled_from(["none", "pairs", "none", "pairs", "raw", "none", "pairs", "autocomplete"]),
        label="query",
    )
    if kind == "none":
        return ""
    if kind == "autocomplete" and AUTOCOMPLETE:
        app_label, model_name, field_name = data.draw(st.sampled_from(AUTOCOMPLETE))
        return urlencode(
            {
                "app_label": app_label,
                "model_name": model_name,
                "field_name": field_name,
                "term": data.draw(values, label="term"),
                "page": data.draw(st.sampled_from(["1", "2", "0", "x"]), label="page"),
            }
        )
    if kind == "raw":
        return data.draw(st.text(st.sampled_from("ab1=&%;+?/#xF0"), max_size=20), label="raw query")
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(QUERY_KEYS) | st.text(max_size=8), values), max_size=4),
        label="query pairs",
    )
    return urlencode(pairs)


def _draw_headers(data, world):
    headers = {"HTTP_HOST": data.draw(st.sampled_from(HOSTS), label="host")}
    optional = {
        "HTTP_AUTHORIZATION": st.sampled_from(
            [f"Bearer {world.gate_token}", f"Bearer {world.gate_token}", "Bearer x", "Basic x"]
        ),
        "HTTP_ACCEPT_LANGUAGE": st.sampled_from(ACCEPT_LANGUAGES) | latin1,
        "HTTP_ACCEPT": st.sampled_from(["*/*", "text/html", "application/json", "a/b;q=x"]),
        "HTTP_REFERER": st.sampled_from(["https://evil.example/", "http://testserver/"]) | latin1,
        "HTTP_USER_AGENT": latin1,
        "HTTP_X_FORWARDED_FOR": st.sampled_from(["10.0.0.1", "::1", "x", "1.2.3.4, 5.6.7.8"]),
        "HTTP_IF_MODIFIED_SINCE": st.sampled_from(["Sat, 29 Oct 1994 19:43:31 GMT", "x"]),
        "HTTP_ORIGIN": st.sampled_from(["http://testserver", "null", "https://evil.example"]),
    }
    chosen = data.draw(st.sets(st.sampled_from(sorted(optional)), max_size=3), label="headers")
    for name in sorted(chosen):
        headers[name] = data.draw(optional[name], label=name)
    return headers


def _client(data, role, users):
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    if role != "visitor":
        client.force_login(users[role])
    if data.draw(st.integers(0, 7), label="odd cookie") == 0:
        name = data.draw(st.sampled_from(["sessionid", "csrftoken", "messages", "x"]))
        client.cookies[name] = data.draw(
            st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)
        )
    return client


def _chosen(data, field, as_served):
    """A field's values as served, or as a user might choose them: any option of a
    select, boxes ticked or not; text as served."""
    kind, name = field["kind"], field["name"]
    if kind in ("checkbox", "radio"):
        on = field["on"] if as_served else data.draw(st.booleans(), label=f"tick {name}")
        return [field["value"]] if on else []
    if kind == "select" and not as_served and field["options"]:
        options = st.sampled_from(field["options"])
        if field["multiple"]:
            return data.draw(st.lists(options, max_size=2, unique=True), label=name)
        return [data.draw(options, label=name)]
    return [field["value"]] if field["value"] is not None else []


def _fill_form(data, form, world):
    """The form's fields as served, or as a user might fill them in (so that many forms
    arrive valid and reach what lies behind them), then, at a rate drawn for the example,
    some changed to generated values or left out; files for half of the file inputs."""
    post = {}
    as_served = data.draw(st.sampled_from([False, True, False]), label="as served")
    rate = data.draw(st.sampled_from([0, 1, 2, 5, 10, 0]), label="changes in 20")
    for field in form["fields"]:
        name, kind = field["name"], field["kind"]
        if kind == "file":
            if not data.draw(st.booleans(), label=f"no file for {name}"):
                post.setdefault(name, []).append(data.draw(uploads(), label=name))
            continue
        chosen = _chosen(data, field, as_served)
        # A wrong CSRF token is refused before any field is read: see _client.
        if name != "csrfmiddlewaretoken" and data.draw(st.integers(0, 19), label=name) < rate:
            if data.draw(st.integers(0, 3), label=f"leave out {name}") == 0:
                continue
            generated = values | st.sampled_from(world.emails)
            chosen = [data.draw(generated, label=name)]
        if chosen:
            post.setdefault(name, []).extend(chosen)
    if form["submits"]:
        submit_name, submit_value = data.draw(st.sampled_from(form["submits"]), label="submit")
        post.setdefault(submit_name, []).append(submit_value)
    return post


def _send_form(data, client, role, page_url, response, headers, world):
    """Send one of the page's forms back, changed; False when the page has none."""
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return False
    forms = [form for form in Forms(response.content.decode()).forms if form["fields"]]
    if not forms:
        return False
    # Mostly the page's main form (the one with the most fields), not the logout button.
    forms.sort(key=lambda form: -len(form["fields"]))
    form = forms[0] if data.draw(st.integers(0, 3), label="another form") < 3 else None
    form = form or data.draw(st.sampled_from(forms), label="form")
    post = _fill_form(data, form, world)
    action = urlsplit(urljoin(page_url, form["action"]))
    path = action.path + (f"?{action.query}" if action.query else "")
    if form["method"] != "post":
        simple = [(name, value) for name, items in post.items() for value in items]
        query = urlencode([(name, v) for name, v in simple if isinstance(v, str)])
        send(client, role, "GET", f"{action.path}?{query}", headers)
        return True
    if data.draw(st.integers(0, 3), label="urlencoded, without files") == 0:
        simple = [(n, v) for n, items in post.items() for v in items if isinstance(v, str)]
        send(
            client,
            role,
            "POST",
            path,
            headers,
            data=urlencode(simple).encode(),
            content_type="application/x-www-form-urlencoded",
        )
    else:
        send(client, role, "POST", path, headers, data=post)
    return True


def _raw_body(data, world):
    """A generated body in a generated content type: mostly fields with a valid token,
    sometimes check-ins as a phone at the gate sends them."""
    content_type = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
    if data.draw(st.integers(0, 3), label="check-ins") == 0:
        item = st.fixed_dictionaries(
            {
                "id": st.uuids().map(str) | values,
                "registration": st.sampled_from(world.gate_registrations) | st.integers(),
                "people": st.integers(-2, 40000),
                "at": st.datetimes(timezones=st.just(datetime.UTC)).map(str) | values,
                "offline": st.booleans(),
            }
        )
        checkins = data.draw(st.lists(item | values, max_size=4), label="check-ins")
        return "application/json", json.dumps({"checkins": checkins}).encode()
    fields = data.draw(
        st.dictionaries(st.sampled_from(QUERY_KEYS) | st.text(max_size=10), values, max_size=5),
        label="fields",
    )
    fields["csrfmiddlewaretoken"] = CSRF_SECRET
    kind = data.draw(st.sampled_from(["urlencoded", "multipart", "bytes"]), label="body")
    if kind == "urlencoded":
        body = urlencode(fields).encode()
    elif kind == "multipart":
        body = encode_multipart("BOUNDARY", fields)
    else:
        body = data.draw(st.binary(max_size=300), label="bytes")
    return content_type, body


def fuzz_once(data, route, users, world):
    role = data.draw(st.sampled_from(ROLES), label="role")
    client = _client(data, role, users)
    path = _draw_path(data, route, world)
    query = _draw_query(data)
    url = f"{path}?{query}" if query else path
    headers = _draw_headers(data, world)
    method = data.draw(st.sampled_from(METHODS), label="method")
    if method in ("GET", "HEAD"):
        send(client, role, method, url, headers)
    elif method == "other":
        odd = data.draw(st.sampled_from(["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"]))
        send(client, role, odd, url, headers)
    elif method == "POST form":
        response = send(client, role, "GET", url, headers)
        if not _send_form(data, client, role, f"http://testserver{url}", response, headers, world):
            send(client, role, "POST", url, headers, data={"csrfmiddlewaretoken": CSRF_SECRET})
    else:
        content_type, body = _raw_body(data, world)
        send(client, role, "POST", url, headers, data=body, content_type=content_type)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_server_error(route, world, volunteer, editor, organiser, superuser, settings):
    settings.MEDIA_ROOT = world.media_root  # where the world's photo is
    users = {
        "volunteer": volunteer,
        "editor": editor,
        "organiser": organiser,
        "superuser": superuser,
    }

    @hypothesis_settings(
        max_examples=FORM_EXAMPLES if FORM_ROUTES.fullmatch(route.name) else EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        # The failure shows the request that caused it; shrinking it would take minutes.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def fuzz(data):
        translation.activate("en")
        for alias in django_settings.CACHES:
            caches[alias].clear()
        with transaction.atomic():
            fuzz_once(data, route, users, world)
            transaction.set_rollback(True)

    fuzz()


def test_every_url_pattern_is_fuzzed():
    """The walk finds the patterns of every app (and the admin's), so none is missed."""
    names = {str(route) for route in ROUTES}

    assert {
        "<lang>/ceremonies/archive/<year>/",
        "<lang>/ceremonies/<slug>/register/",
        "<lang>/registrations/<token>/party/",
        "<lang>/checkin/<token>/",
        "<lang>/staff/ceremonies/<slug>/message/",
        "<lang>/accounts/login/",
        "<lang>/admin/events/ceremony/<object_id>/change/",
        "<lang>/admin/registrations/registration/<object_id>/change/",
    } <= names
