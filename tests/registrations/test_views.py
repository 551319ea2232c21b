import datetime
import uuid

import pytest
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override

from registrations.models import OutgoingEmail, Registration
from tests.factories import CeremonyFactory, RegistrationFactory, SeatCategoryFactory
from tests.helpers import ceremony_today, logged_in

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "de", "ru"]


def register_url(ceremony, language="de"):
    return f"/{language}/ceremonies/{ceremony.slug}/register/"


def form_data(category, **changes):
    data = {
        "name": "Anna Schmidt",
        "email": "anna@example.org",
        "category": str(category.pk),
        "party_size": "2",
        "guest_names": "Ben Schmidt",
        "country": "DE",
        "language": "de",
        "needs_step_free_route": "on",
        "needs_note": "",
        "consent_privacy": "on",
        "submission_key": str(uuid.uuid4()),
        "website": "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def django_message(language, message, **params):
    """One of Django's own messages, as Django shows it in `language`."""
    with override(language):
        return gettext(message) % params


def nothing_stored():
    return (list(Registration.objects.all()), list(OutgoingEmail.objects.all())) == ([], [])


@pytest.fixture
def category():
    return SeatCategoryFactory(capacity=10, max_party_size=4)


@pytest.mark.parametrize("language", LANGUAGES)
def test_registration_form_is_shown_in_the_visitors_language(
    client, page, translated, category, language
):
    response = client.get(register_url(category.ceremony, language))

    form = page(response)
    title = getattr(category.ceremony, f"title_{language}")
    assert response.status_code == 200
    assert form.find("html").attrs["lang"] == language
    assert form.texts("h1") == [translated(language, "Register for %(title)s") % {"title": title}]
    assert form.texts("legend")[:2] == [
        translated(language, "About you"),
        translated(language, "Seats"),
    ]
    assert form.find("label", **{"for": "id_name"}).text == (
        translated(language, "Your name") + "*"
    )
    assert form.find("input", type="submit").attrs["value"] == translated(language, "Register")


@pytest.mark.parametrize("language", LANGUAGES)
def test_privacy_consent_links_to_the_privacy_notice(client, page, translated, category, language):
    form = page(client.get(register_url(category.ceremony, language)))

    privacy_url = f"/{language}/pages/privacy/"
    consent = translated(
        language,
        'I have read the <a href="{url}">privacy notice</a> and agree that my data is used '
        "for this ceremony.",
    ).format(url=privacy_url)
    expected = page(f"<p>{consent}</p>")
    label = form.find("label", **{"for": "id_consent_privacy"})
    assert label.text == expected.find("p").text + "*"
    assert [(link.attrs["href"], link.text) for link in form.find_all("a", within=label)] == [
        (privacy_url, expected.find("a").text)
    ]


def test_every_input_of_the_registration_form_has_a_label(client, page, category):
    SeatCategoryFactory(ceremony=category.ceremony, name_en="Delegations", invitation_code="X")

    form = page(client.get(register_url(category.ceremony)))

    fields = [
        element
        for tag in ("input", "select", "textarea")
        for element in form.find_all(tag)
        if element.attrs.get("type") not in ("hidden", "submit")
    ]
    labelled = {label.attrs.get("for") for label in form.find_all("label")}
    assert {field.attrs["name"] for field in fields} >= {
        "name",
        "email",
        "category",
        "invitation_code",
        "party_size",
        "consent_privacy",
        "website",
    }
    assert [field.attrs["id"] for field in fields if field.attrs["id"] not in labelled] == []


def test_registration_form_offers_the_categories_with_their_seats(client, page, translated):
    ceremony = CeremonyFactory()
    SeatCategoryFactory(ceremony=ceremony, name_de="Öffentlichkeit", capacity=7, position=0)
    SeatCategoryFactory(ceremony=ceremony, name_de="Presse", capacity=0, position=1)
    SeatCategoryFactory(
        ceremony=ceremony, name_de="Gäste", capacity=0, has_waiting_list=False, position=2
    )
    SeatCategoryFactory(ceremony=ceremony, name_de="Delegationen", invitation_code="X", position=3)

    form = page(client.get(register_url(ceremony)))

    labels = [
        form.find("label", **{"for": radio.attrs["id"]}).text
        for radio in form.find_all("input", type="radio")
    ]
    assert labels == [
        "Öffentlichkeit ({})".format(translated("de", "%(count)s seats left") % {"count": 7}),
        "Presse ({})".format(translated("de", "waiting list")),
        "Gäste ({})".format(translated("de", "fully booked")),
        "Delegationen ({})".format(translated("de", "by invitation")),
    ]


def test_valid_registration_leads_to_the_booking(client, category):
    response = client.post(register_url(category.ceremony), form_data(category))

    registration = Registration.objects.get()
    assert (response.status_code, response["Location"]) == (
        302,
        f"/de/registrations/{registration.manage_token}/?new=1",
    )
    assert (
        registration.name,
        registration.email,
        registration.party_size,
        registration.guest_names,
        registration.country.code,
        registration.language,
        registration.status,
        registration.needs_step_free_route,
    ) == (
        "Anna Schmidt",
        "anna@example.org",
        2,
        "Ben Schmidt",
        "DE",
        "de",
        "confirmed",
        True,
    )
    assert list(OutgoingEmail.objects.values_list("to", "kind", "language")) == [
        ("anna@example.org", "confirmation", "de")
    ]
    category.refresh_from_db()
    assert category.seats_taken == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_new_booking_page_thanks_the_visitor(client, page, translated, category, language):
    response = client.post(
        register_url(category.ceremony, language), form_data(category), follow=True
    )

    booking = page(response)
    assert response.status_code == 200
    assert booking.find("div", class_="alert-success").text == " ".join(
        [
            translated(language, "Thank you, you are registered."),
            translated(language, "We have sent a confirmation email with your ticket."),
        ]
    )


def test_full_category_puts_the_visitor_on_the_waiting_list(client, page, translated):
    category = SeatCategoryFactory(capacity=1)
    RegistrationFactory(category=category)

    response = client.post(register_url(category.ceremony), form_data(category), follow=True)

    registration = Registration.objects.get(email="anna@example.org")
    assert registration.status == "waiting"
    assert (
        page(response)
        .find("div", class_="alert-warning")
        .text.startswith(
            translated("de", "You are number %(position)s on the waiting list.") % {"position": 1}
        )
    )


def _bad_inputs(language, translated):
    """(what the visitor sent, the field, the message they read) for each mistake."""
    return {
        "party_size_0": (
            {"party_size": "0"},
            "party_size",
            django_message(
                language,
                "Ensure this value is greater than or equal to %(limit_value)s.",
                limit_value=1,
            ),
        ),
        "party_size_negative": (
            {"party_size": "-1"},
            "party_size",
            django_message(
                language,
                "Ensure this value is greater than or equal to %(limit_value)s.",
                limit_value=1,
            ),
        ),
        "party_size_above_max": (
            {"party_size": "5"},
            "party_size",
            translated(language, "At most %(max)s people can register together in this category.")
            % {"max": 4},
        ),
        "invalid_email": (
            {"email": "anna@example"},
            "email",
            django_message(language, "Enter a valid email address."),
        ),
        "name_too_long": (
            {"name": "A" * 201},
            "name",
            _too_long(language, limit=200, length=201),
        ),
        "control_character": (
            {"name": "Anna\x07"},
            "name",
            translated(language, "Please remove the invisible control characters from this text."),
        ),
        "no_privacy_consent": (
            {"consent_privacy": None},
            "consent_privacy",
            translated(language, "Please accept the privacy notice to register."),
        ),
        "phone_letters": (
            {"phone": "call me maybe"},
            "phone",
            translated(language, PHONE_MESSAGE),
        ),
        "phone_too_short": (
            {"phone": "+49 12"},
            "phone",
            translated(language, PHONE_MESSAGE),
        ),
        "honeypot": (
            {"website": "http://spam.example"},
            "website",
            translated(language, "Please leave this field empty."),
        ),
    }


def _too_long(language, *, limit, length):
    with override(language):
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": length}


MISTAKES = [
    "party_size_0",
    "party_size_negative",
    "party_size_above_max",
    "invalid_email",
    "name_too_long",
    "control_character",
    "no_privacy_consent",
    "phone_letters",
    "phone_too_short",
    "honeypot",
]
PHONE_MESSAGE = (
    "Enter a phone number in digits, for example +49 3421 123456 "
    "(spaces, brackets and dashes are fine)."
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("mistake", MISTAKES)
def test_bad_input_is_refused_with_a_message(client, page, translated, category, language, mistake):
    changes, field, message = _bad_inputs(language, translated)[mistake]

    response = client.post(
        register_url(category.ceremony, language), form_data(category, **changes)
    )

    result = page(response)
    assert response.status_code == 400
    assert result.errors() == {field: [message]}
    assert result.texts("h2", within=result.find("div", id="form-errors")) == [
        translated(language, "Please check your entries.")
    ]
    assert nothing_stored()


@pytest.mark.parametrize("language", ["de", "ru"])
def test_wrong_invitation_code_is_refused_with_a_message(client, page, translated, language):
    category = SeatCategoryFactory(invitation_code="DELEGATION-2027")

    response = client.post(
        register_url(category.ceremony, language),
        form_data(category, invitation_code="DELEGATION-2026"),
    )

    assert response.status_code == 400
    assert page(response).errors() == {
        "invitation_code": [
            translated(language, "This invitation code is not valid for this category.")
        ]
    }
    assert nothing_stored()


@pytest.mark.parametrize("language", ["en", "de"])
def test_full_category_without_waiting_list_is_refused_with_a_message(
    client, page, translated, language
):
    category = SeatCategoryFactory(capacity=1, has_waiting_list=False)
    RegistrationFactory(category=category)

    response = client.post(register_url(category.ceremony, language), form_data(category))

    assert response.status_code == 400
    assert page(response).errors() == {
        "category": [translated(language, "This category is fully booked.")]
    }
    assert Registration.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "ru"])
