"""`manage.py review`: findings as JSON with exit 0/1/2, and the review of a whole call."""

import json

import pytest
from django.core.management import call_command

from conftest import EXAMPLE_APPLICATION
from shenbao.applications.models import Application


def _run(capsys, *args):
    code = 0
    try:
        call_command("review", *args)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_example_file_has_no_bar_and_exits_0(capsys, db):
    code, out, _ = _run(capsys, str(EXAMPLE_APPLICATION))
    findings = json.loads(out)
    assert code == 0
    assert all(set(f) == {"code", "severity", "clause", "field", "message"} for f in findings)
    assert "bar" not in {f["severity"] for f in findings}


def test_a_file_with_a_bar_exits_1_and_names_the_rule(capsys, db, tmp_path):
    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    data["category"] = "2001"
    path = tmp_path / "over.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = _run(capsys, str(path))
    assert code == 1
    assert {"budget.over_cap", "unit.no_required_partner"} <= {f["code"] for f in json.loads(out)}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "不是有效的JSON"),
        ('["a list"]', "不是一个JSON对象"),
        ('{"format": "other/1"}', "不是本系统可读的申报书格式"),
        ('{"format": "shenbao.application/1", "call": "nmg-2026-kjhz", "pi": {"academician": "no"}}', "pi.academician"),
        ('{"format": "shenbao.application/1", "call": "no-such-call"}', "no-such-call"),
    ],
)
def test_an_unreadable_file_exits_2_saying_why(capsys, db, tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, str(path))
    assert code == 2 and out == "" and reason in err


def test_a_missing_file_exits_2(capsys, db, tmp_path):
    code, _, err = _run(capsys, str(tmp_path / "absent.json"))
    assert code == 2 and "找不到文件" in err


def test_a_whole_call_is_reviewed_into_a_report(capsys, call, unit, applicant, tmp_path):
    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    for state, category in [(Application.State.SUBMITTED, "1001"), (Application.State.SUBMITTED, "2001")]:
        Application.objects.create(
            call=call,
            unit=unit,
            applicant=applicant,
            state=state,
            category=category,
            title=data["title"],
            data={**data, "category": category},
        )
    Application.objects.create(call=call, unit=unit, applicant=applicant, data={})  # a draft: left out
    report = tmp_path / "report.json"
    code, out, _ = _run(capsys, "--call", call.code, "--report", str(report))
    content = json.loads(report.read_text(encoding="utf-8"))
    assert code == 0 and "审查2份申报书" in out
    assert content["applications"] == 2 and content["with_bar"] == 2  # the 2001 copy, and both share one PI
    codes = {f["code"] for r in content["results"] for f in r["findings"]}
    assert {"pi.several_categories", "project.near_duplicate", "budget.over_cap"} <= codes
