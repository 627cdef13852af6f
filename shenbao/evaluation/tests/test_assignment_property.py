"""Property: 200 applications, 60 experts, random ties between them — no planned pair breaks a rule,
no expert exceeds M, and every application gets N experts unless too few are eligible."""

import random

import pytest

from shenbao.evaluation.assignment import plan_assignment
from shenbao.evaluation.conflicts import RULES, ExpertFacts, GroupContext, conflicts, group_persons, unit_keys
from shenbao.evaluation.facts import application_facts

UNITS = [f"单位{i}" for i in range(40)]


def person(rng):
    return f"{rng.randrange(10**17):017d}X"


def world(seed):
    rng = random.Random(seed)
    experts = []
    for key in range(60):
        unit = rng.choice(UNITS)
        experts.append(ExpertFacts(key, f"专家{key}", person(rng), unit, frozenset(unit_keys(unit))))
    apps = []
    for key in range(1000, 1200):
        team = [
            {
                "name": "成员",
                "id_number": rng.choice(experts).id_number if rng.random() < 0.1 else person(rng),
                "unit": rng.choice(UNITS),
            }
            for _ in range(rng.randrange(0, 4))
        ]
        avoid = [{"name": e.name, "unit": e.unit_name} for e in rng.sample(experts, rng.randrange(0, 4))]
        data = {
            "title": f"项目{key}",
            "lead_unit": {"name": rng.choice(UNITS)},
            "partners": [{"name": rng.choice(UNITS)}],
            "pi": {"id_number": rng.choice(experts).id_number if rng.random() < 0.05 else person(rng)},
            "team": team,
            "subprojects": [{"unit": rng.choice(UNITS), "leader_id_number": person(rng)}],
            "avoid_experts": avoid,
        }
        apps.append(application_facts(key, data))
    shared = {}
    for e in rng.sample(experts, 10):
        code = f"P{e.key}"
        shared.setdefault(e.id_number, set()).add(code)
        shared.setdefault(rng.choice(apps).pi_id, set()).add(code)
    declared = {(rng.choice(apps).key, rng.choice(experts).key) for _ in range(30)}
    ctx = GroupContext(group_persons(apps), {k: frozenset(v) for k, v in shared.items()}, declared)
    return apps, experts, ctx


@pytest.mark.parametrize("seed", range(5))
def test_200_applications_to_60_experts_break_no_rule_and_no_expert_exceeds_m(seed):
    apps, experts, ctx = world(seed)
    n, m = 5, 20
    plan = plan_assignment(apps, experts, ctx, n, m)
    by_key = {e.key: e for e in experts}
    app_by_key = {a.key: a for a in apps}
    load = {}
    for app_key, expert_key in plan.assignments:
        assert conflicts(by_key[expert_key], app_by_key[app_key], ctx) == []
        load[expert_key] = load.get(expert_key, 0) + 1
    assert max(load.values()) <= m
    assert len(set(plan.assignments)) == len(plan.assignments)
    per_app = {}
    for app_key, _ in plan.assignments:
        per_app[app_key] = per_app.get(app_key, 0) + 1
    for app in apps:
        assert per_app.get(app.key, 0) + plan.shortfalls.get(app.key, 0) == n
    # Exclusions are exactly the pairs the rules forbid (each with the first rule that applies).
    forbidden = {(a.key, e.key) for a in apps for e in experts if conflicts(e, a, ctx)}
    assert {(a, e) for a, e, _, _ in plan.exclusions} == forbidden
    assert all(rule in RULES and reason for _, _, rule, reason in plan.exclusions)


def test_load_is_balanced_when_experts_are_plentiful():
    apps, experts, ctx = world(7)
    plan = plan_assignment(apps, experts, ctx, 5, 20)
    counts = {}
    for _, e in plan.assignments:
        counts[e] = counts.get(e, 0) + 1
    assert max(counts.values()) - min(counts.values()) <= 3
