import threading
import zoneinfo
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from django.utils import formats, timezone

from events.models import Ceremony
from registrations import services, tickets
from registrations.models import CheckIn, Registration
from tests.demo import load_demo
from tests.factories import CeremonyFactory, RegistrationFactory, SeatCategoryFactory, UserFactory
from tests.helpers import ceremony_today, logged_in, page

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def gate(volunteer):
    """The volunteer's phone at the gate."""
    return logged_in(volunteer)


@pytest.fixture
def today():
    return SeatCategoryFactory(
        ceremony=ceremony_today(title_en="Wreath-laying at the monument"),
        name_en="Veterans",
        capacity=10,
    )


def details(ticket_page):
    return dict(zip(ticket_page.texts("dt"), ticket_page.texts("dd"), strict=True))


def first_checkin_note(checkin):
    local = checkin.at.astimezone(BERLIN)
    return (
        f"First checked in at {formats.time_format(local, 'TIME_FORMAT')} on "
        f"{formats.date_format(local, 'SHORT_DATE_FORMAT')} by {checkin.by.username}."
    )


@pytest.mark.django_db
def test_checkin_ticket_of_today_shows_the_party_and_a_button(gate, today):
    registration = RegistrationFactory(
        category=today,
        name="Сильвашко Александр",
        party_size=3,
        needs_wheelchair_space=True,
        needs_hearing_loop=True,
        guest_names="Ольга\nJürgen Müßig",
    )

    response = gate.get(registration.get_checkin_url())

    shown = page(response)
    assert response.status_code == 200
    assert shown.find("h1").text == "Сильвашко Александр"
    assert details(shown) == {
        "People": "3",
        "Seat category": "Veterans",
        "Ceremony": "Wreath-laying at the monument",
        "Booking code": registration.booking_code_display,
        "Needs": "wheelchair space, hearing loop",
        "Guests": "Ольга Jürgen Müßig",
    }
    assert shown.find_all("div", "alert") == []
    assert shown.texts("button", type="submit", within=shown.find("main")) == [
        "Check in the party (3)"
    ]
    assert shown.find("input", name="people").attrs["max"] == "3"
    assert shown.find("input", name="people").attrs["value"] == "3"


@pytest.mark.django_db
def test_checkin_whole_party_records_who_let_them_in(gate, volunteer, today):
    registration = RegistrationFactory(category=today, name="Jürgen Müßig", party_size=3)
    url = registration.get_checkin_url()

    response = gate.post(url, {"people": 3})
    after = gate.get(response["Location"])

    registration.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, f"{url}?done=1")
    assert registration.checked_in == 3
    assert list(CheckIn.objects.values_list("registration", "people", "by")) == [
        (registration.pk, 3, volunteer.pk)
    ]
    assert page(after).texts("div", "alert") == ["3 people checked in."]
    assert page(after).find_all("form", "checkin-form") == []


@pytest.mark.django_db
def test_checkin_ticket_opened_again_warns_with_time_and_volunteer(gate, today):
    registration = RegistrationFactory(category=today, party_size=2)
    gate.post(registration.get_checkin_url(), {"people": 2}, follow=True)

    response = gate.get(registration.get_checkin_url())

    checkin = CheckIn.objects.get()
    shown = page(response)
    assert shown.texts("div", "alert") == [
        f"This ticket has already been checked in. {first_checkin_note(checkin)}"
    ]
    assert shown.find_all("form", "checkin-form") == []


@pytest.mark.django_db
def test_checkin_part_of_a_party_then_the_rest(gate, today):
    registration = RegistrationFactory(category=today, party_size=4)
    url = registration.get_checkin_url()

    gate.post(url, {"people": 2}, follow=True)
    partly = page(gate.get(url))
    too_many = gate.post(url, {"people": 3})
    registration.refresh_from_db()
    after_refusal = registration.checked_in
    rest = gate.post(url, {"people": 2})

    registration.refresh_from_db()
    assert partly.texts("div", "alert") == [
        f"Already checked in: 2 of 4. {first_checkin_note(CheckIn.objects.first())}"
    ]
    assert details(partly)["People"] == "4 2 checked in"
    assert partly.texts("button", type="submit", within=partly.find("main")) == [
        "Check in the party (2)"
    ]
    assert partly.find("input", name="people").attrs["max"] == "2"
    assert too_many.status_code == 409
    assert page(too_many).texts("div", id="people-error") == [
        "Between 1 and 2 people of this party can still be checked in."
    ]
    assert after_refusal == 2
    assert rest.status_code == 302
    assert registration.checked_in == 4
    assert list(CheckIn.objects.values_list("people", flat=True)) == [2, 2]


