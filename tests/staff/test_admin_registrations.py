import pytest
from django.utils import timezone

from events import emails, services
from events.models import CheckIn, OutgoingEmail, Registration
from tests.factories import RegistrationFactory, SeatCategoryFactory
from tests.staff.helpers import admin_action, ceremony_today, logged_in, page

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/events/registration/"


@pytest.fixture
def admin(organiser):
    return logged_in(organiser)


@pytest.fixture
def people():
    """Registrants of today's ceremony in every state: whole party in, part in, none in,
    waiting, cancelled."""
    ceremony = ceremony_today()
    public = SeatCategoryFactory(ceremony=ceremony, name_en="Public", capacity=6)
    veterans = SeatCategoryFactory(ceremony=ceremony, name_en="Veterans", capacity=4, position=1)
    registrants = {
        "Jürgen Müßig": RegistrationFactory(
            category=public,
            name="Jürgen Müßig",
            email="juergen.muessig@example.org",
            party_size=3,
            needs={"needs_wheelchair_space": True},
        ),
        "Anna Schmidt": RegistrationFactory(
            category=public,
            name="Anna Schmidt",
            email="anna.schmidt@example.org",
            party_size=2,
            needs={"needs_hearing_loop": True, "needs_note": "Sign language"},
        ),
        "Ольга": RegistrationFactory(category=public, name="Ольга", email="olga@example.org"),
        "Zoë Adams": RegistrationFactory(
            category=public, name="Zoë Adams", email="zoe@example.org", party_size=2
        ),
        "Brian O'Neill": RegistrationFactory(
            category=veterans, name="Brian O'Neill", email="brian@example.org", party_size=4
        ),
        "Сильвашко Александр": RegistrationFactory(
            category=veterans, name="Сильвашко Александр", email="sasha@example.org"
        ),
        "Carl Weiß": RegistrationFactory(
            category=veterans, name="Carl Weiß", email="carl@example.org"
        ),
    }
    services.registration_cancel(registration=registrants["Carl Weiß"])
    services.checkin_record(registration=registrants["Jürgen Müßig"], people=3)
    services.checkin_record(registration=registrants["Anna Schmidt"], people=1)
    return registrants


def listed(admin, **params):
    shown = page(admin.get(CHANGELIST, params))
    return sorted(shown.texts("td", "field-name"))


def test_admin_registrations_filter_by_category_status_checkin_and_needs(admin, people):
    public = people["Jürgen Müßig"].category_id

    assert listed(admin, category__id__exact=public) == [
        "Anna Schmidt",
        "Jürgen Müßig",
        "Zoë Adams",
        "Ольга",
    ]
    assert listed(admin, status__exact="waiting") == ["Zoë Adams", "Сильвашко Александр"]
    assert listed(admin, status__exact="cancelled") == ["Carl Weiß"]
    assert listed(admin, checked_in="all") == ["Jürgen Müßig"]
    assert listed(admin, checked_in="part") == ["Anna Schmidt"]
    assert listed(admin, checked_in="no") == [
        "Brian O'Neill",
        "Carl Weiß",
        "Zoë Adams",
        "Ольга",
        "Сильвашко Александр",
    ]
    assert listed(admin, needs="needs_wheelchair_space") == ["Jürgen Müßig"]
    assert listed(admin, needs="needs_hearing_loop") == ["Anna Schmidt"]
    assert listed(admin, needs="other") == ["Anna Schmidt"]
    assert listed(admin, needs="needs_seating") == []


def test_admin_registrations_search_by_name_email_and_booking_code(admin, people):
    anna = people["Anna Schmidt"]

    assert listed(admin, q="müßig") == ["Jürgen Müßig"]
    assert listed(admin, q="Сильвашко") == ["Сильвашко Александр"]
    assert listed(admin, q="anna.schmidt@example") == ["Anna Schmidt"]
    assert listed(admin, q=anna.booking_code) == ["Anna Schmidt"]
    assert listed(admin, q=anna.booking_code.lower()) == ["Anna Schmidt"]


def statuses(people):
    return {
        name: Registration.objects.get(pk=registration.pk).status
        for name, registration in people.items()
    }


def kinds(registration):
    return sorted(registration.emails.values_list("kind", flat=True))


def test_admin_cancel_promotes_the_waiting_list(admin, people):
    brian = people["Brian O'Neill"]

    messages = admin_action(admin, CHANGELIST, "cancel_registrations", [brian])

    assert messages == ["1 registration done."]
    assert statuses(people) == {
        "Jürgen Müßig": "confirmed",
        "Anna Schmidt": "confirmed",
        "Ольга": "confirmed",
        "Zoë Adams": "waiting",
        "Brian O'Neill": "cancelled",
        "Сильвашко Александр": "confirmed",
        "Carl Weiß": "cancelled",
    }
    assert kinds(brian) == ["cancellation", "confirmation"]
    assert kinds(people["Сильвашко Александр"]) == ["promotion", "waiting_list"]


