"""An organiser reorders the wreaths by hand (the move survives a new proposal) and prints
the running order in German: A4 in large type, without the navigation, with the speakers
and the order of wreaths. Every page opened is checked with axe-core."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from elbeday.roles import ORGANISERS
from registrations import delegations, order
from registrations.models import Delegation, Speaker
from tests.browser.conftest import sign_in
from tests.factories import (
    CeremonyFactory,
    DelegationFactory,
    ProgrammeItemFactory,
    SeatCategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# 14 points in CSS pixels (96 per inch, 72 points per inch).
LARGE_TYPE_PX = 14 * 96 / 72


@pytest.fixture
def ceremony():
    day = (timezone.now() + datetime.timedelta(days=20)).astimezone(BERLIN)
    start = day.replace(hour=10, minute=0, second=0, microsecond=0)
    ceremony = CeremonyFactory(
        start=start,
        end=start + datetime.timedelta(minutes=90),
        time_zone="Europe/Berlin",
        delegation_requests="open",
        title_de="Kranzniederlegung am Denkmal",
    )
    ceremony.delegation_category = SeatCategoryFactory(
        ceremony=ceremony, name_en="Official delegations", capacity=50, max_party_size=8
    )
    ceremony.save(update_fields=["delegation_category"])
    ProgrammeItemFactory(ceremony=ceremony, starts_at=start, title_de="Begrüßung")
    speeches = ProgrammeItemFactory(
        ceremony=ceremony, starts_at=start + datetime.timedelta(minutes=15), title_de="Reden"
    )
    ProgrammeItemFactory(
        ceremony=ceremony,
        starts_at=start + datetime.timedelta(minutes=50),
        title_de="Kranzniederlegung",
    )
    for name, minutes in [("Sprecherin Beispiel", 10), ("Sprecher Muster", 7)]:
        order.speaker_save(
            speaker=Speaker(ceremony=ceremony, programme_item=speeches, name=name, minutes=minutes)
        )
    for name, rank in [("Erste Botschaft", 1), ("Zweite Botschaft", 2), ("Dritte Botschaft", 3)]:
        delegation = DelegationFactory(
            ceremony=ceremony,
            organisation=name,
            kind=Delegation.Kind.DIPLOMATIC,
            rank_in_kind=rank,
            brings_wreath=True,
            ribbon_text="In Erinnerung",
        )
        delegations.delegation_decide(delegation=delegation, status="approved")
    order.wreath_order_propose(ceremony=ceremony)
    return ceremony


@pytest.fixture
def organiser_page(live_server, open_page):
    user = UserFactory(username="otto", is_staff=True, groups=[ORGANISERS])
    page = sign_in(open_page(), live_server.url, user)
    return page


def order_rows(page):
    return page.locator("#wreath-order tbody tr th")


def test_organiser_moves_a_wreath_by_hand_and_it_stays_on_recompute(
    live_server, organiser_page, ceremony, assert_accessible
):
    page = organiser_page
    page.goto(f"{live_server.url}/en/staff/ceremonies/{ceremony.slug}/wreaths/")
    expect(order_rows(page)).to_have_text(
        [
            "Erste BotschaftGermany",
            "Zweite BotschaftGermany",
            "Dritte BotschaftGermany",
        ]
    )
    assert_accessible(page)

    # Dritte Botschaft to the first place, with the keyboard.
    page.get_by_label("Place for Dritte Botschaft").fill("1")
    page.get_by_label("Place for Dritte Botschaft").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Dritte Botschaft is now in place 1")
    expect(order_rows(page).first).to_contain_text("Dritte Botschaft")
    third = page.locator("#wreath-order tbody tr").first
    expect(third.locator(".placed-by-hand")).to_have_text("placed by hand")

    page.get_by_role("button", name="Propose the order anew").click()

    expect(page.get_by_role("status")).to_contain_text("places set by hand are kept")
    expect(order_rows(page)).to_have_text(
        [
            "Dritte BotschaftGermany",
            "Erste BotschaftGermany",
            "Zweite BotschaftGermany",
        ]
    )
    # Move up and down are plain buttons too.
    page.get_by_role("button", name="Move down Erste Botschaft").click()
    expect(order_rows(page).nth(2)).to_contain_text("Erste Botschaft")
    assert_accessible(page)


def test_running_order_prints_in_german_in_large_type(
    live_server, organiser_page, ceremony, translated, assert_accessible
):
    page = organiser_page
    page.goto(f"{live_server.url}/de/staff/ceremonies/{ceremony.slug}/running-order/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("de", "Running order"))
    assert_accessible(page)

    page.emulate_media(media="print")

    for selector in ("body", ".running-order-speaker", ".running-order-wreath", ".small"):
        size = page.locator(selector).first.evaluate("e => getComputedStyle(e).fontSize")
        assert float(size[:-2]) >= LARGE_TYPE_PX - 0.01, (selector, size)
    expect(page.locator(".staff-nav")).to_be_hidden()
    expect(page.locator(".order-nav")).to_be_hidden()
    speakers = page.locator(".running-order-speaker")
    expect(speakers).to_have_count(2)
    # Times at the venue: the second speaker begins ten minutes into the speeches.
    expect(speakers.first).to_contain_text("10:15 Sprecherin Beispiel")
    expect(speakers.last).to_contain_text("10:25 Sprecher Muster")
    wreaths = page.locator("#running-order-wreaths > li")
    expect(wreaths).to_have_count(3)
    expect(wreaths.first).to_contain_text("Erste Botschaft")
    expect(wreaths.last).to_contain_text("Dritte Botschaft")
    assert page.evaluate(
        "[...document.querySelectorAll('.running-order-entry')]"
        ".every(e => getComputedStyle(e).breakInside === 'avoid')"
    )
