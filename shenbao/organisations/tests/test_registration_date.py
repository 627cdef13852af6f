"""一(一)1: a lead unit is registered on or before the call's date (2024-09-24 for 2026, in the call file).
A later unit may register, warned, but cannot lead a project of the call; its reviewers see the flag."""

import datetime as dt

import pytest
from django.urls import reverse

from shenbao.applications.models import Application
from shenbao.organisations.models import Unit

from .test_registration import _form

WARNING = (
    "注册（成立）日期晚于2024年9月24日：指南一(一)1要求项目牵头单位的注册时间为2024年9月24日（含）前。"
    "本单位仍可注册，但不能作为本批次项目的牵头单位申报。"
)
FLAG = (
    "该单位注册（成立）日期为2024年9月25日，晚于2024年9月24日（指南一(一)1）：可以通过注册，"
    "但不能作为本批次项目的牵头单位申报，其申报书在形式审查中不予通过。"
)


def test_the_date_comes_from_the_call_file(spec):
    assert spec.unit["registered_on_or_before"] == dt.date(2024, 9, 24)
    assert spec.unit["registered_clause"] == "一(一)1"


def test_the_registration_form_states_the_rule_and_carries_the_warning_for_a_later_date(client, call):
    body = client.get(reverse("organisations:register")).content.decode()
    assert "牵头单位的注册时间须为2024年9月24日（含）前（一(一)1）。" in body
    assert 'data-warn-after="2024-09-24" data-warning="registered-late"' in body
    assert f'id="registered-late" class="finding warning" role="status" data-text="{WARNING}" hidden>' in body


def test_a_unit_registered_after_the_date_may_register_and_is_warned(client, call, during_filing):
    response = client.post(reverse("organisations:register"), _form(registered_on="2024-09-25"), follow=True)
    assert Unit.objects.get().status == Unit.Status.PENDING
    messages = [str(m) for m in response.context["messages"]]
    assert messages[-1] == WARNING
    # The registrant's status page keeps saying it.
    assert WARNING in client.get(response.request["PATH_INFO"]).content.decode()


def test_a_unit_registered_on_the_date_itself_gets_no_warning(client, call, during_filing):
    response = client.post(reverse("organisations:register"), _form(registered_on="2024-09-24"), follow=True)
    assert Unit.objects.get().status == Unit.Status.PENDING
    assert WARNING not in response.content.decode()


def test_a_form_sent_back_for_another_error_still_shows_the_warning(client, call, during_filing):
    response = client.post(reverse("organisations:register"), _form(registered_on="2024-09-25", phone="x"))
    body = response.content.decode()
    assert response.status_code == 200 and not Unit.objects.exists()
    assert f'data-text="{WARNING}">{WARNING}</p>' in body


@pytest.mark.parametrize("registered_on, flagged", [(dt.date(2024, 9, 25), True), (dt.date(2024, 9, 24), False)])
def test_the_reviewer_of_the_registration_sees_the_flag_in_the_queue_and_on_the_page(
    client, make_unit, recommender_staff, registered_on, flagged
):
    late = make_unit(
        name="新成立研究院", status=Unit.Status.PENDING, registered_on=registered_on, recommender_code="150100"
    )
    client.force_login(recommender_staff)
    queue = client.get(reverse("organisations:registration_queue")).content.decode()
    page = client.get(reverse("organisations:registration_detail", args=[late.pk])).content.decode()
    assert ("注册时间晚于指南要求" in queue) is flagged
    assert (FLAG in page) is flagged
    assert ("注册时间晚于指南要求" in page) is flagged


def test_the_formal_review_bars_an_application_of_a_later_unit_citing_the_clause(
    client, make_unit, make_user, make_complete, during_filing
):
    from shenbao.accounts.models import User

    unit = make_unit(registered_on=dt.date(2024, 9, 25))
    applicant = make_user(User.Role.APPLICANT, unit=unit, real_name="乌云其其格", id_number="150105199007160025")
    application = make_complete(applicant)
    assert application.data["lead_unit"]["registered_on"] == "2024-09-25"
    client.force_login(applicant)
    body = client.get(reverse("applications:review", args=[application.public_id])).content.decode()
    assert "牵头单位注册日期为2024年09月25日，须在2024年09月24日前（含）注册。" in body
    assert "一(一)1" in body
    response = client.post(reverse("applications:submit", args=[application.public_id]), follow=True)
    assert Application.objects.get(pk=application.pk).state == Application.State.DRAFT
    assert "2024年09月25日" in response.content.decode()
