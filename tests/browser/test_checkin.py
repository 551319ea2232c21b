"""Checking guests in at the gate on a phone in Chromium: a volunteer logs in from a ticket's
check-in link, lets the party in, sees the warning when the ticket comes again, cannot open
the organisers' pages, and can do it all in German and with the keyboard alone. Every page
opened is checked with axe-core; the expected German comes from the .po file itself."""

import datetime
import functools
import gettext as gettext_module
import re
import zoneinfo
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import polib
import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from playwright.sync_api import expect

from elbeday.roles import VOLUNTEERS
from registrations.models import CheckIn
from tests import factories
from tests.factories import CeremonyFactory, SeatCategoryFactory, role_group

pytestmark = pytest.mark.django_db(transaction=True)

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
PASSWORD = "Elbe-1945-gate"
PHONE_WIDTH = 390
# The smallest comfortable touch target (WCAG 2.5.5, Apple's guidelines).
TOUCH_TARGET = 44

# Everything the German ticket page says, as msgid or (msgid, plural msgid).
GERMAN_TICKET_PAGE = [
    "Log in",
    "Check-in",
    "People",
    "Seat category",
    "Ceremony",
    "Booking code",
    "Needs",
    "wheelchair space",
    "People to check in",
    ("Check in %(count)s person", "Check in the party (%(count)s)"),
    ("%(count)d person checked in.", "%(count)d people checked in."),
    "%(count)s checked in",
    "This ticket has already been checked in.",
    "First checked in at %(time)s on %(date)s by %(who)s.",
    "Find another guest",
]


@functools.cache
def _german_catalogue():
    po = polib.pofile(str(PO_FILE))
    return po, {entry.msgid: entry for entry in po if not entry.obsolete}


def _german_entry(msgid):
    """The catalogue's entry for `msgid`, or why there is no usable one."""
    entry = _german_catalogue()[1].get(msgid)
    if entry is None:
        return None, f"not in the German catalogue: {msgid!r}"
    if not entry.translated() or entry.fuzzy:
        return None, f"no German for {msgid!r}"
    return entry, None


def de(msgid):
    """The German of one of the project's messages, as its translators wrote it."""
    entry, problem = _german_entry(msgid)
    assert entry is not None, problem
    return entry.msgstr


def de_plural(msgid, plural, n):
    """The German of a message with a plural, in the form for `n`."""
    entry, problem = _german_entry(msgid)
    assert entry is not None, problem
    assert entry.msgid_plural == plural, f"{msgid!r} has another plural: {entry.msgid_plural!r}"
    rule = re.search(r"plural\s*=\s*([^;]+)", _german_catalogue()[0].metadata["Plural-Forms"])
    return entry.msgstr_plural[gettext_module.c2py(rule.group(1))(n)]


def django_de(message):
    """The German of one of Django's own messages (the login form's labels)."""
    with translation.override("de"):
        return gettext(message)


@pytest.fixture
def volunteer(django_user_model):
    """A check-in volunteer, not staff."""
    user = django_user_model.objects.create_user("volunteer", password=PASSWORD)
    user.groups.add(role_group(VOLUNTEERS))
    assert not user.is_staff and user.has_perm("registrations.checkin_registration")
    return user


@pytest.fixture
def category():
    """The only seat category of a published ceremony taking place now, today in Berlin."""
    now = timezone.now()
    midnight = now.astimezone(BERLIN).replace(hour=0, minute=0, second=0, microsecond=0)
    ceremony = CeremonyFactory(
        title_en="Wreath-laying at the Elbe",
        title_de="Kranzniederlegung an der Elbe",
        time_zone="Europe/Berlin",
        start=max(now - datetime.timedelta(minutes=30), midnight),
        end=now + datetime.timedelta(hours=3),
        registration_opens=now - datetime.timedelta(days=7),
        registration_closes=None,
    )
    return SeatCategoryFactory(
        ceremony=ceremony, name_en="Guests of honour", name_de="Ehrengäste", capacity=20
    )


def register(category, *, name, email, party_size, **needs):
    registration = factories.register(
        category=category,
        name=name,
        email=email,
        party_size=party_size,
        language="en",
        **needs,
    ).registration
    assert registration.status == "confirmed"
    return registration


@pytest.fixture
def registration(category):
    return register(
        category,
        name="Anna Schmidt",
        email="anna@example.org",
        party_size=3,
        needs_wheelchair_space=True,
    )


def checkin_url(base_url, registration, language="en"):
    with translation.override(language):
        return base_url + registration.get_checkin_url()


