"""The overview's list of applications (filter by recommender, category, state and priority tag, search,
pages, the sealed PDF of each row) and its Excel export (申报书总览, with state and recommender)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from shenbao.accounts.models import User
from shenbao.applications.models import Application

State = Application.State
TAG = "一带一路联合实验室"


@pytest.fixture
def world(call, make_unit, make_user):
    """Three applications at two bureaus: 呼和浩特 (one recommended and sealed, one sent) and 包头."""
    hohhot = make_unit(name="内蒙古草原生态研究院", division="150102", recommender_code="150100")
    baotou = make_unit(name="包头稀土研究院", division="150203", recommender_code="150200")

    def application(unit, receipt_no, title, state, category="1001", tags=(), sealed=""):
        data = {
            "title": title,
            "category": category,
            "pi": {"name": f"{title[:2]}负责人"},
            "lead_unit": {"name": unit.name},
            "keywords": ["关键词甲"],
            "priority_tags": list(tags),
            "budget": {"fiscal": {"设备费": 300_000, "业务费": 200_000}},
        }
        return Application.objects.create(
            call=call,
            unit=unit,
            applicant=make_user(User.Role.APPLICANT, unit=unit),
            data=data,
            state=state,
            receipt_no=receipt_no,
            sealed_pdf=sealed,
        )

    return {
        "grass": application(hohhot, "R-1", "草原生态修复", State.RECOMMENDED, sealed="sealed/r-1.pdf"),
        "dairy": application(hohhot, "R-2", "乳业国际合作", State.SUBMITTED_TO_RECOMMENDER, "2001", [TAG]),
        "earth": application(baotou, "R-3", "稀土材料研发", State.SUBMITTED),
        "draft": application(baotou, "", "草稿不算", State.DRAFT),
        "hohhot": hohhot,
        "baotou": baotou,
    }


def _listed(client, **query) -> list[str]:
    response = client.get(reverse("review:overview"), query)
    assert response.status_code == 200
    return [a.receipt_no for a in response.context["rows"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["R-1", "R-3", "R-2"]),  # by category, then receipt number; never a draft
        ({"state": "recommended"}, ["R-1"]),
        ({"category": "2001"}, ["R-2"]),
        ({"tag": TAG}, ["R-2"]),
        ({"q": "稀土"}, ["R-3"]),  # the title
        ({"q": "草原生态研究院"}, ["R-1", "R-2"]),  # the lead unit
        ({"q": "乳业负责人"}, ["R-2"]),  # the PI
        ({"q": "关键词甲 修复"}, ["R-1"]),  # a keyword and a word of the title
        ({"state": "bogus", "category": "9999", "tag": "不存在"}, ["R-1", "R-3", "R-2"]),  # unknown values: ignored
    ],
)
def test_department_staff_filter_and_search_the_list(client, world, department_staff, query, expected):
    client.force_login(department_staff)
    assert _listed(client, **query) == expected


def test_the_list_is_filtered_by_recommender(client, world, department_staff):
    client.force_login(department_staff)
    assert _listed(client, recommender=world["baotou"].recommender_id) == ["R-3"]
    assert _listed(client, recommender="99999") == []


def test_each_row_links_to_the_sealed_pdf_once_there_is_one(client, world, department_staff):
    client.force_login(department_staff)
    body = client.get(reverse("review:overview")).content.decode()
    sealed = reverse("documents:application_pdf", args=[world["grass"].public_id]) + "?sealed=1"
    assert f'href="{sealed}"' in body
    assert str(world["earth"].public_id) + ".pdf" not in body  # not sealed: no link, "未签章"
    assert "未签章" in body


def test_the_list_pages_keep_the_filter(client, world, department_staff, call, make_user):
    for i in range(55):
        Application.objects.create(
            call=call,
            unit=world["baotou"],
            applicant=make_user(User.Role.APPLICANT, unit=world["baotou"]),
            data={"title": f"批量{i}", "category": "1001"},
            state=State.SUBMITTED,
            receipt_no=f"B-{i:02d}",
        )
    client.force_login(department_staff)
    response = client.get(reverse("review:overview"), {"state": "submitted"})
    assert response.context["page_obj"].paginator.count == 56 and len(response.context["rows"]) == 50
    assert "state=submitted&amp;page=2" in response.content.decode()
    second = client.get(reverse("review:overview"), {"state": "submitted", "page": 2})
    assert len(second.context["rows"]) == 6


def test_a_recommender_filters_and_searches_only_its_own_applications(client, world, make_user):
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=world["hohhot"].recommender))
    assert _listed(client) == ["R-1", "R-2"]
    assert _listed(client, q="稀土") == []  # 包头's, and still at its unit
    body = client.get(reverse("review:overview")).content.decode()
    assert 'name="recommender"' not in body  # nothing to choose: only its own


# --- The Excel export --------------------------------------------------------------------------------


def _sheet(response):
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["申报书总览"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_export_is_named_for_what_it_is_and_has_state_and_recommender(client, world, department_staff):
    client.force_login(department_staff)
    headers, rows = _sheet(client.get(reverse("review:export_applications")))
    assert {"状态", "归口管理部门", "受理编号", "项目名称", "牵头单位", "项目负责人"} <= set(headers)
    by_receipt = {row["受理编号"]: row for row in rows}
    assert set(by_receipt) == {"R-1", "R-2", "R-3"}
    assert by_receipt["R-1"]["状态"] == "已推荐" and by_receipt["R-3"]["状态"] == "已提交单位"
    assert by_receipt["R-1"]["归口管理部门"] == world["hohhot"].recommender.name
    assert by_receipt["R-3"]["归口管理部门"] == world["baotou"].recommender.name
    assert by_receipt["R-2"]["项目负责人"] == "乳业负责人" and by_receipt["R-2"]["申请财政资金（元）"] == 500_000


def test_the_export_follows_the_lists_filter(client, world, department_staff):
    client.force_login(department_staff)
    _headers, rows = _sheet(client.get(reverse("review:export_applications"), {"state": "recommended"}))
    assert [row["受理编号"] for row in rows] == ["R-1"]


def test_a_recommender_exports_only_its_own_applications(client, world, make_user):
    client.force_login(make_user(User.Role.RECOMMENDER, recommender=world["baotou"].recommender))
    _headers, rows = _sheet(client.get(reverse("review:export_applications")))
    assert rows == []


@pytest.mark.parametrize("role", [User.Role.APPLICANT, User.Role.UNIT_ADMIN])
def test_applicants_and_unit_admins_cannot_open_the_overview_or_its_export(client, world, make_user, role):
    client.force_login(make_user(role, unit=world["hohhot"]))
    assert client.get(reverse("review:overview")).status_code == 403
    assert client.get(reverse("review:export_applications")).status_code == 403
