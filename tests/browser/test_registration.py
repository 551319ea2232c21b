"""Registering for a ceremony in Chromium, in German: the form, the confirmation page, the
email's link to the booking, cancelling it and the waiting list moving up. Every page opened
is checked with axe-core; the expected German comes from the .po file itself."""

import functools
import re
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext
from playwright.sync_api import expect

from registrations.models import Registration
from tests import factories
from tests.factories import CeremonyFactory, SeatCategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"
CONSENT = (
    'I have read the <a href="{url}">privacy notice</a> and agree that my data is used '
    "for this ceremony."
)


@functools.cache
def _german_catalogue():
    return {entry.msgid: entry for entry in polib.pofile(str(PO_FILE)) if not entry.obsolete}


def de(msgid):
    """The German of one of the project's messages, as its translators wrote it."""
    entry = _german_catalogue().get(msgid)
    assert entry is not None, f"not in the German catalogue: {msgid!r}"
    assert entry.translated() and not entry.fuzzy, f"no German for {msgid!r}"
    return entry.msgstr


def django_de(message):
    """The German of one of Django's own messages (validators, form fields)."""
    with translation.override("de"):
        return gettext(message)


@pytest.fixture
def ceremony(settings, live_server):
    # The emails' links must lead to the server the browser talks to.
    settings.SITE_URL = live_server.url
    ceremony = CeremonyFactory(title_de="Kranzniederlegung in Torgau")
    SeatCategoryFactory(ceremony=ceremony, capacity=2, max_party_size=4)
    return ceremony


def manage_url(base_url, registration):
    """The booking's address, in the registrant's language, as the emails give it."""
    with translation.override(registration.language):
        return base_url + registration.get_manage_url()


def email_to(outbox, address):
    [message] = [message for message in outbox if message.to == [address]]
    return message


def line_after(text, label):
    lines = text.splitlines()
    return lines[lines.index(label) + 1]


