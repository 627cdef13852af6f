"""A unit admin opens, disables and resets applicant accounts (二(一)2); logins are throttled."""

import datetime as dt

import time_machine
from django.urls import reverse

from conftest import TEST_PASSWORD
from shenbao.accounts.id_number import check_digit
from shenbao.accounts.models import User
from shenbao.audit.models import AuditEntry

NEW_APPLICANT = {
    "real_name": "巴图",
    "id_number": "150105199007160025",
    "username": "batu",
    "phone": "13900000001",
    "email": "batu@example.org",
}


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_new_applicant_gets_sex_and_birth_date_from_the_id_number_and_a_one_time_password(client, unit_admin):
    client.force_login(unit_admin)
    response = client.post(reverse("accounts:applicant_create"), NEW_APPLICANT)
    user = User.objects.get(username="batu")
    assert (user.unit, user.role, user.sex, user.birth_date) == (
        unit_admin.unit,
        User.Role.APPLICANT,
        User.Sex.FEMALE,
        dt.date(1990, 7, 16),
    )
    assert user.must_change_password
    password = response.context["password"]
    assert password in response.content.decode() and user.check_password(password)
    assert AuditEntry.objects.filter(action="account.created", object_id=str(user.pk)).exists()


def test_a_wrong_id_check_digit_is_refused_naming_the_digit_and_keeping_what_was_typed(client, unit_admin):
    client.force_login(unit_admin)
    response = client.post(reverse("accounts:applicant_create"), {**NEW_APPLICANT, "id_number": "150105199007160026"})
    errors = response.context["form"].errors
    assert "第18位应为“5”" in errors["id_number"][0]
    assert "巴图" in response.content.decode() and "13900000001" in response.content.decode()
    assert not User.objects.filter(username="batu").exists()


def test_an_id_number_with_an_abolished_place_code_is_accepted(client, unit_admin):
    # 152601 was 乌兰察布盟集宁市, abolished in 2003; people born there still carry it.
    body = "15260119800101002"
    client.force_login(unit_admin)
    client.post(reverse("accounts:applicant_create"), {**NEW_APPLICANT, "id_number": body + check_digit(body)})
    assert User.objects.filter(username="batu").exists()


def test_one_person_gets_one_applicant_account_per_unit(client, unit_admin, applicant):
    client.force_login(unit_admin)
    response = client.post(reverse("accounts:applicant_create"), {**NEW_APPLICANT, "id_number": applicant.id_number})
    assert applicant.username in response.context["form"].errors["id_number"][0]


def test_a_new_applicant_must_set_a_password_at_first_login(client, unit_admin):
    client.force_login(unit_admin)
    password = client.post(reverse("accounts:applicant_create"), NEW_APPLICANT).context["password"]
    client.logout()
    _login(client, "batu", password)
    assert client.get("/").url == reverse("accounts:password_change")


def test_a_disabled_applicant_cannot_log_in_and_an_enabled_one_can_again(client, unit_admin, applicant):
    client.force_login(unit_admin)
    client.post(reverse("accounts:applicant_set_active", args=[applicant.pk]), {"active": "0"})
    client.logout()
    assert _login(client, applicant.username, TEST_PASSWORD).status_code == 200  # the form again
    client.force_login(unit_admin)
    client.post(reverse("accounts:applicant_set_active", args=[applicant.pk]), {"active": "1"})
    client.logout()
    assert _login(client, applicant.username, TEST_PASSWORD).status_code == 302


def test_a_password_reset_gives_a_new_temporary_password_and_lifts_a_lockout(client, unit_admin, applicant, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, applicant.username, "wrong")
    assert "锁定" in _login(client, applicant.username, TEST_PASSWORD).content.decode()
    client.force_login(unit_admin)
    password = client.post(reverse("accounts:applicant_reset_password", args=[applicant.pk])).context["password"]
    client.logout()
    assert _login(client, applicant.username, password).status_code == 302
    assert User.objects.get(pk=applicant.pk).must_change_password


def test_logins_are_locked_after_repeated_failures(client, applicant, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, applicant.username, "wrong")
    response = _login(client, applicant.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_session_expires_after_the_idle_time(client, applicant, settings):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        _login(client, applicant.username, TEST_PASSWORD)
        assert client.get(reverse("accounts:password_change")).status_code == 200
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
        response = client.get(reverse("accounts:password_change"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_applicant_list_shows_only_the_admins_own_unit(client, unit_admin, applicant, make_unit, make_user):
    stranger = make_user(User.Role.APPLICANT, unit=make_unit(), real_name="别的单位的人")
    client.force_login(unit_admin)
    body = client.get(reverse("accounts:applicant_list")).content.decode()
    assert applicant.real_name in body and stranger.real_name not in body
