"""Many people pressing "Register" at once: the quota is filled exactly, the rest wait.

Each registration runs in its own thread with its own database connection, all released
together by a barrier, against the real database of the run (SQLite file or PostgreSQL).
"""

import threading
import time

import pytest
from django.db import connection

from registrations.models import Registration
from tests import factories
from tests.factories import SeatCategoryFactory

PEOPLE = 40
SEATS = 12


def _register_all(category, party_sizes):
    barrier = threading.Barrier(len(party_sizes))
    errors = []

    def register(number, size):
        try:
            barrier.wait()
            factories.register(
                category=category,
                name=f"Person {number}",
                email=f"person{number}@example.org",
                party_size=size,
                language="de",
            )
        except Exception as error:  # every error is a test failure
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=register, args=(number, size))
        for number, size in enumerate(party_sizes)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_fill_the_quota_exactly():
    category = SeatCategoryFactory(capacity=SEATS, max_party_size=1)

    errors, seconds = _register_all(category, [1] * PEOPLE)

    category.refresh_from_db()
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert errors == []
    assert category.seats_taken == SEATS
    assert statuses.count("confirmed") == SEATS
    assert statuses.count("waiting") == PEOPLE - SEATS
    print(f"\n{connection.vendor}: {PEOPLE} simultaneous registrations in {seconds:.2f}s")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_parties_never_exceed_the_quota():
    category = SeatCategoryFactory(capacity=SEATS, max_party_size=4)
    sizes = [1, 2, 3, 4] * 8

    errors, _seconds = _register_all(category, sizes)

    category.refresh_from_db()
    confirmed = Registration.objects.filter(category=category, status="confirmed")
    confirmed_seats = sum(confirmed.values_list("party_size", flat=True))
    assert errors == []
    assert confirmed_seats == category.seats_taken
    assert category.seats_taken <= SEATS
    # The rest wait: every registration is either confirmed or on the waiting list.
    assert Registration.objects.filter(status="waiting").count() == len(sizes) - confirmed.count()
