"""A site's status (standing, moved, damaged, missing, removed): on its page, as a badge
in the list, in the list's filter, and where a moved site went."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from memorials.models import MemorialSite
from tests.factories import MemorialSiteFactory
from tests.helpers import admin_change, page

pytestmark = pytest.mark.django_db


def status_line(shown):
    return shown.texts("p", "site-status")


def test_moved_site_page_says_where_and_when_confirmed(client):
    site = MemorialSiteFactory(
        status="moved",
        moved_to_en="the town museum's courtyard",
        moved_to_de="den Hof des Stadtmuseums",
        status_confirmed_on=datetime.date(2026, 5, 12),
    )

    english = page(client.get(f"/en/memorials/{site.slug}/"))
    german = page(client.get(f"/de/memorials/{site.slug}/"))

    assert status_line(english) == [
        "Status: moved to the town museum's courtyard, last confirmed May 12, 2026"
    ]
    # In the page's language (the sentence around it is translated with the others).
    assert "den Hof des Stadtmuseums" in status_line(german)[0]


@pytest.mark.parametrize(
    ("status", "confirmed", "expected"),
    [
        ("damaged", None, ["Status: damaged"]),
        ("missing", datetime.date(2025, 4, 25), ["Status: missing, last confirmed April 25, 2025"]),
        (
            "standing",
            datetime.date(2025, 4, 25),
            ["Status: standing, last confirmed April 25, 2025"],
        ),
        # A standing site with nothing confirmed says nothing about it.
        ("standing", None, []),
    ],
)
def test_site_page_status(client, status, confirmed, expected):
    site = MemorialSiteFactory(status=status, status_confirmed_on=confirmed)

    assert status_line(page(client.get(f"/en/memorials/{site.slug}/"))) == expected


def test_moved_site_needs_where_to():
    site = MemorialSiteFactory.build(status="moved", moved_to_en="")

    with pytest.raises(ValidationError) as error:
        site.full_clean()
    with pytest.raises(IntegrityError):
        MemorialSiteFactory(status="moved", moved_to_en=None)

    assert error.value.messages == ["Say where the site was moved to."]


def test_admin_refuses_moved_site_without_where_to(admin_client):
    site = MemorialSiteFactory()
    url = f"/en/admin/memorials/memorialsite/{site.pk}/change/"

    refused = admin_change(admin_client, url, status="moved")
    saved = admin_change(admin_client, url, status="moved", moved_to_en="Strehla town hall")

    assert "Say where the site was moved to." in page(refused).texts("li")
    assert saved.status_code == 302
    site.refresh_from_db()
    assert (site.status, site.moved_to_en) == ("moved", "Strehla town hall")


@pytest.fixture
def status_sites():
    MemorialSiteFactory(name_en="Standing")
    MemorialSiteFactory(name_en="Damaged", status="damaged")
    MemorialSiteFactory(name_en="Moved", status="moved", moved_to_en="Riesa")
    MemorialSiteFactory(name_en="Missing draft", status="missing", is_published=False)


def card_names(shown):
    return shown.texts("a", "stretched-link")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Damaged", "Moved", "Standing"]),
        ("?status=damaged", ["Damaged"]),
        ("?status=moved", ["Moved"]),
        ("?status=standing", ["Standing"]),
        # Only drafts are missing: the value is not offered, and ignored.
        ("?status=missing", ["Damaged", "Moved", "Standing"]),
    ],
)
def test_list_filters_by_status(client, status_sites, query, expected):
    assert card_names(page(client.get(f"/en/memorials/{query}"))) == expected


def test_list_status_filter_offers_published_statuses(client, status_sites):
    shown = page(client.get("/en/memorials/"))

    select = shown.find("select", name="status")
    assert [
        (option.attrs["value"], option.text) for option in shown.find_all("option", within=select)
    ] == [("", "Any status"), ("standing", "standing"), ("moved", "moved"), ("damaged", "damaged")]
    assert shown.find("label", **{"for": "id_status"}).text == "Status"


def test_list_badge_for_sites_not_standing(client, status_sites):
    shown = page(client.get("/en/memorials/"))

    cards = shown.find_all("article", "site-card")
    assert [
        (
            shown.find("a", "stretched-link", within=card).text,
            shown.texts("span", "badge", within=card),
        )
        for card in cards
    ] == [("Damaged", ["Damaged"]), ("Moved", ["Moved"]), ("Standing", [])]


def test_status_choices_in_order():
    assert MemorialSite.Status.values == ["standing", "moved", "damaged", "missing", "removed"]
