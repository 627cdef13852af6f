"""With a shared cache, a signed-in person's requests read their user from it, and every change to the
user is seen at the next request (accounts/backends.py)."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import TEST_PASSWORD
from shenbao.accounts.backends import BACKEND, PREVIOUS_BACKEND


@pytest.fixture
def shared_cache(settings):
    settings.SHARED_CACHE = True  # the tests' cache is one process's own, which is all one process needs


def _login(client, user):
    client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD})


def _page(client):
    return client.get(reverse("accounts:password_change"))


def _user_reads(queries) -> int:
    return sum('FROM "accounts_user"' in q["sql"] for q in queries.captured_queries)


def test_a_signed_in_persons_requests_read_the_user_from_the_shared_cache(client, applicant, shared_cache):
    _login(client, applicant)
    assert _page(client).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert _page(client).status_code == 200
    assert _user_reads(queries) == 0


def test_without_a_shared_cache_every_request_reads_the_user_from_the_database(client, applicant, settings):
    settings.SHARED_CACHE = False  # another process's change would otherwise go unseen
    _login(client, applicant)
    _page(client)
    with CaptureQueriesContext(connection) as queries:
        assert _page(client).status_code == 200
    assert _user_reads(queries) == 1


def _deactivate(user):
    user.is_active = False


def _change_password(user):
    user.set_password("另一个足够长的密码-2026")


@pytest.mark.parametrize("change", [_deactivate, _change_password], ids=["deactivated", "password changed"])
def test_a_user_changed_elsewhere_is_signed_out_at_the_next_request_though_they_were_cached(
    client, applicant, shared_cache, change
):
    _login(client, applicant)
    assert _page(client).status_code == 200
    change(applicant)
    applicant.save()  # by an admin, or in another session
    response = _page(client)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_session_signed_in_before_the_upgrade_stays_signed_in_and_names_the_new_backend(
    client, applicant, shared_cache
):
    _login(client, applicant)
    session = client.session
    session[BACKEND_SESSION_KEY] = PREVIOUS_BACKEND
    session.save()
    assert _page(client).status_code == 200
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
