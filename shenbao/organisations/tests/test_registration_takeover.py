"""Registration cannot hand anyone an account or a record: approval never reuses an existing account,
USCC-shaped usernames are the unit admins', and a rejected registration is corrected only with its link."""

import pytest
from django.core import mail
from django.urls import reverse

from shenbao.accounts.models import User
from shenbao.audit.models import AuditEntry
from shenbao.organisations.models import Unit

from .test_registration import _form, _register


@pytest.fixture
def rejected(client, call, make_user):
    _register(client, contact_name="刘敏", email="office@example.com")
    unit = Unit.objects.get()
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=unit.recommender))
    client.post(
        reverse("organisations:registration_decide", args=[unit.pk]), {"decision": "reject", "reason": "材料不全"}
    )
    client.logout()
    unit.refresh_from_db()
    return unit


def test_approval_refuses_when_an_account_already_has_the_units_code_as_username(client, call, make_user, unit):
    _register(client)
    pending = Unit.objects.get(status=Unit.Status.PENDING)
    squatter = make_user(User.Role.APPLICANT, unit=unit, username=pending.uscc.lower(), email="x@evil.example")
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=pending.recommender))
    mail.outbox.clear()
    response = client.post(reverse("organisations:registration_decide", args=[pending.pk]), {"decision": "approve"})
    assert response.status_code == 400 and "已被其他账号占用" in response.content.decode()
    squatter.refresh_from_db()
    assert squatter.role == User.Role.APPLICANT and squatter.unit == unit  # not handed over
    pending.refresh_from_db()
    assert pending.status == Unit.Status.PENDING and not mail.outbox


def test_approval_creates_a_new_unit_admin_account(client, call, make_user):
    _register(client)
    pending = Unit.objects.get()
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=pending.recommender))
    client.post(reverse("organisations:registration_decide", args=[pending.pk]), {"decision": "approve"})
    admin = User.objects.get(username=pending.uscc)
    assert (admin.role, admin.unit, admin.has_usable_password()) == (User.Role.UNIT_ADMIN, pending, False)


@pytest.mark.parametrize("username", ["91150602000000001X", "91150602mA0000001x"])
def test_a_unit_admin_cannot_give_an_applicant_a_uscc_shaped_username(client, unit_admin, username):
    client.force_login(unit_admin)
    response = client.post(
        reverse("accounts:applicant_create"),
        {
            "real_name": "王五",
            "id_number": "150105199007160025",
            "username": username,
            "phone": "13800000000",
            "email": "w@example.org",
        },
    )
    assert "留给单位管理员" in response.content.decode()
    assert not User.objects.filter(username__iexact=username).exists()


def test_registering_a_rejected_code_without_its_link_starts_a_fresh_record(client, rejected):
    response = _register(client, uscc=rejected.uscc, contact_name="冒名者", email="attacker@evil.example")
    fresh = Unit.objects.exclude(pk=rejected.pk).get()
    assert response.status_code == 302 and response.url.endswith(f"/{fresh.tracking_token}/")
    assert fresh.tracking_token != rejected.tracking_token and fresh.status == Unit.Status.PENDING
    rejected.refresh_from_db()
    assert (rejected.contact_name, rejected.email, rejected.status) == ("刘敏", "office@example.com", "rejected")
    assert AuditEntry.objects.filter(action="unit.registered", object_id=str(fresh.pk)).exists()


def test_the_original_link_still_corrects_the_rejected_record(client, rejected):
    response = client.post(
        reverse("organisations:register"),
        _form(uscc=rejected.uscc, contact_name="刘敏敏", token=str(rejected.tracking_token)),
    )
    assert response.status_code == 302 and Unit.objects.count() == 1
    rejected.refresh_from_db()
    assert (rejected.status, rejected.contact_name) == (Unit.Status.PENDING, "刘敏敏")


def test_a_code_pending_again_cannot_be_registered_a_second_time(client, rejected):
    _register(client, uscc=rejected.uscc)
    response = _register(client, uscc=rejected.uscc)
    assert "不能重复注册" in " ".join(response.context["form"].errors["uscc"])
    assert Unit.objects.count() == 2


def test_a_malformed_correction_token_is_a_400_with_a_message(client, call):
    response = client.get(reverse("organisations:register") + "?token=abc")
    assert response.status_code == 400 and "注册进度链接" in response.content.decode()