def detail(page, term):
    """The value beside `term` in the ticket's list of details."""
    return page.locator("main dl > dt", has_text=re.compile(rf"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def log_in_from(page, url, check, *, heading="Log in", username="Username", password="Password"):
    """Open `url` logged out: the login page comes first (checked with `check`), then `url`
    again once logged in."""
    page.goto(url)
    language = urlsplit(url).path.split("/")[1]
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    assert parse_qs(urlsplit(page.url).query)["next"] == [urlsplit(url).path]
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check(page)
    page.get_by_label(username).fill("volunteer")
    page.get_by_label(password).fill(PASSWORD)
    page.get_by_role("button", name=heading, exact=True).click()
    expect(page).to_have_url(url)


def assert_fits_the_phone(page, button):
    """No horizontal scrolling, and the button is whole on screen and big enough to tap."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport(ratio=1)
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box
    assert box["height"] >= TOUCH_TARGET, box


def first_checked_in(checkin, language):
    """When the ticket was first used, as the page writes it (the venue's local time)."""
    at = checkin.at.astimezone(BERLIN)
    with translation.override(language):
        return {
            "time": time_format(at, "TIME_FORMAT"),
            "date": date_format(at, "SHORT_DATE_FORMAT"),
            "who": "volunteer",
        }


def test_volunteer_checks_in_a_party_on_a_phone(
    live_server, phone_page, network, assert_accessible, volunteer, registration
):
    page = phone_page
    url = checkin_url(live_server.url, registration)

    log_in_from(page, url, assert_accessible)

    expect(page.get_by_role("heading", level=1)).to_have_text("Anna Schmidt")
    expect(detail(page, "People")).to_have_text("3")
    expect(detail(page, "Seat category")).to_have_text("Guests of honour")
    expect(detail(page, "Needs")).to_have_text("wheelchair space")
    expect(detail(page, "Booking code")).to_have_text(registration.booking_code_display)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("People to check in")).to_have_value("3")
    buttons = page.get_by_role("main").get_by_role("button")
    expect(buttons).to_have_count(1)
    button = page.get_by_role("button", name="Check in the party (3)", exact=True)
    assert_fits_the_phone(page, button)
    assert_accessible(page)
    button.tap()

    expect(page).to_have_url(f"{url}?done=1")
    expect(page.get_by_role("status")).to_have_text("3 people checked in.")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.checked_in == 3
    [checkin] = CheckIn.objects.filter(registration=registration)
    assert (checkin.people, checkin.by) == (3, volunteer)

    # The same ticket shown a second time: the volunteer is told it has been used.
    page.goto(url)
    warning = page.get_by_role("alert")
    expect(warning).to_have_text(
        "This ticket has already been checked in. "
        "First checked in at {time} on {date} by {who}.".format(**first_checked_in(checkin, "en"))
    )
    expect(warning).to_contain_text("volunteer")
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    assert_accessible(page)

    # The organisers' pages are closed to volunteers, with a page that says so.
    export_url = f"{live_server.url}/en/staff/ceremonies/{registration.ceremony.slug}/export/"
    response = page.goto(export_url)
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    assert_accessible(page)
    dashboard_url = f"{live_server.url}/en/staff/"
    response = page.goto(dashboard_url)
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")

    assert CheckIn.objects.count() == 1
    assert network.requests
    assert network.elsewhere(live_server.url) == []
    assert network.failed == []
    assert network.errors == [f"{export_url} (403)", f"{dashboard_url} (403)"]


def test_checkin_page_in_german(
    live_server, phone_page, network, assert_accessible, volunteer, registration
):
    missing = [
        problem
        for message in GERMAN_TICKET_PAGE
        for entry, problem in [_german_entry(message if isinstance(message, str) else message[0])]
        if entry is None
    ]
    assert missing == [], "the German catalogue lacks the check-in page's texts"

    page = phone_page
    url = checkin_url(live_server.url, registration, "de")
    assert urlsplit(url).path.startswith("/de/checkin/")
    log_in_from(
        page,
        url,
        assert_accessible,
        heading=de("Log in"),
        # The form names the field after the user model's field (lower case).
        username=capfirst(django_de("username")),
        password=django_de("Password"),
    )

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_title(re.compile(rf"^{re.escape(de('Check-in'))}: "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anna Schmidt")
    expect(detail(page, de("People"))).to_have_text("3")
    expect(detail(page, de("Seat category"))).to_have_text("Ehrengäste")
    expect(detail(page, de("Ceremony"))).to_have_text("Kranzniederlegung an der Elbe")
    expect(detail(page, de("Needs"))).to_have_text(de("wheelchair space"))
    expect(page.get_by_label(de("People to check in"))).to_have_value("3")
    button = page.get_by_role(
        "button",
        name=de_plural("Check in %(count)s person", "Check in the party (%(count)s)", 3)
        % {"count": 3},
        exact=True,
    )
    assert_fits_the_phone(page, button)
    expect(page.get_by_role("link", name=de("Find another guest"))).to_be_visible()
    assert_accessible(page)
    button.tap()

    expect(page.get_by_role("status")).to_have_text(
        de_plural("%(count)d person checked in.", "%(count)d people checked in.", 3) % {"count": 3}
    )
    expect(detail(page, de("People"))).to_have_text(
        "3 " + de("%(count)s checked in") % {"count": 3}
    )
    assert_accessible(page)

    page.goto(url)
    [checkin] = CheckIn.objects.filter(registration=registration)
    expect(page.get_by_role("alert")).to_have_text(
        de("This ticket has already been checked in.")
        + " "
        + de("First checked in at %(time)s on %(date)s by %(who)s.")
        % first_checked_in(checkin, "de")
    )
    assert_accessible(page)
    network.assert_only_from(live_server.url)


def test_checkin_with_the_keyboard_alone(
    live_server, phone_page, network, assert_accessible, volunteer, registration, category
):
    other = register(category, name="Boris Iwanow", email="boris@example.org", party_size=2)
    page = phone_page
    url = checkin_url(live_server.url, other)
    log_in_from(page, url, assert_accessible)
    expect(page.get_by_role("heading", level=1)).to_have_text("Boris Iwanow")
    assert_accessible(page)

    button = page.get_by_role("button", name="Check in the party (2)", exact=True)
    for _press in range(30):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{url}?done=1")
    expect(page.get_by_role("status")).to_have_text("2 people checked in.")
    assert_accessible(page)
    other.refresh_from_db()
    registration.refresh_from_db()
    assert (other.checked_in, registration.checked_in) == (2, 0)
    assert list(CheckIn.objects.values_list("registration", "people", "by")) == [
        (other.pk, 2, volunteer.pk)
    ]
    network.assert_only_from(live_server.url)