def cancelled_registration(category):
    registration = RegistrationFactory(category=category, name="Anna Schmidt")
    services.registration_cancel(registration=registration)
    return registration


def waiting_registration(category):
    full = SeatCategoryFactory(ceremony=category.ceremony, capacity=1)
    RegistrationFactory(category=full)
    return RegistrationFactory(category=full, name="Anna Schmidt")


def other_days_registration(category):
    ceremony = CeremonyFactory(title_en="Peace oath at the bridge", time_zone="Europe/Berlin")
    return RegistrationFactory(category=SeatCategoryFactory(ceremony=ceremony), name="Ольга")


def cancelled_ceremonys_registration(category):
    registration = RegistrationFactory(category=category, name="Ольга")
    category.ceremony.status = Ceremony.Status.CANCELLED
    category.ceremony.save()
    return registration


def other_day_reason(registration):
    ceremony = registration.ceremony
    day = formats.date_format(ceremony.start.astimezone(BERLIN).date(), "DATE_FORMAT")
    return f"This ticket is for “{ceremony.title}” on {day}, not for today."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (cancelled_registration, "This registration was cancelled. Do not admit on this ticket."),
        (waiting_registration, "This person is on the waiting list and has no seat."),
        (other_days_registration, other_day_reason),
        (cancelled_ceremonys_registration, "This ceremony has been cancelled."),
    ],
    ids=["cancelled", "waiting list", "other day", "cancelled ceremony"],
)
def test_checkin_refused_ticket_shows_why_and_no_button(gate, today, make, reason):
    registration = make(today)
    reason = reason(registration) if callable(reason) else reason

    shown = page(gate.get(registration.get_checkin_url()))
    attempt = gate.post(registration.get_checkin_url(), {"people": 1})

    registration.refresh_from_db()
    assert shown.texts("div", "alert-danger") == [f"Do not admit. {reason}"]
    assert shown.find_all("form", "checkin-form") == []
    assert attempt.status_code == 409
    assert page(attempt).texts("div", "alert-danger") == [f"Do not admit. {reason}"]
    assert registration.checked_in == 0
    assert list(CheckIn.objects.all()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        lambda registration: (
            registration.ticket_token[:-1] + ("A" if registration.ticket_token[-1] != "A" else "B")
        ),
        lambda registration: (
            ("1" if registration.ticket_token[0] != "1" else "2") + registration.ticket_token[1:]
        ),
        lambda registration: registration.manage_token,
    ],
    ids=["signature changed", "id changed", "manage link's token"],
)
def test_checkin_tampered_token_is_not_found(gate, today, tamper):
    registration = RegistrationFactory(category=today)

    response = gate.get(f"/en/checkin/{tamper(registration)}/")
    posted = gate.post(f"/en/checkin/{tamper(registration)}/", {"people": 1})

    registration.refresh_from_db()
    assert (response.status_code, posted.status_code) == (404, 404)
    assert registration.checked_in == 0


@pytest.fixture
def guests(today):
    """Guests of two ceremonies today and of one on another day."""
    other_today = SeatCategoryFactory(ceremony=ceremony_today())
    another_day = SeatCategoryFactory()
    return {
        "Jürgen Müßig": RegistrationFactory(category=today, name="Jürgen Müßig"),
        "Anna Schmidt": RegistrationFactory(category=today, name="Anna Schmidt"),
        "Сильвашко Александр": RegistrationFactory(category=today, name="Сильвашко Александр"),
        "Anna Müller": RegistrationFactory(category=other_today, name="Anna Müller"),
        "Anna Schmidt (other day)": RegistrationFactory(category=another_day, name="Anna Schmidt"),
        "Jürgen Weber (other day)": RegistrationFactory(category=another_day, name="Jürgen Weber"),
    }


