"""A journalist applies for press accreditation with a PDF letter from the outlet, an
organiser approves the application on the staff page, and the journalist's badge (the
ticket) says PRESS and the outlet. Every page opened is checked with axe-core."""

import pytest
from playwright.sync_api import expect

from elbeday.roles import PROTOCOL
from registrations.models import PressAccreditation
from tests.browser.conftest import sign_in
from tests.factories import CeremonyFactory, SeatCategoryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def ceremony():
    ceremony = CeremonyFactory(
        title_en="Wreath-laying at the monument", title_de="Kranzniederlegung am Denkmal"
    )
    SeatCategoryFactory(ceremony=ceremony, name_en="Public", capacity=50)
    ceremony.press_accreditation = True
    ceremony.press_category = SeatCategoryFactory(
        ceremony=ceremony, name_en="Press", name_de="Presse", capacity=5
    )
    ceremony.save()
    return ceremony


def test_journalist_applies_and_is_approved_and_the_badge_shows(
    live_server, open_page, ceremony, assert_accessible, tmp_path
):
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(PDF)
    journalist = open_page()

    journalist.goto(f"{live_server.url}/en/ceremonies/{ceremony.slug}/")
    journalist.get_by_role("link", name="Journalists: apply for press accreditation").click()
    expect(journalist.get_by_role("heading", level=1)).to_have_text(
        "Press accreditation for Wreath-laying at the monument"
    )
    assert_accessible(journalist)
    journalist.get_by_label("Your name").fill("Jana Nowak")
    journalist.get_by_label("Outlet (newspaper, broadcaster, agency)").fill("Torgauer Zeitung")
    journalist.get_by_label("Role").select_option("photographer")
    journalist.get_by_label("Letter from the outlet").set_input_files(str(letter))
    journalist.get_by_label("Email address").fill("jana@example.org")
    journalist.get_by_label("I have read the privacy notice").check()
    journalist.get_by_role("button", name="Apply for accreditation").click()

    expect(journalist.locator(".press-status")).to_have_text(
        "Your application is waiting for a decision. "
        "We will email you when the organisers have decided."
    )
    assert_accessible(journalist)
    manage_url = journalist.url

    organiser = open_page()
    sign_in(organiser, live_server.url, UserFactory(username="paula", groups=[PROTOCOL]))
    organiser.goto(f"{live_server.url}/en/staff/ceremonies/{ceremony.slug}/press/")
    row = organiser.locator("tr.press-row", has_text="Jana Nowak")
    expect(row.get_by_role("link", name="Download the letter")).to_be_visible()
    assert_accessible(organiser)
    row.get_by_label("Decision").select_option("approved")
    row.get_by_role("button", name="Save the decision").click()
    expect(organiser.locator(".alert-success")).to_contain_text("Jana Nowak: approved.")
    expect(organiser.locator("tr.press-row .press-status")).to_contain_text("approved")

    journalist.goto(manage_url)
    expect(journalist.locator(".press-status")).to_contain_text("Your accreditation is approved.")
    journalist.get_by_role("link", name="Your press badge").click()
    expect(journalist.locator(".ticket-press")).to_have_text("PRESS · Torgauer Zeitung")
    expect(journalist.locator(".ticket svg")).to_be_visible()
    assert_accessible(journalist)

    accreditation = PressAccreditation.objects.get()
    assert accreditation.status == "approved"
    assert accreditation.registration.category == ceremony.press_category
