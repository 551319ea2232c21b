import datetime
import json

import icalendar
import pytest
from django.utils import timezone

from events.models import Ceremony
from registrations import emails
from registrations.models import OutgoingEmail, Registration
from tests.factories import (
    CeremonyFactory,
    MemorialSiteFactory,
    RegistrationFactory,
    SeatCategoryFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "de", "ru"]


def manage_url(registration, language="en", action=""):
    return f"/{language}/registrations/{registration.manage_token}/{action}"


def ticket_url(registration, language="en"):
    return f"/{language}/tickets/{registration.ticket_token}/"


def emails_queued():
    return sorted(OutgoingEmail.objects.values_list("to", "kind"))


def details(booking, class_="booking-details"):
    """The booking's facts as the page lists them: {term: value}."""
    facts = booking.find("dl", class_)
    return dict(
        zip(
            booking.texts("dt", within=facts),
            booking.texts("dd", within=facts),
            strict=True,
        )
    )


@pytest.fixture
def full_category():
    """Two seats, both taken by Anna's party of two; Ben and then Clara's party of two
    wait."""
    category = SeatCategoryFactory(capacity=2, max_party_size=4)
    anna = RegistrationFactory(
        category=category, name="Anna", email="anna@example.org", party_size=2
    )
    ben = RegistrationFactory(category=category, name="Ben", email="ben@example.org")
    clara = RegistrationFactory(
        category=category, name="Clara", email="clara@example.org", party_size=2
    )
    OutgoingEmail.objects.all().delete()
    return category, anna, ben, clara


@pytest.mark.parametrize("language", LANGUAGES)
def test_booking_page_shows_a_confirmed_booking_with_its_ticket(client, page, translated, language):
    registration = RegistrationFactory(
        name="Anna Schmidt", party_size=2, guest_names="Ben Schmidt", language=language
    )

    response = client.get(manage_url(registration, language))

    booking = page(response)
    assert response.status_code == 200
    assert details(booking) == {
        translated(language, "Booking code"): registration.booking_code_display,
        translated(language, "Name"): "Anna Schmidt",
        translated(language, "Seat category"): getattr(registration.category, f"name_{language}"),
        translated(language, "People"): "2",
        translated(language, "Guests"): "Ben Schmidt",
    }
    assert booking.find("div", class_="alert-success").text == translated(
        language, "Your registration is confirmed."
    )
    assert len(booking.find_all("svg", class_="ticket-qr")) == 1
    assert booking.find("a", href=ticket_url(registration, language)).text == (
        translated(language, "Printable ticket")
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_booking_page_shows_the_waiting_position_and_no_ticket(
    client, page, translated, full_category, language
):
    _category, _anna, _ben, clara = full_category

    booking = page(client.get(manage_url(clara, language)))

    assert booking.find("div", class_="alert-warning").text == " ".join(
        [
            translated(language, "You are number %(position)s on the waiting list.")
            % {"position": 2},
            translated(language, "We will email you as soon as seats are free for your party."),
        ]
    )
    assert booking.find_all("svg", class_="ticket-qr") == []
    assert booking.find_all("a", href=manage_url(clara, language, "ticket/")) == []
    assert booking.texts("a", href=manage_url(clara, language, "cancel/")) == [
        translated(language, "Leave the waiting list")
    ]
    assert [button.text for button in booking.find_all("button")] == [
        translated(language, "Delete my data"),
    ]


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "0123456789abcdef0123456789abcdef:forged",
    ],
)
def test_booking_page_with_an_invalid_token_is_not_found(client, token):
    RegistrationFactory()

    assert client.get(f"/en/registrations/{token}/").status_code == 404


def test_booking_page_with_the_ticket_token_is_not_found(client):
    registration = RegistrationFactory()

    response = client.get(f"/en/registrations/{registration.ticket_token}/")

    assert response.status_code == 404