def search(gate, query):
    results = page(gate.get("/en/checkin/", {"q": query}))
    found = results.find_all("a", within=results.find("ul", "list-group"))
    return [(link.text, link.attrs["href"]) for link in found]


def found(*registrations):
    return [(r.name, r.get_checkin_url()) for r in registrations]


@pytest.mark.django_db
def test_checkin_search_by_part_of_the_name_finds_todays_guests_only(gate, guests):
    assert search(gate, "anna") == found(guests["Anna Müller"], guests["Anna Schmidt"])
    assert search(gate, "jürgen") == found(guests["Jürgen Müßig"])
    assert search(gate, "müßig") == found(guests["Jürgen Müßig"])
    assert search(gate, "Александр") == found(guests["Сильвашко Александр"])
    assert search(gate, "Weber") == []


@pytest.mark.django_db
def test_checkin_search_by_booking_code_with_or_without_dash(gate, guests):
    wanted = guests["Anna Schmidt"]
    code = wanted.booking_code

    assert search(gate, wanted.booking_code_display) == found(wanted)
    assert search(gate, code) == found(wanted)
    assert search(gate, code.lower()) == found(wanted)
    assert search(gate, f" {code[:4]} {code[4:]} ") == found(wanted)
    assert search(gate, guests["Anna Schmidt (other day)"].booking_code_display) == []


@pytest.mark.django_db
def test_checkin_counts_json_gives_arrivals_per_ceremony_of_today(gate):
    today = SeatCategoryFactory(ceremony=ceremony_today(), capacity=5)
    quiet = ceremony_today()
    ceremony_today(status=Ceremony.Status.CANCELLED)
    first = RegistrationFactory(category=today, party_size=2)
    RegistrationFactory(category=today, party_size=3)
    RegistrationFactory(category=today, party_size=1)  # waits
    services.registration_cancel(registration=RegistrationFactory(category=today, party_size=4))
    RegistrationFactory(category=SeatCategoryFactory(), party_size=4)  # another day
    services.checkin_record(registration=first, people=2)

    response = gate.get("/en/checkin/counts.json")

    assert response.json() == {
        str(today.ceremony.pk): {"arrived": 2, "expected": 5},
        str(quiet.pk): {"arrived": 0, "expected": 0},
    }


@pytest.mark.django_db(transaction=True)
def test_checkin_same_ticket_twice_at_once_lets_in_the_party_once():
    """Two volunteers scan the same ticket at the same moment, each on a connection of
    their own: one lets the party in, the other is told it is already in."""
    volunteers = [UserFactory(username="vera"), UserFactory(username="viktor")]
    registration = RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony_today()), party_size=4
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def check_in(user):
        try:
            barrier.wait()
            services.checkin_record(registration=registration, people=4, by=user)
            outcomes.append("let in")
        except services.CheckInRefused as refusal:
            outcomes.append(refusal.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=check_in, args=(user,)) for user in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    registration.refresh_from_db()
    assert sorted(outcomes) == ["already", "let in"]
    assert registration.checked_in == 4
    assert list(CheckIn.objects.values_list("people", flat=True)) == [4]


@pytest.mark.django_db
def test_demo_checkin_rehearsal_today_can_be_tried_at_the_gate(gate, volunteer):
    """Loads the demo itself, not the shared `demo`: that one stays loaded for the rest of
    the module, where the other tests expect a database of their own making."""
    load_demo()
    today = timezone.now().astimezone(BERLIN).date()
    rehearsal = Ceremony.objects.get(slug=f"check-in-rehearsal-{today.isoformat()}")
    guests = {r.name: r for r in rehearsal.registrations.all()}

    home = page(gate.get("/en/checkin/"))
    letting_in = gate.post(guests["Rehearsal guest 1"].get_checkin_url(), {"people": 4})
    refused = gate.get(guests["Rehearsal guest 5"].get_checkin_url())

    assert rehearsal.is_sample
    assert home.texts("strong", within=home.find("ul", id="live-counts")) == [rehearsal.title]
    assert letting_in.status_code == 302
    assert list(
        Registration.objects.filter(ceremony=rehearsal)
        .order_by("name")
        .values_list("name", "status", "party_size", "checked_in")
    ) == [
        ("Rehearsal guest 1", "confirmed", 4, 4),
        ("Rehearsal guest 2", "confirmed", 3, 0),
        ("Rehearsal guest 3", "confirmed", 2, 0),
        ("Rehearsal guest 4", "confirmed", 1, 0),
        ("Rehearsal guest 5", "cancelled", 2, 0),
    ]
    assert list(CheckIn.objects.values_list("registration__name", "people", "by")) == [
        ("Rehearsal guest 1", 4, volunteer.pk)
    ]
    assert page(refused).texts("div", "alert-danger") == [
        "Do not admit. This registration was cancelled. Do not admit on this ticket."
    ]


