"""Corrections and photos from the public in Chromium: from the site's page to the
thank-you page, with the keyboard-reachable forms checked with axe-core, and the editor's
decision page."""

import pytest
from playwright.sync_api import expect

from memorials.models import Correction, PhotoSubmission
from tests.browser.conftest import sign_in
from tests.factories import MemorialSiteFactory, UserFactory
from tests.images import exif_data, image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site():
    return MemorialSiteFactory(slug="torgau-monument", name_en="Monument of the Meeting")


def test_visitor_proposes_a_correction(live_server, page, assert_accessible, site):
    page.goto(f"{live_server.url}/en/memorials/torgau-monument/")
    page.get_by_role("link", name="Propose a correction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Propose a correction to Monument of the Meeting"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Send to the editors").click()
    expect(page.locator("#form-errors")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("What to correct").select_option("history")
    page.get_by_label("What it should say").fill("Unveiled in 1995.")
    page.get_by_label("Source").fill("https://example.org/torgau")
    page.get_by_label("Your email address").fill("anna@example.org")
    page.get_by_role("button", name="Send to the editors").click()

    expect(page.get_by_role("status")).to_contain_text("Nothing of it is published")
    assert_accessible(page)
    assert Correction.objects.get().proposed_text == "Unveiled in 1995."


def test_visitor_sends_a_photo(live_server, page, assert_accessible, site):
    page.goto(f"{live_server.url}/en/memorials/torgau-monument/photo/")
    assert_accessible(page)

    page.locator("#id_image").set_input_files(
        files=[
            {
                "name": "IMG_0042.jpg",
                "mimeType": "image/jpeg",
                "buffer": image_bytes(exif=exif_data(gps=True)),
            }
        ]
    )
    page.get_by_label("What the photo shows").fill("The monument seen from the river")
    page.get_by_label("Credit").fill("Anna Schmidt")
    page.get_by_label("CC BY 4.0").check()
    page.get_by_label("I took this photo").check()
    page.get_by_label("Your email address").fill("anna@example.org")
    page.get_by_role("button", name="Send to the editors").click()

    expect(page.get_by_role("status")).to_contain_text("Nothing of it is published")
    assert PhotoSubmission.objects.get().credit == "Anna Schmidt"


# axe's rules for form controls without a name (the admin's own colours are Django's).
LABEL_RULES = ["label", "select-name"]


def test_editor_decides_on_a_page_with_every_control_labelled(live_server, page, axe, site):
    from memorials import services

    editor = UserFactory(username="susanne", is_staff=True, is_superuser=True)
    correction, _created = services.submission_create(
        submission=Correction(
            site=site,
            field="history",
            proposed_text="Unveiled in 1995.",
            source="https://example.org/torgau",
            email="anna@example.org",
            language="en",
        )
    )
    sign_in(page, live_server.url, editor)

    page.goto(f"{live_server.url}/en/admin/memorials/correction/{correction.pk}/change/")
    results = axe.run(page, options={"runOnly": {"type": "rule", "values": LABEL_RULES}})
    assert results.response["violations"] == []
    page.get_by_label("Reason for declining").fill("Not in the source.")
    page.get_by_role("button", name="Decline with this reason").click()

    expect(page.locator(".messagelist")).to_contain_text("Decided")
    correction.refresh_from_db()
    assert (correction.status, correction.decline_reason) == ("declined", "Not in the source.")