def test_booking_page_with_a_tampered_token_is_not_found(client):
    registration = RegistrationFactory()
    other = RegistrationFactory(category=registration.category)
    _value, signature = registration.manage_token.split(":")

    response = client.get(f"/en/registrations/{other.public_id.hex}:{signature}/")

    assert response.status_code == 404


@pytest.mark.parametrize("language", ["en", "de"])
def test_cancelling_promotes_the_first_waiting_person(
    client, page, translated, full_category, language
):
    category, anna, _ben, clara = full_category

    response = client.post(manage_url(anna, language, "cancel/"), {"confirm": "yes"}, follow=True)

    booking = page(response)
    assert response.redirect_chain == [(manage_url(anna, language), 302)]
    assert booking.texts("div", class_="alert-success") == [
        translated(language, "Your registration has been cancelled.")
    ]
    assert booking.find("div", class_="alert-secondary").text == translated(
        language, "This registration is cancelled."
    )
    assert list(Registration.objects.order_by("pk").values_list("name", "status")) == [
        ("Anna", "cancelled"),
        ("Ben", "confirmed"),
        ("Clara", "waiting"),
    ]
    assert emails_queued() == [
        ("anna@example.org", "cancellation"),
        ("ben@example.org", "promotion"),
    ]
    category.refresh_from_db()
    assert category.seats_taken == 1
    clara.refresh_from_db()
    assert clara.waiting_position == 1


def test_cancelled_booking_cannot_be_changed_any_more(client, page, full_category):
    _category, anna, _ben, _clara = full_category
    client.post(manage_url(anna, "en", "cancel/"), {"confirm": "yes"})

    booking = page(client.get(manage_url(anna)))

    assert booking.find_all("a", href=manage_url(anna, "en", "cancel/")) == []
    assert client.get(manage_url(anna, "en", "cancel/"))["Location"] == manage_url(anna)
    assert booking.find_all("form", action=manage_url(anna, "en", "party/")) == []
    assert booking.find_all("svg", class_="ticket-qr") == []


@pytest.mark.parametrize("language", ["en", "ru"])
def test_leaving_the_waiting_list(client, page, translated, full_category, language):
    category, _anna, ben, clara = full_category

    response = client.post(manage_url(ben, language, "cancel/"), {"confirm": "yes"}, follow=True)

    assert page(response).texts("div", class_="alert-success") == [
        translated(language, "You have left the waiting list.")
    ]
    ben.refresh_from_db()
    clara.refresh_from_db()
    assert (ben.status, clara.status, clara.waiting_position) == ("cancelled", "waiting", 1)
    assert emails_queued() == [("ben@example.org", "cancellation")]
    category.refresh_from_db()
    assert category.seats_taken == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_cancel_asks_for_confirmation_on_its_own_page(
    client, page, translated, full_category, language
):
    _category, anna, _ben, _clara = full_category

    response = client.get(manage_url(anna, language, "cancel/"))

    question = page(response)
    form = question.find("form", action=manage_url(anna, language, "cancel/"))
    assert response.status_code == 200
    assert question.texts("h1") == [translated(language, "Cancel your registration?")]
    assert question.form_data(form) == {
        "csrfmiddlewaretoken": [question.find("input", name="csrfmiddlewaretoken").attrs["value"]],
        "confirm": ["yes"],
    }
    assert question.texts("button", within=form) == [
        translated(language, "Yes, cancel my registration")
    ]
    assert question.texts("a", href=manage_url(anna, language)) == [
        translated(language, "Keep my registration")
    ]
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    anna.refresh_from_db()
    assert anna.status == "confirmed"
    assert emails_queued() == []


def test_booking_page_links_to_the_question_not_to_a_cancelling_form(client, page, full_category):
    _category, anna, _ben, _clara = full_category

    booking = page(client.get(manage_url(anna)))

    assert booking.texts("a", href=manage_url(anna, "en", "cancel/")) == ["Cancel my registration"]
    assert booking.find_all("form", action=manage_url(anna, "en", "cancel/")) == []


