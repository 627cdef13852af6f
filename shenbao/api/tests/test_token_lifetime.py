"""An API token acts for its owner only while the owner's account is as it was: a changed or reset
password, a disabled account or a first password still to set stop it. Token endpoints are rate-limited
and issuing and revoking are audited."""

import pytest
from django.urls import reverse

from conftest import TEST_PASSWORD
from shenbao.accounts import services as accounts
from shenbao.api.models import ApiToken
from shenbao.api.views import FAILED_AUTH_LIMIT, TOKEN_CHANGES_PER_HOUR
from shenbao.audit.models import AuditEntry


def _get(client, key):
    return client.get(reverse("api:applications"), HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def key(applicant, call):
    return ApiToken.issue(applicant, "科研系统")[1]


def test_a_token_works_while_nothing_changed(client, key):
    assert _get(client, key).status_code == 200


def test_changing_the_password_ends_the_token(client, applicant, key):
    client.force_login(applicant)
    client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Steppe-Wind-2026", "new_password2": "Steppe-Wind-2026"},
    )
    client.logout()
    response = _get(client, key)
    assert response.status_code == 401 and "密码在签发后已修改或重置" in response.json()["error"]


def test_a_password_reset_by_the_unit_admin_ends_the_token(client, applicant, unit_admin, key):
    accounts.reset_password(unit_admin, applicant)
    assert _get(client, key).status_code == 401


def test_disabling_the_account_ends_the_token(client, applicant, unit_admin, key):
    accounts.set_active(unit_admin, applicant, False)
    assert _get(client, key).status_code == 401


def test_a_token_obeys_must_change_password(client, applicant, key):
    applicant.must_change_password = True
    applicant.save()
    response = _get(client, key)
    assert response.status_code == 403 and "修改初始密码" in response.json()["error"]


def test_guessing_tokens_is_stopped_after_the_limit(client, key):
    for _ in range(FAILED_AUTH_LIMIT):
        assert _get(client, "sb_guess").status_code == 401
    assert _get(client, "sb_guess").status_code == 429
    assert _get(client, key).status_code == 429  # even a right guess, for the rest of the minute


def test_issuing_and_revoking_are_audited(client, applicant):
    client.force_login(applicant)
    client.post(reverse("api:tokens"), {"name": "科研系统"})
    token = ApiToken.objects.get()
    client.post(reverse("api:revoke", args=[token.pk]))
    actions = list(AuditEntry.objects.filter(object_type="api.apitoken").values_list("action", flat=True))
    assert actions == ["api_token.issued", "api_token.revoked"]


def test_issuing_tokens_is_rate_limited(client, applicant):
    client.force_login(applicant)
    for _ in range(TOKEN_CHANGES_PER_HOUR):
        assert client.post(reverse("api:tokens"), {"name": "x"}).status_code == 200
    response = client.post(reverse("api:tokens"), {"name": "x"})
    assert response.status_code == 429 and ApiToken.objects.count() == TOKEN_CHANGES_PER_HOUR


def test_the_token_page_marks_a_token_ended_by_a_password_reset(client, applicant, unit_admin, key):
    accounts.reset_password(unit_admin, applicant)
    applicant.refresh_from_db()
    applicant.must_change_password = False
    applicant.save()
    client.force_login(applicant)
    assert "已失效" in client.get(reverse("api:tokens")).content.decode()
