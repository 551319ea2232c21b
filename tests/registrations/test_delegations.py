"""Delegations: invitations, requests, decisions with their seats and emails, amendments
until the deadline, withdrawal, anonymisation, and the public and staff pages."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from elbeday.roles import PROTOCOL
from registrations import delegations
from registrations.models import Delegation, OutgoingEmail, Registration
from tests.factories import (
    CeremonyFactory,
    DelegationFactory,
    DelegationInvitationFactory,
    SeatCategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = Delegation.Status


@pytest.fixture
def protocol(db):
    return UserFactory(username="paula", is_staff=True, groups=[PROTOCOL])


@pytest.fixture
def ceremony(db):
    """A ceremony taking open requests, with 10 seats for delegations."""
    ceremony = CeremonyFactory(delegation_requests="open", delegation_members_max=4)
    ceremony.delegation_category = SeatCategoryFactory(
        ceremony=ceremony, name_en="Delegations", capacity=10, max_party_size=10
    )
    ceremony.save()
    return ceremony


def request(ceremony, **fields):
    return DelegationFactory(ceremony=ceremony, **fields)


def emails(kind):
    return list(OutgoingEmail.objects.filter(kind=kind).order_by("pk"))


# Invitations and requests


def test_invitation_create_emails_link_and_code_in_its_language(ceremony, protocol):
    invitation = delegations.invitation_create(
        ceremony=ceremony,
        organisation="Städtepartnerschaftsverein",
        email="verein@example.org",
        language="de",
        by=protocol,
    )

    [email] = emails(OutgoingEmail.Kind.DELEGATION_INVITATION)
    assert (email.to, email.language, email.delegation_invitation) == (
        "verein@example.org",
        "de",
        invitation,
    )
    assert f"/de/delegations/invitation/{invitation.token}/" in email.body_text
    assert invitation.code in email.body_text
    assert invitation.created_by == protocol


def test_invitation_create_refused_when_ceremony_takes_no_delegations(protocol):
    ceremony = CeremonyFactory(delegation_requests="none")
    with pytest.raises(delegations.DelegationError):
        delegations.invitation_create(
            ceremony=ceremony, organisation="X", email="x@example.org", language="en", by=protocol
        )


def test_delegation_request_refused_when_ceremony_takes_none():
    ceremony = CeremonyFactory(delegation_requests="none")
    with pytest.raises(delegations.DelegationError) as error:
        request(ceremony)
    assert error.value.code == "closed"


def test_delegation_request_by_invitation_needs_a_valid_unused_invitation():
    ceremony = CeremonyFactory(delegation_requests="invitation")
    other = DelegationInvitationFactory(ceremony=CeremonyFactory(delegation_requests="invitation"))
    invitation = DelegationInvitationFactory(ceremony=ceremony, organisation="Veterans' Club")

    with pytest.raises(delegations.DelegationError) as none:
        request(ceremony)
    with pytest.raises(delegations.DelegationError) as foreign:
        request(ceremony, invitation=other)
    delegation = request(ceremony, invitation=invitation, organisation="")
    with pytest.raises(delegations.DelegationError) as used:
        request(ceremony, invitation=invitation)

    assert (none.value.code, foreign.value.code, used.value.code) == (
        "invitation",
        "invitation",
        "invitation_used",
    )
    assert (delegation.organisation, delegation.status) == ("Veterans' Club", Status.WAITING)


def test_delegation_request_takes_a_typed_invitation_code():
    ceremony = CeremonyFactory(delegation_requests="invitation")
    invitation = DelegationInvitationFactory(ceremony=ceremony)
    typed = f" {invitation.code[:4].lower()}-{invitation.code[4:]} "

    delegation = delegations.delegation_request(
        ceremony=ceremony, delegation=DelegationFactory.build(ceremony=ceremony), code=typed
    )

    assert delegation.invitation == invitation


def test_delegation_request_open_always_waits_and_emails_manage_link(ceremony):
    delegation = request(ceremony, language="ru")

    assert delegation.status == Status.WAITING
    [email] = emails(OutgoingEmail.Kind.DELEGATION_RECEIVED)
    assert (email.to, email.language, email.delegation) == (
        delegation.contact_email,
        "ru",
        delegation,
    )
    assert f"/ru/delegations/{delegation.manage_token}/" in email.body_text


def test_delegation_request_validates_members_ribbon_and_phone(ceremony):
    ceremony.ribbon_text_max_length = 20
    ceremony.save()
    with pytest.raises(ValidationError) as error:
        request(
            ceremony,
            members="A\nB\nC\nD",  # a head and 4 more: 5 > 4
            brings_wreath=True,
            ribbon_text="In memory of the meeting on the Elbe",
            contact_phone="call me",
        )
    assert sorted(error.value.message_dict) == ["contact_phone", "members", "ribbon_text"]
    with pytest.raises(ValidationError) as missing:
        request(ceremony, brings_wreath=True, ribbon_text="")
    assert list(missing.value.message_dict) == ["ribbon_text"]
    assert Delegation.objects.count() == 0


def test_delegation_request_refused_after_the_deadline(ceremony):
    ceremony.delegation_changes_until = timezone.now() - datetime.timedelta(hours=1)
    ceremony.save()
    with pytest.raises(delegations.DelegationError):
        request(ceremony)


# Decisions


def test_delegation_decide_approve_takes_seats_and_emails_ticket(ceremony, protocol):
    delegation = request(
        ceremony, members="Anna Example, deputy\nBert Example, aide", carers=1, language="de"
    )
    delegation.needs_wheelchair_space = True
    Delegation.objects.filter(pk=delegation.pk).update(needs_wheelchair_space=True)

    delegation = delegations.delegation_decide(
        delegation=delegation, status="approved", note="Welcome.", by=protocol
    )

    registration = delegation.registration
    assert (registration.status, registration.party_size, registration.category) == (
        Registration.Status.CONFIRMED,
        4,
        ceremony.delegation_category,
    )
    assert (registration.name, registration.email, registration.needs_wheelchair_space) == (
        delegation.head_name,
        delegation.contact_email,
        True,
    )
    ceremony.delegation_category.refresh_from_db()
    assert ceremony.delegation_category.seats_taken == 4
    [email] = emails(OutgoingEmail.Kind.DELEGATION_DECISION)
    assert email.language == "de"
    with translation.override("de"):
        assert registration.get_ticket_url() in email.body_text
    assert "Welcome." in email.body_text
    # One email for the decision, not a booking confirmation beside it.
    assert list(registration.emails.all()) == []
    assert delegation.history.first().history_user == protocol


def test_delegation_decide_refused_without_delegation_category(protocol):
    ceremony = CeremonyFactory(delegation_requests="open")
    delegation = request(ceremony)
    with pytest.raises(delegations.DelegationError) as error:
        delegations.delegation_decide(delegation=delegation, status="approved", by=protocol)
    assert error.value.code == "no_category"
    delegation.refresh_from_db()
    assert delegation.status == Status.WAITING


def test_delegation_decide_refused_when_seats_are_short(ceremony, protocol):
    category = ceremony.delegation_category
    category.capacity = 2
    category.has_waiting_list = True
    category.save()
    delegation = request(ceremony, members="A\nB")

    with pytest.raises(delegations.DelegationError) as error:
        delegations.delegation_decide(delegation=delegation, status="approved", by=protocol)

    assert error.value.code == "not_enough_seats"
    assert "needs 3" in str(error.value.message)
    delegation.refresh_from_db()
    category.refresh_from_db()
    assert (delegation.status, delegation.registration, category.seats_taken) == (
        Status.WAITING,
        None,
        0,
    )
    assert Registration.objects.count() == 0
    assert emails(OutgoingEmail.Kind.DELEGATION_DECISION) == []


def test_delegation_decide_decline_after_approval_frees_seats(ceremony, protocol):
    delegation = request(ceremony, members="A")
    delegations.delegation_decide(delegation=delegation, status="approved", by=protocol)

    delegation = delegations.delegation_decide(
        delegation=delegation, status="declined", note="Sorry.", by=protocol
    )

    ceremony.delegation_category.refresh_from_db()
    assert delegation.registration.status == Registration.Status.CANCELLED
    assert ceremony.delegation_category.seats_taken == 0
    decision = emails(OutgoingEmail.Kind.DELEGATION_DECISION)[-1]
    assert "declined" in decision.body_text
    assert "/tickets/" not in decision.body_text


# Amendments and withdrawal


def test_delegation_amend_after_approval_goes_back_to_review_keeping_seats(ceremony, protocol):
    delegation = request(ceremony)
    delegations.delegation_decide(delegation=delegation, status="approved", by=protocol)

    delegation = delegations.delegation_amend(
        delegation=delegation, changes={"members": "Carla Example, aide", "wishes_to_speak": True}
    )

    registration = delegation.registration
    registration.refresh_from_db()
    assert (delegation.status, registration.status, registration.party_size) == (
        Status.WAITING,
        Registration.Status.CONFIRMED,
        2,
    )
    assert delegation.history.first().history_change_reason == "amended"
    assert delegation.history.count() == 3  # requested, approved, amended


def test_delegation_amend_refused_when_seats_are_short(ceremony, protocol):
    category = ceremony.delegation_category
    category.capacity = 2
    category.save()
    delegation = request(ceremony)
    delegations.delegation_decide(delegation=delegation, status="approved", by=protocol)

    with pytest.raises(delegations.DelegationError):
        delegations.delegation_amend(delegation=delegation, changes={"members": "A\nB"})

    delegation.refresh_from_db()
    assert (delegation.status, delegation.members) == (Status.APPROVED, "")


def test_delegation_amend_refused_after_the_deadline(ceremony):
    delegation = request(ceremony)
    ceremony.delegation_changes_until = timezone.now() - datetime.timedelta(minutes=1)
    ceremony.save()
    with pytest.raises(delegations.DelegationError):
        delegations.delegation_amend(delegation=delegation, changes={"carers": 1})


def test_delegation_withdraw_gives_back_the_seats(ceremony, protocol):
    delegation = request(ceremony)
    delegations.delegation_decide(delegation=delegation, status="approved", by=protocol)

    delegation = delegations.delegation_withdraw(delegation=delegation)

    ceremony.delegation_category.refresh_from_db()
    assert (delegation.status, delegation.registration.status) == (
        Status.WITHDRAWN,
        Registration.Status.CANCELLED,
    )
    assert ceremony.delegation_category.seats_taken == 0
    with pytest.raises(delegations.DelegationError):
        delegations.delegation_decide(delegation=delegation, status="approved", by=protocol)


# Anonymisation


def test_delegations_anonymise_removes_people_contacts_and_emails(ceremony, protocol):
    invitation = DelegationInvitationFactory(ceremony=ceremony, email="secret-office@example.org")
    delegation = request(
        ceremony,
        invitation=invitation,
        head_name="Wilhelmine Geheim",
        contact_email="w.geheim@example.org",
        members="Kurt Verborgen",
    )
    delegations.delegation_decide(delegation=delegation, status="declined", by=protocol)
    Delegation.objects.filter(pk=delegation.pk).update(ceremony=ceremony)
    ceremony.start = timezone.now() - datetime.timedelta(days=40)
    ceremony.end = ceremony.start + datetime.timedelta(hours=2)
    ceremony.save()

    out = io.StringIO()
    call_command("anonymise_registrations", days=30, stdout=out)

    assert "Delegations anonymised: 1." in out.getvalue()
    delegation.refresh_from_db()
    assert (delegation.head_name, delegation.members, delegation.organisation) == (
        "",
        "",
        delegation.organisation,
    )
    texts = [
        *OutgoingEmail.objects.values_list("to", "body_text"),
        *delegation.history.values_list("head_name", "contact_email"),
        *Delegation.objects.values_list("contact_email", "head_name"),
    ]
    for needle in ["Wilhelmine", "w.geheim", "Kurt", "secret-office"]:
        assert not [text for text in texts if needle in str(text)]
    assert delegations.delegations_anonymise(after_days=30) == 0


# Public pages


def test_invitation_page_prefills_organisation_and_takes_request(client):
    ceremony = CeremonyFactory(delegation_requests="invitation")
    invitation = DelegationInvitationFactory(ceremony=ceremony, organisation="Embassy of Example")
    url = reverse("registrations:delegation_invitation", kwargs={"token": invitation.token})

    response = client.get(url)
    assert (
        response["Cache-Control"].startswith("max-age=0")
        or "no-store" in (response["Cache-Control"])
    )
    assert 'value="Embassy of Example"' in response.content.decode()

    response = client.post(url, _form_data())
    delegation = Delegation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "registrations:delegation_manage", kwargs={"token": delegation.manage_token}
    )
    assert (delegation.organisation, delegation.invitation) == ("Embassy of Example", invitation)


def _form_data(**extra):
    return {
        "organisation": "Partner Town Example",
        "country": "US",
        "kind": "municipal",
        "head_name": "Jane Example",
        "members": "",
        "carers": "0",
        "ribbon_text": "",
        "contact_name": "Joe Example",
        "contact_email": "joe@example.org",
        "contact_phone": "+1 555 123 4567",
        "language": "en",
        "consent_privacy": "on",
        **extra,
    }


def test_open_request_page_shows_errors_of_the_ceremony_rules(client, ceremony):
    url = reverse("registrations:delegation_request", kwargs={"slug": ceremony.slug})
    response = client.post(url, _form_data(brings_wreath="on"))
    assert response.status_code == 400
    assert "Please give the text of the wreath" in response.content.decode()
    assert Delegation.objects.count() == 0


def test_ceremony_page_links_open_requests_only(client, ceremony):
    closed = CeremonyFactory(delegation_requests="invitation")
    link = reverse("registrations:delegation_request", kwargs={"slug": ceremony.slug})
    assert link in client.get(ceremony.get_absolute_url()).content.decode()
    assert "/delegation/" not in client.get(closed.get_absolute_url()).content.decode()


def test_manage_page_shows_decision_ticket_and_takes_amendment(client, ceremony, protocol):
    delegation = request(ceremony)
    delegations.delegation_decide(
        delegation=delegation, status="approved", note="See you at ten.", by=protocol
    )
    url = reverse("registrations:delegation_manage", kwargs={"token": delegation.manage_token})

    content = client.get(url).content.decode()
    delegation.refresh_from_db()
    assert "See you at ten." in content
    assert delegation.registration.get_ticket_url() in content

    data = {name: getattr(delegation, name) for name in delegations.AMENDABLE}
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    data.update(country="DE", members="New Member, aide", arrival_time="")
    response = client.post(url, data)
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert (delegation.status, delegation.people) == (Status.WAITING, 2)


def test_withdraw_page_asks_then_withdraws(client, ceremony):
    delegation = request(ceremony)
    url = reverse("registrations:delegation_withdraw", kwargs={"token": delegation.manage_token})
    assert client.get(url).status_code == 200
    client.post(url, {"confirm": "yes"})
    delegation.refresh_from_db()
    assert delegation.status == Status.WITHDRAWN


def test_manage_page_unknown_token_is_404(client):
    url = reverse("registrations:delegation_manage", kwargs={"token": "nope"})
    assert client.get(url).status_code == 404


# Staff pages


def staff_urls(ceremony, delegation):
    kwargs = {"slug": ceremony.slug}
    return [
        reverse("staff:delegations", kwargs=kwargs),
        reverse("staff:delegation_invitations", kwargs=kwargs),
        reverse("staff:delegation_export", kwargs=kwargs),
        reverse("staff:delegation_detail", kwargs={**kwargs, "pk": delegation.pk}),
    ]


def test_staff_delegation_pages_forbidden_to_volunteers(client, ceremony, volunteer):
    delegation = request(ceremony)
    client.force_login(volunteer)
    statuses = [client.get(url).status_code for url in staff_urls(ceremony, delegation)]
    decide = reverse("staff:delegation_decide", kwargs={"slug": ceremony.slug, "pk": delegation.pk})
    statuses.append(client.post(decide, {f"d{delegation.pk}-status": "approved"}).status_code)
    assert statuses == [403] * 5
    delegation.refresh_from_db()
    assert delegation.status == Status.WAITING


def test_staff_delegation_pages_open_to_protocol_and_organisers(
    client, ceremony, protocol, organiser
):
    delegation = request(ceremony)
    for user in (protocol, organiser):
        client.force_login(user)
        assert [client.get(url).status_code for url in staff_urls(ceremony, delegation)] == [
            200
        ] * 4


def test_staff_decide_approves_and_detail_shows_history(client, ceremony, protocol):
    delegation = request(ceremony, organisation="Example Veterans")
    client.force_login(protocol)
    decide = reverse("staff:delegation_decide", kwargs={"slug": ceremony.slug, "pk": delegation.pk})

    client.post(decide, {f"d{delegation.pk}-status": "approved", f"d{delegation.pk}-note": "Ok"})

    delegation.refresh_from_db()
    assert delegation.status == Status.APPROVED
    detail = client.get(staff_urls(ceremony, delegation)[3]).content.decode()
    assert "paula" in detail
    assert "waiting for a decision → approved" in detail


def test_staff_decide_shows_quota_refusal(client, protocol):
    ceremony = CeremonyFactory(delegation_requests="open")
    delegation = request(ceremony)
    client.force_login(protocol)
    decide = reverse("staff:delegation_decide", kwargs={"slug": ceremony.slug, "pk": delegation.pk})
    response = client.post(decide, {f"d{delegation.pk}-status": "approved"}, follow=True)
    assert "Choose the seat category for delegations" in response.content.decode()


def test_staff_invitation_page_sends_and_lists_state(client, ceremony, protocol):
    client.force_login(protocol)
    url = reverse("staff:delegation_invitations", kwargs={"slug": ceremony.slug})
    client.post(url, {"organisation": "Example School", "email": "s@example.org", "language": "ru"})
    invitation = ceremony.delegation_invitations.get()
    assert invitation.language == "ru"
    assert ">sent<" in client.get(url).content.decode()
    request(ceremony, invitation=invitation)
    assert "request received" in client.get(url).content.decode()


def test_staff_export_is_formula_safe(client, ceremony, protocol):
    request(ceremony, organisation="=HYPERLINK(1)", head_name="Hanna Example")
    client.force_login(protocol)
    response = client.get(reverse("staff:delegation_export", kwargs={"slug": ceremony.slug}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert "Dr., Mayor" in rows[1][4]
    xlsx = client.get(
        reverse("staff:delegation_export", kwargs={"slug": ceremony.slug}) + "?format=xlsx"
    )
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


STAFF_LIST_QUERIES = 12


@pytest.mark.parametrize("count", [5, 200])
def test_staff_delegation_pages_query_count_does_not_grow(
    client, ceremony, protocol, django_assert_max_num_queries, count
):
    ceremony.delegation_category.capacity = 3 * count
    ceremony.delegation_category.save()
    for number in range(count):
        delegation = request(ceremony, members="A\nB", brings_wreath=True, ribbon_text="R")
        if number % 2:
            invitation = DelegationInvitationFactory(ceremony=ceremony)
            Delegation.objects.filter(pk=delegation.pk).update(invitation=invitation)
        if number % 3 == 0:
            delegations.delegation_decide(delegation=delegation, status="approved", by=protocol)
    client.force_login(protocol)
    urls = staff_urls(ceremony, delegation)
    for url in urls:
        with django_assert_max_num_queries(STAFF_LIST_QUERIES):
            client.get(url)
    print({url: _queries(client, url) for url in urls})


def test_open_request_page_rate_limited_per_network(client, ceremony, settings):
    settings.REGISTRATION_RATE_PER_IP = "2/h"
    url = reverse("registrations:delegation_request", kwargs={"slug": ceremony.slug})
    statuses = [
        client.post(url, _form_data(contact_email=f"c{n}@example.org")).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Delegation.objects.count() == 2


def test_delegations_seats_change_only_through_its_request_not_the_booking_page(client, ceremony):
    delegation = DelegationFactory(ceremony=ceremony, members="Bob Example, aide")
    delegation = delegations.delegation_decide(delegation=delegation, status="approved")
    registration = delegation.registration
    token = registration.manage_token
    request_page = reverse("registrations:delegation_manage", args=[delegation.manage_token])

    shown = client.get(reverse("registrations:manage", args=[token]))
    cancelled = client.post(reverse("registrations:cancel", args=[token]), {"confirm": "yes"})
    resized = client.post(reverse("registrations:change_party", args=[token]), {"party_size": "9"})

    assert [shown.url, cancelled.url, resized.url] == [request_page] * 3
    registration.refresh_from_db()
    assert (registration.status, registration.party_size) == ("confirmed", 2)
