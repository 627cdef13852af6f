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
