"""The "lost your booking link?" page: it sends the links of an address's bookings
again, and tells nobody whether an address has any."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from registrations import emails, services
from registrations.models import OutgoingEmail
from tests.factories import CeremonyFactory, RegistrationFactory, SeatCategoryFactory
from tests.registrations.test_views import form_data

pytestmark = pytest.mark.django_db

SENT = (
    "If we have a booking for this address, we have sent its link there. It can take a few "
    "minutes to arrive; please also look in your spam folder."
)


def lost_link_url(language="en"):
    return f"/{language}/registrations/lost-link/"


def queued():
    return sorted(OutgoingEmail.objects.values_list("to", "kind", "registration__booking_code"))


def without_tokens(response):
    """The page as any visitor gets it: the CSRF token differs on every page."""
    return re.sub(
        rb'value="[^"]+" name="csrfmiddlewaretoken"|name="csrfmiddlewaretoken" value="[^"]+"',
        b"",
        response.content,
    )


@pytest.fixture
def anna():
    """Anna's booking, one of several for the address, with the emails of registering
    removed."""
    registration = RegistrationFactory(name="Anna Schmidt", email="anna@example.org")
    OutgoingEmail.objects.all().delete()
    return registration


@pytest.mark.parametrize("language", ["en", "de", "ru"])
def test_lost_link_page_offers_a_form_for_the_address(client, page, translated, language):
    response = client.get(lost_link_url(language))

    form = page(response)
    assert response.status_code == 200
    assert form.texts("h1") == [translated(language, "Lost your booking link?")]
    assert form.find("input", name="email").attrs["autocomplete"] == "email"
    assert form.texts("button") == [translated(language, "Send my booking link")]


@pytest.mark.parametrize("language", ["en", "de"])
def test_lost_link_answers_the_same_for_known_and_unknown_addresses(
    client, page, translated, anna, language
):
    known = client.post(lost_link_url(language), {"email": "anna@example.org"})
    unknown = client.post(lost_link_url(language), {"email": "nobody@example.org"})

    assert (known.status_code, unknown.status_code) == (200, 200)
    assert without_tokens(known) == without_tokens(unknown)
    assert page(known).texts("div", class_="alert-success") == [translated(language, SENT)]
    assert queued() == [("anna@example.org", "lost_link", anna.booking_code)]


def test_lost_link_sends_every_upcoming_booking_of_the_address(client, anna):
    other = RegistrationFactory(email="ANNA@example.org", language="de")
    OutgoingEmail.objects.all().delete()

    client.post(lost_link_url(), {"email": "Anna@Example.org"})

    assert queued() == sorted(
        [
            ("anna@example.org", "lost_link", anna.booking_code),
            ("ANNA@example.org", "lost_link", other.booking_code),
        ]
    )


def test_lost_link_sends_nothing_for_cancelled_anonymised_or_past_bookings(client):
    cancelled = RegistrationFactory(email="anna@example.org")
    services.registration_cancel(registration=cancelled)
    erased = RegistrationFactory(email="anna@example.org")
    services.registration_erase(registration=erased)
    start = timezone.now() - datetime.timedelta(days=3)
    past = CeremonyFactory(
        start=start,
        end=start + datetime.timedelta(hours=2),
        registration_opens=start - datetime.timedelta(days=10),
        registration_closes=start - datetime.timedelta(hours=1),
    )
    RegistrationFactory(
        category=SeatCategoryFactory(ceremony=past),
        email="anna@example.org",
        now=start - datetime.timedelta(days=1),
    )
    OutgoingEmail.objects.all().delete()

    response = client.post(lost_link_url(), {"email": "anna@example.org"})

    assert response.status_code == 200
    assert queued() == []


def test_lost_link_email_brings_the_booking_link_in_the_registrants_language(
    client, settings, translated
):
    settings.SITE_URL = "https://elbeday.example.org"
    registration = RegistrationFactory(name="Anna", email="anna@example.org", language="de")
    OutgoingEmail.objects.all().delete()
    client.post(lost_link_url("en"), {"email": "anna@example.org"})

    email = OutgoingEmail.objects.get()
    emails.ensure_written(email)

    manage_url = f"https://elbeday.example.org/de/registrations/{registration.manage_token}/"
    message = translated(
        "de",
        "Someone, we hope you, asked for the link to your booking again: it is below. If it "
        "was not you, you can ignore this email; nothing about your booking has changed.",
    )
    assert (email.language, email.subject) == (
        "de",
        translated("de", "The link to your booking for %(title)s")
        % {"title": registration.ceremony.title_de},
    )
    assert message in email.body_text
    assert escape(message) in email.body_html
    assert manage_url in email.body_text.splitlines()
    assert f'<a href="{manage_url}">' in email.body_html
    assert email.attachments == []


def test_lost_link_refuses_an_invalid_address(client, page):
    response = client.post(lost_link_url(), {"email": "not an address"})

    assert response.status_code == 400
    assert page(response).errors() == {"email": ["Enter a valid email address."]}
    assert queued() == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_lost_link_limits_the_requests_for_an_address(
    client, page, translated, settings, anna, language
):
    settings.REGISTRATION_RATE_PER_IP = None
    settings.REGISTRATION_RATE_PER_EMAIL = "2/h"

    responses = [
        client.post(lost_link_url(language), {"email": email}, REMOTE_ADDR=f"192.0.2.{n}")
        for n, email in enumerate(["anna@example.org", "ANNA@example.org", "anna@example.org"])
    ]

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert page(responses[2]).errors() == {
        None: [
            translated(
                language, "Too many attempts for this email address. Please try again later."
            )
        ]
    }
    assert len(queued()) == 2


def test_lost_link_limits_the_requests_from_a_network(client, page, settings, anna):
    settings.REGISTRATION_RATE_PER_IP = "2/h"
    settings.REGISTRATION_RATE_PER_EMAIL = None

    statuses = [
        client.post(lost_link_url(), {"email": f"person{n}@example.org"}).status_code
        for n in range(2)
    ]
    refused = client.post(lost_link_url(), {"email": "anna@example.org"})

    assert (statuses, refused.status_code) == ([200, 200], 429)
    assert page(refused).errors() == {
        None: ["Too many requests from your network. Please try again later."]
    }
    assert queued() == []


def test_lost_link_limits_are_apart_from_the_registration_forms(client, settings, anna):
    """Asking for a link does not use up the registrations a network may make."""
    settings.REGISTRATION_RATE_PER_IP = "1/h"
    settings.REGISTRATION_RATE_PER_EMAIL = None
    client.post(lost_link_url(), {"email": "anna@example.org"})

    response = client.post(
        f"/en/ceremonies/{anna.ceremony.slug}/register/",
        form_data(anna.category, email="ben@example.org"),
    )

    assert response.status_code == 302
    assert client.post(lost_link_url(), {"email": "anna@example.org"}).status_code == 429


def test_closed_registration_page_links_to_the_lost_link_page(client, page):
    ceremony = CeremonyFactory(registration_opens=None, registration_closes=None)
    SeatCategoryFactory(ceremony=ceremony)

    closed = page(client.get(f"/de/ceremonies/{ceremony.slug}/register/"))

    assert len(closed.find_all("a", href=lost_link_url("de"))) == 1


def test_register_form_and_ceremony_page_link_to_the_lost_link_page(client, page):
    ceremony = CeremonyFactory()
    SeatCategoryFactory(ceremony=ceremony)

    form = page(client.get(f"/ru/ceremonies/{ceremony.slug}/register/"))
    detail = page(client.get(f"/ru/ceremonies/{ceremony.slug}/"))

    assert form.find("form", class_="registration-form") is not None
    assert len(form.find_all("a", href=lost_link_url("ru"))) == 1
    assert len(detail.find_all("a", href=lost_link_url("ru"))) == 1
