"""The PostgreSQL backend's health check (elbeday.postgresql): a connection that the
server closed between two requests is replaced before the next request's first query, and
a healthy one is checked without a query."""

import time

import pytest
from django.db import close_old_connections, connection, connections

from tests.factories import SeatCategoryFactory
from tests.helpers import Served

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
