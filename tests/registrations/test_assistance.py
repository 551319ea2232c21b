import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from registrations import delegations, press
from registrations.models import Registration
from tests.factories import (
    CeremonyFactory,
    DelegationFactory,
    PressAccreditationFactory,
    RegistrationFactory,
    SeatCategoryFactory,
)
from tests.helpers import ceremony_today, logged_in, page

pytestmark = pytest.mark.django_db


def register_url(ceremony):
    return reverse("registrations:register", kwargs={"slug": ceremony.slug})


def form_data(category, **changes):
    data = {
        "name": "Сильвашко Александр",
        "email": "sasha@example.org",
        "category": str(category.pk),
        "party_size": "3",
        "carers": "1",
        "interpreter_language": "Russian",
        "needs_wheelchair_space": "on",
        "country": "RU",
        "language": "ru",
        "consent_privacy": "on",
        "submission_key": str(uuid.uuid4()),
        "website": "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def category():
    ceremony = ceremony_today(pickup_point="Torgau station")
    return SeatCategoryFactory(ceremony=ceremony, name_en="Veterans", capacity=20)


def test_form_asks_for_transport_only_where_it_is_offered(client, category):
    without = SeatCategoryFactory(name_en="Public")

    offered = page(client.get(register_url(category.ceremony)))
    not_offered = page(client.get(register_url(without.ceremony)))

    transport = offered.find("input", name="needs_transport")
    label = offered.find("label", **{"for": transport.attrs["id"]})
    assert label.text == "I need transport from the pick-up point: Torgau station"
    assert not_offered.find_all("input", name="needs_transport") == []
    assert len(not_offered.find_all("input", name="carers")) == 1
    assert len(not_offered.find_all("input", name="interpreter_language")) == 1


def test_form_saves_carers_interpreter_and_transport(client, category):
    response = client.post(
        register_url(category.ceremony), form_data(category, needs_transport="on")
    )

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert (
        registration.party_size,
        registration.carers,
        registration.interpreter_language,
        registration.needs_transport,
    ) == (3, 1, "Russian", True)
    category.refresh_from_db()
    # Carers are counted in the seats.
    assert category.seats_taken == 3


def test_form_without_carers_means_none(client, category):
    client.post(register_url(category.ceremony), form_data(category, carers=""))

    assert Registration.objects.get().carers == 0


def test_form_ignores_transport_where_none_is_offered(client):
    category = SeatCategoryFactory(name_en="Public")

    client.post(register_url(category.ceremony), form_data(category, needs_transport="on"))

    assert Registration.objects.get().needs_transport is False


@pytest.mark.parametrize(("party_size", "carers", "most"), [("1", "1", 0), ("3", "4", 2)])
def test_form_refuses_carers_who_are_the_whole_party(client, category, party_size, carers, most):
    response = client.post(
        register_url(category.ceremony),
        form_data(category, party_size=party_size, carers=carers),
    )

    assert response.status_code == 400
    assert f"Carers are counted in the number of people: at most {most} here." in response.text
    assert not Registration.objects.exists()


@pytest.fixture
def prepared(category):
    """Three parties of today's ceremony with assistance to prepare."""
    return [
        RegistrationFactory(
            category=category,
            name="Anna",
            party_size=2,
            carers=1,
            interpreter_language="Russian",
            needs_transport=True,
            needs_wheelchair_space=True,
        ),
        RegistrationFactory(
            category=category, name="Boris", party_size=3, carers=2, interpreter_language="Russian"
        ),
        RegistrationFactory(
            category=category,
            name="Carla",
            party_size=1,
            interpreter_language="English",
            needs_transport=True,
        ),
    ]


def test_dashboard_shows_what_to_prepare(organiser, category, prepared):
    shown = page(logged_in(organiser).get(reverse("staff:dashboard")))

    section = shown.find("section", **{"aria-labelledby": f"ceremony-{category.ceremony.pk}"})
    assistance = shown.find("ul", "assistance", within=section)
    assert [item.text for item in shown.find_all("li", within=assistance)] == [
        "Carers or escorts (people): 3",
        "Transport from Torgau station (registrations): 2",
        "Interpreters (registrations): Russian 2, English 1",
    ]
    assert "Wheelchair space: 1" in section.text


def test_guest_list_shows_what_to_prepare(organiser, category, prepared):
    response = logged_in(organiser).get(
        reverse("staff:guest_list", kwargs={"slug": category.ceremony.slug})
    )

    shown = page(response)
    needs = {row[0]: row[3] for row in shown.table(shown.find("table", "guest-list"))}
    assert needs["Anna"] == (
        "wheelchair space1 carer or escortInterpreter: RussianTransport from the pick-up point"
    )
    assert needs["Boris"] == "2 carers or escortsInterpreter: Russian"


def test_gate_ticket_shows_what_to_prepare(volunteer, prepared):
    shown = page(logged_in(volunteer).get(prepared[0].get_checkin_url()))

    facts = dict(zip(shown.texts("dt"), shown.texts("dd"), strict=True))
    assert facts["Assistance"] == (
        "1 carer or escortInterpreter: RussianTransport from the pick-up point"
    )


def test_export_has_the_assistance_columns(organiser, category, prepared):
    response = logged_in(organiser).get(
        reverse("staff:export", kwargs={"slug": category.ceremony.slug}),
        {
            "which": "confirmed",
            "columns": ["name", "carers", "interpreter_language", "needs_transport"],
            "file_format": "csv",
            "delimiter": ",",
        },
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Carers or escorts", "Interpreter for", "Transport from the pick-up point"],
        ["Anna", "1", "Russian", "yes"],
        ["Boris", "2", "Russian", "no"],
        ["Carla", "0", "English", "yes"],
    ]


def test_approved_delegation_brings_its_interpreter_and_transport_to_the_gate(client):
    ceremony = CeremonyFactory(delegation_requests="open", pickup_point="Torgau station")
    ceremony.delegation_category = SeatCategoryFactory(ceremony=ceremony, capacity=20)
    ceremony.save(update_fields=["delegation_category"])
    delegation = DelegationFactory(
        ceremony=ceremony,
        members="Anna Beispiel, interpreter",
        carers=1,
        interpreter_language="English",
        needs_transport=True,
    )

    delegations.delegation_decide(delegation=delegation, status="approved")

    registration = Registration.objects.get(delegation=delegation)
    assert (
        registration.party_size,
        registration.carers,
        registration.interpreter_language,
        registration.needs_transport,
    ) == (3, 1, "English", True)


@pytest.mark.parametrize("pickup_point", ["Torgau station", ""])
def test_delegation_form_asks_for_transport_only_where_it_is_offered(client, pickup_point):
    ceremony = CeremonyFactory(delegation_requests="open", pickup_point=pickup_point)

    form = page(client.get(reverse("registrations:delegation_request", args=[ceremony.slug])))

    assert len(form.find_all("input", name="interpreter_language")) == 1
    assert len(form.find_all("input", name="needs_transport")) == (1 if pickup_point else 0)


def test_approved_journalist_assistance_reaches_the_gate_and_goes_with_anonymisation():
    ceremony = CeremonyFactory(press_accreditation=True)
    ceremony.press_category = SeatCategoryFactory(ceremony=ceremony, capacity=5)
    ceremony.save(update_fields=["press_category"])
    accreditation = PressAccreditationFactory(
        ceremony=ceremony, needs_note="Step-free route for a camera trolley"
    )

    press.accreditation_decide(accreditation=accreditation, status="approved")
    press.accreditations_anonymise(after_days=0, now=ceremony.end + timedelta(days=1))

    registration = Registration.objects.get(press_accreditation=accreditation)
    assert registration.needs_note == "Step-free route for a camera trolley"
    accreditation.refresh_from_db()
    assert accreditation.needs_note == ""