def test_admin_moves_off_the_waiting_list_only_into_free_seats(admin, people):
    zoe = people["Zoë Adams"]
    services.registration_cancel(registration=people["Ольга"])  # one seat free; Zoë needs 2

    refused = admin_action(admin, CHANGELIST, "promote_registrations", [zoe])
    zoe.refresh_from_db()
    still_waiting = zoe.status
    services.registration_change_party(registration=zoe, party_size=1, guest_names="")
    promoted = admin_action(admin, CHANGELIST, "promote_registrations", [zoe])

    zoe.refresh_from_db()
    assert refused == [
        f"{zoe.booking_code_display} Zoë Adams: Only 1 seat is free; this party needs 2."
    ]
    assert still_waiting == "waiting"
    assert promoted == ["1 registration done."]
    assert zoe.status == "confirmed"
    assert zoe.category.seats_left == 0
    assert kinds(zoe) == ["promotion", "waiting_list"]


def test_admin_resends_the_confirmation_to_confirmed_only(admin, people):
    olga, zoe = people["Ольга"], people["Zoë Adams"]

    messages = admin_action(admin, CHANGELIST, "resend_confirmation", [olga, zoe])

    assert messages == [
        f"{zoe.booking_code_display} Zoë Adams: Only confirmed registrations have a ticket.",
        "1 registration done.",
    ]
    assert kinds(olga) == ["confirmation", "confirmation"]
    assert kinds(zoe) == ["waiting_list"]


def test_admin_checks_in_whole_parties(admin, organiser, people):
    olga, zoe = people["Ольга"], people["Zoë Adams"]

    messages = admin_action(admin, CHANGELIST, "check_in", [olga, zoe])

    assert messages == [
        f"{zoe.booking_code_display} Zoë Adams: "
        "This person is on the waiting list and has no seat.",
        "1 registration done.",
    ]
    assert list(
        CheckIn.objects.filter(registration__in=[olga, zoe]).values_list(
            "registration__name", "people", "by"
        )
    ) == [("Ольга", 1, organiser.pk)]


@pytest.fixture
def juergens_emails(people):
    """Jürgen's confirmation went out, a reminder failed, the booking link waits."""
    juergen = people["Jürgen Müßig"]
    juergen.emails.update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), attempts=1)
    failed = emails.queue_registration_email(juergen, "reminder")
    OutgoingEmail.objects.filter(pk=failed.pk).update(
        status=OutgoingEmail.Status.FAILED,
        attempts=9,
        last_error="SMTPRecipientsRefused: mailbox full",
    )
    emails.queue_registration_email(juergen, "booking_link")
    return juergen


def test_admin_registration_page_shows_its_emails_and_their_delivery(admin, juergens_emails):
    shown = page(admin.get(f"{CHANGELIST}{juergens_emails.pk}/change/"))

    group = shown.find("div", id="emails-group")
    rows = [
        [
            shown.find("td", f"field-{field}", within=row).text
            for field in ("kind", "status", "attempts", "last_error")
        ]
        for row in shown.find_all("tr", within=group)
        if shown.find_all("td", "field-kind", within=row)
    ]
    assert rows == [
        ["confirmation", "sent", "1", "-"],
        ["reminder", "failed", "9", "SMTPRecipientsRefused: mailbox full"],
        ["booking_link", "queued", "0", "-"],
    ]


def test_admin_registration_list_shows_the_email_state(admin, people, juergens_emails):
    people["Ольга"].emails.update(status=OutgoingEmail.Status.SENT)

    shown = page(admin.get(CHANGELIST))

    states = dict(
        zip(shown.texts("td", "field-name"), shown.texts("td", "field-email_state"), strict=True)
    )
    assert {name: states[name] for name in ("Jürgen Müßig", "Ольга", "Brian O'Neill")} == {
        "Jürgen Müßig": "failed",
        "Ольга": "sent",
        "Brian O'Neill": "queued",
    }


def test_admin_send_again_requeues_failed_emails(admin, juergens_emails):
    sent, failed, _queued = juergens_emails.emails.order_by("created_at", "pk")

    messages = admin_action(admin, "/en/admin/events/outgoingemail/", "retry", [sent, failed])

    assert messages == ["1 email queued again."]
    assert list(
        juergens_emails.emails.order_by("created_at", "pk").values_list(
            "kind", "status", "attempts"
        )
    ) == [("confirmation", "sent", 1), ("reminder", "queued", 0), ("booking_link", "queued", 0)]
