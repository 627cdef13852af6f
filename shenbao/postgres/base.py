"""Django's PostgreSQL backend, with a health check that asks the connection's socket instead of the
server.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request that reuses
a connection. On deadline day that is a round trip to the database on every autosave, beside the one
UPDATE that does the work: a sixth of the autosave pool's time in py-spy (bench/rush.py, 2026-11-27).

A server that ends a connection (a restart, a crash, a failover, `pg_terminate_backend`, an idle
timeout) closes its socket or writes its goodbye to it, and either makes the socket readable. An idle
connection's socket has nothing to read. So: nothing to read means usable, without asking; anything to
read (a close, a notice, a notification) and Django's own `SELECT 1` decides, as before. Only a
connection lost without a word (a firewall dropping it) is not caught here — nor is it by `SELECT 1`,
which waits on it just as long; the request that meets it fails and Django closes the connection.

And a cursor for the statements worth preparing. Django sends every query with its parameters quoted
into the text, so PostgreSQL parses and plans it each time; for the autosave's one UPDATE (a CTE, a
merge function, a dozen conditions) that was most of the database's work per save (pgbench on the
statement: 3,900 saves/s as text, 8,400 prepared, 2026-11-27). `prepared_cursor()` binds parameters on
the server and prepares the statement once per connection. Django turns psycopg's automatic
preparation off (`prepare_threshold` None) so that connection poolers keep working; here the threshold
is set beyond reach instead, so that nothing but those statements is ever prepared. Behind PgBouncer in
transaction mode that needs PgBouncer 1.21 or later with `max_prepared_statements` set (README).
"""

import select

from django.db.backends.postgresql import base, operations

# psycopg prepares a query once it has seen it this many times: never, unless the query asks.
ONLY_WHEN_ASKED = 2**31 - 1


class PreparedCursor(base.ServerBindingCursor):
    """Parameters bound on the server, and the statement prepared on its first execution."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The logged text of a prepared statement (DEBUG, the tests' query counts): psycopg keeps none."""
        if isinstance(cursor, PreparedCursor):
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("prepare_threshold") is None:
            params["prepare_threshold"] = ONLY_WHEN_ASKED
        return params

    def prepared_cursor(self):
        """As `cursor()` (health check, error mapping, query logging), with the statement prepared."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(PreparedCursor(self.connection))

    def close_if_health_check_failed(self):
        if self.health_check_enabled and not self.health_check_done and self._quiet():
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """An open connection whose socket has nothing waiting to be read."""
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
