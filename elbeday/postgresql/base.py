"""Django's PostgreSQL backend, with a health check that sends nothing.

A connection kept between requests (CONN_MAX_AGE) may have been closed by the server
meanwhile: a restart, a terminated backend, an idle timeout. Django's health check
(CONN_HEALTH_CHECKS) finds out by sending `SELECT 1` before the first query of each
request: a round trip, with its CPU in the worker and in PostgreSQL, for every request
that reads the database. A registration, one statement, paid for two.

A server that closes a connection says so on it (its last error message, then the end of
the stream), so a closed connection has something to read on its socket. An idle, healthy
one has nothing: PostgreSQL speaks only when asked. This backend looks at the socket
without waiting instead, as urllib3 does for the connections it keeps alive. When there is
anything to read, the connection is closed and a new one made, as after a failed
`SELECT 1`. What the socket cannot show (a server gone without a word) neither check finds
before the query's own timeout.

After an error Django still checks with `SELECT 1` (`is_usable`, unchanged), and so does
this check when the connection is not idle."""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return super().close_if_health_check_failed()
        if not self._quiet():
            self.close()
        self.health_check_done = True

    def _quiet(self):
        """Whether the connection is open, idle and has nothing waiting to be read."""
        connection = self.connection
        if connection.closed:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return self.is_usable()
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
