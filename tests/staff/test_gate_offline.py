"""The gate on a phone without network, from the server's side: the phone's credential,
the list it downloads, and the check-ins it sends back (each once, conflicts flagged)."""

import datetime
import hashlib
import json
import threading
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from registrations import gate, services
from registrations.models import CheckIn, GateDevice, Registration
from tests.factories import RegistrationFactory, SeatCategoryFactory, UserFactory
from tests.helpers import ceremony_on, ceremony_today, logged_in, page
from tests.staff.test_dashboard import DASHBOARD_QUERIES_WITH_CONFLICTS

VOLUNTEERS = "Check-in volunteers"


@pytest.fixture
def today():
    return SeatCategoryFactory(
        ceremony=ceremony_today(title_en="Wreath-laying at the monument"),
        name_en="Veterans",
        capacity=20,
    )


def sign_in_phone(client, label=""):
    response = client.post("/en/checkin/device/", {"label": label})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def phone(volunteer, today):
    """A volunteer's phone signed in for offline use: (client, token)."""
    client = logged_in(volunteer)
    return client, sign_in_phone(client, "North gate")["token"]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def download(client, token, since=None):
    query = {"since": since} if since else {}
    return client.get("/en/checkin/offline/list.json", query, **bearer(token))


def send(client, token, *checkins):
    return client.post(
        "/en/checkin/offline/sync.json",
        json.dumps({"checkins": list(checkins)}),
        content_type="application/json",
        **bearer(token),
    )


def checkin(registration, people, *, offline=True, at=None, id=None):
    return {
        "id": str(id or uuid.uuid4()),
        "registration": registration.pk,
        "people": people,
        "at": (at or timezone.now()).isoformat(),
        "offline": offline,
    }


@pytest.mark.django_db
def test_gate_device_sign_in_gives_a_token_kept_only_as_its_hash(volunteer, today):
    client = logged_in(volunteer)

    answer = sign_in_phone(client, " North gate ")

    device = GateDevice.objects.get()
    expires = datetime.datetime.fromisoformat(answer["device"].pop("expires"))
    assert (answer["device"], expires) == (
        {"id": device.pk, "label": "North gate"},
        device.expires_at,
    )
    assert device.token_hash == hashlib.sha256(answer["token"].encode()).hexdigest()
    assert answer["token"] not in device.token_hash
    assert list(device.ceremonies.all()) == [today.ceremony]
    assert device.session_key == client.session.session_key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "signed_in", "expires"),
    [
        # Until midnight after the ceremony's day, in the ceremony's time zone ...
        ("2026-04-25 10:00", "2026-04-25 11:00", "2026-04-26 00:00"),
        # ... or until the ceremony ends, for one that runs past midnight.
        ("2026-04-25 22:30", "2026-04-25 23:00", "2026-04-26 00:30"),
    ],
)
def test_gate_device_expires_at_the_end_of_the_ceremonys_day(volunteer, start, signed_in, expires):
    def berlin(text):
        return datetime.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Berlin"))

    ceremony_on(berlin(start))

    device, _token = gate.gate_device_create(user=volunteer, now=berlin(signed_in))

    assert device.expires_at == berlin(expires)


@pytest.mark.django_db
def test_gate_device_sign_in_refused_without_a_ceremony_today(volunteer):
    ceremony_on(timezone.now() + datetime.timedelta(days=3))

    response = logged_in(volunteer).post("/en/checkin/device/", {"label": ""})

    assert (response.status_code, response.json()) == (
        409,
        {"error": "No ceremony takes place today."},
    )
    assert not GateDevice.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "status"), [(None, 302), (lambda: UserFactory(), 403)], ids=["anonymous", "public"]
)
def test_gate_device_sign_in_needs_the_checkin_permission(today, user, status):
    client = logged_in(user() if user else None)

    assert client.post("/en/checkin/device/", {"label": ""}).status_code == status
    assert not GateDevice.objects.exists()


@pytest.mark.django_db
def test_gate_device_sign_in_needs_the_forms_csrf_token(volunteer, today):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(volunteer)

    assert client.post("/en/checkin/device/", {"label": ""}).status_code == 403
    assert not GateDevice.objects.exists()