def test_second_registration_with_the_same_email_is_refused(client, page, translated, language):
    category = SeatCategoryFactory()
    RegistrationFactory(category=category, email="anna@example.org")

    response = client.post(
        register_url(category.ceremony, language),
        form_data(category, email="ANNA@example.org"),
    )

    message = translated(
        language,
        "This email address is already registered for this ceremony. "
        "The booking link is in the confirmation email.",
    )
    assert response.status_code == 400
    assert page(response).errors() == {"email": [message]}
    assert Registration.objects.count() == 1


def _closed_ceremonies():
    now = timezone.now()
    return {
        "not_yet": {"registration_opens": now + datetime.timedelta(days=1)},
        "closed": {
            "registration_opens": now - datetime.timedelta(days=5),
            "registration_closes": now - datetime.timedelta(days=1),
        },
        "cancelled": {"status": "cancelled"},
        "none": {"registration_opens": None, "registration_closes": None},
    }


CLOSED_MESSAGES = {
    "not_yet": "Registration has not opened yet.",
    "closed": "Registration for this ceremony is closed.",
    "cancelled": "This ceremony has been cancelled; registration is closed.",
    "none": "This ceremony takes no registrations.",
}


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("state", CLOSED_MESSAGES)
def test_registration_outside_the_window_shows_no_form(client, page, translated, language, state):
    category = SeatCategoryFactory(ceremony=CeremonyFactory(**_closed_ceremonies()[state]))

    response = client.get(register_url(category.ceremony, language))

    closed = page(response)
    assert response.status_code == 200
    assert closed.texts("p", role="status") == [translated(language, CLOSED_MESSAGES[state])]
    assert closed.find_all("form", class_="registration-form") == []


