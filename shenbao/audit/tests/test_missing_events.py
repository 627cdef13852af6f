"""Events that must be in the chain besides transitions: passwords set, changed and reset, changes in
Django's admin, refused attempts on another unit's objects, registry imports, API tokens (see
api/tests/test_token_lifetime.py)."""

import pytest
from django.urls import reverse

from conftest import TEST_PASSWORD
from shenbao.accounts import services as accounts
from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.audit.log import record_registry_import, verify_chain
from shenbao.audit.models import AuditEntry
from shenbao.calls.models import Call


def _actions():
    return list(AuditEntry.objects.values_list("action", flat=True))


def test_changing_ones_password_is_recorded(client, applicant):
    client.force_login(applicant)
    client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Steppe-Wind-2026", "new_password2": "Steppe-Wind-2026"},
    )
    entry = AuditEntry.objects.get(action="account.password_changed")
    assert entry.actor == applicant and entry.object_id == str(applicant.pk)


def test_setting_the_first_password_through_the_link_is_recorded(client, make_user, unit):
    from shenbao.organisations.services import set_password_path

    admin = make_user(User.Role.UNIT_ADMIN, unit=unit)
    admin.set_unusable_password()
    admin.save()
    form_url = client.get(set_password_path(admin)).url
    client.post(form_url, {"new_password1": "Steppe-Wind-2026", "new_password2": "Steppe-Wind-2026"})
    assert AuditEntry.objects.get(action="account.password_set").object_id == str(admin.pk)


def test_a_password_reset_by_the_unit_admin_is_recorded(unit_admin, applicant):
    accounts.reset_password(unit_admin, applicant)
    assert "account.password_reset" in _actions()


def test_a_change_in_djangos_admin_is_recorded(client, department_staff, applicant):
    client.force_login(department_staff)
    url = reverse("admin:accounts_user_change", args=[applicant.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update(username=applicant.username, real_name="改名", role="applicant", unit=applicant.unit_id, is_active="on")
    data.update({"date_joined_0": "2025-01-01", "date_joined_1": "00:00:00"})
    data.pop("last_login", None)
    data.pop("password", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="admin.changed")
    assert entry.actor == department_staff and entry.object_type == "accounts.user"
    assert entry.object_id == str(applicant.pk) and verify_chain() == []


def test_a_refused_attempt_on_another_units_application_is_recorded(client, make_unit, make_user, applicant):
    theirs = make_unit()
    their_applicant = make_user(User.Role.APPLICANT, unit=theirs)
    their_draft = Application.objects.create(call=Call.objects.get(), unit=theirs, applicant=their_applicant)
    client.force_login(applicant)
    assert client.get(reverse("applications:review", args=[their_draft.public_id])).status_code == 404
    entry = AuditEntry.objects.get(action="access.refused")
    assert entry.actor == applicant and entry.object_type == "applications:review"
    assert entry.object_id == str(their_draft.public_id) and entry.after["status"] == 404


def test_a_refused_api_request_on_another_units_object_is_recorded(client, make_unit, make_user, applicant, call):
    from shenbao.api.models import ApiToken

    theirs = make_unit()
    their_draft = Application.objects.create(
        call=call, unit=theirs, applicant=make_user(User.Role.APPLICANT, unit=theirs)
    )
    _, key = ApiToken.issue(applicant, "x")
    client.get(reverse("api:application", args=[their_draft.public_id]), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert AuditEntry.objects.get(action="access.refused").actor == applicant


def test_a_page_of_another_role_without_an_object_is_not_recorded(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("review:overview")).status_code == 403
    assert "access.refused" not in _actions()


@pytest.mark.django_db
def test_a_registry_import_is_recorded_through_the_hook(department_staff):
    record_registry_import(
        "ongoing_projects",
        actor=department_staff,
        source_name="在研项目2025.xlsx",
        sha256="a" * 64,
        counts={"added": 120, "changed": 3, "removed": 0},
    )
    entry = AuditEntry.objects.get(action="registry.imported")
    assert entry.after["counts"]["added"] == 120 and entry.object_type == "registry.ongoing_projects"
