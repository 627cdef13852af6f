"""Buttons that can no longer work are not shown, and irreversible steps ask first: the unit queue
offers each row its next step and the batch buttons that apply to the page; the recommender's
推荐/不予推荐/确认 disappear once its list is confirmed; the review page offers a return exactly when
the return would be accepted. What a page offers is held to what the transitions accept."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from conftest import AFTER_FILING
from shenbao.applications.models import Application
from shenbao.review import services, steps
from shenbao.review.models import RecommendationList

from .test_flow import AFTER_RECOMMENDATION, now, sealed_and_sent

State = Application.State


def _in_state(application, state) -> Application:
    Application.objects.filter(pk=application.pk).update(state=state)
    return Application.objects.select_related("call", "unit", "applicant").get(pk=application.pk)


def _accepted(transition, *args) -> bool:
    try:
        transition(*args)
    except (services.TransitionRefused, PermissionDenied):
        return False
    return True


def _confirmed_list(application, staff):
    return RecommendationList.objects.create(
        call=application.call, recommender=application.unit.recommender, confirmed_at=timezone.now(), confirmed_by=staff
    )


@pytest.mark.parametrize("state", State.values)
def test_the_unit_is_offered_a_return_exactly_when_it_would_be_accepted(submitted, admin, state):
    application = _in_state(submitted, state)
    offered = steps.return_step(application, admin, now())
    assert (offered is not None) == _accepted(services.return_to_applicant, application, admin, "请补充", now())
    if offered:
        assert "签章作废" in offered.confirm and "不能撤销" in offered.confirm


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("list_confirmed", [False, True])
def test_the_recommender_is_offered_a_return_exactly_when_it_would_be_accepted(submitted, staff, state, list_confirmed):
    application = _in_state(submitted, state)
    if list_confirmed:
        _confirmed_list(application, staff)
    offered = steps.return_step(application, staff, now()) is not None
    assert offered == _accepted(services.return_to_unit, application, staff, "请补充", now())


def test_no_return_is_offered_after_the_filing_close(submitted, admin, during_filing):
    during_filing.move_to(AFTER_FILING)
    assert steps.return_step(submitted, admin, now()) is None
    assert not _accepted(services.return_to_applicant, submitted, admin, "请补充", now())


def test_the_review_page_shows_the_return_form_only_when_it_can_work_and_it_asks_first(client, submitted, admin, staff):
    client.force_login(admin)
    url = reverse("applications:review", args=[submitted.public_id])
    page = client.get(url).content.decode()
    assert re.search(r'<button class="danger" data-confirm="[^"]*不能撤销[^"]*">退回修改</button>', page)
    sealed_and_sent(submitted, admin)
    assert "退回修改" not in client.get(url).content.decode()  # at the recommender now
    client.force_login(staff)
    assert "退回修改" in client.get(url).content.decode()
    _confirmed_list(submitted, staff)
    assert "退回修改" not in client.get(url).content.decode()


def test_after_the_filing_close_the_applicant_is_told_why_instead_of_offered_submit_or_withdraw(
    client, make_submitted, applicant, during_filing
):
    submitted = make_submitted(applicant, title="已提交的项目")
    draft = _in_state(make_submitted(applicant, title="草稿"), State.DRAFT)
    client.force_login(applicant)
    for application, button in ((submitted, "撤回（单位处理前）"), (draft, "提交单位审核")):
        url = reverse("applications:review", args=[application.public_id])
        assert button in client.get(url).content.decode()
    during_filing.move_to(AFTER_FILING)
    client.force_login(applicant)
    assert (
        "撤回（单位处理前）"
        not in client.get(reverse("applications:review", args=[submitted.public_id])).content.decode()
    )
    page = client.get(reverse("applications:review", args=[draft.public_id])).content.decode()
    assert "提交单位审核</button>" not in page and "现已截止" in page


# --- the unit queue -------------------------------------------------------------------------------


def _row(page: str, application) -> str:
    return re.search(rf'<tr data-row="{application.public_id}"[^>]*>(.*?)</tr>', page, re.S).group(1)


def _next_step(page: str, application) -> str:
    cell = re.search(r'<td data-next-of="[^"]+">(.*?)</td>', _row(page, application), re.S).group(1)
    return re.sub(r"<[^>]+>", "", re.sub(r'<span class="sr-only">.*?</span>', "", cell)).strip()


def test_each_row_of_the_unit_queue_offers_its_own_next_step(client, make_submitted, applicant, admin):
    waiting = make_submitted(applicant, title="待审核的项目")
    approved = services.approve(make_submitted(applicant, title="已审核的项目"), admin, now())
    sealed = make_submitted(applicant, title="已签章的项目")
    services.approve(sealed, admin, now())
    from shenbao.documents.sealing import seal_application

    seal_application(sealed, admin, now())
    sent = make_submitted(applicant, title="已报送的项目")
    sealed_and_sent(sent, admin)
    client.force_login(admin)
    page = client.get(reverse("review:unit_queue")).content.decode()
    assert _next_step(page, waiting).strip() == "审核通过"
    assert _next_step(page, approved).strip() == "电子签章"
    assert _next_step(page, sealed).strip() == "报送归口管理部门"
    assert _next_step(page, sent).strip() == ""
    assert re.search(r'<button name="step" value="seal:[^"]+" class="primary" data-confirm="签章后不能撤销', page)
    assert re.search(r'<button name="step" value="submit:[^"]+" class="primary" data-confirm="报送后', page)
    assert 'value="approve:' in page and "data-confirm" not in _row(page, waiting)  # approving can be undone


def test_the_question_before_an_irreversible_step_is_listening_before_the_first_button_is_drawn(
    client, submitted, admin
):
    # A deferred script runs only once the whole page is parsed: a button clicked while a long queue is
    # still loading would seal without asking. The listener must be loaded, not deferred, in <head>.
    services.approve(submitted, admin, now())  # its next step, 电子签章, asks first
    client.force_login(admin)
    page = client.get(reverse("review:unit_queue")).content.decode()
    head, body = page.split("</head>", 1)
    script = re.search(r'<script src="[^"]*/shenbao/site\.js"([^>]*)>', head)
    assert script, "site.js (the data-confirm listener) is not loaded in <head>"
    assert "defer" not in script.group(1) and "async" not in script.group(1)
    assert "data-confirm" in body and "site.js" not in body


def test_a_rows_own_button_acts_on_that_row_alone_whatever_is_ticked(client, make_submitted, applicant, admin):
    one, other = make_submitted(applicant, title="第一份"), make_submitted(applicant, title="第二份")
    client.force_login(admin)
    client.post(
        reverse("review:unit_action"), {"step": f"approve:{one.public_id}", "application": [str(other.public_id)]}
    )
    assert Application.objects.get(pk=one.pk).state == State.UNIT_APPROVED
    assert Application.objects.get(pk=other.pk).state == State.SUBMITTED


def test_a_made_up_step_is_refused_with_a_message(client, submitted, admin):
    client.force_login(admin)
    for step in (f"delete:{submitted.public_id}", "approve:not-an-id", "approve"):
        response = client.post(reverse("review:unit_action"), {"step": step}, follow=True)
        assert response.status_code == 200 and (
            "请选择操作" in response.content.decode() or "请先勾选" in response.content.decode()
        )
    assert Application.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_the_batch_buttons_follow_the_flow_and_only_those_that_apply_are_shown(client, submitted, admin):
    client.force_login(admin)
    page = client.get(reverse("review:unit_queue")).content.decode()
    batch = re.search(r'<div class="actions" role="group"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert re.findall(r'name="action" value="(\w+)"', batch) == ["approve"]
    services.approve(submitted, admin, now())
    page = client.get(reverse("review:unit_queue")).content.decode()
    batch = re.search(r'<div class="actions" role="group"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert re.findall(r'name="action" value="(\w+)"', batch) == ["seal", "seal_submit"]
    assert 'class="primary"' not in batch  # the primary button of a row is its own next step
    assert batch.count("data-confirm=") == 2


def test_after_the_filing_close_the_unit_queue_offers_nothing_and_says_why(client, submitted, admin, during_filing):
    during_filing.move_to(AFTER_FILING)
    client.force_login(admin)
    page = client.get(reverse("review:unit_queue")).content.decode()
    assert 'name="action"' not in page and 'name="step"' not in page
    assert "单位审核须在2025年11月14日 16:00（北京时间）前完成，现已截止" in page


# --- the recommender's queue ----------------------------------------------------------------------


def test_the_recommender_confirms_with_a_question_and_then_sees_no_buttons_that_cannot_work(
    client, submitted, admin, staff
):
    sealed_and_sent(submitted, admin)
    client.force_login(staff)
    page = client.get(reverse("review:recommender_queue")).content.decode()
    assert re.search(
        r'<button name="action" value="confirm" data-confirm="确认后不能撤销[^"]*">确认推荐项目清单</button>', page
    )
    assert 'value="recommend"' in page and 'value="not_recommend"' in page
    services.recommend(submitted, staff, now())
    client.post(reverse("review:recommender_action"), {"action": "confirm"})
    page = client.get(reverse("review:recommender_queue")).content.decode()
    assert 'value="recommend"' not in page and 'value="not_recommend"' not in page and 'value="confirm"' not in page
    assert 'name="application"' not in page
    assert "推荐项目清单已确认，推荐结果不能再修改（二(二)4）" in page


def test_after_the_recommendation_close_the_recommender_sees_why_not_buttons(
    client, submitted, admin, staff, during_filing
):
    sealed_and_sent(submitted, admin)
    during_filing.move_to(AFTER_RECOMMENDATION)
    client.force_login(staff)
    page = client.get(reverse("review:recommender_queue")).content.decode()
    assert 'value="recommend"' not in page and "现已截止" in page
