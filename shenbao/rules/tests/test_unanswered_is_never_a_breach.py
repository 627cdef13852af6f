"""An unanswered question is 未填写 (incomplete), never 不符合 (issue #13): every rule of the call,
each on its own, run over documents in which nothing, or only part, has been answered yet.

The class of defect, not one example: a rule that reads a missing answer (None, "", a blank row) as
the worse answer fails here by name, whichever rule it is and whenever it is added to RULES."""

import copy

import pytest

from conftest import make_uscc
from shenbao.rules.context import ReviewContext
from shenbao.rules.findings import Severity
from shenbao.rules.ruleset import RULES
from shenbao.rules.snapshot import Snapshot

BLANK = {"format": "shenbao.application/2", "call": "nmg-2026-kjhz"}

# What a new draft holds before the person types anything: the registration's facts.
REGISTERED = {
    **BLANK,
    "lead_unit": {
        "name": "内蒙古草原生态研究院",
        "uscc": "12150000460012345Q",
        "unit_type": "科研院所",
        "registered_on": "2003-06-18",
        "division_code": "150102",
        "legal_representative": "巴特尔",
        "independent_legal_person": True,
    },
    "pi": {"name": "乌云其其格", "id_number": "150105199007160025", "sex": "female"},
}
ENTERPRISE = copy.deepcopy(REGISTERED)
ENTERPRISE["lead_unit"].update(unit_type="企业", uscc=make_uscc("91"))

# A row added to each table and left empty, or with only its first cell typed.
TABLES = {
    "partners": ["partners"],
    "team": ["team"],
    "subprojects": ["subprojects"],
    "indicators": ["indicators"],
    "schedule": ["content", "schedule"],
    "ongoing projects": ["pi", "ongoing_projects"],
    "budget split": ["budget", "by_unit"],
}
FIRST_CELL = {
    "partners": {"name": "北京草业科学研究中心"},
    "team": {"name": "张明"},
    "subprojects": {"title": "课题一"},
    "indicators": {"description": "新品系"},
    "schedule": {"task": "种质收集"},
    "ongoing projects": {"plan": "内蒙古自治区重点研发和成果转化计划"},
    "budget split": {"unit": "内蒙古草原生态研究院"},
}


def _with_row(document: dict, table: str, row: dict) -> dict:
    document = copy.deepcopy(document)
    *parents, last = TABLES[table]
    node = document
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = [row]
    return document


def _documents() -> list[tuple[str, dict]]:
    documents = [("blank", BLANK), ("as registered", REGISTERED), ("an enterprise as registered", ENTERPRISE)]
    # Rules that speak only once a category is chosen (caps, the required partner, priority tags).
    for category in ("1001", "2001"):
        documents.append((f"category {category} chosen", {**REGISTERED, "category": category}))
        documents.append((f"an enterprise, category {category}", {**ENTERPRISE, "category": category}))
        named = _with_row({**REGISTERED, "category": category}, "partners", FIRST_CELL["partners"])
        documents.append((f"category {category}, a partner named only", named))
    for table in TABLES:
        documents.append((f"an empty row in {table}", _with_row(REGISTERED, table, {})))
        documents.append((f"only the first cell in {table}", _with_row(REGISTERED, table, FIRST_CELL[table])))
    # Answered "yes" to a question that opens another, which is not answered yet.
    documents.append(
        ("prior funding yes, no statement", {**REGISTERED, "prior_funding": {"based_on_funded_project": True}})
    )
    documents.append(
        ("fiscal budget only", {**ENTERPRISE, "category": "1001", "budget": {"fiscal": {"业务费": 300000}}})
    )
    split = {"fiscal": {"业务费": 300000}, "by_unit": [{"unit": "内蒙古草原生态研究院"}]}
    documents.append(("budget split without amounts", {**REGISTERED, "budget": split}))
    return documents


DOCUMENTS = _documents()


@pytest.mark.parametrize(("what", "document"), DOCUMENTS, ids=[what for what, _ in DOCUMENTS])
def test_no_rule_reads_an_unanswered_question_as_a_breach(what, document, call_spec):
    breaches = {}
    for rule in RULES:  # each rule on its own, so that a failure names the rule
        findings = rule(Snapshot(copy.deepcopy(document), key="me"), ReviewContext(call_spec))
        if found := [f for f in findings if f.severity == Severity.BAR]:
            breaches[rule.__name__] = found
    assert breaches == {}, f"on {what}"


