"""The department's stage end to end in the domain: decisions notify, conflicts release, overrides
need a reason, 立项 feeds the registries, every hand-over keeps an immutable snapshot."""

import datetime as dt

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.applications import services as applications
from shenbao.evaluation import experts, services
from shenbao.evaluation.facts import application_facts, group_context
from shenbao.evaluation.models import Acceptance, Assignment, Exclusion, Expert, Group, ProjectPerson, Snapshot
from shenbao.evaluation.views import compare
from shenbao.review.models import Notification
from shenbao.review.services import TransitionRefused
from shenbao.rules.models import FundedProject, OngoingProjectRecord

from .conftest import DURING_ACCEPTANCE, SCORING_CLOSES

NOW = DURING_ACCEPTANCE
GOOD = {c: "8" for c in ("innovation", "cooperation", "feasibility", "outcomes", "budget")}


def _group(application, **fields):
    group = Group.objects.create(
        call=application.call, name="一组", category="1001", scoring_closes=SCORING_CLOSES, **fields
    )
    group.applications.add(application)
    return group


def test_not_accepting_tells_the_applicant_and_the_unit_the_reason_and_the_appeal_days(
    recommended, staff, applicant, unit_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(recommended, staff, "缺少联合申报协议", "一(三)9", NOW)
    messages = Notification.objects.filter(user__in=[applicant, unit_admin]).values_list("message", flat=True)
    assert len(messages) == 2 and all("一(三)9" in m and "15日内" in m for m in messages)


def test_an_appeal_is_allowed_once_only(recommended, staff, applicant):
    services.reject(recommended, staff, "缺少协议", "一(三)9", NOW)
    services.appeal(recommended, applicant, "协议已补充", NOW)
    services.decide_appeal(recommended, staff, False, "维持", NOW)
    with pytest.raises(TransitionRefused, match=r"只有不予受理|只能提出一次"):
        services.appeal(recommended, applicant, "再次申请", NOW)
    assert Acceptance.objects.get().appealed_at == NOW


def test_an_application_with_a_bar_is_accepted_only_with_a_reason(make_recommended, applicant, staff):
    application = make_recommended(applicant, end_date="2030-12-31")  # longer than 3 years: a bar
    with pytest.raises(TransitionRefused, match="须填写理由"):
        services.accept(application, staff, NOW)
    services.accept(application, staff, NOW, reason="经核实期限可调整")
    assert Acceptance.objects.get().status == Acceptance.Status.ACCEPTED


def test_acceptance_freezes_the_version_experts_see(recommended, staff):
    services.accept(recommended, staff, NOW)
    snapshot = Acceptance.objects.get().snapshot
    assert snapshot.kind == Snapshot.Kind.ACCEPTED and snapshot.data["title"] == recommended.title
    with pytest.raises(ValueError):
        snapshot.save()
    with pytest.raises(ValueError):
        snapshot.delete()


def test_each_handover_keeps_a_snapshot_and_the_comparison_shows_what_changed(make_complete, applicant, during_filing):
    from shenbao.review import services as flow

    application = make_complete(applicant)
    applications.submit_application(application, applicant, timezone.now())
    admin = User.objects.create(username="adm", role=User.Role.UNIT_ADMIN, unit=applicant.unit)
    flow.return_to_applicant(application, admin, "请修改摘要", timezone.now())
    application.refresh_from_db()
    data = dict(application.data, abstract="修改后的摘要")
    application.data = data
    application.version += 1
    application.save()
    applications.submit_application(application, applicant, timezone.now())
    first, second = Snapshot.objects.filter(application=application, kind=Snapshot.Kind.TO_UNIT).order_by("version")
    assert [("abstract", first.data["abstract"], "修改后的摘要")] == [
        change for change in compare(first.data, second.data) if change[0] == "abstract"
    ]


def test_a_declared_conflict_releases_the_assignment_and_keeps_the_pair_apart(recommended, staff, make_expert):
    services.accept(recommended, staff, NOW)
    group = _group(recommended)
    one = make_expert("专家一", unit_name="甲大学")
    services.assign(group, staff, NOW)
    assignment = Assignment.objects.get(expert=one)
    with pytest.raises(TransitionRefused, match="说明"):
        services.declare(assignment, one.user, True, "", NOW)
    services.declare(assignment, one.user, True, "曾与负责人合作发表论文", NOW)
    make_expert("专家二", unit_name="乙大学")
    services.assign(group, staff, NOW)
    assert set(Assignment.objects.exclude(status="released").values_list("expert__name", flat=True)) == {"专家二"}
    assert Exclusion.objects.filter(expert=one, rule="declared").exists()


def test_an_override_needs_a_reason_and_records_the_rule_it_breaks(recommended, staff, make_expert):
    services.accept(recommended, staff, NOW)
    group = _group(recommended)
    partner_expert = make_expert("合作单位专家", unit_name="北京草业科学研究中心")
    services.assign(group, staff, NOW)
    assert Exclusion.objects.get(expert=partner_expert).rule == "unit"
    with pytest.raises(TransitionRefused, match="理由"):
        services.override_assign(group, recommended, partner_expert, staff, " ", NOW)
    assignment = services.override_assign(group, recommended, partner_expert, staff, "该领域仅此一名专家", NOW)
    assert assignment.override_rule == "unit" and assignment.override_reason == "该领域仅此一名专家"


def test_experts_see_the_group_only_within_their_disciplines(recommended, staff, make_expert):
    services.accept(recommended, staff, NOW)
    group = _group(recommended, disciplines=["230"])
    make_expert("农学专家", disciplines=["23010"])
    make_expert("数学专家", disciplines=["110"])
    services.assign(group, staff, NOW)
    assert list(Assignment.objects.values_list("expert__name", flat=True)) == ["农学专家"]


def test_a_submitted_sheet_is_final_until_staff_reopen_it(recommended, staff, make_expert):
    services.accept(recommended, staff, NOW)
    expert = make_expert()
    services.assign(_group(recommended), staff, NOW)
    assignment = services.declare(Assignment.objects.get(), expert.user, False, "", NOW)
    services.save_draft(assignment, expert.user, {"innovation": "x"}, {}, "", NOW)  # a draft keeps anything
    with pytest.raises(TransitionRefused, match="创新性"):
        services.submit_sheet(assignment, expert.user, {"innovation": "x"}, {}, "", NOW)
    sheet = services.submit_sheet(assignment, expert.user, GOOD, {}, "", NOW)
    assert str(sheet.total) == "80.00"
    with pytest.raises(TransitionRefused, match="已提交"):
        services.save_draft(assignment, expert.user, GOOD, {}, "", NOW)
    services.reopen_sheet(sheet, staff, "请补充意见", NOW)
    services.save_draft(assignment, expert.user, {**GOOD, "budget": "9"}, {}, "", NOW)


def test_funding_is_capped_by_the_request_and_the_category(recommended, staff):
    services.accept(recommended, staff, NOW)
    requested = services.requested_fiscal(recommended.data)
    with pytest.raises(TransitionRefused, match="超过申请"):
        services.decide_funding(recommended, staff, True, requested + 1, NOW)
    assert services.decide_funding(recommended, staff, True, None, NOW).amount == requested


def test_funded_projects_enter_the_registries_that_next_years_checks_read(recommended, staff, make_expert):
    services.accept(recommended, staff, NOW)
    services.decide_funding(recommended, staff, True, None, NOW)
    funding_list = services.open_publicity(services.confirm_funding_list(recommended.call, staff, NOW), staff, NOW)
    services.confirm_funded(funding_list, staff, NOW + dt.timedelta(days=6))
    code = f"NMG-2026-KJHZ-{recommended.receipt_no}"
    assert OngoingProjectRecord.objects.get(code=code).id_number == recommended.pi_id_number
    assert FundedProject.objects.get(title=recommended.title).year == 2026
    team_member = recommended.data["team"][0]["id_number"]
    assert set(ProjectPerson.objects.filter(project_code=code).values_list("id_number", flat=True)) >= {team_member}
    # Next year: the team member, now an expert, is kept from the PI's new application.
    expert = make_expert("张明", id_number=team_member, unit_name="某大学")
    from shenbao.evaluation.conflicts import conflicts
    from shenbao.evaluation.facts import expert_facts

    new_app = application_facts(999, {"title": "新项目", "pi": {"id_number": recommended.pi_id_number}})
    ctx = group_context([new_app], [expert_facts(expert)], [999])
    assert [c for c, _ in conflicts(expert_facts(expert), new_app, ctx)] == ["same_project"]


def test_the_avoid_list_holds_at_most_the_calls_number(make_complete, applicant, during_filing):
    application = make_complete(applicant)
    row = {"name": "王五", "unit": "某大学"}
    with pytest.raises(TransitionRefused, match="最多3名"):
        services.set_avoid_list(application, applicant, [row] * 4, timezone.now())
    services.set_avoid_list(application, applicant, [row] * 3, timezone.now())
    application.refresh_from_db()
    assert len(application.data["avoid_experts"]) == 3


def _sheet(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([label for _, label in experts.COLUMNS])
    for row in rows:
        sheet.append(row)
    import io

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_expert_sheet_is_previewed_with_errors_in_chinese_and_imported_once(
    staff, django_capture_on_commit_callbacks
):
    good = [
        "李四",
        "11010519491231002X",
        "中国农业大学",
        "",
        "教授",
        "230、23010",
        "13800000000",
        "l@example.org",
        "是",
    ]
    bad = ["", "110105194912310021", "某所", "", "研究员", "99", "", "not-an-email", "也许"]
    batch = experts.preview(_sheet([good, bad]), "experts.xlsx", staff)
    (error,) = batch.errors
    assert error["row"] == 3
    text = " ".join(error["messages"])
    assert (
        "姓名：必填" in text
        and "身份证号" in text
        and "学科代码" in text
        and "电子邮箱" in text
        and "可参加评审" in text
    )
    with pytest.raises(experts.ImportRefused):
        experts.run_import(batch, staff, NOW)
    batch = experts.preview(_sheet([good]), "experts.xlsx", staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert experts.run_import(batch, staff, NOW) == {"created": 1, "updated": 0, "file": "experts.xlsx"}
    expert = Expert.objects.get()
    assert (
        expert.user.role == User.Role.EXPERT and expert.disciplines == ["230", "23010"] and expert.confirmed_at is None
    )
    assert "/accounts/set-password/" in mail.outbox[-1].body
    with pytest.raises(experts.ImportRefused, match="已导入"):
        experts.run_import(batch, staff, NOW)


def test_the_template_is_the_sheet_the_import_reads(staff):
    rows = experts.read_sheet(experts.template_xlsx())
    assert rows[0]["name"] == "张三" and experts.validate(rows) == []


def test_a_file_that_is_not_excel_is_refused_in_chinese(staff):
    with pytest.raises(experts.ImportRefused, match="无法读取"):
        experts.preview(b"not a spreadsheet", "x.xlsx", staff)


def test_the_sealed_handover_to_the_recommender_keeps_its_own_snapshot(make_complete, applicant, during_filing):
    from shenbao.documents.sealing import seal_application
    from shenbao.review import services as flow

    application = applications.submit_application(make_complete(applicant), applicant, timezone.now())
    admin = User.objects.create(username="adm", role=User.Role.UNIT_ADMIN, unit=applicant.unit)
    flow.approve(application, admin, timezone.now())
    seal_application(application, admin, timezone.now())
    flow.submit_to_recommender(application, admin, timezone.now())
    kinds = list(Snapshot.objects.filter(application=application).values_list("kind", "sealed_pdf"))
    assert [k for k, _ in kinds] == [Snapshot.Kind.TO_UNIT, Snapshot.Kind.TO_RECOMMENDER]
    assert kinds[0][1] == "" and kinds[1][1].startswith("sealed/")  # the recommender's version is the sealed one


def test_m_counts_an_experts_applications_across_the_groups_of_the_call(recommended, applicant, staff, make_expert):
    from shenbao.applications.models import Application

    services.accept(recommended, staff, NOW)
    expert = make_expert()
    review = recommended.call.spec.review
    elsewhere = Group.objects.create(call=recommended.call, name="二组", category="1001", scoring_closes=SCORING_CLOSES)
    for i in range(review.max_applications_per_expert):  # the expert is full in another group of the call
        other = Application.objects.create(
            call=recommended.call, unit=applicant.unit, applicant=applicant, data={"title": f"其他项目{i}"}
        )
        Acceptance.objects.create(application=other, status="accepted", decided_by=staff, decided_at=NOW)
        elsewhere.applications.add(other)
        Assignment.objects.create(group=elsewhere, application=other, expert=expert, created_by=staff)
    summary = services.assign(_group(recommended), staff, NOW)
    assert not Assignment.objects.filter(application=recommended, expert=expert).exists()
    assert summary["shortfalls"][str(recommended.pk)] == review.experts_per_application


def test_a_competitors_exclusion_is_recorded_once_for_the_whole_group(make_recommended, applicant, staff, make_expert):
    first = make_recommended(applicant)
    member = first.data["team"][0]["id_number"]
    second = make_recommended(applicant, title="竞争项目")
    for application in (first, second):
        services.accept(application, staff, NOW, reason="测试")
    group = _group(first)
    group.applications.add(second)
    expert = make_expert("张明", id_number=member, unit_name="某大学")
    services.assign(group, staff, NOW)
    rows = list(Exclusion.objects.filter(expert=expert).values_list("application", "rule"))
    # A person of both applications: excluded from each as a person; no competitor row is needed then.
    assert sorted(rows) == [(first.pk, "person"), (second.pk, "person")]
    own_subproject = {"title": "本单位课题", "leader_id_number": "", "unit": "内蒙古草原生态研究院"}
    third = make_recommended(applicant, title="第三个项目", team=[], subprojects=[own_subproject])
    services.accept(third, staff, NOW, reason="测试")
    group.applications.add(third)
    services.assign(group, staff, NOW)
    assert Exclusion.objects.get(expert=expert, rule="competitor").application is None
    assert not Assignment.objects.filter(expert=expert).exists()


def test_acceptance_waits_for_the_latest_extension_of_the_recommendation_window(recommended, staff):
    from shenbao.calls.models import WindowExtension

    WindowExtension.objects.create(
        call=recommended.call,
        which=WindowExtension.Which.RECOMMENDATION,
        recommender=recommended.unit.recommender,
        closes=NOW + dt.timedelta(days=1),
        reason="系统拥堵",
        granted_by=staff,
        granted_at=NOW,
    )
    with pytest.raises(TransitionRefused, match="尚未开始"):
        services.accept(recommended, staff, NOW)
    services.accept(recommended, staff, NOW + dt.timedelta(days=1, seconds=1))
