"""Pages that show personal data are never kept by a browser or a proxy in between:
the booking, the ticket, the data download, the organisers' pages and the gate."""

import pytest

from tests.factories import RegistrationFactory, SeatCategoryFactory
from tests.helpers import ceremony_today, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration():
    return RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony_today(slug="today")),
        name="Anna Schmidt",
        email="anna@example.org",
    )


def cache_directives(response):
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


def test_registrants_pages_are_private_and_not_stored(client, registration):
    manage = f"/en/registrations/{registration.manage_token}/"
    responses = {
        "booking": client.get(manage),
        "ticket": client.get(registration.get_ticket_url()),
        "old ticket link": client.get(f"{manage}ticket/"),
        "calendar file": client.get(f"{manage}calendar.ics"),
        "data download": client.get(f"{manage}data.json"),
        "party change refused": client.post(f"{manage}party/", {"party_size": "99"}),
        "registration form with errors": client.post(
            "/en/ceremonies/today/register/", {"name": "Anna Schmidt", "email": "x"}
        ),
    }

    assert {
        name: {"private", "no-store"} <= cache_directives(response)
        for name, response in responses.items()
    } == dict.fromkeys(responses, True)


def test_staff_pages_are_private_and_not_stored(organiser, volunteer, registration):
    organiser_client = logged_in(organiser)
    responses = {
        "dashboard": organiser_client.get("/en/staff/"),
        "export": organiser_client.get(
            "/en/staff/ceremonies/today/export/",
            {"which": "confirmed", "columns": ["name", "email"], "file_format": "csv"},
        ),
        "guest list": organiser_client.get("/en/staff/ceremonies/today/guest-list/"),
        "message": organiser_client.get("/en/staff/ceremonies/today/message/"),
        "admin registration": organiser_client.get(
            f"/en/admin/registrations/registration/{registration.pk}/change/"
        ),
        "gate": logged_in(volunteer).get("/en/checkin/", {"q": "Anna"}),
        "gate ticket": logged_in(volunteer).get(registration.get_checkin_url()),
        "gate counts": logged_in(volunteer).get("/en/checkin/counts.json"),
        "login needed": logged_in(None).get("/en/staff/"),
    }

    assert {
        name: (response.status_code, {"private", "no-store"} <= cache_directives(response))
        for name, response in responses.items()
    } == {name: (302 if name == "login needed" else 200, True) for name in responses}


def test_public_pages_stay_cacheable(client, registration):
    response = client.get("/en/ceremonies/today/")

    assert response.status_code == 200
    assert "no-store" not in cache_directives(response)