@pytest.mark.parametrize(("what", "document"), DOCUMENTS[:2], ids=[what for what, _ in DOCUMENTS[:2]])
def test_what_is_unanswered_is_said_so_and_still_blocks_a_submission(what, document, call_spec):
    snapshot, context = Snapshot(copy.deepcopy(document), key="me"), ReviewContext(call_spec)
    findings = [finding for rule in RULES for finding in rule(snapshot, context)]
    unanswered = [f for f in findings if f.severity == Severity.INCOMPLETE]
    assert unanswered and all("未填写" in f.message or "未上传" in f.message for f in unanswered)
    assert {"pi.civil_servant", "declarations.integrity_commitment_pi", "title"} <= {f.field for f in unanswered}


# --- the same rules still find a breach once the answer is there and breaches the guide ---------------


def _findings(example, call_spec, code):
    snapshot = Snapshot(example, key="me")
    return [f for rule in RULES for f in rule(snapshot, ReviewContext(call_spec)) if f.code == code]


def test_no_partner_yet_is_unanswered_and_only_in_region_partners_is_a_breach(example, call_spec):
    example["partners"] = []
    [finding] = _findings(example, call_spec, "unit.no_required_partner")
    assert finding.severity == Severity.INCOMPLETE and "区外（国内）合作单位" in finding.message
    example["partners"] = [{"name": "内蒙古大学", "location": {"scope": "domestic_in_region", "province": "内蒙古"}}]
    [finding] = _findings(example, call_spec, "unit.no_required_partner")
    assert finding.severity == Severity.BAR


def test_a_subproject_without_its_leader_is_unanswered_and_one_the_pi_leads_none_of_is_a_breach(example, call_spec):
    example["subprojects"][0]["leader_id_number"] = ""
    [missing] = _findings(example, call_spec, "subproject.leader_missing")
    assert missing.severity == Severity.INCOMPLETE and missing.field == "subprojects[0].leader_id_number"
    assert not _findings(example, call_spec, "pi.leads_no_subproject")
    example["subprojects"][0]["leader_id_number"] = "310104198205040015"
    [finding] = _findings(example, call_spec, "pi.leads_no_subproject")
    assert finding.severity == Severity.BAR


def test_a_blank_amount_in_the_split_is_unanswered_until_what_is_there_already_exceeds_the_budget(example, call_spec):
    del example["budget"]["by_unit"][1]["fiscal"]  # 600,000 of 920,000 split so far
    [finding] = _findings(example, call_spec, "budget.split_missing")
    assert finding.severity == Severity.INCOMPLETE and "北京草业科学研究中心分配的财政资金" in finding.message
    assert not _findings(example, call_spec, "budget.split_mismatch")
    example["budget"]["by_unit"][0]["fiscal"] = 950_000  # more than the budget whatever is still blank
    [finding] = _findings(example, call_spec, "budget.split_mismatch")
    assert finding.severity == Severity.BAR


def test_an_enterprise_without_self_raised_funds_yet_is_unanswered_and_too_few_is_a_breach(example, call_spec):
    example["lead_unit"]["unit_type"] = "企业"
    example["budget"]["self_raised"] = {}
    [finding] = _findings(example, call_spec, "budget.enterprise_matching")
    assert finding.severity == Severity.INCOMPLETE and "未填写" in finding.message
    example["budget"]["self_raised"] = {"设备费": 100_000}
    [finding] = _findings(example, call_spec, "budget.enterprise_matching")
    assert finding.severity == Severity.BAR


def test_an_indicator_without_its_type_is_unanswered_and_papers_alone_are_a_breach(example, call_spec):
    example["indicators"] = [{"type": "论文", "quantity": 3}, {"description": "新品系", "quantity": 5}]
    assert not _findings(example, call_spec, "project.papers_as_main_indicators")
    [missing] = _findings(example, call_spec, "project.indicator_type_missing")
    assert missing.severity == Severity.INCOMPLETE
    example["indicators"][1]["type"] = "论文"
    [finding] = _findings(example, call_spec, "project.papers_as_main_indicators")
    assert finding.severity == Severity.BAR
