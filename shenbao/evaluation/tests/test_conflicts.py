"""Conflict avoidance, rule by rule: each rule keeps the expert away and says why; the planner never
assigns a pair a rule forbids and records every exclusion with its reason."""

import copy
import json

import pytest

from conftest import EXAMPLE_APPLICATION
from shenbao.evaluation.assignment import plan_assignment
from shenbao.evaluation.conflicts import ExpertFacts, GroupContext, conflicts, group_persons, unit_keys
from shenbao.evaluation.facts import application_facts

EXAMPLE = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
PI = EXAMPLE["pi"]["id_number"]
TEAM_MEMBER = EXAMPLE["team"][0]["id_number"]


def _data(**changes):
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def expert(key=1, name="王五", id_number="110101197001010011", unit_name="中国农业大学", unit_uscc=""):
    return ExpertFacts(key, name, id_number, unit_name, frozenset(unit_keys(unit_name, unit_uscc)))


def rules_broken(one, app, ctx=None):
    return [code for code, _ in conflicts(one, app, ctx or GroupContext())]


def test_an_unrelated_expert_breaks_no_rule():
    assert rules_broken(expert(), application_facts(1, _data())) == []


def test_expert_of_the_lead_unit_is_kept_away_by_its_code_or_its_name():
    app = application_facts(1, _data())
    by_code = expert(unit_name="草原院（简称）", unit_uscc=EXAMPLE["lead_unit"]["uscc"].lower())
    by_name = expert(unit_name=" 内蒙古草原生态研究院 ")
    assert rules_broken(by_code, app) == ["unit"]
    assert rules_broken(by_name, app) == ["unit"]
    assert "牵头单位" in conflicts(by_name, app, GroupContext())[0][1]


def test_expert_of_a_listed_partner_is_kept_away():
    app = application_facts(1, _data())
    assert rules_broken(expert(unit_name="北京草业科学研究中心"), app) == ["unit"]


def test_expert_whose_unit_is_a_partner_only_through_a_team_member_is_kept_away():
    data = _data()
    data["team"].append(
        {"name": "赵六", "id_number": "110101198505050016", "unit": "中国农业大学", "role": "项目组成员"}
    )
    app = application_facts(1, data)
    assert "name:中国农业大学" not in {k for p in data["partners"] for k in unit_keys(p["name"], p.get("uscc", ""))}
    ((code, reason),) = conflicts(expert(unit_name="中国农业大学"), app, GroupContext())
    assert code == "unit" and "一(三)9" in reason


def test_expert_whose_unit_undertakes_a_subproject_is_kept_away():
    data = _data()
    data["subprojects"].append({"title": "示范推广", "leader_id_number": PI, "unit": "锡林郭勒盟草原站"})
    assert rules_broken(expert(unit_name="锡林郭勒盟草原站"), application_facts(1, data)) == ["unit"]


@pytest.mark.parametrize("id_number, role", [(PI, "项目负责人"), (TEAM_MEMBER, "课题负责人")])
def test_the_pi_or_a_subproject_leader_of_the_application_is_kept_away(id_number, role):
    ((code, reason),) = conflicts(expert(id_number=id_number.lower()), application_facts(1, _data()), GroupContext())
    assert code == "person" and role in reason


def test_a_team_member_of_the_application_is_kept_away():
    data = _data()
    data["team"].append(
        {"name": "赵六", "id_number": "110101198505050016", "unit": "北京草业科学研究中心", "role": "项目组成员"}
    )
    assert "person" in rules_broken(expert(id_number="110101198505050016"), application_facts(1, data))


def test_a_person_of_a_competing_application_in_the_same_group_is_kept_away_from_the_others():
    mine = application_facts(1, _data())
    theirs = application_facts(2, _data(title="另一项目", pi={"id_number": "110101197001010011", "name": "王五"}))
    ctx = GroupContext(group_persons([mine, theirs]))
    ((code, reason),) = conflicts(expert(), mine, ctx)
    assert code == "competitor" and "另一项目" in reason


def test_an_expert_on_the_applicants_avoid_list_is_kept_away_by_name_and_unit():
    app = application_facts(1, _data(avoid_experts=[{"name": "王五", "unit": "中国农业大学", "reason": "学术争议"}]))
    assert rules_broken(expert(), app) == ["avoid_list"]
    assert rules_broken(expert(unit_name="另一大学"), app) == []  # a namesake elsewhere is not avoided


def test_an_avoid_list_entry_with_an_id_number_matches_that_person_only():
    app = application_facts(1, _data(avoid_experts=[{"name": "王五", "id_number": "110101197001010011"}]))
    assert rules_broken(expert(), app) == ["avoid_list"]
    assert rules_broken(expert(id_number="110101197001010029"), app) == []


def test_an_expert_on_a_registered_project_with_the_pi_is_kept_away():
    ctx = GroupContext(projects_of={PI: frozenset({"2024YFHH0001"}), "110101197001010011": frozenset({"2024YFHH0001"})})
    ((code, reason),) = conflicts(expert(), application_facts(1, _data()), ctx)
    assert code == "same_project" and "2024YFHH0001" in reason


def test_an_expert_who_declared_a_conflict_is_never_assigned_again():
    ctx = GroupContext(declared={(1, 1)})
    assert rules_broken(expert(), application_facts(1, _data()), ctx) == ["declared"]


def test_the_planner_records_every_exclusion_with_its_rule_and_reason():
    data = _data(avoid_experts=[{"name": "甲", "unit": "某所"}])
    data["team"].append(
        {"name": "赵六", "id_number": "110101198505050016", "unit": "中国农业大学", "role": "项目组成员"}
    )
    app = application_facts(1, data)
    experts = [
        expert(1, unit_name="中国农业大学"),
        expert(2, name="甲", id_number="110101197001010029", unit_name="某所"),
        expert(3, id_number=PI, unit_name="某局"),
        expert(4, name="乙", id_number="110101197001010037", unit_name="某厅"),
    ]
    plan = plan_assignment([app], experts, GroupContext(group_persons([app])), per_application=3, max_load=5)
    assert plan.assignments == [(1, 4)]
    assert {(e, r) for _, e, r, _ in plan.exclusions} == {(1, "unit"), (2, "avoid_list"), (3, "person")}
    assert plan.shortfalls == {1: 2}
