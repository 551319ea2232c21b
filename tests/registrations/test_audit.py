import pytest
from django.test import Client

from registrations.models import Registration
from tests.factories import RegistrationFactory, SeatCategoryFactory
from tests.helpers import admin_action, ceremony_today, logged_in, page
from tests.registrations.test_views import form_data

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/registrations/registration/"


@pytest.fixture
def story(organiser, volunteer):
    """Anna and Brian fill the seats and Jürgen waits with three people. The organiser
    cancels Anna; Jürgen, told only two seats are free, brings one person fewer; the
    organiser moves him off the waiting list; the volunteer lets his party in."""
    category = SeatCategoryFactory(ceremony=ceremony_today(), capacity=4)
    anna = RegistrationFactory(category=category, name="Anna Schmidt", party_size=2)
    RegistrationFactory(category=category, name="Brian O'Neill", party_size=2)
    juergen = RegistrationFactory(category=category, name="Jürgen Müßig", party_size=3)
    admin = logged_in(organiser)

    assert admin_action(admin, CHANGELIST, "cancel_registrations", [anna]) == [
        "1 registration done."
    ]
    changed = Client().post(
        f"{juergen.get_manage_url()}party/", {"party_size": 2, "guest_names": "Eva Müßig"}
    )
    assert changed.status_code == 302
    assert admin_action(admin, CHANGELIST, "promote_registrations", [juergen]) == [
        "1 registration done."
    ]
    checked_in = logged_in(volunteer).post(juergen.get_checkin_url(), {"people": 2})
    assert checked_in.status_code == 302
    return anna, juergen


def history(registration):
    return [
        (
            record.history_type,
            record.status,
            record.party_size,
            record.checked_in,
            record.history_user.username if record.history_user else None,
            record.history_change_reason,
        )
        for record in registration.history.order_by("history_date", "history_id")
    ]


def test_audit_history_records_every_change_and_the_staff_who_made_it(story):
    anna, juergen = story

    assert history(anna) == [
        ("+", "confirmed", 2, 0, None, None),
        ("~", "cancelled", 2, 0, "otto", None),
    ]
    assert history(juergen) == [
        ("+", "waiting", 3, 0, None, None),
        ("~", "waiting", 2, 0, None, None),
        ("~", "confirmed", 2, 0, "otto", "promoted by hand"),
        ("~", "confirmed", 2, 2, "vera", "check-in"),
    ]


def test_audit_admin_history_page_lists_the_changes(organiser, story):
    _anna, juergen = story

    response = logged_in(organiser).get(f"{CHANGELIST}{juergen.pk}/history/")

    shown = page(response)
    rows = shown.table(shown.find("table", id="change-history"))
    title = f"{juergen.booking_code_display} Jürgen Müßig"
    # Without the date column, which changes from run to run.
    assert [row[:4] + row[5:] for row in rows] == [
        [title, "confirmed", "2", "2", "Changed", "vera", "check-in", ""],
        [
            title,
            "confirmed",
            "2",
            "0",
            "Changed",
            "otto",
            "promoted by hand",
            "Status: waiting → confirmed",
        ],
        [
            title,
            "waiting",
            "2",
            "0",
            "Changed",
            "None",
            "None",
            "Names of the guests: → Eva Müßig Party size: 3 → 2",
        ],
        [title, "waiting", "3", "0", "Created", "None", "None", ""],
    ]


def test_audit_history_names_a_signed_in_organiser_who_registers_on_the_public_form(organiser):
    # The history looks up the user only for a request with a session cookie
    # (elbeday.middleware.HistoryRequestMiddleware): an organiser has one, a visitor not.
    category = SeatCategoryFactory(capacity=10, max_party_size=4)
    url = f"/en/ceremonies/{category.ceremony.slug}/register/"

    for client, email in (
        (logged_in(organiser), "otto@example.org"),
        (Client(), "ann@example.org"),
    ):
        response = client.post(url, form_data(category, email=email))
        assert response.status_code == 302

    registrations = {r.email: r for r in Registration.objects.all()}
    assert history(registrations["otto@example.org"]) == [("+", "confirmed", 2, 0, "otto", None)]
    assert history(registrations["ann@example.org"]) == [("+", "confirmed", 2, 0, None, None)]
