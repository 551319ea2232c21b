import pytest
from django.utils import timezone

from registrations import emails, services
from registrations.models import CheckIn, OutgoingEmail, Registration
from tests.factories import RegistrationFactory, SeatCategoryFactory
from tests.helpers import admin_action, admin_change, ceremony_today, logged_in, page

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/registrations/registration/"
OUTBOX = "/en/admin/registrations/outgoingemail/"


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
            needs_wheelchair_space=True,
        ),
        "Anna Schmidt": RegistrationFactory(
            category=public,
            name="Anna Schmidt",
            email="anna.schmidt@example.org",
            party_size=2,
            needs_hearing_loop=True,
            needs_note="Sign language",
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
    """Jürgen's confirmation went out, a reminder failed, a change notice waits."""
    juergen = people["Jürgen Müßig"]
    juergen.emails.update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), attempts=1)
    failed = emails.queue_registration_email(juergen, "reminder")
    OutgoingEmail.objects.filter(pk=failed.pk).update(
        status=OutgoingEmail.Status.FAILED,
        attempts=9,
        last_error="SMTPRecipientsRefused: mailbox full",
    )
    emails.queue_registration_email(juergen, "changed")
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
        ["ceremony changed", "queued", "0", "-"],
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

    messages = admin_action(
        admin, "/en/admin/registrations/outgoingemail/", "retry", [sent, failed]
    )

    assert messages == ["1 email queued again."]
    assert list(
        juergens_emails.emails.order_by("created_at", "pk").values_list(
            "kind", "status", "attempts"
        )
    ) == [("confirmation", "sent", 1), ("reminder", "queued", 0), ("changed", "queued", 0)]


@pytest.mark.parametrize("url", [CHANGELIST, OUTBOX])
def test_admin_registration_pages_open(admin_client, url):
    RegistrationFactory()

    assert admin_client.get(url).status_code == 200


def test_admin_registration_changelist_lists_the_bookings(admin_client):
    category = SeatCategoryFactory(capacity=1)
    RegistrationFactory(category=category, name="Anna")
    waiting = RegistrationFactory(category=category, name="Ben")

    response = admin_client.get(f"{CHANGELIST}", {"status": "waiting"})

    assert list(response.context["cl"].result_list) == [waiting]


def test_admin_email_changelist_lists_the_outbox(admin_client):
    RegistrationFactory(email="anna@example.org")

    response = admin_client.get(OUTBOX)

    assert [(email.to, email.kind) for email in response.context["cl"].result_list] == [
        ("anna@example.org", "confirmation")
    ]


