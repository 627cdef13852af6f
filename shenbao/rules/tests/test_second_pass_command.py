"""The second pass through `manage.py review FILE.json`, the API's /review and the registries as
stored: the same sentences of the guide, where documents and codes arrive from files and the API."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import EXAMPLE_APPLICATION
from shenbao.api.models import ApiToken
from shenbao.applications import interchange
from shenbao.rules.models import DishonestyRecord, OngoingProjectRecord


def _example():
    return json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))


def _run(capsys, tmp_path, data):
    path = tmp_path / "application.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code = 0
    try:
        call_command("review", str(path))
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr().out
    return code, {f["code"]: f for f in json.loads(out)} if out else {}


def test_the_shared_example_in_todays_format_still_passes_with_no_bar(capsys, db, tmp_path):
    code, findings = _run(capsys, tmp_path, _example())
    assert code == 0
    assert not [f for f in findings.values() if f["severity"] in ("bar", "incomplete")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["attachments"][1].update(size=11 * 1024 * 1024), "attachments.refused"),
        (lambda d: d["attachments"][1].update(file="承诺书.jpg"), "attachments.refused"),
        (lambda d: d["lead_unit"].update(unit_type="政府機關 "), "unit.barred_type"),
        (lambda d: d["partners"][0]["location"].update(province="内蒙古自治区"), "unit.no_required_partner"),
        (lambda d: d["subprojects"][1].update(leader_civil_servant=True), "subproject.leader_civil_servant"),
        (lambda d: d["lead_unit"].update(uscc="92150102MA01234565"), "unit.uscc_invalid"),
    ],
    ids=["over-10MB", "not-pdf", "traditional-government-organ", "partner-in-region", "civil-servant-leader", "bad"],
)
def test_the_command_bars_what_the_guide_bars_in_a_file(capsys, db, tmp_path, change, expected):
    data = _example()
    change(data)
    code, findings = _run(capsys, tmp_path, data)
    assert code == 1 and findings[expected]["severity"] == "bar"


def _hong_kong_partner(data):
    data["partners"] = [{"name": "香港大学", "unit_type": "高等院校", "location": {"province": "香港特別行政區"}}]
    data["team"][0]["unit"] = data["subprojects"][1]["unit"] = data["budget"]["by_unit"][1]["unit"] = "香港大学"
    data["attachments"][0]["partner"] = "香港大学"


def _central_enterprise(data):
    data["lead_unit"].update(unit_type="中央驻自治区企事业单位", uscc="91150000MA01234568")


@pytest.mark.parametrize(
    ("change", "code", "severity", "exit_code"),
    [
        (lambda d: d["team"].append({"name": "李华", "unit": "清华大学"}), "unit.implied_partner", "warning", 1),
        (_hong_kong_partner, "unit.uscc_missing", None, 0),
        (lambda d: d["lead_unit"].update(uscc="92150102MA01234567"), "unit.not_legal_person", "bar", 1),
        (_central_enterprise, "budget.enterprise_matching", "bar", 1),
        (
            lambda d: d["pi"]["ongoing_projects"].append(
                {"plan": "国家重点研发计划", "type": "重点专项", "code": "2023YF1"}
            ),
            "pi.too_many_ongoing",
            None,
            0,
        ),
        (lambda d: d["pi"].update(id_number="１５０１０５１９９００７１６００２５"), "pi.id_invalid", None, 0),
        (lambda d: d["budget"]["fiscal"].update(业务费=530000.5), "budget.over_cap", "bar", 1),
    ],
    ids=[
        "people-make-partners",
        "hong-kong",
        "individual-business",
        "central-enterprise",
        "national-plan",
        "width",
        "money",
    ],
)
def test_each_class_of_the_second_pass_holds_for_a_file(capsys, db, tmp_path, change, code, severity, exit_code):
    data = _example()
    change(data)
    exit_, findings = _run(capsys, tmp_path, data)
    assert exit_ == exit_code
    assert (findings[code]["severity"] if code in findings else None) == severity
    if code == "budget.over_cap":
        assert "1,000,000.50元" in findings[code]["message"]


def test_the_command_exits_1_for_an_unanswered_question_and_says_it_is_unanswered(capsys, db, tmp_path):
    data = _example()
    data["format"] = interchange.FORMAT
    del data["pi"]["civil_servant"]
    code, findings = _run(capsys, tmp_path, data)
    assert code == 1 and findings["pi.civil_servant_unanswered"]["severity"] == "incomplete"
    assert "pi.civil_servant" not in findings


def test_a_version_2_document_asks_every_subproject_leader_and_a_version_1_one_asks_to_confirm(capsys, db, tmp_path):
    _, old = _run(capsys, tmp_path, _example())
    assert old["subproject.leader_civil_servant_unconfirmed"]["severity"] == "warning"
    data = _example()
    data["format"] = interchange.FORMAT
    _, new = _run(capsys, tmp_path, data)
    assert new["subproject.leader_civil_servant_unanswered"]["severity"] == "incomplete"


def test_registry_rows_written_with_hyphens_spaces_or_full_width_are_found(capsys, db, tmp_path):
    DishonestyRecord.objects.create(
        kind="unit", identifier="１２１０００００-４０００１２３４５ｐ", name="北京草业科学研究中心"
    )
    code, findings = _run(capsys, tmp_path, _example())
    assert code == 1 and findings["unit.dishonest"]["field"] == "partners[0].uscc"


def test_a_team_member_on_the_dishonesty_registry_bars_the_file(capsys, db, tmp_path):
    DishonestyRecord.objects.create(kind="person", identifier=" 310104198205040015 ", name="张明")
    code, findings = _run(capsys, tmp_path, _example())
    assert code == 1 and findings["team.dishonest"]["clause"] == "一(四)1"


def test_an_ongoing_project_in_the_registry_in_another_case_is_the_declared_one(capsys, db, tmp_path):
    OngoingProjectRecord.objects.create(
        id_number="150105199007160025",
        plan="内蒙古自治区重点研发和成果转化计划",
        project_type="重点研发",
        code="2024yfhh0001",
    )
    code, findings = _run(capsys, tmp_path, _example())
    assert code == 0 and "pi.too_many_ongoing" not in findings and "pi.undeclared_ongoing" not in findings


@pytest.fixture
def api_client(client, applicant):
    _, key = ApiToken.issue(applicant, "test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def _post_review(api_client, data):
    return api_client.post(reverse("api:review"), json.dumps(data, ensure_ascii=False), content_type="application/json")


def test_the_api_reviews_a_document_and_bars_an_attachment_over_the_limit(api_client, call):
    data = _example()
    assert not [f for f in _post_review(api_client, data).json() if f["severity"] in ("bar", "incomplete")]
    data["attachments"][0]["size"] = 50 * 1024 * 1024
    refused = [f for f in _post_review(api_client, data).json() if f["code"] == "attachments.refused"]
    assert refused and refused[0]["severity"] == "bar" and "10MB" in refused[0]["message"]


def test_the_api_bars_an_attachment_that_is_not_a_pdf(api_client, call):
    data = _example()
    data["format"] = interchange.FORMAT
    data["attachments"][0]["content_type"] = "image/png"
    assert "attachments.refused" in {f["code"] for f in _post_review(api_client, data).json()}


def test_the_api_refuses_an_unreadable_document_with_400(api_client, call):
    response = _post_review(api_client, {"format": "other/9"})
    assert response.status_code == 400 and "format" in response.json()["error"]


def test_the_api_imports_a_version_1_document_upgraded(api_client, call, applicant, during_filing):
    response = api_client.post(
        reverse("api:applications"), json.dumps(_example(), ensure_ascii=False), content_type="application/json"
    )
    assert response.status_code == 201
    stored = applicant.applications.get().data
    assert stored["format"] == interchange.FORMAT and stored["subprojects"][0]["leader_civil_servant"] is False
