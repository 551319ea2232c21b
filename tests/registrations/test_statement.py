"""On PostgreSQL a registration is stored by one statement (`registrations.statement`):
it must store what the ORM's statements store (SQLite's way), take no seat it must not,
and leave nothing behind when it fails, also outside any transaction, as in production."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests.factories import SeatCategoryFactory, UserFactory, register

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own statement"),
    pytest.mark.django_db,
]

# What differs between two registrations of the same person in two categories.
OWN = {"id", "ceremony_id", "category_id", "public_id", "booking_code", "submission_key"}
DATES = {"created_at", "updated_at", "consent_privacy_at", "confirmed_at", "waiting_since"}


def columns(row):
    """Every column of a row, those that no form edits included."""
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def stored(registration):
    """The registration's row, its history's rows and its emails' rows, as a person would
    see them: without the ids, keys and dates that are its own."""
    row = columns(Registration.objects.get(pk=registration.pk))
    history = [
        {
            key: value
            for key, value in columns(entry).items()
            if key not in OWN | DATES | {"history_id", "history_date"}
        }
        for entry in registration.history.all()
    ]
    emails = [
        {
            key: value
            for key, value in columns(email).items()
            if key not in {"id", "registration_id", "created_at", "next_attempt_at"}
        }
        for email in OutgoingEmail.objects.filter(registration=registration)
    ]
    return (
        {key: value for key, value in row.items() if key not in OWN | DATES},
        {key: row[key] is not None for key in DATES},
        history,
        emails,
    )


def register_both_ways(monkeypatch, category_options, **fields):
    """The same registration in two categories alike: through the statement, then through
    the ORM's statements."""
    first, second = (SeatCategoryFactory(**category_options) for _category in range(2))
    one = services.registration_create(registration=Registration(category=first, **fields))
    with monkeypatch.context() as patched:
        patched.setattr(services, "_registration_insert", services._registration_insert_by_orm)
        other = services.registration_create(registration=Registration(category=second, **fields))
    return one.registration, other.registration, first, second


PERSON = {
    "name": "Anna Schmidt",
    "email": "anna@example.org",
    "phone": "+49 3421 123456",
    "party_size": 2,
    "guest_names": "Ben Schmidt",
    "country": "DE",
    "language": "de",
    "needs_wheelchair_space": True,
    "needs_note": "A chair near the front",
    "interpreter_language": "Russian",
    "consent_future": True,
}


@pytest.mark.parametrize(
    ("capacity", "status", "kind"),
    [(10, "confirmed", "confirmation"), (1, "waiting", "waiting_list")],
)
def test_statement_stores_what_the_orms_statements_store(monkeypatch, capacity, status, kind):
    one, other, first, second = register_both_ways(
        monkeypatch, {"capacity": capacity, "max_party_size": 2}, **PERSON
    )

    assert stored(one) == stored(other)
    row, _dates, history, emails = stored(one)
    assert (row["status"], row["email"], row["needs_note"]) == (
        status,
        "anna@example.org",
        PERSON["needs_note"],
    )
    assert [(entry["history_type"], entry["status"]) for entry in history] == [("+", status)]
    assert [(email["kind"], email["to"], email["language"]) for email in emails] == [
        (kind, "anna@example.org", "de")
    ]
    # The object the caller holds is the stored registration.
    assert (one.status, one.pk is not None, one._state.adding) == (status, True, False)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.seats_taken == second.seats_taken == (2 if status == "confirmed" else 0)


def test_statement_records_who_added_a_booking_by_hand_and_why(monkeypatch):
    organiser = UserFactory(is_staff=True)
    category = SeatCategoryFactory(capacity=10)
    registration = Registration(category=category, name="Anna Schmidt", party_size=1)
    registration._history_user = organiser

    services.registration_create(registration=registration, by_hand=True)

    entry = registration.history.get()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
        "+",
        organiser,
        "added by hand",
    )
    # No address, so no email; the seat is taken.
    assert list(OutgoingEmail.objects.all()) == []
    category.refresh_from_db()
    assert category.seats_taken == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_registration_is_one_statement():
    category = SeatCategoryFactory(capacity=10)

    with CaptureQueriesContext(connection) as queries:
        result = register(category=category, name="Anna", email="anna@example.org", party_size=1)

    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["WITH"]
    assert result.registration.status == "confirmed"
    assert Registration.objects.get().emails.get().kind == "confirmation"
    category.refresh_from_db()
    assert category.seats_taken == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("category_options", "second", "code"),
    [
        # Its seats taken in the statement, then the insert fails on the unique constraint.
        (
            {"capacity": 10, "max_party_size": 4},
            {"name": "Anna", "email": "anna@example.org", "party_size": 4},
            "duplicate_email",
        ),
        # No seats free and no waiting list: nothing is inserted.
        (
            {"capacity": 2, "max_party_size": 2, "has_waiting_list": False},
            {"name": "Ben", "email": "ben@example.org", "party_size": 2},
            "full",
        ),
    ],
)
def test_a_refused_statement_outside_a_transaction_leaves_nothing_behind(
    category_options, second, code
):
    category = SeatCategoryFactory(**category_options)
    register(category=category, name="Anna", email="anna@example.org", party_size=1)

    with pytest.raises(services.RegistrationError) as caught:
        register(category=category, **second)

    assert caught.value.code == code
    category.refresh_from_db()
    assert category.seats_taken == 1
    assert list(Registration.objects.values_list("email", "party_size")) == [
        ("anna@example.org", 1)
    ]
    assert (Registration.history.count(), OutgoingEmail.objects.count()) == (1, 1)


def test_the_waiting_list_date_is_the_registrations_moment():
    category = SeatCategoryFactory(capacity=1, max_party_size=2)
    now = timezone.now() - datetime.timedelta(minutes=5)
    ceremony = category.ceremony
    assert ceremony.registration_state(now) == ceremony.RegistrationState.OPEN

    result = register(
        category=category, name="Anna", email="anna@example.org", party_size=2, now=now
    )

    stored_row = Registration.objects.get()
    assert (stored_row.status, stored_row.waiting_since, stored_row.confirmed_at) == (
        "waiting",
        now,
        None,
    )
    assert (result.registration.waiting_since, result.registration.confirmed_at) == (now, None)
