"""The department's stage in a real browser: 受理 → assignment → two experts scoring → ranking →
the 拟立项 list → the public 公示 page."""

import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from shenbao.evaluation import services
from shenbao.evaluation.models import Acceptance, Assignment, FundingList, Group, ScoreSheet
from shenbao.evaluation.tests.conftest import DURING_ACCEPTANCE, SCORING_CLOSES
from shenbao.web.tests.browser_steps import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scores_by_code(scores):
    from shenbao.calls.models import Call

    names = {c.name: c.code for c in Call.objects.get().spec.review.criteria}
    return {names[name]: value for name, value in scores.items()}


def _score(page, expert, title, scores):
    log_in(page, expert.user)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="评审任务").click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="声明无利益冲突，开始评审").click()
    for name, value in scores.items():
        page.get_by_label(re.compile(f"^{name}分数")).fill(value)
    # The draft saves itself (static JS) a moment after typing.
    page.get_by_text(re.compile("已自动保存")).wait_for()
    assert ScoreSheet.objects.get(assignment__expert=expert).scores == scores_by_code(scores)
    page.get_by_role("button", name=re.compile("提交评分")).click()
    expect(page.get_by_text("评分已提交。")).to_be_visible()
    log_out(page)


def test_from_acceptance_to_the_public_list_in_the_browser(
    page,
    live_server,
    make_recommended,
    applicant,
    department_staff,
    make_expert,
    media,
):
    staff = department_staff
    application = make_recommended(applicant)
    title = application.title
    first = make_expert("评审专家甲", unit_name="甲大学")
    second = make_expert("评审专家乙", unit_name="乙大学")
    asked = []  # steps that cannot be undone ask first (data-confirm); the people here agree
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with time_machine.travel(DURING_ACCEPTANCE, tick=True):
        log_in(page, staff)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="受理与评审").click()
        page.get_by_role("checkbox", name=f"选择 {title}").check()
        page.get_by_role("button", name="受理所选").click()
        expect(page.get_by_text("已受理1份。")).to_be_visible()
        assert Acceptance.objects.get().status == Acceptance.Status.ACCEPTED

        page.get_by_role("link", name="评审组与专家指派").click()
        page.get_by_label("名称").fill("国内科技合作一组")
        page.get_by_label("类别").select_option("1001")
        page.get_by_label(re.compile("评分截止时间")).fill("2025-12-15 18:00")
        page.get_by_role("button", name="建立评审组").click()
        expect(page.get_by_text("含已受理申报书1份")).to_be_visible()
        page.get_by_role("button", name="自动指派专家").click()
        expect(page.get_by_text("已指派2人次")).to_be_visible()
        assert Assignment.objects.count() == 2
        log_out(page)

        _score(
            page,
            first,
            title,
            {"创新性": "9", "合作基础": "8", "技术路线可行性": "8", "预期成果与效益": "8", "经费合理性": "8"},
        )
        _score(
            page,
            second,
            title,
            {"创新性": "7", "合作基础": "7", "技术路线可行性": "7", "预期成果与效益": "7", "经费合理性": "7"},
        )
        assert ScoreSheet.objects.filter(submitted_at__isnull=False).count() == 2

        log_in(page, staff)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="排序与立项").click()
        page.get_by_label("本类别预算（元）").fill("1000000")
        page.get_by_role("button", name="设置资助线").click()
        row = page.get_by_role("row", name=re.compile(title[:10]))
        expect(row.get_by_text("76.25")).to_be_visible()  # the mean of 82.50 and 70.00
        expect(row.get_by_text("线内")).to_be_visible()
        row.get_by_label("拟立项").check()
        row.get_by_role("button", name="保存").click()
        page.get_by_role("button", name=re.compile("确认拟立项清单")).click()
        expect(page.get_by_text("拟立项清单已确认并签章。")).to_be_visible()
        page.get_by_role("button", name=re.compile("发布公示")).click()
        expect(page.get_by_text("已发布公示。")).to_be_visible()
        assert FundingList.objects.get().pdf.read().startswith(b"%PDF")
        assert [m[:6] for m in asked] == ["提交后评分和", "提交后评分和", "确认后不能撤销"[:6], "发布后不能撤回"[:6]]
        log_out(page)

        page.goto(f"/publicity/{application.call.code}/")
        table = page.locator("#publicity")
        expect(table.get_by_text(title)).to_be_visible()
        expect(table.get_by_text(application.unit.name)).to_be_visible()
        expect(page.get_by_text(re.compile("0471-6328633"))).to_be_visible()
        assert page.get_by_text("评审专家甲").count() == 0


def test_scores_typed_before_the_sheet_script_runs_are_saved_once_it_runs(
    page, live_server, make_recommended, applicant, department_staff, make_expert, media
):
    """The autosave script is deferred: on a slow connection the sheet is there to type in before it listens."""
    application = make_recommended(applicant)
    expert = make_expert("评审专家甲", unit_name="甲大学")
    with time_machine.travel(DURING_ACCEPTANCE, tick=True):
        services.accept(application, department_staff, timezone.now(), reason="测试")
        group = Group.objects.create(call=application.call, name="一组", category="1001", scoring_closes=SCORING_CLOSES)
        group.applications.add(application)
        assignment = Assignment.objects.create(
            group=group, application=application, expert=expert, created_by=department_staff
        )
        services.declare(assignment, expert.user, False, "", timezone.now())
        log_in(page, expert.user)
        held = []
        page.route("**/score-sheet.js", lambda route: held.append(route))
        page.goto(f"/evaluation/expert/{assignment.public_id}/", wait_until="commit")
        page.get_by_label(re.compile("^创新性分数")).fill("9")
        assert len(held) == 1  # typed while the script was still on its way
        held[0].continue_()

        page.get_by_text(re.compile("已自动保存")).wait_for()
        saved = ScoreSheet.objects.get(assignment=assignment).scores
        assert scores_by_code({"创新性": "9"}).items() <= saved.items()