@pytest.mark.parametrize("state", CLOSED_MESSAGES)
def test_registration_outside_the_window_refuses_a_post(client, page, state):
    category = SeatCategoryFactory(ceremony=CeremonyFactory(**_closed_ceremonies()[state]))

    response = client.post(register_url(category.ceremony, "en"), form_data(category))

    assert response.status_code == 403
    assert page(response).texts("p", role="status") == [CLOSED_MESSAGES[state]]
    assert nothing_stored()


def test_ceremony_without_seat_categories_takes_no_registrations(client, page):
    ceremony = CeremonyFactory()

    shown = client.get(register_url(ceremony, "en"))
    refused = client.post(register_url(ceremony, "en"), {"name": "Anna Schmidt"})

    assert shown.status_code == 200
    assert page(shown).texts("p", role="status") == ["This ceremony takes no registrations."]
    assert refused.status_code == 403
    assert nothing_stored()


def test_draft_ceremony_has_no_registration_page(client, category):
    category.ceremony.status = "draft"
    category.ceremony.save()

    assert client.get(register_url(category.ceremony)).status_code == 404
    assert client.post(register_url(category.ceremony), form_data(category)).status_code == 404
    assert nothing_stored()


def test_html_in_the_name_is_shown_as_text(client, page):
    category = SeatCategoryFactory()

    response = client.post(
        register_url(category.ceremony, "en"),
        form_data(category, name="<script>alert(1)</script>"),
        follow=True,
    )

    booking = page(response)
    assert booking.find_all("script") == []
    assert "<script>alert(1)</script>" in booking.texts("dd")
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_resubmitted_form_leads_to_the_same_booking(client, category):
    data = form_data(category)

    first = client.post(register_url(category.ceremony), data)
    second = client.post(register_url(category.ceremony), data)

    registration = Registration.objects.get()
    assert first["Location"] == second["Location"]
    assert (second.status_code, second["Location"]) == (
        302,
        f"/de/registrations/{registration.manage_token}/?new=1",
    )
    assert OutgoingEmail.objects.count() == 1


