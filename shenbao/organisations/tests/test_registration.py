"""Public registration of a unit: checks, routing, duplicates, review, and the registrant's status page."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from conftest import make_uscc
from shenbao.accounts.models import User
from shenbao.audit.models import AuditEntry
from shenbao.organisations.models import Recommender, Unit


def _form(**overrides):
    values = {
        "name": "鄂尔多斯绿色能源有限公司",
        "uscc": make_uscc("91", "150602"),
        "unit_type": "企业",
        "independent_legal_person": "yes",
        "registered_on": "2015-03-02",
        "division_code": "150602",
        "route": Unit.Route.LOCAL,
        "competent_department": "",
        "legal_representative": "王刚",
        "contact_name": "刘敏",
        "phone": "0477-8000000",
        "email": "office@example.com",
        "address": "鄂尔多斯市东胜区",
    }
    values.update(overrides)
    return values


def _register(client, **overrides):
    return client.post(reverse("organisations:register"), _form(**overrides))


def _errors(response) -> dict:
    return {name: " ".join(errors) for name, errors in response.context["form"].errors.items()}


def test_a_valid_registration_is_pending_at_the_bureau_of_its_city_and_mails_the_status_link(
    client, call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client)
    unit = Unit.objects.get()
    assert response.status_code == 302 and str(unit.tracking_token) in response.url
    assert unit.status == Unit.Status.PENDING
    assert unit.recommender.code == "150600"
    assert str(unit.tracking_token) in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="unit.registered", object_id=str(unit.pk)).exists()


def test_a_unit_in_manzhouli_is_routed_to_the_manzhouli_bureau(client, call):
    _register(client, division_code="150781", uscc=make_uscc("91", "150781"))
    assert Unit.objects.get().recommender.code == "150781"


def test_a_unit_in_erenhot_is_routed_to_the_erenhot_bureau(client, call):
    _register(client, division_code="152501", uscc=make_uscc("91", "152501"))
    assert Unit.objects.get().recommender.code == "152501"


def test_a_unit_with_a_competent_department_is_routed_to_that_department(client, call):
    department = Recommender.objects.get(code="dept-wsjkw")
    _register(client, route=Unit.Route.COMPETENT_DEPARTMENT, competent_department=department.pk)
    assert Unit.objects.get().recommender == department


def test_a_competent_department_must_be_chosen_when_the_unit_says_it_has_one(client, call):
    response = _register(client, route=Unit.Route.COMPETENT_DEPARTMENT)
    assert "须选择主管部门" in _errors(response)["competent_department"]
    assert not Unit.objects.exists()


def test_a_direct_report_unit_waits_for_department_staff_and_becomes_its_own_recommender(
    client, call, department_staff
):
    _register(client, route=Unit.Route.DIRECT, unit_type="高等院校")
    unit = Unit.objects.get()
    assert unit.recommender is None
    client.force_login(department_staff)
    client.post(reverse("organisations:registration_decide", args=[unit.pk]), {"decision": "approve"})
    unit.refresh_from_db()
    assert unit.recommender.kind == Recommender.Kind.DIRECT
    assert unit.recommender.quota_type == call.spec.direct_quota_type


def test_a_wrong_check_character_is_refused_with_the_expected_one_and_the_typed_values_kept(client, call):
    good = make_uscc("91", "150602")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = _register(client, uscc=bad)
    assert f"第18位应为“{good[17]}”" in _errors(response)["uscc"]
    body = response.content.decode()
    assert "鄂尔多斯绿色能源有限公司" in body and "0477-8000000" in body and bad in body
    assert not Unit.objects.exists()


def test_a_code_whose_first_characters_are_letters_is_accepted(client, call):
    response = _register(client, uscc=make_uscc("Y1", "150602"))
    assert response.status_code == 302


def test_a_government_organ_code_is_refused_citing_the_clause(client, call):
    response = _register(client, uscc=make_uscc("11", "150602"))
    assert "政府机关不得作为申报单位" in _errors(response)["uscc"]
    assert "一(一)5" in _errors(response)["uscc"]


@pytest.mark.parametrize("unit_type", ["政府机关", "参公事业单位"])
def test_a_barred_unit_type_cannot_register(client, call, unit_type):
    response = _register(client, unit_type=unit_type)
    assert "一(一)5" in _errors(response)["unit_type"]


def test_a_unit_without_independent_legal_personality_cannot_register(client, call):
    response = _register(client, independent_legal_person="no")
    assert "独立法人资格" in _errors(response)["independent_legal_person"]


def test_a_registration_place_outside_the_region_is_refused(client, call):
    response = _register(client, division_code="110105")
    assert "内蒙古自治区" in _errors(response)["division_code"]


def test_a_second_registration_of_the_same_code_names_whom_to_contact(client, call, make_unit):
    existing = make_unit(name="包头稀土研究院", division="150203", recommender_code="150200")
    response = _register(client, uscc=existing.uscc.lower())
    message = _errors(response)["uscc"]
    assert "包头稀土研究院" in message and "包头市科学技术局" in message and "0471-6328603" in message
    assert Unit.objects.count() == 1


def test_a_rejected_registration_is_corrected_and_resubmitted_through_its_status_link(client, call, make_user):
    _register(client)
    unit = Unit.objects.get()
    staff = make_user(User.Role.RECOMMENDER, recommender=unit.recommender)
    client.force_login(staff)
    client.post(
        reverse("organisations:registration_decide", args=[unit.pk]),
        {"decision": "reject", "reason": "法定代表人与营业执照不一致"},
    )
    client.logout()
    status_page = client.get(reverse("organisations:registration_status", args=[unit.tracking_token]))
    assert "法定代表人与营业执照不一致" in status_page.content.decode()
    form_page = client.get(reverse("organisations:register") + f"?token={unit.tracking_token}")
    assert "王刚" in form_page.content.decode()
    response = client.post(
        reverse("organisations:register"),
        _form(uscc=unit.uscc, legal_representative="王强", token=str(unit.tracking_token)),
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.status, unit.legal_representative, unit.rejection_reason) == (Unit.Status.PENDING, "王强", "")


def test_a_registration_cannot_be_rejected_without_a_reason(client, call, make_user):
    _register(client)
    unit = Unit.objects.get()
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=unit.recommender))
    response = client.post(reverse("organisations:registration_decide", args=[unit.pk]), {"decision": "reject"})
    assert response.status_code == 400 and "须填写原因" in response.content.decode()
    unit.refresh_from_db()
    assert unit.status == Unit.Status.PENDING


def test_approval_opens_the_unit_admin_account_and_tells_its_holder_how_to_log_in(
    client, call, make_user, django_capture_on_commit_callbacks
):
    _register(client)
    unit = Unit.objects.get()
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=unit.recommender))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:registration_decide", args=[unit.pk]), {"decision": "approve"})
    admin = User.objects.get(username=unit.uscc)
    assert admin.role == User.Role.UNIT_ADMIN and admin.unit == unit and not admin.has_usable_password()
    assert "/accounts/set-password/" in mail.outbox[-1].body and unit.uscc in mail.outbox[-1].body

    client.logout()
    status_page = client.get(reverse("organisations:registration_status", args=[unit.tracking_token]))
    link = status_page.context["set_password_link"]
    form_url = client.get(link).url  # Django swaps the token for a session-held one
    client.post(form_url, {"new_password1": "Steppe-Wind-2026", "new_password2": "Steppe-Wind-2026"})
    response = client.post(reverse("accounts:login"), {"username": unit.uscc, "password": "Steppe-Wind-2026"})
    assert response.status_code == 302
    assert "管理申报人账号" in client.get("/").content.decode()


def test_a_registration_cannot_be_decided_twice(client, call, make_user):
    _register(client)
    unit = Unit.objects.get()
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=unit.recommender))
    url = reverse("organisations:registration_decide", args=[unit.pk])
    client.post(url, {"decision": "approve"})
    response = client.post(url, {"decision": "reject", "reason": "重复"})
    assert response.status_code == 400 and "不能再次审核" in response.content.decode()
    assert Unit.objects.get().status == Unit.Status.APPROVED


def test_the_lookup_finds_a_unit_by_name_or_code_without_showing_its_contacts(client, make_unit):
    unit = make_unit(name="内蒙古农牧业科学院", phone="0471-5555555")
    by_name = client.get(reverse("organisations:lookup"), {"q": "农牧业"}).content.decode()
    by_code = client.get(reverse("organisations:lookup"), {"q": unit.uscc}).content.decode()
    assert "内蒙古农牧业科学院" in by_name and "内蒙古农牧业科学院" in by_code
    assert "0471-5555555" not in by_name


def test_a_registration_date_in_the_future_is_refused(client, call):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    response = _register(client, registered_on=tomorrow.isoformat())
    assert "不能晚于今天" in _errors(response)["registered_on"]
