"""The order of a ceremony: the order of wreaths proposed from the precedence of kinds and
ranks, moves by hand that survive a new proposal, the published order on the public page,
speakers that must fit into the programme, and the printable running order."""

import datetime
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from elbeday.roles import PROTOCOL
from registrations import delegations, order
from registrations.models import Delegation, Speaker
from tests.factories import (
    CeremonyFactory,
    DelegationFactory,
    ProgrammeItemFactory,
    SeatCategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
Kind = Delegation.Kind


def _ten_o_clock():
    day = (timezone.now() + datetime.timedelta(days=30)).astimezone(BERLIN)
    return day.replace(hour=10, minute=0, second=0, microsecond=0)


def protocol_ceremony(**fields):
    """A ceremony at 10:00 in Berlin (90 minutes) taking open delegation requests, with
    a seat category for delegations."""
    start = _ten_o_clock()
    ceremony = CeremonyFactory(
        start=start,
        end=start + datetime.timedelta(minutes=90),
        time_zone="Europe/Berlin",
        delegation_requests="open",
        **fields,
    )
    category = SeatCategoryFactory(
        ceremony=ceremony,
        name_en="Official delegations",
        capacity=5000,
        max_party_size=20,
        has_waiting_list=False,
    )
    ceremony.delegation_category = category
    ceremony.save(update_fields=["delegation_category"])
    return ceremony


_numbers = iter(range(1, 100_000))


def make_delegation(ceremony, *, status="approved", wreath=True, **fields):
    """A request sent (`DelegationFactory`) and decided through
    `registrations.delegations`."""
    number = next(_numbers)
    fields.setdefault("organisation", f"Sample organisation {number}")
    fields.setdefault("kind", Kind.ASSOCIATION)
    delegation = DelegationFactory(
        ceremony=ceremony,
        brings_wreath=wreath,
        ribbon_text="In remembrance" if wreath else "",
        **fields,
    )
    if status != "waiting":
        delegation = delegations.delegation_decide(delegation=delegation, status=status)
    return delegation


def names(delegations_in_order):
    return [d.organisation for d in delegations_in_order]


def current_order(ceremony):
    return names(order.wreath_order(ceremony))


@pytest.fixture
def protocol(db):
    return UserFactory(username="paula", is_staff=True, groups=[PROTOCOL])


@pytest.fixture
def ceremony():
    return protocol_ceremony()


# The proposal


def test_wreath_order_propose_follows_kinds_then_rank_then_request_time(ceremony):
    make_delegation(ceremony, organisation="Town", kind=Kind.MUNICIPAL)
    make_delegation(ceremony, organisation="Embassy B", kind=Kind.DIPLOMATIC, rank_in_kind=2)
    make_delegation(ceremony, organisation="Veterans unranked", kind=Kind.VETERANS)
    make_delegation(ceremony, organisation="Embassy A", kind=Kind.DIPLOMATIC, rank_in_kind=1)
    make_delegation(ceremony, organisation="Veterans first", kind=Kind.VETERANS, rank_in_kind=1)
    declined = make_delegation(ceremony, organisation="Declined", status="declined")
    waiting = make_delegation(ceremony, organisation="Waiting", status="waiting")
    no_wreath = make_delegation(ceremony, organisation="No wreath", wreath=False)

    proposed = order.wreath_order_propose(ceremony=ceremony)

    expected = ["Embassy A", "Embassy B", "Town", "Veterans first", "Veterans unranked"]
    assert names(proposed) == expected
    assert current_order(ceremony) == expected
    assert [d.wreath_position for d in order.wreath_order(ceremony)] == [1, 2, 3, 4, 5]
    for left_out in (declined, waiting, no_wreath):
        left_out.refresh_from_db()
        assert left_out.wreath_position is None


def test_kind_precedence_set_orders_the_chosen_kinds_first(ceremony):
    make_delegation(ceremony, organisation="Embassy", kind=Kind.DIPLOMATIC)
    make_delegation(ceremony, organisation="Town", kind=Kind.MUNICIPAL)
    make_delegation(ceremony, organisation="Veterans", kind=Kind.VETERANS)
    make_delegation(ceremony, organisation="School", kind=Kind.SCHOOL)

    order.kind_precedence_set(ceremony=ceremony, kinds=[Kind.VETERANS, Kind.SCHOOL])

    assert current_order(ceremony) == ["Veterans", "School", "Embassy", "Town"]
    assert order.kind_precedence(ceremony)[:3] == [Kind.VETERANS, Kind.SCHOOL, Kind.STATE]


def test_kind_precedence_set_refuses_a_kind_twice(ceremony):
    with pytest.raises(ValidationError):
        order.kind_precedence_set(ceremony=ceremony, kinds=[Kind.SCHOOL, Kind.SCHOOL])


def test_wreath_move_stays_where_it_was_put_on_recompute(ceremony):
    for name, rank in [("First", 1), ("Second", 2), ("Third", 3), ("Fourth", 4)]:
        make_delegation(ceremony, organisation=name, kind=Kind.DIPLOMATIC, rank_in_kind=rank)
    order.wreath_order_propose(ceremony=ceremony)
    fourth = Delegation.objects.get(organisation="Fourth")

    order.wreath_move(delegation=fourth, position=2)
    assert current_order(ceremony) == ["First", "Fourth", "Second", "Third"]

    # A new delegation ranked first comes in; the one placed by hand keeps place 2.
    make_delegation(ceremony, organisation="New first", kind=Kind.DIPLOMATIC, rank_in_kind=0)
    order.wreath_order_propose(ceremony=ceremony)

    assert current_order(ceremony) == ["New first", "Fourth", "First", "Second", "Third"]
    fourth.refresh_from_db()
    assert (fourth.wreath_position, fourth.wreath_position_fixed) == (2, True)


def test_wreath_release_puts_it_back_to_the_proposal(ceremony):
    for name, rank in [("First", 1), ("Second", 2), ("Third", 3)]:
        make_delegation(ceremony, organisation=name, kind=Kind.DIPLOMATIC, rank_in_kind=rank)
    order.wreath_order_propose(ceremony=ceremony)
    third = Delegation.objects.get(organisation="Third")
    order.wreath_move(delegation=third, position=1)

    order.wreath_release(delegation=third)

    assert current_order(ceremony) == ["First", "Second", "Third"]
    third.refresh_from_db()
    assert third.wreath_position_fixed is False


def test_wreath_order_propose_drops_a_delegation_declined_after_approval(ceremony):
    kept = make_delegation(ceremony, organisation="Kept")
    declined = make_delegation(ceremony, organisation="Declined later")
    order.wreath_order_propose(ceremony=ceremony)
    order.wreath_move(delegation=declined, position=1)

    delegations.delegation_decide(delegation=declined, status="declined")
    order.wreath_order_propose(ceremony=ceremony)

    declined.refresh_from_db()
    assert (declined.wreath_position, declined.wreath_position_fixed) == (None, False)
    assert current_order(ceremony) == [kept.organisation]


def test_wreath_move_refuses_a_delegation_without_a_wreath(ceremony):
    no_wreath = make_delegation(ceremony, wreath=False)
    with pytest.raises(ValidationError):
        order.wreath_move(delegation=no_wreath, position=1)


def test_wreath_move_records_who_moved_it(ceremony, protocol):
    moved = make_delegation(ceremony)
    order.wreath_order_propose(ceremony=ceremony)
    order.wreath_move(delegation=moved, position=1, by=protocol)
    assert moved.history.latest().history_user == protocol


# The staff page of the order of wreaths


def test_order_page_moves_a_delegation_by_hand(client, ceremony, protocol):
    for name, rank in [("First", 1), ("Second", 2), ("Third", 3)]:
        make_delegation(ceremony, organisation=name, kind=Kind.DIPLOMATIC, rank_in_kind=rank)
    order.wreath_order_propose(ceremony=ceremony)
    third = Delegation.objects.get(organisation="Third")
    client.force_login(protocol)

    response = client.post(
        reverse("staff:order_move", args=[ceremony.slug, third.pk]), {"up": "1"}, follow=True
    )

    assert current_order(ceremony) == ["First", "Third", "Second"]
    assert "Third is now in place 2, placed by hand." in response.content.decode()
    row = response.content.decode().split(f'id="delegation-{third.pk}"')[1].split("</tr>")[0]
    assert "placed by hand" in row


def test_order_page_ranks_ambassadors_within_their_kind(client, ceremony, protocol):
    # Ambassadors by the date of their credentials: the later request presented first.
    for name in ("Embassy A", "Embassy B", "Embassy C"):
        make_delegation(ceremony, organisation=name, kind=Kind.DIPLOMATIC)
    order.wreath_order_propose(ceremony=ceremony)
    embassy_c = Delegation.objects.get(organisation="Embassy C")
    client.force_login(protocol)

    response = client.post(
        reverse("staff:order_rank", args=[ceremony.slug, embassy_c.pk]), {"rank": "1"}, follow=True
    )

    assert current_order(ceremony) == ["Embassy C", "Embassy A", "Embassy B"]
    assert "The rank of Embassy C within its kind is saved" in response.content.decode()
    embassy_c.refresh_from_db()
    assert (embassy_c.rank_in_kind, embassy_c.wreath_position_fixed) == (1, False)
    assert embassy_c.history.first().history_user == protocol


def test_order_page_refuses_a_rank_below_one(client, ceremony, protocol):
    delegation = make_delegation(ceremony, organisation="Embassy", kind=Kind.DIPLOMATIC)
    client.force_login(protocol)

    response = client.post(
        reverse("staff:order_rank", args=[ceremony.slug, delegation.pk]), {"rank": "0"}, follow=True
    )

    assert "Give a rank from 1 on, or none." in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.rank_in_kind is None


def test_order_page_sets_the_precedence_of_kinds(client, ceremony, protocol):
    make_delegation(ceremony, organisation="Embassy", kind=Kind.DIPLOMATIC)
    make_delegation(ceremony, organisation="School", kind=Kind.SCHOOL)
    client.force_login(protocol)
    places = dict.fromkeys(Kind.values, 9)
    places[Kind.SCHOOL] = 1

    client.post(reverse("staff:order_precedence", args=[ceremony.slug]), places)

    assert current_order(ceremony) == ["School", "Embassy"]


def test_order_pages_refuse_check_in_volunteers(client, ceremony, volunteer):
    client.force_login(volunteer)
    for name in ("staff:order_wreaths", "staff:speakers", "staff:running_order"):
        assert client.get(reverse(name, args=[ceremony.slug])).status_code == 403
    assert client.post(reverse("staff:order_recompute", args=[ceremony.slug])).status_code == 403


def test_order_pages_open_for_organisers(client, ceremony, organiser):
    client.force_login(organiser)
    for name in ("staff:order_wreaths", "staff:speakers", "staff:running_order"):
        assert client.get(reverse(name, args=[ceremony.slug])).status_code == 200


# Publishing


def test_published_order_shows_on_the_public_page_and_goes_when_unpublished(
    client, ceremony, django_capture_on_commit_callbacks
):
    make_delegation(ceremony, organisation="Second org", country="US", kind=Kind.SCHOOL)
    make_delegation(ceremony, organisation="First org", country="RU", kind=Kind.STATE)
    order.wreath_order_propose(ceremony=ceremony)
    url = ceremony.get_absolute_url()
    # Not published yet; the page is in the cache now.
    assert "First org" not in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        order.wreath_order_publish(ceremony=ceremony, published=True)
    html = client.get(url).content.decode()
    section = html.split('id="wreath-order"')[1].split("</ol>")[0]
    assert section.index("First org (Russia)") < section.index("Second org (United States")

    # A move by hand clears the cached page too.
    with django_capture_on_commit_callbacks(execute=True):
        order.wreath_move(delegation=Delegation.objects.get(organisation="Second org"), position=1)
    section = client.get(url).content.decode().split('id="wreath-order"')[1]
    assert section.index("Second org") < section.index("First org")

    with django_capture_on_commit_callbacks(execute=True):
        order.wreath_order_publish(ceremony=ceremony, published=False)
    assert "First org" not in client.get(url).content.decode()


def test_published_order_leaves_out_waiting_delegations(client, ceremony):
    make_delegation(ceremony, organisation="Waiting org", status="waiting")
    order.wreath_order_publish(ceremony=ceremony, published=True)
    assert "Waiting org" not in client.get(ceremony.get_absolute_url()).content.decode()


def test_ceremony_page_queries_do_not_grow_with_delegations(client, ceremony):
    order.wreath_order_publish(ceremony=ceremony, published=True)
    for _ in range(3):
        make_delegation(ceremony)
    order.wreath_order_propose(ceremony=ceremony)
    with CaptureQueriesContext(connection) as few:
        client.get(ceremony.get_absolute_url())
    cache.clear()
    for _ in range(12):
        make_delegation(ceremony)
    order.wreath_order_propose(ceremony=ceremony)
    with CaptureQueriesContext(connection) as many:
        html = client.get(ceremony.get_absolute_url()).content.decode()
    assert html.count("Sample organisation") == 15
    assert len(many) == len(few), "\n".join(q["sql"][:300] for q in many.captured_queries)


# Speakers


@pytest.fixture
def programme(ceremony):
    """Welcome at 10:00, speeches at 10:15, wreaths at 10:50 (the ceremony ends 11:30)."""
    start = ceremony.start
    return [
        ProgrammeItemFactory(ceremony=ceremony, starts_at=start, title_en="Welcome"),
        ProgrammeItemFactory(
            ceremony=ceremony,
            starts_at=start + datetime.timedelta(minutes=15),
            title_en="Speeches",
            title_de="Reden",
        ),
        ProgrammeItemFactory(
            ceremony=ceremony,
            starts_at=start + datetime.timedelta(minutes=50),
            title_en="Laying of wreaths",
            title_de="Kranzniederlegung",
        ),
    ]


def speaker(ceremony, item, name, minutes, **fields):
    return order.speaker_save(
        speaker=Speaker(
            ceremony=ceremony, programme_item=item, name=name, minutes=minutes, **fields
        )
    )


def test_speaker_save_refuses_speeches_longer_than_the_slot(ceremony, programme):
    speeches = programme[1]
    speaker(ceremony, speeches, "Mayor", 20)
    speaker(ceremony, speeches, "Ambassador", 15)

    with pytest.raises(ValidationError) as refused:
        speaker(ceremony, speeches, "Late guest", 1)

    assert refused.value.message_dict["minutes"] == [
        "The speeches during “Speeches” would take 36 minutes, but there are only 35 minutes "
        "until the next item of the programme."
    ]
    assert list(Speaker.objects.values_list("name", flat=True)) == ["Mayor", "Ambassador"]


def test_speaker_save_lets_the_last_item_run_until_the_end(ceremony, programme):
    # The wreaths from 10:50 to the end at 11:30: 40 minutes.
    speaker(ceremony, programme[2], "Closing words", 40)
    with pytest.raises(ValidationError):
        speaker(ceremony, programme[2], "One more", 1)


def test_speaker_save_changing_minutes_counts_the_speaker_once(ceremony, programme):
    mayor = speaker(ceremony, programme[1], "Mayor", 30)
    mayor.minutes = 35
    order.speaker_save(speaker=mayor)
    mayor.refresh_from_db()
    assert mayor.minutes == 35


def test_speakers_page_shows_the_fit_message_on_the_minutes(client, ceremony, programme, protocol):
    speaker(ceremony, programme[0], "Host", 10)
    client.force_login(protocol)

    response = client.post(
        reverse("staff:speakers", args=[ceremony.slug]),
        {"name": "Guest", "programme_item": programme[0].pk, "minutes": 6},
    )

    assert response.status_code == 400
    assert (
        "The speeches during “Welcome” would take 16 minutes, but there are only 15 minutes"
        in response.content.decode()
    )
    assert list(Speaker.objects.values_list("name", flat=True)) == ["Host"]


def test_speakers_page_adds_edits_reorders_and_deletes(client, ceremony, programme, protocol):
    client.force_login(protocol)
    url = reverse("staff:speakers", args=[ceremony.slug])
    client.post(url, {"name": "Mayor", "programme_item": programme[1].pk, "minutes": 10})
    client.post(url, {"name": "Ambassador", "programme_item": programme[1].pk, "minutes": 8})
    mayor, ambassador = Speaker.objects.order_by("position")

    client.post(reverse("staff:speaker_move", args=[ceremony.slug, ambassador.pk]), {"up": "1"})
    assert list(Speaker.objects.values_list("name", flat=True)) == ["Ambassador", "Mayor"]

    client.post(
        reverse("staff:speaker_edit", args=[ceremony.slug, mayor.pk]),
        {
            "name": "Mayor",
            "function": "Mayor of the town",
            "programme_item": programme[1].pk,
            "minutes": 12,
        },
    )
    mayor.refresh_from_db()
    assert (mayor.function, mayor.minutes) == ("Mayor of the town", 12)

    client.post(reverse("staff:speaker_delete", args=[ceremony.slug, ambassador.pk]))
    assert list(Speaker.objects.values_list("name", flat=True)) == ["Mayor"]
    # Added, moved down a place, edited: each by the protocol officer.
    assert [h.history_user for h in mayor.history.all()] == [protocol] * 3


# The running order


def test_running_order_times_speakers_in_their_slot(ceremony, programme):
    speaker(ceremony, programme[1], "Mayor", 12)
    speaker(ceremony, programme[1], "Ambassador", 8)
    make_delegation(ceremony, organisation="Embassy")
    order.wreath_order_propose(ceremony=ceremony)

    running = order.running_order(ceremony)

    speeches = running.items[1]
    assert [
        (s.speaker.name, s.starts_at.astimezone(BERLIN).strftime("%H:%M"))
        for s in speeches.speakers
    ] == [("Mayor", "10:15"), ("Ambassador", "10:27")]
    assert running.wreath_item == programme[2]
    assert names(running.items[2].wreaths) == ["Embassy"]


def test_running_order_page_in_german(client, ceremony, programme, protocol, translated):
    speaker(ceremony, programme[1], "Bürgermeisterin Beispiel", 12, function="Stadt")
    speaker(ceremony, programme[1], "Botschafter Beispiel", 8)
    make_delegation(ceremony, organisation="Beispielverband", kind=Kind.VETERANS)
    make_delegation(ceremony, organisation="Beispielbotschaft", kind=Kind.DIPLOMATIC)
    order.wreath_order_propose(ceremony=ceremony)
    client.force_login(protocol)

    with translation.override("de"):
        url = reverse("staff:running_order", args=[ceremony.slug])
    response = client.get(url)
    html = response.content.decode()

    assert url.startswith("/de/")
    assert '<html lang="de">' in html
    assert f"<h1>{translated('de', 'Running order')}</h1>" in html
    assert 'href="/static/css/print.css" media="print"' in html
    # Times at the venue: the second speaker begins 12 minutes into the speeches.
    speeches = html.split(f'id="item-{programme[1].pk}"')[1].split("</li>\n  \n")[0]
    assert "10:15</time> <strong>Bürgermeisterin Beispiel</strong>" in speeches
    assert "10:27</time> <strong>Botschafter Beispiel</strong>" in speeches
    wreaths = html.split('id="running-order-wreaths"')[1].split("</ol>")[0]
    assert wreaths.index("Beispielbotschaft") < wreaths.index("Beispielverband")
    assert (
        f"{translated('de', 'Order of wreaths')}</h3>"
        in html.split(f'id="item-{programme[2].pk}"')[1]
    )


# Query counts: the pages read a fixed number of rows' worth of queries, however many
# delegations there are (a query per delegation would add 45 between 5 and 50).


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["staff:order_wreaths", "staff:speakers", "staff:running_order"])
def test_order_pages_queries_at_5_and_50_delegations(
    client, ceremony, programme, protocol, page, django_assert_max_num_queries
):
    speaker(ceremony, programme[1], "Mayor", 10)
    speaker(ceremony, programme[1], "Ambassador", 10)
    for _ in range(5):
        make_delegation(ceremony, kind=Kind.ASSOCIATION)
    order.wreath_order_propose(ceremony=ceremony)
    client.force_login(protocol)
    url = reverse(page, args=[ceremony.slug])
    at_5 = _queries(client, url)

    for number in range(45):
        make_delegation(ceremony, kind=Kind.values[number % len(Kind.values)])
    order.wreath_order_propose(ceremony=ceremony)
    with django_assert_max_num_queries(at_5):
        response = client.get(url)

    assert response.status_code == 200
    assert at_5 <= 12
    if page != "staff:speakers":
        assert response.content.decode().count("Sample organisation") >= 50


def test_running_order_lays_wreaths_during_the_item_the_organisers_chose(ceremony, programme):
    speaker(ceremony, programme[1], "Mayor", 12)
    make_delegation(ceremony, organisation="Embassy")
    ceremony.wreath_programme_item = programme[0]
    ceremony.full_clean()
    ceremony.save()

    running = order.running_order(ceremony)

    assert running.wreath_item == programme[0]
    assert [names(item.wreaths) for item in running.items] == [["Embassy"], [], []]


def test_ceremony_refuses_another_ceremonys_category_or_programme_item(ceremony):
    other = protocol_ceremony()
    ceremony.delegation_category = other.delegation_category
    ceremony.wreath_programme_item = ProgrammeItemFactory(ceremony=other)

    with pytest.raises(ValidationError) as refused:
        ceremony.full_clean()

    assert set(refused.value.message_dict) == {"delegation_category", "wreath_programme_item"}