def test_form_sent_again_by_someone_else_never_shows_the_first_booking(client, category):
    """Anna registered and left the page open; Ben goes back and sends the form again
    with his own details (the same hidden key): he gets his own booking."""
    data = form_data(category)
    first = client.post(register_url(category.ceremony), data)

    second = client.post(
        register_url(category.ceremony),
        {**data, "name": "Ben Weiß", "email": "ben@example.org"},
    )

    anna = Registration.objects.get(email="anna@example.org")
    ben = Registration.objects.get(email="ben@example.org")
    assert first["Location"] == f"/de/registrations/{anna.manage_token}/?new=1"
    assert second["Location"] == f"/de/registrations/{ben.manage_token}/?new=1"
    assert anna.manage_token not in second.content.decode() + second["Location"]


def test_each_form_gets_its_own_submission_key(client, page, category):
    keys = [
        page(client.get(register_url(category.ceremony)))
        .find("input", name="submission_key")
        .attrs["value"]
        for _ in range(2)
    ]

    assert len({str(uuid.UUID(key)) for key in keys}) == 2


def test_a_form_with_a_mistake_keeps_its_submission_key(client, page, category):
    """The form shown again keeps the key it was sent with (a form sent makes no new
    one), so that the corrected form, sent twice, registers once."""
    data = form_data(category, email="anna@example")
    shown = page(client.post(register_url(category.ceremony), data))
    kept = shown.find("input", name="submission_key").attrs["value"]
    corrected = {**data, "email": "anna@example.org"}

    responses = [client.post(register_url(category.ceremony), corrected) for _ in range(2)]

    assert kept == data["submission_key"]
    assert [response.status_code for response in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Registration.objects.filter(email="anna@example.org").count() == 1


@pytest.mark.parametrize("language", ["en", "de"])
def test_too_many_registrations_from_one_address_are_refused(
    client, page, translated, settings, language
):
    # An hour rather than a minute, so that no window ends between the posts.
    settings.REGISTRATION_RATE_PER_IP = "2/h"
    settings.REGISTRATION_RATE_PER_EMAIL = None
    category = SeatCategoryFactory()
    url = register_url(category.ceremony, language)

    responses = [
        client.post(url, form_data(category, email=f"person{n}@example.org")) for n in range(3)
    ]

    assert [response.status_code for response in responses] == [302, 302, 429]
    assert page(responses[2]).errors() == {
        None: [
            translated(
                language, "Too many registrations from your network. Please try again later."
            )
        ]
    }
    assert sorted(Registration.objects.values_list("email", flat=True)) == [
        "person0@example.org",
        "person1@example.org",
    ]


def test_other_addresses_are_not_limited(client, settings):
    settings.REGISTRATION_RATE_PER_IP = "1/h"
    settings.REGISTRATION_RATE_PER_EMAIL = None
    category = SeatCategoryFactory()
    url = register_url(category.ceremony)

    statuses = [
        client.post(
            url, form_data(category, email=f"p{n}@example.org"), REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n in range(1, 4)
    ]

    assert statuses == [302, 302, 302]


def test_no_limit_per_address_when_switched_off(client, settings):
    settings.REGISTRATION_RATE_PER_IP = None
    settings.REGISTRATION_RATE_PER_EMAIL = None
    category = SeatCategoryFactory(capacity=40, max_party_size=1)
    url = register_url(category.ceremony)

    statuses = {
        client.post(url, form_data(category, email=f"p{n}@example.org", party_size="1")).status_code
        for n in range(35)
    }

    assert statuses == {302}
    assert Registration.objects.count() == 35


@pytest.mark.parametrize("language", ["en", "ru"])
def test_too_many_attempts_for_one_email_are_refused(client, page, translated, settings, language):
    settings.REGISTRATION_RATE_PER_IP = None
    settings.REGISTRATION_RATE_PER_EMAIL = "2/h"
    categories = SeatCategoryFactory.create_batch(3)

    responses = [
        client.post(register_url(category.ceremony, language), form_data(category, email=email))
        for category, email in zip(
            categories, ["anna@example.org", "ANNA@example.org", "anna@example.org"], strict=True
        )
    ]

    assert [response.status_code for response in responses] == [302, 302, 429]
    assert page(responses[2]).errors() == {
        None: [
            translated(
                language, "Too many attempts for this email address. Please try again later."
            )
        ]
    }
    assert Registration.objects.count() == 2


def test_no_limit_per_email_when_switched_off(client, settings):
    settings.REGISTRATION_RATE_PER_IP = None
    settings.REGISTRATION_RATE_PER_EMAIL = None
    categories = SeatCategoryFactory.create_batch(7)

    statuses = [
        client.post(register_url(category.ceremony), form_data(category)).status_code
        for category in categories
    ]

    assert statuses == [302] * 7
    assert Registration.objects.count() == 7


# Read the categories with their ceremony, then in one transaction (savepoint and
# release): take the seats, store the registration, its history row and its queued email.
# (A form sent again is found when its insert fails, not looked for beforehand.)
REGISTRATION_QUERIES = 7


@pytest.mark.parametrize("registered", [0, 40])
def test_registration_makes_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, registered
):
    category = SeatCategoryFactory(capacity=100, max_party_size=4)
    for _number in range(registered):
        RegistrationFactory(category=category)

    with django_assert_max_num_queries(REGISTRATION_QUERIES):
        response = client.post(register_url(category.ceremony), form_data(category))

    assert response.status_code == 302
    assert Registration.objects.filter(category=category).count() == registered + 1


def test_registration_keeps_an_optional_phone_number_tidied(client, page, category):
    form = page(client.get(register_url(category.ceremony)))
    phone = form.find("input", name="phone")

    response = client.post(
        register_url(category.ceremony), form_data(category, phone="  +49 (0)3421   12-34 56 ")
    )

    assert (phone.attrs["type"], phone.attrs["autocomplete"], "required" in phone.attrs) == (
        "tel",
        "tel",
        False,
    )
    assert response.status_code == 302
    assert Registration.objects.get().phone == "+49 (0)3421 12-34 56"


def test_registration_without_a_phone_number_is_fine(client, category):
    response = client.post(register_url(category.ceremony), form_data(category))

    assert response.status_code == 302
    assert Registration.objects.get().phone == ""


def test_booking_page_shows_the_registrants_phone_number(client, page):
    registration = RegistrationFactory(phone="+49 3421 123456")

    booking = page(client.get(registration.get_manage_url()))

    assert dict(zip(booking.texts("dt"), booking.texts("dd"), strict=True))["Phone"] == (
        "+49 3421 123456"
    )


def test_gate_page_does_not_show_the_phone_number_as_it_shows_no_email(client, volunteer):
    registration = RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony_today()),
        name="Anna Schmidt",
        email="anna@example.org",
        phone="+49 3421 123456",
    )
    gate = logged_in(volunteer)

    pages = [
        gate.get(registration.get_checkin_url()).content.decode(),
        gate.get("/en/checkin/", {"q": "Anna"}).content.decode(),
    ]

    assert ["Anna Schmidt" in html for html in pages] == [True, True]
    assert [("anna@example.org" in html, "3421" in html) for html in pages] == [(False, False)] * 2
