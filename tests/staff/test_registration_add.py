"""Registrations taken by hand by the organisers (by phone, by letter, at the gate): the
same seats, party sizes and waiting list as the public form, through the same service."""

import datetime

import pytest
from django.utils import timezone

from events.models import Ceremony
from registrations.models import OutgoingEmail, Registration
from tests.factories import CeremonyFactory, RegistrationFactory, SeatCategoryFactory
from tests.helpers import ceremony_today, logged_in, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def ceremony():
    """Today's ceremony, whose public registration has closed: a walk-in at the gate."""
    ceremony = ceremony_today(slug="torgau-today")
    Ceremony.objects.filter(pk=ceremony.pk).update(
        registration_closes=timezone.now() - datetime.timedelta(minutes=10)
    )
    ceremony.refresh_from_db()
    return ceremony


@pytest.fixture
def public(ceremony):
    return SeatCategoryFactory(ceremony=ceremony, name_en="Public", capacity=3)


def url(ceremony):
    return f"/en/staff/ceremonies/{ceremony.slug}/registrations/add/"


def submit(client, ceremony, **changes):
    """Fills in the form as an organiser would: the form's own values, then `changes`."""
    form_page = page(client.get(url(ceremony)))
    data = form_page.form_data(form_page.find("form", id="registration-add"))
    data.update(
        {"name": ["Erika Mustermann"], "email": ["erika@example.org"], "privacy_told": ["on"]}
    )
    data.update(
        {name: value if isinstance(value, list) else [value] for name, value in changes.items()}
    )
    return client.post(url(ceremony), data, follow=True)


def test_organiser_adds_a_walk_in_after_the_public_registration_closed(organiser, ceremony, public):
    response = submit(
        logged_in(organiser),
        ceremony,
        category=str(public.pk),
        party_size="2",
        phone="+49 3421 123456",
        language="de",
    )

    registration = Registration.objects.get()
    shown = page(response)
    assert response.redirect_chain == [(url(ceremony), 302)]
    assert shown.texts("div", "alert-success") == [
        f"{registration.booking_code_display} Erika Mustermann (2 people) is registered. "
        "An email is on its way to erika@example.org."
    ]
    assert (
        registration.ceremony,
        registration.category,
        registration.status,
        registration.party_size,
        registration.phone,
        registration.language,
    ) == (ceremony, public, "confirmed", 2, "+49 3421 123456", "de")
    public.refresh_from_db()
    assert public.seats_taken == 2
    assert list(OutgoingEmail.objects.values_list("to", "kind", "language")) == [
        ("erika@example.org", "confirmation", "de")
    ]
    history = registration.history.get()
    assert (history.history_user, history.history_change_reason) == (organiser, "added by hand")


def test_added_by_hand_over_the_free_seats_goes_to_the_waiting_list(organiser, ceremony, public):
    RegistrationFactory(category=public, party_size=3, now=ceremony.registration_opens)

    response = submit(logged_in(organiser), ceremony, category=str(public.pk), party_size="1")

    registration = Registration.objects.get(name="Erika Mustermann")
    assert page(response).texts("div", "alert-success") == [
        f"{registration.booking_code_display} Erika Mustermann (1 person) is on the waiting "
        "list. An email is on its way to erika@example.org."
    ]
    assert (registration.status, registration.waiting_position) == ("waiting", 1)
    assert OutgoingEmail.objects.filter(to="erika@example.org").get().kind == "waiting_list"
    public.refresh_from_db()
    assert public.seats_taken == 3


def test_added_by_hand_over_the_quota_is_refused_with_the_reason(organiser, ceremony):
    full = SeatCategoryFactory(
        ceremony=ceremony, name_en="Veterans", capacity=2, has_waiting_list=False
    )
    RegistrationFactory(category=full, party_size=2, now=ceremony.registration_opens)

    response = submit(logged_in(organiser), ceremony, category=str(full.pk), party_size="1")

    assert response.status_code == 400
    assert page(response).errors() == {"category": ["This category is fully booked."]}
    assert Registration.objects.filter(name="Erika Mustermann").exists() is False
    full.refresh_from_db()
    assert full.seats_taken == 2


