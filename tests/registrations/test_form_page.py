"""The registration form as a visitor meets it: an error summary that lists every error
and links to its field, as GOV.UK's does."""

import uuid

import pytest

from tests.factories import SeatCategoryFactory

pytestmark = pytest.mark.django_db


def test_error_summary_lists_each_error_linked_to_its_field(client, page):
    category = SeatCategoryFactory(max_party_size=4)

    response = client.post(
        f"/en/ceremonies/{category.ceremony.slug}/register/",
        {
            "name": "",
            "email": "not an address",
            "country": "DE",
            "language": "en",
            "party_size": "0",
            "submission_key": str(uuid.uuid4()),
            "website": "",
        },
    )

    form_page = page(response)
    summary = form_page.find("div", id="form-errors")
    assert response.status_code == 400
    assert [
        (link.text, link.attrs["href"]) for link in form_page.find_all("a", within=summary)
    ] == [
        ("Your name: This field is required.", "#id_name"),
        ("Email address: Enter a valid email address.", "#id_email"),
        ("Seat category: This field is required.", "#id_category_0"),
        (
            "Number of people, including you: Ensure this value is greater than or equal to 1.",
            "#id_party_size",
        ),
        (
            "I have read the privacy notice and agree that my data is used for this ceremony: "
            "Please accept the privacy notice to register.",
            "#id_consent_privacy",
        ),
    ]


def test_error_summary_links_lead_to_fields_on_the_page(client, page):
    category = SeatCategoryFactory()

    response = client.post(
        f"/en/ceremonies/{category.ceremony.slug}/register/",
        {"submission_key": str(uuid.uuid4())},
    )

    form_page = page(response)
    targets = [
        link.attrs["href"].removeprefix("#")
        for link in form_page.find_all("a", within=form_page.find("div", id="form-errors"))
    ]
    assert targets
    assert [
        target
        for target in targets
        if not form_page.find_all("input", id=target)
        and not form_page.find_all("select", id=target)
    ] == []