@pytest.mark.django_db
def test_offline_list_holds_what_the_gate_needs_and_no_contact_details(phone, today):
    client, token = phone
    anna = RegistrationFactory(
        category=today,
        name="Anna Schmidt",
        email="anna@example.org",
        phone="+49 3421 123456",
        party_size=3,
        needs_wheelchair_space=True,
        carers=1,
        guest_names="Karl Schmidt",
    )
    services.checkin_record(registration=anna, people=1)
    cancelled = RegistrationFactory(category=today, name="Boris Iwanow")
    services.registration_cancel(registration=cancelled)
    RegistrationFactory(category=SeatCategoryFactory(ceremony=ceremony_today()))  # not ours

    answer = download(client, token).json()

    assert answer["full"] is True
    assert [c["id"] for c in answer["ceremonies"]] == [today.ceremony.pk]
    anna.refresh_from_db()
    assert answer["entries"][0] == {
        "id": anna.pk,
        "ticket": hashlib.sha256(anna.ticket_token.encode()).hexdigest()[:32],
        "code": anna.booking_code,
        "code_display": anna.booking_code_display,
        "name": "Anna Schmidt",
        "party": 3,
        "in": 1,
        "category": "Veterans",
        "ceremony": today.ceremony.pk,
        "refuse": None,
        "needs": ["wheelchair space"],
        "needs_note": "",
        "assistance": "1 carer or escort",
        "guests": "Karl Schmidt",
    }
    assert answer["entries"][1]["name"] == "Boris Iwanow"
    assert answer["entries"][1]["refuse"] == (
        "This registration was cancelled. Do not admit on this ticket."
    )
    assert len(answer["entries"]) == 2
    text = json.dumps(answer)
    assert "anna@example.org" not in text
    assert "123456" not in text
    assert anna.ticket_token not in text


@pytest.mark.django_db
def test_offline_list_in_german_says_why_not_to_admit_in_german(phone, today, translated):
    client, token = phone
    services.registration_cancel(registration=RegistrationFactory(category=today))

    answer = client.get("/de/checkin/offline/list.json", **bearer(token)).json()

    assert answer["entries"][0]["refuse"] == translated(
        "de", "This registration was cancelled. Do not admit on this ticket."
    )


