import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group

from elbeday.roles import EDITORS, ORGANISERS, PROTOCOL, VOLUNTEERS
from tests.factories import RegistrationFactory, SeatCategoryFactory, UserFactory
from tests.helpers import ceremony_today, logged_in, page

pytestmark = pytest.mark.django_db

CONTENT_MODELS = {
    "memorials": [
        "memorialsite",
        "photo",
        "sitedate",
        "source",
        "historynote",
        "series",
        "trail",
        "trailstop",
        "correction",
        "photosubmission",
    ],
    "events": ["series", "ceremony", "programmeitem", "seatcategory"],
    "elbeday": ["page"],
}
CONTENT_PERMISSIONS = {
    (app, f"{action}_{model}")
    for app, models in CONTENT_MODELS.items()
    for model in models
    for action in ("add", "change", "delete", "view")
}
REGISTRATION_PERMISSIONS = {
    ("registrations", "view_registration"),
    ("registrations", "change_registration"),
    ("registrations", "view_historicalregistration"),
    ("registrations", "view_outgoingemail"),
    ("registrations", "change_outgoingemail"),
    ("registrations", "view_checkin"),
    ("registrations", "checkin_registration"),
    ("registrations", "export_registration"),
    ("registrations", "message_registration"),
    ("registrations", "view_dashboard"),
    ("registrations", "view_gatedevice"),
    ("registrations", "change_gatedevice"),
}
# Written out rather than taken from elbeday.roles, so that a change there shows here.
PROTOCOL_PERMISSIONS = {
    ("registrations", "manage_protocol"),
    ("registrations", "view_historicaldelegation"),
    ("registrations", "view_historicalpressaccreditation"),
    ("registrations", "view_historicalspeaker"),
    *(
        ("registrations", f"{action}_{model}")
        for model in (
            "delegation",
            "delegationinvitation",
            "kindprecedence",
            "speaker",
            "pressaccreditation",
        )
        for action in ("add", "change", "view")
    ),
}


def permissions_of(group_name):
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_roles_exist_after_migrations_with_their_permissions():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(
        [EDITORS, ORGANISERS, PROTOCOL, VOLUNTEERS]
    )
    assert permissions_of(EDITORS) == CONTENT_PERMISSIONS
    assert permissions_of(ORGANISERS) == (
        CONTENT_PERMISSIONS | REGISTRATION_PERMISSIONS | PROTOCOL_PERMISSIONS
    )
    assert permissions_of(PROTOCOL) == PROTOCOL_PERMISSIONS | {("registrations", "view_dashboard")}
    assert permissions_of(VOLUNTEERS) == {("registrations", "checkin_registration")}


@pytest.fixture
def pages():
    """Every staff page, by a short name."""
    ceremony = ceremony_today(slug="torgau-today")
    registration = RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony),
        name="Jürgen Müßig",
        email="juergen.muessig@example.org",
    )
    return {
        "dashboard": "/en/staff/",
        "export": "/en/staff/ceremonies/torgau-today/export/",
        "guest list": "/en/staff/ceremonies/torgau-today/guest-list/",
        "message": "/en/staff/ceremonies/torgau-today/message/",
        "registration add": "/en/staff/ceremonies/torgau-today/registrations/add/",
        "check-in": "/en/checkin/",
        "check-in counts": "/en/checkin/counts.json",
        "check-in ticket": f"/en/checkin/{registration.ticket_token}/",
        "admin": "/en/admin/",
        "admin registrations": "/en/admin/registrations/registration/",
        "admin memorial sites": "/en/admin/memorials/memorialsite/",
        "admin ceremonies": "/en/admin/events/ceremony/",
    }


ROLES = ["anonymous", "volunteer", "editor", "organiser", "superuser"]
ORGANISERS_ONLY = {"volunteer": 403, "editor": 403, "organiser": 200, "superuser": 200}
CHECK_IN = {"volunteer": 200, "editor": 403, "organiser": 200, "superuser": 200}
STAFF_ADMIN = {"volunteer": "admin login", "editor": 200, "organiser": 200, "superuser": 200}
OUTCOMES = {
    "dashboard": {"anonymous": "login", **ORGANISERS_ONLY},
    "export": {"anonymous": "login", **ORGANISERS_ONLY},
    "guest list": {"anonymous": "login", **ORGANISERS_ONLY},
    "message": {"anonymous": "login", **ORGANISERS_ONLY},
    "registration add": {"anonymous": "login", **ORGANISERS_ONLY},
    "check-in": {"anonymous": "login", **CHECK_IN},
    "check-in counts": {"anonymous": "login", **CHECK_IN},
    "check-in ticket": {"anonymous": "login", **CHECK_IN},
    "admin": {"anonymous": "admin login", **STAFF_ADMIN},
    "admin memorial sites": {"anonymous": "admin login", **STAFF_ADMIN},
    "admin ceremonies": {"anonymous": "admin login", **STAFF_ADMIN},
    "admin registrations": {"anonymous": "admin login", **STAFF_ADMIN, "editor": 403},
}


@pytest.mark.parametrize(("name", "role"), [(name, role) for name in OUTCOMES for role in ROLES])
def test_staff_page_answers_each_role(request, pages, name, role):
    path = pages[name]
    user = None if role == "anonymous" else request.getfixturevalue(role)
    expected = OUTCOMES[name][role]

    response = logged_in(user).get(path)

    if expected == "login":
        assert (response.status_code, response["Location"]) == (
            302,
            f"/en/accounts/login/?next={quote(path)}",
        )
    elif expected == "admin login":
        assert (response.status_code, response["Location"]) == (
            302,
            f"/en/admin/login/?next={quote(path)}",
        )
    else:
        assert response.status_code == expected


EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def test_checkin_pages_show_a_volunteer_no_email_address(volunteer):
    registration = RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony_today()),
        name="Jürgen Müßig",
        email="juergen.muessig@example.org",
        needs_wheelchair_space=True,
    )
    client = logged_in(volunteer)

    search = client.get("/en/checkin/", {"q": "Müßig"})
    ticket = client.get(registration.get_checkin_url())

    results = page(search)
    assert results.texts("a", within=results.find("ul", "list-group")) == ["Jürgen Müßig"]
    assert page(ticket).find("h1").text == "Jürgen Müßig"
    assert EMAIL_ADDRESS.findall(search.content.decode()) == []
    assert EMAIL_ADDRESS.findall(ticket.content.decode()) == []


def test_volunteer_logs_in_and_lands_on_the_checkin_page(client):
    UserFactory(username="vera", groups=[VOLUNTEERS])

    form = client.get("/en/accounts/login/")
    response = client.post(
        "/en/accounts/login/", {"username": "vera", "password": "password"}, follow=True
    )

    assert form.status_code == 200
    assert response.redirect_chain == [("/en/checkin/", 302)]
    assert page(response).find("h1").text == "Check-in"


def test_volunteer_sent_to_the_login_from_a_ticket_returns_to_the_ticket(client):
    UserFactory(username="vera", groups=[VOLUNTEERS])
    registration = RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony_today()), name="Ольга"
    )

    login = client.get(registration.get_checkin_url(), follow=True)
    response = client.post(
        login.redirect_chain[-1][0],
        {"username": "vera", "password": "password"},
        follow=True,
    )

    assert response.redirect_chain == [(registration.get_checkin_url(), 302)]
    assert page(response).find("h1").text == "Ольга"
