"""The department stage's pages, each used by its own role: what they show, and that a refusal comes
back as a Chinese message with nothing the person typed lost."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from shenbao.evaluation import experts as expert_sheets
from shenbao.evaluation import services
from shenbao.evaluation.models import Acceptance, Assignment, Expert, Group, ScoreSheet
from shenbao.rules.models import OngoingProjectRecord

from .conftest import DURING_ACCEPTANCE, SCORING_CLOSES

NOW = DURING_ACCEPTANCE


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _text(response):
    return response.content.decode()


def test_staff_reject_with_a_clause_and_the_applicant_appeals_once(client, recommended, staff, applicant, clock):
    client.force_login(staff)
    page = _text(client.get(reverse("evaluation:acceptance")))
    assert recommended.title in page and "待受理" in page
    url = reverse("evaluation:decide", args=[recommended.public_id])
    response = client.post(url, {"action": "reject", "reason": "缺少协议", "clause": ""}, follow=True)
    assert "须注明依据的指南条款" in _text(response)
    client.post(url, {"action": "reject", "reason": "缺少协议", "clause": "一(三)9"})
    client.force_login(applicant)
    status = reverse("evaluation:status", args=[recommended.public_id])
    assert "缺少协议（一(三)9）" in _text(client.get(status)) and "2025-12-09 10:00" in _text(client.get(status))
    client.post(reverse("evaluation:appeal", args=[recommended.public_id]), {"reason": "协议见附件"})
    assert Acceptance.objects.get().status == Acceptance.Status.APPEALED
    assert "提出复审申请" not in _text(client.get(status))
    client.force_login(staff)
    client.post(url, {"action": "appeal_accept", "reason": "复审后受理"})
    assert Acceptance.objects.get().status == Acceptance.Status.ACCEPTED


def test_the_expert_import_pages_preview_then_import(client, staff, clock):
    client.force_login(staff)
    template = client.get(reverse("evaluation:expert_template"))
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    book.active.append(["李四", "11010519491231002X", "中国农业大学", "", "教授", "230", "", "", "是"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "experts.xlsx"
    preview = _text(client.post(reverse("evaluation:expert_import"), {"file": upload}))
    assert "确认导入" in preview and "李四" in preview, preview[preview.find("<main") :][:1500]
    batch = expert_sheets.ExpertImport.objects.get()
    response = client.post(reverse("evaluation:expert_import_confirm", args=[batch.pk]), follow=True)
    assert "新增2人" in _text(response)
    expert = Expert.objects.get(name="李四")
    response = client.post(
        reverse("evaluation:expert_edit", args=[expert.pk]),
        {"name": "李四", "unit_name": "中国农业大学", "title": "教授", "disciplines": "abc", "available": "1"},
    )
    assert "学科代码" in _text(response) and "abc" in _text(response)  # refused, what was typed kept


def test_an_expert_confirms_their_data_before_anything_else(client, make_expert, clock):
    expert = make_expert(confirmed_at=None)
    client.force_login(expert.user)
    assert client.get(reverse("evaluation:expert_home")).url == reverse("evaluation:expert_profile")
    response = client.post(reverse("evaluation:expert_profile"), {"disciplines": "", "phone": "13800000000"})
    assert "学科代码：至少填写一个" in _text(response) and "13800000000" in _text(response)
    client.post(reverse("evaluation:expert_profile"), {"disciplines": "230", "phone": "13800000000"})
    expert.refresh_from_db()
    assert expert.confirmed_at is not None and expert.phone == "13800000000"
    assert client.get(reverse("evaluation:expert_home")).status_code == 200


@pytest.fixture
def group(recommended, staff):
    services.accept(recommended, staff, NOW)
    group = Group.objects.create(call=recommended.call, name="一组", category="1001", scoring_closes=SCORING_CLOSES)
    group.applications.add(recommended)
    return group


def test_the_group_page_assigns_overrides_reminds_and_reports(client, group, recommended, staff, make_expert, clock):
    free = make_expert("自由专家", unit_name="甲大学")
    partner = make_expert("合作单位专家", unit_name="北京草业科学研究中心")
    client.force_login(staff)
    url = reverse("evaluation:group", args=[group.pk])
    page = _text(client.post(url, {"action": "assign"}, follow=True))
    assert "已指派1人次，回避1人次" in page and "还缺4名专家" in page
    assert "合作单位专家" in page and "北京草业科学研究中心”是本项目的合作单位" in page
    data = {"action": "override", "application": recommended.public_id, "expert": partner.pk, "reason": ""}
    assert "人工指派须填写理由" in _text(client.post(url, data, follow=True))
    page = _text(client.post(url, {**data, "reason": "唯一同行"}, follow=True))
    assert "唯一同行（越过回避规则：unit）" in page
    assert "已提醒2名专家" in _text(client.post(url, {"action": "remind"}, follow=True))
    assert Assignment.objects.filter(expert=free).exists()


def test_an_expert_autosaves_then_submits_and_staff_reopen(client, group, recommended, staff, make_expert, clock):
    expert = make_expert()
    services.assign(group, staff, NOW)
    assignment = Assignment.objects.get()
    client.force_login(expert.user)
    url = reverse("evaluation:assignment", args=[assignment.public_id])
    before = _text(client.get(url))
    assert "北京草业科学研究中心" in before and "张明" in before and recommended.data["abstract"] not in before
    client.post(url, {"action": "no_conflict"})
    response = client.post(reverse("evaluation:autosave", args=[assignment.public_id]), {"score-innovation": "9x"})
    assert response.json()["ok"] is True and ScoreSheet.objects.get().scores["innovation"] == "9x"
    page = _text(client.post(url, {"action": "submit", "score-innovation": "3"}))
    assert "低于6分须填写评审意见" in page and 'value="3"' in page
    scores = {f"score-{c}": "8" for c in ("innovation", "cooperation", "feasibility", "outcomes", "budget")}
    client.post(url, {"action": "submit", **scores})
    sheet = ScoreSheet.objects.get()
    assert sheet.submitted_at is not None and str(sheet.total) == "80.00"
    client.force_login(staff)
    assert "<td>1 / 1</td>" in _text(client.get(reverse("evaluation:groups")))  # progress of the group
    client.post(reverse("evaluation:reopen", args=[sheet.pk]), {"reason": "请补充意见"})
    assert ScoreSheet.objects.get().submitted_at is None


def test_the_ranking_page_draws_the_funding_line_and_confirms_funded_projects(
    client, group, recommended, staff, make_expert, clock
):
    expert = make_expert()
    services.assign(group, staff, NOW)
    assignment = services.declare(Assignment.objects.get(), expert.user, False, "", NOW)
    services.submit_sheet(
        assignment, expert.user, {c.code: "9" for c in recommended.call.spec.review.criteria}, {}, "", NOW
    )
    client.force_login(staff)
    url = reverse("evaluation:ranking")
    client.post(url, {"action": "budget", "category": "1001", "budget": "100"})
    page = _text(client.get(url))
    assert "90.00" in page and "线外" in page and "京蒙协作科技创新倍增计划标志性合作项目" in page
    assert "拟资助金额" in _text(
        client.post(
            url,
            {"action": "decide", "application": recommended.public_id, "proposed": "1", "amount": "abc"},
            follow=True,
        )
    )
    client.post(url, {"action": "decide", "application": recommended.public_id, "proposed": "1", "amount": "800000"})
    client.post(url, {"action": "confirm"})
    client.post(url, {"action": "publicity"})
    assert client.get(reverse("evaluation:funding_file", args=["xlsx"])).status_code == 200
    assert "公示期满后" in _text(client.post(url, {"action": "funded"}, follow=True))
    with time_machine.travel(NOW + dt.timedelta(days=6), tick=False):
        client.force_login(staff)
        assert "已确认立项" in _text(client.post(url, {"action": "funded"}, follow=True))
    assert OngoingProjectRecord.objects.filter(id_number=recommended.pi_id_number).exists()


def test_the_avoid_page_keeps_what_was_typed_when_refused(client, make_complete, applicant, during_filing):
    application = make_complete(applicant)
    client.force_login(applicant)
    url = reverse("evaluation:avoid", args=[application.public_id])
    response = client.post(url, {"name-0": "王五", "unit-0": "", "id_number-0": "", "reason-0": ""})
    assert "请填写工作单位或身份证号" in _text(response)
    client.post(url, {"name-0": "王五", "unit-0": "某大学", "id_number-0": "", "reason-0": "竞争关系"})
    application.refresh_from_db()
    assert application.data["avoid_experts"] == [
        {"name": "王五", "unit": "某大学", "id_number": "", "reason": "竞争关系"}
    ]


def test_the_snapshot_page_compares_two_versions(client, recommended, staff, applicant, clock):
    services.accept(recommended, staff, NOW)
    client.force_login(applicant)
    page = _text(client.get(reverse("evaluation:snapshots", args=[recommended.public_id])))
    assert "受理" in page


@pytest.mark.parametrize(
    "url_name, data",
    [
        ("evaluation:groups", {"name": "x", "category": "1001", "scoring_closes": "2025-13-45 10:00"}),
        ("evaluation:groups", {"name": "x", "category": "9999", "scoring_closes": "明天"}),
        ("evaluation:ranking", {"action": "decide", "application": "not-an-id"}),
        ("evaluation:ranking", {"action": "budget", "category": "1001", "budget": "一百万"}),
        ("evaluation:acceptance_batch", {"application": ["x", "1"]}),
    ],
)
def test_malformed_input_is_refused_never_a_server_error(client, staff, call, clock, url_name, data):
    client.force_login(staff)
    assert client.post(reverse(url_name), data).status_code in (200, 302, 404)


@pytest.mark.parametrize("data", [{"action": "override", "application": "x", "expert": "y"}, {"action": "nothing"}])
def test_malformed_group_actions_are_refused_never_a_server_error(client, group, staff, clock, data):
    client.force_login(staff)
    assert client.post(reverse("evaluation:group", args=[group.pk]), data).status_code in (302, 404)