@pytest.mark.django_db
def test_offline_list_since_gives_only_what_changed(phone, today):
    client, token = phone
    quiet = RegistrationFactory(category=today, name="Quiet")
    admitted = RegistrationFactory(category=today, name="Admitted elsewhere", party_size=2)
    cancelled = RegistrationFactory(category=today, name="Cancelled later")
    first = download(client, token).json()
    # Later than the overlap the cursor leaves for late commits.
    later = timezone.now() + gate.CURSOR_OVERLAP + datetime.timedelta(seconds=1)
    Registration.objects.filter(pk=quiet.pk).update(updated_at=first["generated"])

    services.checkin_record(registration=admitted, people=2, now=later)
    Registration.objects.filter(pk=admitted.pk).update(updated_at=later)
    services.registration_cancel(registration=cancelled)
    Registration.objects.filter(pk=cancelled.pk).update(updated_at=later)
    Registration.objects.filter(pk=quiet.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    changes = download(client, token, since=first["cursor"]).json()

    assert changes["full"] is False
    assert [(e["name"], e["in"], e["refuse"] is not None) for e in changes["entries"]] == [
        ("Admitted elsewhere", 2, False),
        ("Cancelled later", 0, True),
    ]
    assert changes["counts"]["total"] == {"arrived": 2, "expected": 3}


# The phone's credential, its volunteer's permissions (2) and when it was last seen, its
# ceremonies, the registrations, their categories, and the counts (arrivals, per phone,
# per volunteer).
LIST_QUERIES = 10


@pytest.mark.django_db
@pytest.mark.parametrize("parties", [1, 15])
def test_offline_list_queries_do_not_grow_with_the_parties(
    phone, today, parties, django_assert_max_num_queries
):
    client, token = phone
    for _ in range(parties):
        registration = RegistrationFactory(category=today, party_size=1)
        services.checkin_record(registration=registration, people=1)
    GateDevice.objects.update(last_seen_at=None)  # the write that comes once a minute

    with django_assert_max_num_queries(LIST_QUERIES):
        answer = download(client, token).json()

    assert len(answer["entries"]) == parties


@pytest.mark.django_db
def test_offline_list_bad_cursor_is_refused_with_a_message(phone):
    client, token = phone

    response = download(client, token, since="yesterday")

    assert (response.status_code, response.json()) == (
        400,
        {"error": "The list's time stamp is not valid."},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ["", "Bearer ", "Bearer not-a-token", "Basic dm9sdW50ZWVyOnNlY3JldA=="],
    ids=["none", "empty", "unknown", "other-scheme"],
)
def test_offline_addresses_refuse_without_a_phones_token(phone, header, today):
    client, _token = phone  # signed in: the session alone is not enough
    registration = RegistrationFactory(category=today)
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    listed = client.get("/en/checkin/offline/list.json", **extra)
    sent = client.post(
        "/en/checkin/offline/sync.json",
        json.dumps({"checkins": [checkin(registration, 1)]}),
        content_type="application/json",
        **extra,
    )

    assert (listed.status_code, sent.status_code) == (401, 401)
    assert listed.json()["revoked"] is True
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_offline_sync_records_each_checkin_once_however_often_it_is_sent(phone, today):
    client, token = phone
    anna = RegistrationFactory(category=today, party_size=3)
    boris = RegistrationFactory(category=today, party_size=1)
    queue = [checkin(anna, 2), checkin(boris, 1), checkin(anna, 1)]

    first = send(client, token, *queue).json()
    again = send(client, token, *queue).json()

    assert [r["result"] for r in first["results"]] == ["recorded"] * 3
    assert [(r["id"], r["result"]) for r in again["results"]] == [
        (r["id"], r["result"]) for r in first["results"]
    ]
    assert CheckIn.objects.count() == 3
    assert sorted(str(c) for c in CheckIn.objects.values_list("client_id", flat=True)) == sorted(
        item["id"] for item in queue
    )
    anna.refresh_from_db()
    boris.refresh_from_db()
    assert (anna.checked_in, boris.checked_in) == (3, 1)
    assert first["counts"]["total"] == {"arrived": 4, "expected": 4}


@pytest.mark.django_db
def test_offline_sync_keeps_the_phones_time_and_the_device(phone, today, volunteer):
    client, token = phone
    anna = RegistrationFactory(category=today, party_size=1)
    admitted = timezone.now() - datetime.timedelta(minutes=20)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    boris = RegistrationFactory(category=today, party_size=1)

    send(client, token, checkin(anna, 1, at=admitted), checkin(boris, 1, at=tomorrow))

    first, second = CheckIn.objects.order_by("registration_id")
    assert first.at == admitted
    assert second.at <= timezone.now()  # a phone's clock ahead is not believed
    assert (first.device.label, first.by) == ("North gate", volunteer)
    assert first.received_at is not None


@pytest.mark.django_db
def test_offline_sync_two_phones_admitting_the_same_party_flags_the_excess(today):
    anna = RegistrationFactory(category=today, party_size=2)
    phones = []
    for name in ("vera", "viktor"):
        client = logged_in(UserFactory(username=name, groups=[VOLUNTEERS]))
        phones.append((client, sign_in_phone(client, f"Gate of {name}")["token"]))
    # Both offline, both let the whole party in; then both come back online.
    sent = [send(client, token, checkin(anna, 2)).json() for client, token in phones]

    assert [s["results"][0]["result"] for s in sent] == ["recorded", "conflict"]
    assert sent[1]["results"][0]["message"] == (
        "Recorded and flagged for the organisers: more people than the party."
    )
    anna.refresh_from_db()
    assert anna.checked_in == 2
    assert list(CheckIn.objects.values_list("people", "uncounted", "conflict")) == [
        (2, 0, ""),
        (2, 2, "excess"),
    ]
    assert sent[1]["counts"]["total"] == {"arrived": 2, "expected": 2}
    assert {row["label"]: row["people"] for row in sent[1]["counts"]["devices"]} == {
        "Gate of vera": 2,
        "Gate of viktor": 2,
    }
    assert sent[1]["counts"]["volunteers"] == [
        {"name": "vera", "people": 2},
        {"name": "viktor", "people": 2},
    ]


@pytest.mark.django_db
def test_offline_sync_part_beyond_the_party_is_counted_up_to_the_party(phone, today):
    client, token = phone
    anna = RegistrationFactory(category=today, party_size=3)
    services.checkin_record(registration=anna, people=2)

    answer = send(client, token, checkin(anna, 2)).json()

    assert answer["results"][0]["result"] == "conflict"
    anna.refresh_from_db()
    assert anna.checked_in == 3
    assert CheckIn.objects.last().uncounted == 1


@pytest.mark.django_db
def test_offline_sync_online_admission_is_refused_beyond_the_party(phone, today):
    """With the network up the phone asks first: no more people than the party."""
    client, token = phone
    anna = RegistrationFactory(category=today, party_size=2)
    services.checkin_record(registration=anna, people=2)

    answer = send(client, token, checkin(anna, 1, offline=False)).json()

    assert answer["results"][0] | {"id": None} == {
        "id": None,
        "result": "refused",
        "message": "The whole party is already checked in.",
        "registration": anna.pk,
        "in": 2,
        "party": 2,
    }
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db
def test_offline_sync_ticket_cancelled_after_the_download(phone, today):
    """Admitted offline after it was cancelled: recorded and flagged, not counted; once
    the phone has synced, the list says not to admit it, and online it is refused."""
    client, token = phone
    anna = RegistrationFactory(category=today, party_size=2)
    first = download(client, token).json()
    services.registration_cancel(registration=anna)

    offline = send(client, token, checkin(anna, 2)).json()
    changes = download(client, token, since=first["cursor"]).json()
    online = send(client, token, checkin(anna, 2, offline=False)).json()

    assert offline["results"][0]["result"] == "conflict"
    assert offline["results"][0]["message"] == (
        "Recorded and flagged for the organisers: the registration was cancelled."
    )
    assert list(CheckIn.objects.values_list("people", "uncounted", "conflict")) == [
        (2, 2, "cancelled")
    ]
    anna.refresh_from_db()
    assert anna.checked_in == 0
    assert [e["refuse"] for e in changes["entries"]] == [
        "This registration was cancelled. Do not admit on this ticket."
    ]
    assert online["results"][0]["result"] == "refused"


@pytest.mark.django_db
def test_offline_sync_refuses_tickets_of_other_gates_and_unreadable_items(phone, today):
    client, token = phone
    elsewhere = RegistrationFactory(category=SeatCategoryFactory(ceremony=ceremony_today()))
    anna = RegistrationFactory(category=today)

    answer = send(
        client,
        token,
        checkin(elsewhere, 1),
        {"id": "not-a-uuid", "registration": anna.pk, "people": 1, "at": "now"},
        "a string",
        checkin(anna, 1),
    ).json()

    assert [(r["result"], r["message"]) for r in answer["results"]] == [
        ("refused", "This ticket is not for a ceremony of this gate today."),
        ("refused", "This check-in is not readable and was not recorded."),
        ("refused", "This check-in is not readable and was not recorded."),
        ("recorded", ""),
    ]
    assert list(CheckIn.objects.values_list("registration", flat=True)) == [anna.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ["not json", "[]", '{"checkins": "all"}', '{"other": []}'],
    ids=["not-json", "list", "not-a-list", "no-checkins"],
)
def test_offline_sync_unreadable_body_is_a_clear_400(phone, body):
    client, token = phone

    response = client.post(
        "/en/checkin/offline/sync.json", body, content_type="application/json", **bearer(token)
    )

    assert (response.status_code, response.json()) == (
        400,
        {"error": "The check-ins sent are not readable."},
    )


@pytest.mark.django_db
def test_offline_sync_at_most_500_at_a_time(phone, today):
    client, token = phone
    anna = RegistrationFactory(category=today)

    response = send(client, token, *[checkin(anna, 1) for _ in range(gate.MAX_SYNC + 1)])

    assert response.status_code == 400
    assert not CheckIn.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_offline_sync_same_queue_from_two_connections_at_once_records_once(volunteer):
    """A phone whose answer was lost sends its queue again while the first request is
    still running: each check-in is recorded once."""
    category = SeatCategoryFactory(ceremony=ceremony_today(), capacity=10)
    anna = RegistrationFactory(category=category, party_size=2)
    device, _token = gate.gate_device_create(user=volunteer)
    item = {
        "id": uuid.uuid4(),
        "registration": anna.pk,
        "people": 2,
        "at": timezone.now(),
        "offline": True,
    }
    barrier = threading.Barrier(2)
    results = []

    def sync():
        try:
            barrier.wait()
            results.append(gate.offline_sync(device=device, items=[item])[0]["result"])
        finally:
            connection.close()

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    anna.refresh_from_db()
    assert results == ["recorded", "recorded"]
    assert (CheckIn.objects.count(), anna.checked_in) == (1, 2)


@pytest.mark.django_db
def test_revoked_phone_can_no_longer_download_or_sync_and_is_signed_out(phone, organiser, today):
    client, token = phone
    anna = RegistrationFactory(category=today)
    device = GateDevice.objects.get()

    response = logged_in(organiser).post(f"/en/staff/gate/devices/{device.pk}/revoke/")

    assert response.status_code == 302
    assert download(client, token).status_code == 401
    assert send(client, token, checkin(anna, 1)).status_code == 401
    assert not CheckIn.objects.exists()
    # The phone's browser session is gone too: the online gate asks to sign in.
    assert client.get("/en/checkin/").status_code == 302
    device.refresh_from_db()
    assert (device.revoked_by, device.revoked_at is not None) == (organiser, True)


@pytest.mark.django_db
def test_revoking_a_phone_needs_the_organisers_permission(phone, volunteer):
    client, token = phone
    device = GateDevice.objects.get()

    response = logged_in(volunteer).post(f"/en/staff/gate/devices/{device.pk}/revoke/")

    assert response.status_code == 403
    assert download(client, token).status_code == 200


@pytest.mark.django_db
def test_expired_phone_can_no_longer_download(phone):
    client, token = phone
    GateDevice.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert download(client, token).status_code == 401


@pytest.mark.django_db
def test_phone_of_a_volunteer_who_lost_the_role_can_no_longer_download(phone, volunteer):
    client, token = phone
    volunteer.groups.clear()

    assert download(client, token).status_code == 401


@pytest.mark.django_db
def test_signing_out_revokes_the_phone_and_clears_the_browsers_data(phone):
    client, token = phone

    response = client.post("/en/accounts/logout/")

    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert GateDevice.objects.get().revoked_at is not None
    assert download(client, token).status_code == 401


@pytest.mark.django_db
def test_signing_out_of_the_admin_revokes_the_phone_and_clears_the_browsers_data(phone):
    client, token = phone

    response = client.post("/en/admin/logout/")

    assert response.status_code == 200
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert download(client, token).status_code == 401
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_gate_devices_page_lists_phones_with_counts(phone, organiser, today):
    client, token = phone
    send(client, token, checkin(RegistrationFactory(category=today, party_size=3), 3))

    devices = page(logged_in(organiser).get("/en/staff/gate/devices/"))

    (row,) = devices.table(devices.find("table", "gate-devices"))
    assert row[0] == "North gate"
    assert row[5] == "3"
    assert row[6].startswith("Signed in")


@pytest.mark.django_db
@pytest.mark.parametrize("parties", [1, 6])
def test_dashboard_shows_gate_conflicts_with_both_phones(
    organiser, today, parties, django_assert_max_num_queries
):
    guests = [
        RegistrationFactory(category=today, name=f"Anna Schmidt {n}", party_size=2)
        for n in range(parties)
    ]
    for name in ("vera", "viktor"):
        client = logged_in(UserFactory(username=name, groups=[VOLUNTEERS]))
        token = sign_in_phone(client, f"Gate of {name}")["token"]
        send(client, token, *(checkin(guest, 2) for guest in guests))
    organisers_browser = logged_in(organiser)

    with django_assert_max_num_queries(DASHBOARD_QUERIES_WITH_CONFLICTS):
        response = organisers_browser.get("/en/staff/")

    dashboard = page(response)
    anna = guests[0]

    section = dashboard.find("section", "gate-conflicts")
    assert dashboard.texts("h2", within=section) == [
        "1 conflict at the gate" if parties == 1 else f"{parties} conflicts at the gate"
    ]
    rows = dashboard.table(
        dashboard.find("table", within=dashboard.find("div", id=f"conflict-{anna.pk}"))
    )
    assert [row[1:] for row in rows] == [
        ["Gate of vera", "vera", "2", "—"],
        ["Gate of viktor", "viktor", "2 (2 not counted)", "more people than the party"],
    ]


@pytest.mark.django_db
def test_service_worker_is_served_from_the_gates_folder_without_sign_in():
    """A browser fetches the script without following a redirect to the sign-in page;
    it names no guest."""
    response = logged_in(None).get("/en/checkin/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert "/en/checkin/" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 8])
def test_offline_sync_a_queue_sent_again_costs_the_same_queries_however_long(
    phone, today, size, django_assert_max_num_queries
):
    """The check-ins already recorded are looked up together, not one query each."""
    client, token = phone
    queue = [checkin(RegistrationFactory(category=today, party_size=1), 1) for _ in range(size)]
    send(client, token, *queue)

    # The credential (with its volunteer's permissions), the phone's ceremonies, the
    # registrations, the check-ins already recorded, and the counts (the ceremonies
    # again, arrivals, per phone, per volunteer).
    with django_assert_max_num_queries(10):
        again = send(client, token, *queue).json()

    assert [r["result"] for r in again["results"]] == ["recorded"] * size
    assert CheckIn.objects.count() == size
