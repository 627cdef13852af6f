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
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
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