def test_added_by_hand_beyond_the_party_limit_is_refused(organiser, ceremony, public):
    response = submit(logged_in(organiser), ceremony, category=str(public.pk), party_size="5")

    assert response.status_code == 400
    assert page(response).errors() == {
        "party_size": ["At most 4 people can register together in this category."]
    }
    assert list(Registration.objects.all()) == []


def test_added_by_hand_without_telling_about_the_privacy_notice_is_refused(
    organiser, ceremony, public
):
    response = submit(logged_in(organiser), ceremony, category=str(public.pk), privacy_told=[])

    assert response.status_code == 400
    assert page(response).errors() == {
        "privacy_told": [
            "Please tell the person how their data is used (the privacy notice) first."
        ]
    }
    assert list(Registration.objects.all()) == []


def test_added_by_hand_twice_by_a_double_click_is_one_registration(organiser, ceremony, public):
    client = logged_in(organiser)
    form_page = page(client.get(url(ceremony)))
    data = form_page.form_data(form_page.find("form", id="registration-add"))
    data.update(
        {
            "name": ["Erika Mustermann"],
            "email": ["erika@example.org"],
            "privacy_told": ["on"],
            "category": [str(public.pk)],
        }
    )

    first = client.post(url(ceremony), data)
    second = client.post(url(ceremony), data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert Registration.objects.count() == 1
    public.refresh_from_db()
    assert public.seats_taken == 1


def test_registration_add_offers_every_category_with_its_seats(organiser, ceremony, public):
    SeatCategoryFactory(
        ceremony=ceremony, name_en="Veterans", capacity=2, invitation_code="V", position=1
    )

    shown = page(logged_in(organiser).get(url(ceremony)))

    labels = [
        label.text
        for label in shown.find_all("label")
        if label.attrs.get("for", "").startswith("id_category_")
    ]
    assert labels == ["Public (3 seats left)", "Veterans (by invitation, 2 seats left)"]
    assert shown.find("h1").text == "Add a registration"


def test_registration_add_for_a_cancelled_ceremony_says_why_and_takes_nothing(organiser):
    ceremony = CeremonyFactory(slug="called-off", status=Ceremony.Status.CANCELLED)
    category = SeatCategoryFactory(ceremony=ceremony)
    client = logged_in(organiser)

    shown = page(client.get(url(ceremony)))
    response = client.post(
        url(ceremony),
        {"name": "Erika", "email": "erika@example.org", "category": category.pk, "party_size": 1},
    )

    assert shown.texts("p", "alert-warning") == [
        "This ceremony has been cancelled; registration is closed."
    ]
    assert shown.find_all("form", id="registration-add") == []
    assert response.status_code == 403
    assert list(Registration.objects.all()) == []


@pytest.mark.skipif(
    not Registration._meta.get_field("email").blank,
    reason="the model requires an email address (see the report on hand-made bookings)",
)
def test_added_by_hand_without_an_email_address_sends_no_email(organiser, ceremony, public):
    response = submit(logged_in(organiser), ceremony, category=str(public.pk), email="")

    registration = Registration.objects.get()
    assert page(response).texts("div", "alert-success") == [
        f"{registration.booking_code_display} Erika Mustermann (1 person) is registered."
    ]
    assert (registration.status, registration.email) == ("confirmed", "")
    assert list(OutgoingEmail.objects.all()) == []


@pytest.mark.skipif(
    not Registration._meta.get_field("email").blank,
    reason="the model requires an email address (see the report on hand-made bookings)",
)
def test_two_added_by_hand_without_an_email_address_both_register(organiser, ceremony, public):
    client = logged_in(organiser)

    submit(client, ceremony, category=str(public.pk), email="")
    submit(client, ceremony, category=str(public.pk), email="", name="Max Mustermann")

    assert sorted(Registration.objects.values_list("name", "status")) == [
        ("Erika Mustermann", "confirmed"),
        ("Max Mustermann", "confirmed"),
    ]
    assert list(OutgoingEmail.objects.all()) == []


def test_volunteer_cannot_add_a_registration(volunteer, ceremony, public):
    client = logged_in(volunteer)

    shown = client.get(url(ceremony))
    sent = client.post(
        url(ceremony),
        {"name": "Erika", "email": "erika@example.org", "category": public.pk, "party_size": 1},
    )

    assert (shown.status_code, sent.status_code) == (403, 403)
    assert list(Registration.objects.all()) == []