def qr_path(registration):
    """The path in the ticket's QR code, as a phone camera opens it."""
    return urlsplit(tickets.checkin_url(registration)).path


@pytest.mark.django_db
def test_checkin_qr_code_opens_the_gate_page_in_the_volunteers_language(gate, today, translated):
    """The guest booked in German; the volunteer's phone reads Russian."""
    registration = RegistrationFactory(category=today, language="de")

    response = gate.get(qr_path(registration), HTTP_ACCEPT_LANGUAGE="ru", follow=True)

    assert qr_path(registration) == f"/checkin/{registration.ticket_token}/"
    assert response.redirect_chain == [(f"/ru/checkin/{registration.ticket_token}/", 302)]
    shown = page(response)
    assert shown.find("html").attrs["lang"] == "ru"
    assert shown.texts("dt")[:2] == [
        translated("ru", "People"),
        translated("ru", "Seat category"),
    ]


@pytest.mark.django_db
def test_checkin_qr_code_follows_the_language_the_gate_was_opened_in(gate, today):
    """The volunteer opened the gate in English on a phone set to German: the tickets
    they scan open in English."""
    registration = RegistrationFactory(category=today, language="ru")
    gate.get("/en/checkin/", HTTP_ACCEPT_LANGUAGE="de")

    response = gate.get(qr_path(registration), HTTP_ACCEPT_LANGUAGE="de")

    assert (response.status_code, response.url) == (
        302,
        f"/en/checkin/{registration.ticket_token}/",
    )
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }


@pytest.mark.django_db
def test_checkin_qr_code_scanned_signed_out_asks_to_sign_in_in_the_volunteers_language(
    client, today
):
    registration = RegistrationFactory(category=today, language="en")

    response = client.get(qr_path(registration), HTTP_ACCEPT_LANGUAGE="de", follow=True)

    ticket = f"/de/checkin/{registration.ticket_token}/"
    login = f"/de/accounts/login/?{urlencode({'next': ticket}, safe='/')}"
    assert response.redirect_chain == [(ticket, 302), (login, 302)]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de", "ru"])
def test_checkin_old_qr_code_with_a_language_still_opens_the_gate_page(gate, today, language):
    """Tickets printed before held /<the guest's language>/checkin/<token>/."""
    registration = RegistrationFactory(category=today, language=language)

    response = gate.get(f"/{language}/checkin/{registration.ticket_token}/")

    assert response.status_code == 200
    assert page(response).find("html").attrs["lang"] == language
    assert page(response).find("h1").text == registration.name


@pytest.mark.django_db
def test_checkin_pages_carry_the_staff_navigation_not_the_public_one(gate, today):
    """A volunteer sees the gate and signing out; neither the dashboard nor the admin,
    which they may not open, nor the public site's navigation."""
    registration = RegistrationFactory(category=today)

    for response in (gate.get("/en/checkin/"), gate.get(registration.get_checkin_url())):
        shown = page(response)
        assert [nav.attrs["aria-label"] for nav in shown.find_all("nav")] == ["Staff", "Language"]
        staff_nav = shown.find("nav", **{"aria-label": "Staff"})
        assert [
            (link.text, link.attrs["href"]) for link in shown.find_all("a", within=staff_nav)
        ] == [("Gate", "/en/checkin/")]
        sign_out = shown.find("form", within=staff_nav)
        assert (sign_out.attrs["action"], shown.texts("button", within=sign_out)) == (
            "/en/accounts/logout/",
            ["Sign out"],
        )
