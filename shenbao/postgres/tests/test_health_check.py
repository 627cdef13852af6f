"""The health check before a request's first query: the socket, not a round trip (postgres/base.py)."""

import time

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reused_connection():
    """The connection as a new request finds it: open, idle, not yet checked in this request."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's health check is what is tested")
    connection.ensure_connection()
    connection.health_check_enabled, connection.health_check_done = True, False
    yield connection
    connection.close()


def test_an_idle_connection_passes_the_health_check_without_a_query_to_the_server(reused_connection, monkeypatch):
    raw = reused_connection.connection
    monkeypatch.setattr(raw, "cursor", lambda *a, **k: pytest.fail("the health check sent a query"))
    monkeypatch.setattr(raw, "execute", lambda *a, **k: pytest.fail("the health check sent a query"))
    reused_connection.close_if_health_check_failed()
    assert reused_connection.connection is raw  # kept, not reopened
    assert reused_connection.health_check_done


def test_a_connection_the_server_ended_fails_the_health_check_and_the_next_query_reconnects(reused_connection):
    ended = reused_connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
    finally:
        other.close()
    deadline = time.monotonic() + 5  # the ended backend closes its socket a moment after the answer
    while reused_connection._quiet() and time.monotonic() < deadline:
        time.sleep(0.01)
    reused_connection.close_if_health_check_failed()
    assert reused_connection.connection is None
    with reused_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != ended
