"""Sessions end after SESSION_IDLE_SECONDS without a request, though no request writes the session."""

import datetime as dt
import os

import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse

from conftest import TEST_PASSWORD
from shenbao.accounts.idle import IDLE_COOKIE

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _login(client, user):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD})


def _page(client):
    return client.get(reverse("accounts:password_change"))


def test_someone_working_all_day_stays_logged_in(client, applicant, settings):
    with time_machine.travel(START, tick=False) as traveller:
        _login(client, applicant)
        for _ in range(8):  # a request every 40 minutes for over five hours
            traveller.shift(dt.timedelta(minutes=40))
            assert _page(client).status_code == 200
        assert (START + dt.timedelta(hours=5)).timestamp() < Session.objects.get().expire_date.timestamp()


def test_a_request_does_not_write_the_session_until_it_is_half_way_to_expiry(client, applicant, settings):
    with time_machine.travel(START, tick=False) as traveller:
        _login(client, applicant)
        expiry = Session.objects.get().expire_date
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE // 4))
        _page(client)
        assert Session.objects.get().expire_date == expiry
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE // 2))
        _page(client)
        assert Session.objects.get().expire_date > expiry


def test_an_idle_browser_is_logged_out_even_while_the_stored_session_lives(client, applicant, settings):
    with time_machine.travel(START, tick=False) as traveller:
        _login(client, applicant)
        Session.objects.update(expire_date=START + dt.timedelta(days=30))
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = _page(client)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        assert not Session.objects.exists()


def test_a_forged_last_seen_cookie_logs_out(client, applicant):
    with time_machine.travel(START, tick=False):
        _login(client, applicant)
        client.cookies[IDLE_COOKIE] = "0123456789abcdef:1v8qo4:forged"
        assert _page(client).status_code == 302


def _session_engine(cache_url: str) -> str:
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shenbao.settings", "CACHE_URL": cache_url}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_sessions_are_read_from_the_cache_only_when_every_web_process_shares_it():
    # A cache of each process's own would keep a logged-out session alive in the other processes.
    assert _session_engine("").strip().endswith("backends.db")
    assert _session_engine("redis://127.0.0.1:6379/1").strip().endswith("backends.cached_db")


def test_the_last_seen_cookie_is_signed_again_at_most_once_a_minute_and_at_once_after_a_login(client, applicant):
    with time_machine.travel(START, tick=False) as traveller:
        assert IDLE_COOKIE in _login(client, applicant).cookies  # a new session is named at once
        traveller.shift(dt.timedelta(seconds=20))
        assert IDLE_COOKIE not in _page(client).cookies  # an autosave every few seconds sends nothing more
        traveller.shift(dt.timedelta(seconds=45))
        assert IDLE_COOKIE in _page(client).cookies
        traveller.shift(dt.timedelta(seconds=50))
        assert IDLE_COOKIE not in _page(client).cookies
