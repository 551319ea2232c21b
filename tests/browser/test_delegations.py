"""A delegation's way in Chromium: an invited organisation requests through its link, an
organiser approves it (the requester's email carries the ticket), and the delegation's
ticket is checked in at the gate. Every page is checked with axe-core."""

import datetime
import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from elbeday.roles import ORGANISERS, VOLUNTEERS
from registrations.models import CheckIn, Delegation, OutgoingEmail
from tests.browser.conftest import sign_in
from tests.factories import (
    CeremonyFactory,
    DelegationInvitationFactory,
    SeatCategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ceremony(db):
    """Today's ceremony, by invitation, under way since an hour ago and taking delegation
    requests for half an hour more (the organisers' deadline). Running from an hour ago
    to two hours from now, it is today's in Berlin at any hour, so its tickets are
    checked in whenever the test runs; one starting in an hour is tomorrow's after 23:00."""
    now = timezone.now()
    ceremony = CeremonyFactory(
        start=now - datetime.timedelta(hours=1),
        end=now + datetime.timedelta(hours=2),
        time_zone="Europe/Berlin",
        registration_closes=now + datetime.timedelta(minutes=30),
        delegation_requests="invitation",
        delegation_changes_until=now + datetime.timedelta(minutes=30),
    )
    ceremony.delegation_category = SeatCategoryFactory(
        ceremony=ceremony, name_en="Delegations", capacity=20, max_party_size=10
    )
    ceremony.save()
    return ceremony


def test_invited_delegation_requests_is_approved_and_checked_in(
    live_server, open_page, assert_accessible, ceremony
):
    invitation = DelegationInvitationFactory(
        ceremony=ceremony, organisation="Example Friendship Society"
    )
    with translation.override("en"):
        link = live_server.url + f"/en/delegations/invitation/{invitation.token}/"

    # The invited organisation requests through its link.
    page = open_page()
    page.goto(link)
    expect(page.get_by_label("Organisation")).to_have_value("Example Friendship Society")
    assert_accessible(page)
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Kind").select_option("association")
    page.get_by_label("Head of delegation").fill("Jane Example")
    page.get_by_label("Further members").fill("John Example, treasurer")
    page.get_by_label("Brings a wreath").check()
    page.get_by_label("Ribbon text").fill("In friendship")
    page.get_by_label("Contact person").fill("Joan Example")
    page.get_by_label("Contact email").fill("joan@example.org")
    page.get_by_label("Contact phone").fill("+1 555 123 4567")
    page.get_by_label(re.compile("privacy notice")).check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Delegation of Example Friendship Society"
    )
    expect(page.locator(".delegation-status")).to_have_text("Waiting for a decision")
    assert_accessible(page)
    delegation = Delegation.objects.get()
    assert (delegation.invitation, delegation.people) == (invitation, 2)

    # An organiser approves it.
    organiser = UserFactory(username="otto", is_staff=True, groups=[ORGANISERS])
    staff = open_page()
    sign_in(staff, live_server.url, organiser)
    staff.goto(f"{live_server.url}/en/staff/ceremonies/{ceremony.slug}/delegations/")
    assert_accessible(staff)
    staff.get_by_label("Decision on Example Friendship Society").select_option("approved")
    staff.get_by_label("Note to Example Friendship Society").fill("Please come at ten.")
    staff.get_by_role("button", name="Decide").click()
    expect(staff.locator(".delegation-status")).to_have_text("Approved")
    delegation.refresh_from_db()
    registration = delegation.registration
    email = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.DELEGATION_DECISION)
    with translation.override("en"):
        ticket_path = registration.get_ticket_url()
        checkin_path = registration.get_checkin_url()
    assert ticket_path in email.body_text
    assert "Please come at ten." in email.body_text

    # The requester's page shows the ticket.
    page.reload()
    expect(page.locator(".delegation-status")).to_have_text("Approved")
    page.get_by_role("link", name="The delegation's ticket").click()
    expect(page).to_have_url(live_server.url + ticket_path)

    # The delegation is checked in at the gate.
    volunteer = UserFactory(username="volunteer", groups=[VOLUNTEERS])
    gate = open_page()
    sign_in(gate, live_server.url, volunteer)
    gate.goto(live_server.url + checkin_path)
    expect(gate.get_by_role("heading", level=1)).to_have_text("Jane Example")
    assert_accessible(gate)
    gate.get_by_role("button", name="Check in the party (2)", exact=True).click()
    expect(gate.get_by_role("status")).to_have_text("2 people checked in.")
    [checkin] = CheckIn.objects.filter(registration=registration)
    assert (checkin.people, checkin.by) == (2, volunteer)
