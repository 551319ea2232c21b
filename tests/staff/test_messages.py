import pytest
from django.core import mail

from registrations import services
from registrations.models import OutgoingEmail
from tests.factories import CeremonyFactory, RegistrationFactory, SeatCategoryFactory
from tests.helpers import logged_in, page

pytestmark = pytest.mark.django_db

URL = "/en/staff/ceremonies/torgau-2026/message/"
TEXTS = {
    "subject_en": "Parking at the monument",
    "body_en": "Please use the car park in Elbstraße.",
    "subject_de": "Parken am Denkmal",
    "body_de": "Bitte nutzen Sie den Parkplatz in der Elbstraße.",
    "subject_ru": "",
    "body_ru": "",
}


@pytest.fixture
def registrants():
    ceremony = CeremonyFactory(slug="torgau-2026")
    public = SeatCategoryFactory(ceremony=ceremony, name_en="Public", capacity=3)
    veterans = SeatCategoryFactory(ceremony=ceremony, name_en="Veterans", capacity=2, position=1)
    people = {
        "juergen": RegistrationFactory(
            category=public, email="juergen@example.org", language="de", party_size=2
        ),
        "olga": RegistrationFactory(category=public, email="olga@example.org", language="ru"),
        "anna": RegistrationFactory(
            category=public, email="anna@example.org", language="en", party_size=2
        ),
        "brian": RegistrationFactory(
            category=veterans, email="brian@example.org", language="en", party_size=2
        ),
        "greta": RegistrationFactory(category=veterans, email="greta@example.org", language="de"),
        "carl": RegistrationFactory(category=veterans, email="carl@example.org", language="de"),
    }
    services.registration_cancel(registration=people["carl"])
    RegistrationFactory(category=SeatCategoryFactory(), email="elsewhere@example.org")
    assert [people[name].status for name in ("anna", "greta")] == ["waiting", "waiting"]
    return people


def audiences(registrants):
    return {
        "active": ["anna", "brian", "greta", "juergen", "olga"],
        "confirmed": ["brian", "juergen", "olga"],
        "waiting": ["anna", "greta"],
        f"category-{registrants['anna'].category_id}": ["anna", "juergen", "olga"],
        f"category-{registrants['brian'].category_id}": ["brian", "greta"],
    }


def message_emails():
    return list(
        OutgoingEmail.objects.filter(kind="message")
        .order_by("to")
        .values_list("to", "language", "subject")
    )


def test_message_preview_shows_count_and_texts_and_sends_nothing(organiser, registrants):
    response = logged_in(organiser).post(URL, {"audience": "active", **TEXTS, "preview": "1"})

    shown = page(response)
    preview = shown.find("section", **{"aria-labelledby": "preview-heading"})
    assert shown.find("p", role="status").text == "This message will be sent to 5 people."
    assert shown.texts("h3", within=preview) == [
        "English (2 recipients)",
        "German (2 recipients)",
        "Russian (1 recipient)",
    ]
    assert shown.texts("p", "mb-1", within=preview) == [
        "Parking at the monument",
        "Parken am Denkmal",
        "Parking at the monument",
    ]
    assert [(div.attrs["lang"], div.text) for div in shown.find_all("div", within=preview)] == [
        ("en", "Please use the car park in Elbstraße."),
        ("de", "Bitte nutzen Sie den Parkplatz in der Elbstraße."),
        ("ru", "Please use the car park in Elbstraße."),
    ]
    assert shown.texts("button", name="send") == ["Send to 5 people"]
    assert message_emails() == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    "audience", ["active", "confirmed", "waiting", "first category", "second category"]
)
def test_message_send_queues_one_email_per_recipient_in_their_language(
    organiser, registrants, audience
):
    choice = {
        "first category": f"category-{registrants['anna'].category_id}",
        "second category": f"category-{registrants['brian'].category_id}",
    }.get(audience, audience)
    client = logged_in(organiser)

    response = client.post(URL, {"audience": choice, **TEXTS, "send": "1"})
    after = client.get(response["Location"])

    recipients = [registrants[name] for name in audiences(registrants)[choice]]
    subjects = {"de": "Parken am Denkmal", "en": "Parking at the monument"}
    assert (response.status_code, response["Location"]) == (302, URL)
    assert message_emails() == [
        (person.email, person.language, subjects.get(person.language, subjects["en"]))
        for person in recipients
    ]
    assert page(after).texts("div", "alert") == [f"{len(recipients)} messages queued."]
    assert mail.outbox == []


def test_message_body_is_the_organisers_text_in_the_persons_language(organiser, registrants):
    logged_in(organiser).post(URL, {"audience": "confirmed", **TEXTS, "send": "1"})

    bodies = {
        email.to: email.body_text.split("\n\n")[1]
        for email in OutgoingEmail.objects.filter(kind="message")
    }
    assert bodies == {
        "brian@example.org": "Please use the car park in Elbstraße.",
        "juergen@example.org": "Bitte nutzen Sie den Parkplatz in der Elbstraße.",
        "olga@example.org": "Please use the car park in Elbstraße.",
    }


@pytest.mark.parametrize(
    ("missing", "errors"),
    [
        ("body_de", {"body_de": ["Give both a subject and a message, or neither."]}),
        ("subject_de", {"body_de": ["Give both a subject and a message, or neither."]}),
        ("body_en", {"body_en": ["This field is required."]}),
        ("subject_en", {"subject_en": ["This field is required."]}),
    ],
)
def test_message_subject_without_body_is_refused(organiser, registrants, missing, errors):
    response = logged_in(organiser).post(
        URL, {"audience": "active", **TEXTS, missing: "", "send": "1"}
    )

    assert response.status_code == 200
    assert page(response).errors() == errors
    assert message_emails() == []