def test_cancel_without_the_answer_only_asks(client, full_category):
    """A form posted straight to the cancel address (a booking page from before the
    question, a replayed request) leads to the question and cancels nothing."""
    _category, anna, _ben, _clara = full_category

    response = client.post(manage_url(anna, "en", "cancel/"), {"confirm": "no"})
    bare = client.post(manage_url(anna, "en", "cancel/"))

    assert [(r.status_code, r["Location"]) for r in (response, bare)] == [
        (302, manage_url(anna, "en", "cancel/"))
    ] * 2
    anna.refresh_from_db()
    assert anna.status == "confirmed"
    assert emails_queued() == []


def test_cancel_needs_the_forms_csrf_token(full_category):
    from django.test import Client

    _category, anna, _ben, _clara = full_category

    response = Client(enforce_csrf_checks=True).post(
        manage_url(anna, "en", "cancel/"), {"confirm": "yes"}
    )

    assert response.status_code == 403
    anna.refresh_from_db()
    assert anna.status == "confirmed"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_leaving_the_waiting_list_asks_in_its_own_words(
    client, page, translated, full_category, language
):
    _category, _anna, ben, _clara = full_category

    question = page(client.get(manage_url(ben, language, "cancel/")))

    assert question.texts("h1") == [translated(language, "Leave the waiting list?")]
    assert question.texts("button") == [translated(language, "Yes, leave the waiting list")]


