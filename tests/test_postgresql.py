"""The PostgreSQL backend's health check (elbeday.postgresql): a connection that the
server closed between two requests is replaced before the next request's first query, and
a healthy one is checked without a query. And the statements a connection runs again and
again are prepared on the server (settings: server-side binding, prepare_threshold)."""

import ast
import time

import pytest
from django.db import close_old_connections, connection, connections

from registrations.models import Registration
from tests.factories import SeatCategoryFactory, register
from tests.helpers import Served
from tests.test_project import run

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
    # Between requests, the connection is in no transaction, as in production.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def other():
    """A second connection to the test database, to watch and stop the first."""
    other = connections.create_connection("default")
    yield other
    other.close()


def _server_query(other, pid):
    """The last statement the server ran on the connection of `pid` (None: it is gone)."""
    with other.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row and row[0]


def _terminate(other, pid):
    """Closes the connection of `pid` from the server's side, as a restart does."""
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while _server_query(other, pid) is not None:
        assert time.monotonic() < deadline, "the server did not end the connection"
        time.sleep(0.05)


def test_connection_closed_by_the_server_is_replaced_before_the_next_request(other):
    # The registration form reads the seats for every request.
    form = f"/en/ceremonies/{SeatCategoryFactory(capacity=10).ceremony.slug}/register/"
    assert Served(form).status.startswith("200")
    pid = connection.connection.info.backend_pid  # kept for the next request
    _terminate(other, pid)

    served = Served(form)

    assert served.status.startswith("200")
    assert "Public (10 seats left)" in served.body.decode()
    assert connection.connection.info.backend_pid != pid


def test_healthy_connection_is_checked_without_a_query(other):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    pid = connection.connection.info.backend_pid
    close_old_connections()  # as at the start of a request

    # The first query of the request checks the connection first (CONN_HEALTH_CHECKS).
    with connection.cursor():
        pass

    assert connection.connection.info.backend_pid == pid  # the same connection, kept
    assert _server_query(other, pid) == "SELECT 'the last statement'"


def _prepared(statement_start):
    """How often each statement prepared on this connection that starts with
    `statement_start` has run since (PostgreSQL's pg_prepared_statements)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [statement_start + "%"],
        )
        return [row[0] for row in cursor.fetchall()]


def test_registrations_run_a_statement_prepared_once_per_connection():
    """After five registrations on a connection, the sixth prepares the registration's
    statement on the server, and it and the later ones run it without parsing and
    planning it again."""
    category = SeatCategoryFactory(capacity=20)

    for number in range(8):
        register(
            category=category,
            name=f"Guest {number}",
            email=f"guest{number}@example.org",
            party_size=1,
        )

    # Prepared once, and run by the sixth, seventh and eighth.
    assert _prepared("WITH seats AS") == [3]
    assert Registration.objects.filter(category=category, status="confirmed").count() == 8
    category.refresh_from_db()
    assert category.seats_taken == 8


def test_prepared_statements_can_be_turned_off_for_a_connection_pooler():
    settings = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    code = f"import django; django.setup(); {settings}"

    default, turned_off = (
        run(["-c", code], DJANGO_SETTINGS_MODULE="elbeday.settings", **changes)
        for changes in ({"DATABASE_PREPARE_THRESHOLD": None}, {"DATABASE_PREPARE_THRESHOLD": ""})
    )

    assert (default.returncode, turned_off.returncode) == (0, 0), default.stderr + turned_off.stderr
    assert ast.literal_eval(default.stdout) == {"server_side_binding": True, "prepare_threshold": 5}
    assert ast.literal_eval(turned_off.stdout) == {
        "server_side_binding": True,
        "prepare_threshold": None,
    }
