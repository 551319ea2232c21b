"""The booking page with its venue, the question before cancelling and the "lost your
booking link?" page in Chromium, on a phone and a desktop: each checked with axe-core."""

import pytest
from playwright.sync_api import expect

from registrations.models import OutgoingEmail, Registration
from tests.factories import (
    CeremonyFactory,
    MemorialSiteFactory,
    RegistrationFactory,
    SeatCategoryFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def booking(live_server):
    site = MemorialSiteFactory(
        name_en="Monument of the Meeting",
        address="Elbstraße",
        visiting_info_en="On the Elbe below the castle.",
        step_free_access="yes",
    )
    ceremony = CeremonyFactory(
        venue_site=site, accessibility_info_en="Chairs are set out for older guests."
    )
    return RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony), name="Anna Schmidt", language="en"
    )


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_booking_page_and_the_question_before_cancelling(
    request, live_server, assert_accessible, booking, device
):
    page = request.getfixturevalue(device)
    page.goto(live_server.url + booking.get_manage_url())
    expect(page.get_by_role("heading", name="Where")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Cancel my registration").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your registration?")
    assert_accessible(page)
    assert Registration.objects.get(pk=booking.pk).status == "confirmed"
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_role("status").first).to_have_text("Your registration has been cancelled.")
    assert Registration.objects.get(pk=booking.pk).status == "cancelled"


def test_lost_link_page(live_server, page, assert_accessible, booking):
    OutgoingEmail.objects.all().delete()
    page.goto(f"{live_server.url}/en/registrations/lost-link/")
    assert_accessible(page)

    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send my booking link").click()

    expect(page.get_by_role("status")).to_contain_text("If we have a booking for this address")
    assert_accessible(page)
    assert OutgoingEmail.objects.count() == 0