def test_admin_cancel_action_promotes_the_waiting_list(admin_client):
    category = SeatCategoryFactory(capacity=2)
    seated = RegistrationFactory(category=category, name="Seated", party_size=2)
    RegistrationFactory(category=category, name="First", email="first@example.org")
    RegistrationFactory(category=category, name="Second", email="second@example.org")
    OutgoingEmail.objects.all().delete()

    response = admin_client.post(
        f"{CHANGELIST}",
        {"action": "cancel_registrations", "_selected_action": [str(seated.pk)]},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == ["1 registration done."]
    assert list(Registration.objects.order_by("pk").values_list("name", "status")) == [
        ("Seated", "cancelled"),
        ("First", "confirmed"),
        ("Second", "confirmed"),
    ]
    assert sorted(OutgoingEmail.objects.values_list("to", "kind")) == [
        ("first@example.org", "promotion"),
        (seated.email, "cancellation"),
        ("second@example.org", "promotion"),
    ]
    category.refresh_from_db()
    assert category.seats_taken == 2


def test_admin_cancel_action_skips_cancelled_registrations(admin_client):
    category = SeatCategoryFactory()
    active = RegistrationFactory(category=category)
    cancelled = RegistrationFactory(category=category)
    admin_client.post(
        f"{CHANGELIST}",
        {"action": "cancel_registrations", "_selected_action": [str(cancelled.pk)]},
        follow=True,
    )

    response = admin_client.post(
        f"{CHANGELIST}",
        {"action": "cancel_registrations", "_selected_action": [str(active.pk), str(cancelled.pk)]},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == ["1 registration done."]
    category.refresh_from_db()
    assert category.seats_taken == 0


def test_admin_cannot_add_registrations_or_emails(admin_client):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{OUTBOX}add/").status_code == 403


# The doors of the admin that do not go through the services are shut.


@pytest.fixture
def full_category_with_a_cancelled_party():
    """Eight seats: Anna's party of three was confirmed and cancelled, and five others
    then filled the category."""
    category = SeatCategoryFactory(capacity=8, max_party_size=5)
    anna = RegistrationFactory(category=category, name="Anna Schmidt", party_size=3)
    services.registration_cancel(registration=anna)
    RegistrationFactory(category=category, party_size=5)
    RegistrationFactory(category=category, party_size=3)
    category.refresh_from_db()
    assert category.seats_taken == category.capacity == 8
    return category, anna


def confirmed_seats(category):
    return sum(
        Registration.objects.filter(category=category, status="confirmed").values_list(
            "party_size", flat=True
        )
    )


def test_admin_history_revert_cannot_confirm_a_cancelled_registration(
    superuser, full_category_with_a_cancelled_party
):
    category, anna = full_category_with_a_cancelled_party
    confirmed_version = anna.history.get(status="confirmed")
    url = f"{CHANGELIST}{anna.pk}/history/{confirmed_version.history_id}/"
    admin = logged_in(superuser)

    shown = admin.get(url)
    data = page(shown).form_data(page(shown).find("form", id="historicalregistration_form"))
    data["_save"] = ["Revert"]
    reverted = admin.post(url, data)

    assert shown.status_code == 200
    assert 'value="Revert"' not in shown.content.decode()
    assert reverted.status_code == 403
    anna.refresh_from_db()
    category.refresh_from_db()
    assert anna.status == "cancelled"
    assert (category.seats_taken, confirmed_seats(category)) == (8, 8)


def test_admin_history_page_says_why_there_is_no_revert(admin, people):
    juergen = people["Jürgen Müßig"]

    shown = page(admin.get(f"{CHANGELIST}{juergen.pk}/history/"))

    assert shown.texts("p")[0].startswith(
        "Earlier versions of a registration can be read here but not restored: its seats, "
        "status and check-ins change only through the actions of the registration list"
    )


def test_admin_change_form_saves_the_details_and_nothing_else(
    superuser, full_category_with_a_cancelled_party
):
    category, anna = full_category_with_a_cancelled_party
    url = f"{CHANGELIST}{anna.pk}/change/"
    admin = logged_in(superuser)
    form_page = page(admin.get(url))
    data = form_page.form_data(form_page.find("form", id="registration_form"))
    data.update(
        {
            "name": ["Anna Schmidt-Weber"],
            # Fields shown read-only, posted anyway by a crafted form:
            "status": ["confirmed"],
            "party_size": ["5"],
            "checked_in": ["3"],
            "consent_privacy_at_0": ["2020-01-01"],
            "consent_privacy_at_1": ["10:00:00"],
            "_save": ["Save"],
        }
    )

    response = admin.post(url, data)

    assert response.status_code == 302
    consented = anna.consent_privacy_at
    anna.refresh_from_db()
    category.refresh_from_db()
    assert (anna.name, anna.status, anna.party_size, anna.checked_in) == (
        "Anna Schmidt-Weber",
        "cancelled",
        3,
        0,
    )
    assert anna.consent_privacy_at == consented
    assert (category.seats_taken, confirmed_seats(category)) == (8, 8)
    latest = anna.history.latest()
    assert (latest.name, latest.history_user) == ("Anna Schmidt-Weber", superuser)


def test_admin_change_form_refuses_an_email_registered_by_another_party(admin, people):
    anna, olga = people["Anna Schmidt"], people["Ольга"]
    url = f"{CHANGELIST}{anna.pk}/change/"
    form_page = page(admin.get(url))
    data = form_page.form_data(form_page.find("form", id="registration_form"))
    data.update({"email": ["OLGA@example.org"], "_save": ["Save"]})

    response = admin.post(url, data)

    assert response.status_code == 200
    assert page(response).texts("ul", "errorlist") == ["This email address is already registered."]
    anna.refresh_from_db()
    assert anna.email == "anna.schmidt@example.org"
    assert olga.email == "olga@example.org"


def test_admin_cannot_delete_registrations(superuser, people):
    juergen = people["Jürgen Müßig"]
    admin = logged_in(superuser)

    changelist = admin.get(CHANGELIST)
    deleted = admin.post(f"{CHANGELIST}{juergen.pk}/delete/", {"post": "yes"})

    actions = changelist.context["action_form"].fields["action"].choices
    assert "delete_selected" not in [value for value, _label in actions]
    assert deleted.status_code == 403
    assert Registration.objects.filter(pk=juergen.pk).exists()


def test_admin_history_of_an_id_that_is_no_number_is_not_found(admin_client):
    """GET /en/admin/registrations/registration/%3A/history/ raised ValueError("Field
    'id' expected a number but got ':'."): the history is filtered by the id before the
    object is looked up."""
    response = admin_client.get("/en/admin/registrations/registration/%3A/history/")

    assert response.status_code == 404


def test_admin_history_version_that_is_no_number_is_not_found(admin_client):
    """GET /en/admin/registrations/registration/<id>/history/%2e%2e/ raised
    ValueError("Field 'history_id' expected a number but got '..'.")."""
    registration = RegistrationFactory()

    response = admin_client.get(
        f"/en/admin/registrations/registration/{registration.pk}/history/%2e%2e/"
    )

    assert response.status_code == 404


def test_admin_change_form_shows_and_corrects_the_phone_number(admin, people):
    anna = people["Anna Schmidt"]
    url = f"{CHANGELIST}{anna.pk}/change/"
    services.registration_update(
        registration=Registration(pk=anna.pk, phone="0351 123456"), fields=["phone"]
    )

    shown = page(admin.get(url)).find("input", name="phone").attrs["value"]
    response = admin_change(admin, url, phone=" +49  351 654321 ")

    anna.refresh_from_db()
    assert (shown, response.status_code, anna.phone) == ("0351 123456", 302, "+49 351 654321")
    assert anna.history.latest().phone == "+49 351 654321"


def test_admin_change_form_refuses_a_phone_number_without_digits(admin, people):
    anna = people["Anna Schmidt"]

    response = admin_change(admin, f"{CHANGELIST}{anna.pk}/change/", phone="ask Olga")

    assert response.status_code == 200
    assert page(response).texts("ul", "errorlist") == [
        "Enter a phone number in digits, for example +49 3421 123456 "
        "(spaces, brackets and dashes are fine)."
    ]
    anna.refresh_from_db()
    assert anna.phone == ""


def test_admin_registrations_search_by_phone(admin, people):
    services.registration_update(
        registration=Registration(pk=people["Ольга"].pk, phone="+7 495 123-45-67"),
        fields=["phone"],
    )

    assert listed(admin, q="495 123-45") == ["Ольга"]