@pytest.mark.parametrize("language", ["en", "de"])
def test_party_can_grow_within_the_free_seats(client, page, translated, language):
    category = SeatCategoryFactory(capacity=5, max_party_size=4)
    registration = RegistrationFactory(category=category, party_size=1)

    response = client.post(
        manage_url(registration, language, "party/"),
        {"party_size": "3", "guest_names": "Ben\nClara"},
        follow=True,
    )

    booking = page(response)
    assert booking.texts("div", class_="alert-success")[0] == translated(
        language, "Your booking has been changed."
    )
    assert details(booking)[translated(language, "People")] == "3"
    registration.refresh_from_db()
    category.refresh_from_db()
    assert (registration.party_size, registration.guest_names, category.seats_taken) == (
        3,
        "Ben\nClara",
        3,
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_party_beyond_the_free_seats_is_refused_with_a_message(client, page, translated, language):
    category = SeatCategoryFactory(capacity=4, max_party_size=4)
    registration = RegistrationFactory(category=category, party_size=2)
    RegistrationFactory(category=category, party_size=1)

    response = client.post(
        manage_url(registration, language, "party/"), {"party_size": "4", "guest_names": ""}
    )

    assert response.status_code == 400
    assert page(response).errors() == {
        "party_size": [
            translated(
                language,
                "Only %(free)s more seat is free, so your party can have at most %(max)s.",
                plural="Only %(free)s more seats are free, so your party can have at most %(max)s.",
                n=1,
            )
            % {"free": 1, "max": 3}
        ]
    }
    registration.refresh_from_db()
    category.refresh_from_db()
    assert (registration.party_size, category.seats_taken) == (2, 3)


def test_party_above_the_category_limit_is_refused(client, page):
    category = SeatCategoryFactory(capacity=10, max_party_size=3)
    registration = RegistrationFactory(category=category, party_size=1)

    response = client.post(
        manage_url(registration, "en", "party/"), {"party_size": "4", "guest_names": ""}
    )

    assert response.status_code == 400
    # The same message as when registering: the rule is checked in one place.
    assert page(response).errors() == {
        "party_size": ["At most 3 people can register together in this category."]
    }
    registration.refresh_from_db()
    assert registration.party_size == 1
    assert 'max="3"' in response.content.decode()


def test_smaller_party_lets_the_waiting_list_in(client, full_category):
    _category, anna, ben, _clara = full_category

    client.post(manage_url(anna, "en", "party/"), {"party_size": "1", "guest_names": ""})

    ben.refresh_from_db()
    assert ben.status == "confirmed"
    assert emails_queued() == [("ben@example.org", "promotion")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_printable_ticket_for_a_confirmed_booking(client, page, translated, language):
    registration = RegistrationFactory(name="Anna Schmidt", language=language)

    response = client.get(ticket_url(registration, language))

    ticket = page(response)
    assert response.status_code == 200
    assert ticket.texts("h1") == [getattr(registration.ceremony, f"title_{language}")]
    assert details(ticket)[translated(language, "Booking code")] == (
        registration.booking_code_display
    )
    assert len(ticket.find_all("svg", class_="ticket-qr")) == 1
    assert ticket.find("meta", name="robots").attrs["content"] == "noindex"


def test_no_ticket_while_waiting(client, full_category):
    _category, _anna, ben, _clara = full_category

    assert client.get(ticket_url(ben)).status_code == 404


def test_ticket_link_can_show_the_ticket_but_not_manage_the_booking(client):
    """A ticket is forwarded to whoever comes along; what it reaches must not change,
    cancel or erase the booking, nor lead to the page that can."""
    registration = RegistrationFactory(name="Anna Schmidt")
    token = registration.ticket_token

    ticket = client.get(ticket_url(registration))
    attempts = [
        client.get(f"/en/registrations/{token}/"),
        client.post(f"/en/registrations/{token}/cancel/"),
        client.post(f"/en/registrations/{token}/erase/", {"confirm": "yes"}),
        client.post(f"/en/registrations/{token}/party/", {"party_size": "3"}),
        client.get(f"/en/registrations/{token}/data.json"),
    ]

    assert ticket.status_code == 200
    assert registration.manage_token not in ticket.content.decode()
    assert [response.status_code for response in attempts] == [404] * 5
    registration.refresh_from_db()
    assert (registration.status, registration.name, registration.party_size) == (
        "confirmed",
        "Anna Schmidt",
        1,
    )


def test_emails_link_the_ticket_with_its_own_token(settings):
    settings.SITE_URL = "https://elbeday.example.org"
    registration = RegistrationFactory(language="en")
    email = registration.emails.get()
    emails.ensure_written(email)

    ticket = f"https://elbeday.example.org/en/tickets/{registration.ticket_token}/"
    assert ticket in email.body_text.splitlines()
    assert f'<a href="{ticket}">' in email.body_html
    assert email.body_text.count(registration.manage_token) == 1


def test_ticket_links_emailed_before_lead_to_the_ticket(client):
    registration = RegistrationFactory()

    response = client.get(manage_url(registration, "en", "ticket/"))

    assert (response.status_code, response["Location"]) == (302, ticket_url(registration))


def test_calendar_file_of_the_booking(client):
    registration = RegistrationFactory(language="de")

    response = client.get(manage_url(registration, "de", "calendar.ics"))

    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert (response.status_code, response["Content-Type"]) == (
        200,
        "text/calendar; charset=utf-8",
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="{registration.ceremony.slug}.ics"'
    )
    assert (str(event["SUMMARY"]), event.decoded("DTSTART")) == (
        registration.ceremony.title_de,
        registration.ceremony.start.replace(microsecond=0),
    )


def test_data_download_holds_exactly_the_persons_data(client):
    category = SeatCategoryFactory(name_en="Veterans and families")
    registration = RegistrationFactory(
        category=category,
        name="Anna Schmidt",
        email="anna@example.org",
        phone="+380 44 123 4567",
        party_size=2,
        guest_names="Ben Schmidt",
        country="UA",
        language="ru",
        consent_future=True,
        needs_hearing_loop=True,
        needs_note="Sign language, please",
    )
    RegistrationFactory(category=category, name="Somebody Else", email="else@example.org")

    response = client.get(manage_url(registration, "en", "data.json"))

    data = json.loads(response.content)
    assert response["Content-Disposition"] == (
        f'attachment; filename="registration-{registration.booking_code}.json"'
    )
    assert response["Content-Type"] == "application/json"
    assert {key: value for key, value in data.items() if key not in TIMES} == {
        "booking_code": registration.booking_code,
        "status": "confirmed",
        "name": "Anna Schmidt",
        "email": "anna@example.org",
        "phone": "+380 44 123 4567",
        "party_size": 2,
        "guest_names": "Ben Schmidt",
        "country": "UA",
        "language": "ru",
        "needs_wheelchair_space": False,
        "needs_step_free_route": False,
        "needs_hearing_loop": True,
        "needs_seating": False,
        "needs_note": "Sign language, please",
        "consent_future": True,
        "ceremony": registration.ceremony.title_en,
        "category": "Veterans and families",
        "emails": [
            {
                "kind": "confirmation",
                "subject": OutgoingEmail.objects.get(registration=registration).subject,
                "status": "queued",
                "queued": data["emails"][0]["queued"],
            }
        ],
    }
    assert {key: data[key] is None for key in TIMES} == {
        "consent_privacy_at": False,
        "created_at": False,
        "confirmed_at": False,
        "cancelled_at": True,
        "waiting_since": True,
    }
    assert "Somebody Else" not in response.content.decode()
    assert "else@example.org" not in response.content.decode()


TIMES = ("consent_privacy_at", "created_at", "confirmed_at", "cancelled_at", "waiting_since")


@pytest.mark.parametrize("language", ["en", "de"])
def test_erasing_needs_the_confirmation(client, page, translated, language):
    registration = RegistrationFactory(name="Anna Schmidt")

    response = client.post(manage_url(registration, language, "erase/"), follow=True)

    assert response.redirect_chain == [(manage_url(registration, language), 302)]
    assert page(response).texts("div", class_="alert-danger") == [
        translated(language, "Please tick the box to confirm that your data should be deleted.")
    ]
    registration.refresh_from_db()
    assert (registration.name, registration.status, registration.anonymised_at) == (
        "Anna Schmidt",
        "confirmed",
        None,
    )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_erasing_deletes_the_data_and_the_link(client, page, translated, full_category, language):
    category, anna, ben, _clara = full_category
    anna_url = manage_url(anna, language)

    response = client.post(manage_url(anna, language, "erase/"), {"confirm": "yes"})

    erased = page(response)
    assert response.status_code == 200
    assert erased.texts("h1") == [translated(language, "Your data has been deleted")]
    assert client.get(anna_url).status_code == 404
    assert client.get(manage_url(anna, language, "data.json")).status_code == 404
    anna.refresh_from_db()
    assert (anna.name, anna.guest_names, anna.status, anna.party_size) == ("", "", "cancelled", 2)
    assert "anna" not in anna.email
    assert not Registration.objects.filter(email__icontains="anna").exists()
    ben.refresh_from_db()
    assert ben.status == "confirmed"
    assert emails_queued() == [("ben@example.org", "promotion")]
    category.refresh_from_db()
    assert category.seats_taken == 1


def test_booking_of_a_past_ceremony_cannot_be_changed(client, page):
    registration = RegistrationFactory()
    start = timezone.now() - datetime.timedelta(days=3)
    Ceremony.objects.filter(pk=registration.ceremony_id).update(
        start=start,
        end=start + datetime.timedelta(hours=2),
        registration_opens=None,
        registration_closes=None,
    )

    booking = page(client.get(manage_url(registration)))

    assert booking.find_all("form", action=manage_url(registration, "en", "party/")) == []
    assert booking.find_all("form", action=manage_url(registration, "en", "cancel/")) == []


def test_booking_page_says_when_the_ceremony_is_cancelled(client, page, translated):
    registration = RegistrationFactory(language="de")
    ceremony = registration.ceremony
    ceremony.status = "cancelled"
    ceremony.save()

    booking = page(client.get(manage_url(registration, "de")))

    assert booking.texts("div", class_="alert-danger") == [
        translated("de", "This ceremony has been cancelled.")
    ]
    assert booking.find_all("form", action=manage_url(registration, "de", "party/")) == []


@pytest.fixture
def at_the_monument():
    """A confirmed booking for a ceremony at a memorial site with its address, visiting
    and accessibility information."""
    site = MemorialSiteFactory(
        name_en="Monument of the Meeting",
        name_de="Denkmal der Begegnung",
        address="Elbstraße",
        town_en="Torgau",
        town_de="Torgau",
        visiting_info_en="On the Elbe below the castle.",
        visiting_info_de="An der Elbe unterhalb des Schlosses.",
        step_free_access="yes",
        accessibility_notes_en="A paved path leads to the monument.",
        accessibility_notes_de="Ein gepflasterter Weg führt zum Denkmal.",
    )
    ceremony = CeremonyFactory(
        venue_site=site,
        accessibility_info_en="Chairs are set out for older guests.",
        accessibility_info_de="Für ältere Gäste stehen Stühle bereit.",
    )
    return RegistrationFactory(category=SeatCategoryFactory(ceremony=ceremony), language="de")


@pytest.mark.parametrize("language", ["en", "de"])
def test_booking_page_shows_where_to_go(client, page, translated, at_the_monument, language):
    registration = at_the_monument
    site = registration.ceremony.venue_site

    booking = page(client.get(manage_url(registration, language)))

    venue = booking.find("section", class_="venue")
    assert details(booking, "venue-details") == {
        translated(language, "Venue"): getattr(site, f"name_{language}"),
        translated(language, "Address"): " ".join(
            [
                f"Elbstraße, Torgau {translated(language, 'Show on OpenStreetMap')}",
                translated(language, "(openstreetmap.org, another website)"),
            ]
        ),
        translated(language, "Step-free access"): translated(language, "yes").capitalize(),
    }
    assert booking.find("a", href=f"/{language}/memorials/{site.slug}/", within=venue)
    assert booking.texts("p", within=venue) == [
        getattr(site, f"visiting_info_{language}"),
        getattr(registration.ceremony, f"accessibility_info_{language}"),
        getattr(site, f"accessibility_notes_{language}"),
    ]
    assert booking.texts("h3", within=venue) == [
        translated(language, "Visiting the site"),
        translated(language, "Accessibility"),
    ]


def test_booking_page_puts_changes_below_the_ticket_and_the_way_there(
    client, page, at_the_monument
):
    registration = at_the_monument

    booking = page(client.get(manage_url(registration) + "?new=1"))

    assert booking.texts("h2") == ["Your ticket", "Where", "Change or cancel"]
    changes = booking.find("section", class_="booking-changes")
    # Nothing that changes or ends the booking sits above its own section.
    assert [
        form.attrs["action"] for form in booking.find_all("form") if changes not in form.ancestors
    ] == []
    assert booking.find("a", href=manage_url(registration, "en", "cancel/"), within=changes)


def test_booking_page_of_a_ceremony_without_venue_has_no_where_section(client, page):
    registration = RegistrationFactory()

    booking = page(client.get(manage_url(registration)))

    assert booking.texts("h2") == ["Your ticket", "Change or cancel"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_printable_ticket_shows_where_to_go(client, page, translated, at_the_monument, language):
    registration = at_the_monument

    ticket = page(client.get(ticket_url(registration, language)))

    venue = ticket.find("section", class_="venue")
    assert details(ticket, "venue-details")[translated(language, "Address")].startswith(
        "Elbstraße, Torgau"
    )
    assert ticket.texts("p", within=venue)[0] == getattr(
        registration.ceremony.venue_site, f"visiting_info_{language}"
    )


# The booking (with its ceremony, category and venue) and the session's messages; the
# waiting list's position is one more.
BOOKING_PAGE_QUERIES = 2


@pytest.mark.parametrize("others", [0, 20])
def test_booking_page_queries_do_not_grow(
    client, django_assert_max_num_queries, at_the_monument, others
):
    registration = at_the_monument
    for _number in range(others):
        RegistrationFactory(category=registration.category)

    with django_assert_max_num_queries(BOOKING_PAGE_QUERIES):
        response = client.get(manage_url(registration))

    assert response.status_code == 200