def test_register_in_german_cancel_and_promote_the_waiting_list(
    ceremony, live_server, page, open_page, network, assert_accessible, mailoutbox
):
    category = ceremony.categories.get()

    page.goto(f"{live_server.url}/de/ceremonies/{ceremony.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_accessible(page)
    page.get_by_role("link", name=de("Register"), exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/de/ceremonies/{ceremony.slug}/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        de("Register for %(title)s") % {"title": "Kranzniederlegung in Torgau"}
    )
    assert_accessible(page)
    # Found by their labels: every field a visitor fills in has one.
    page.get_by_label(de("Your name")).fill("Anna Schmidt")
    page.get_by_label(de("Email address")).fill("anna@example.org")
    expect(page.get_by_label(de("Language for emails"))).to_have_value("de")
    seats = page.get_by_role("group", name=de("Seat category"))
    seats.get_by_role("radio", name=category.name_de).check()
    page.get_by_label(de("Number of people, including you")).fill("2")
    page.get_by_label(strip_tags(de(CONSENT))).check()
    page.get_by_role("button", name=de("Register"), exact=True).click()

    # The click does not wait for the answer: the new page shows the registration was made.
    expect(page).to_have_url(re.compile(r"/de/registrations/[^/]+/\?new=1$"))
    registration = Registration.objects.get(email="anna@example.org")
    expect(page).to_have_url(manage_url(live_server.url, registration) + "?new=1")
    expect(page.get_by_role("status")).to_contain_text(de("Thank you, you are registered."))
    expect(page.locator(".booking-code")).to_have_text(registration.booking_code_display)
    qr_code = page.get_by_role(
        "img", name=de("QR code of ticket %(code)s") % {"code": registration.booking_code_display}
    )
    expect(qr_code.locator("svg")).to_be_visible()
    assert_accessible(page)
    assert (registration.status, registration.party_size, registration.language) == (
        "confirmed",
        2,
        "de",
    )

    # The category is full now: the next two wait, in the order they came.
    first = factories.register(
        category=category, name="Bob", email="waiting1@example.org", party_size=2, language="en"
    ).registration
    second = factories.register(
        category=category, name="Clara", email="waiting2@example.org", party_size=1, language="de"
    ).registration
    assert (first.status, second.status) == ("waiting", "waiting")

    call_command("send_outbox")

    assert sorted(message.to[0] for message in mailoutbox) == [
        "anna@example.org",
        "waiting1@example.org",
        "waiting2@example.org",
    ]
    confirmation = email_to(mailoutbox, "anna@example.org")
    assert confirmation.subject == de("Your registration for %(title)s") % {
        "title": "Kranzniederlegung in Torgau"
    }
    assert de("Thank you for registering. Your seats are confirmed.") in confirmation.body
    link = line_after(confirmation.body, de("See, change or cancel your booking:"))
    assert link == manage_url(live_server.url, registration)
    [(html, _mimetype)] = confirmation.alternatives
    assert f'<a href="{link}">' in html

    # Opened from the email: a browser without the registration's cookies.
    from_email = open_page()
    from_email.goto(link)
    expect(from_email.locator("html")).to_have_attribute("lang", "de")
    expect(from_email.get_by_role("status")).to_have_text(de("Your registration is confirmed."))
    assert_accessible(from_email)
    from_email.get_by_role("link", name=de("Cancel my registration")).click()

    # Asked first, on a page of its own; nothing is cancelled yet.
    expect(from_email.get_by_role("heading", level=1)).to_have_text(de("Cancel your registration?"))
    assert_accessible(from_email)
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"
    from_email.get_by_role("button", name=de("Yes, cancel my registration")).click()

    statuses = from_email.get_by_role("status")
    expect(statuses).to_have_text(
        [de("Your registration has been cancelled."), de("This registration is cancelled.")]
    )
    expect(from_email).to_have_url(link)
    expect(from_email.get_by_role("img", name=re.compile("QR"))).to_have_count(0)
    assert_accessible(from_email)

    registration.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    category.refresh_from_db()
    assert registration.status == "cancelled"
    assert (first.status, second.status, second.waiting_position) == ("confirmed", "waiting", 1)
    assert category.seats_taken == 2

    mailoutbox.clear()
    call_command("send_outbox")

    assert sorted((message.to[0], message.subject) for message in mailoutbox) == [
        (
            "anna@example.org",
            de("Your registration for %(title)s is cancelled")
            % {"title": "Kranzniederlegung in Torgau"},
        ),
        ("waiting1@example.org", f"A seat is free for you: {ceremony.title_en}"),
    ]
    promotion = email_to(mailoutbox, "waiting1@example.org")
    assert "Good news: seats have become free and your registration is now confirmed." in (
        promotion.body
    )
    assert manage_url(live_server.url, first) in promotion.body

    network.assert_only_from(live_server.url)


def test_registration_errors_are_announced(ceremony, live_server, page, network, assert_accessible):
    page.goto(f"{live_server.url}/de/ceremonies/{ceremony.slug}/register/")
    page.get_by_label(de("Your name")).fill("Anna Schmidt")
    page.get_by_label(de("Email address")).fill("anna@example.org")
    page.get_by_label(de("Number of people, including you")).fill("0")
    page.get_by_role("button", name=de("Register"), exact=True).click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(de("Please check your entries."))
    # Focus moves to the summary, so a screen reader reads it out first.
    expect(summary).to_be_focused()
    party_size = page.get_by_label(de("Number of people, including you"))
    consent = page.get_by_label(strip_tags(de(CONSENT)))
    expect(party_size).to_have_attribute("aria-invalid", "true")
    expect(party_size).to_have_accessible_description(
        django_de("Ensure this value is greater than or equal to %(limit_value)s.")
        % {"limit_value": 1}
    )
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(consent).to_have_accessible_description(
        de("Please accept the privacy notice to register.")
    )
    for valid in (page.get_by_label(de("Your name")), page.get_by_label(de("Email address"))):
        expect(valid).not_to_have_attribute("aria-invalid", "true")
    assert Registration.objects.count() == 0
    assert_accessible(page)
    # The page answered 400 on purpose: everything else must have arrived.
    assert network.errors == [f"{page.url} (400)"]
    assert network.failed == []
    assert network.elsewhere(live_server.url) == []
