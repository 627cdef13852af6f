"""The department's stage at scale: assigning experts with conflict avoidance, and aggregating scores.

    .venv/bin/python bench/department.py [--applications 2000] [--experts 500] [--sheets 10000] [--repeat 3]

Builds one review group of --applications accepted applications (lead and partner units, team members
and 课题 units drawn from shared pools, so experts' units, team members, 回避 lists and registry
projects collide as in a real call) and --experts experts, then prints medians of --repeat runs of:
- baseline: reading the group's applications and experts (what any pass over them costs);
- assign: `services.assign` for the whole group — facts, the conflict index, the plan, and writing
  every assignment and exclusion (targets: < 5 s for 2,000 applications to 500 experts);
- aggregate: the ranking of the call from --sheets submitted score sheets (weighted totals, mean,
  trimmed mean, spread, funding line) (target: < 1 s for 10,000 sheets).
Every assignment is then checked pair by pair against `conflicts.RULES`, and every expert's load
against M; a broken rule or an overloaded expert counts as a violation. The last line is
    department: assign_s=A aggregate_s=B violations=V
"""

import argparse
import copy
import datetime as dt
import json
import random
import time

from _django import EXAMPLE, call_with_a_unit, median_seconds
from django.db import transaction

from shenbao.accounts.id_number import check_digit
from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.evaluation import services
from shenbao.evaluation.conflicts import conflicts
from shenbao.evaluation.facts import application_facts, expert_facts, group_context
from shenbao.evaluation.models import Acceptance, Assignment, Exclusion, Expert, Group, ScoreSheet, Snapshot
from shenbao.evaluation.ranking import ranking
from shenbao.evaluation.scoring import weighted_total
from shenbao.rules.models import OngoingProjectRecord

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 11, 24, 10, 0, tzinfo=SHANGHAI)


def id_number(rng: random.Random) -> str:
    body = f"1501{rng.randint(1, 5):02d}{rng.randint(1960, 1998)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + check_digit(body)


def build(call, unit, applicant, applications: int, experts: int, seed: int = 2026):
    rng = random.Random(seed)
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    units = [f"合作单位{i}" for i in range(max(applications // 4, 50))]
    staff = User.objects.create(username="kjt", role=User.Role.DEPARTMENT)
    expert_users = User.objects.bulk_create(
        [User(username=f"zj{i}", role=User.Role.EXPERT, real_name=f"专家{i}") for i in range(experts)]
    )
    pool = Expert.objects.bulk_create(
        [
            Expert(
                user=user,
                name=user.real_name,
                id_number=id_number(rng),
                # One expert in three works at a unit that takes part in some applications.
                unit_name=rng.choice(units) if i % 3 == 0 else f"专家单位{i}",
                title="研究员",
                disciplines=["230"],
                confirmed_at=NOW,
            )
            for i, user in enumerate(expert_users)
        ]
    )
    rows = []
    for i in range(applications):
        data = copy.deepcopy(example)
        data["title"] = f"{data['title']}（{i}）"
        data["pi"]["id_number"] = id_number(rng)
        data["partners"] = [
            dict(data["partners"][0], name=rng.choice(units), uscc="") for _ in range(rng.randint(1, 3))
        ]
        data["team"] = [
            {
                "name": "成员",
                # Now and then a team member is an expert of the pool (a competitor for the whole group).
                "id_number": rng.choice(pool).id_number if rng.random() < 0.002 else id_number(rng),
                "unit": rng.choice(units),
                "role": "项目组成员",
            }
            for _ in range(rng.randint(1, 5))
        ]
        data["avoid_experts"] = [{"name": e.name, "unit": e.unit_name} for e in rng.sample(pool, rng.randint(0, 3))]
        rows.append(
            Application(
                call=call,
                unit=unit,
                applicant=applicant,
                data=data,
                state=Application.State.RECOMMENDED,
                receipt_no=f"B{i:05d}",
                category="1001",
                title=data["title"],
                pi_id_number=data["pi"]["id_number"],
            )
        )
    apps = Application.objects.bulk_create(rows, batch_size=500)
    snapshots = Snapshot.objects.bulk_create(
        [Snapshot(application=a, kind=Snapshot.Kind.ACCEPTED, version=1, data=a.data) for a in apps], batch_size=500
    )
    Acceptance.objects.bulk_create(
        [
            Acceptance(application=a, status=Acceptance.Status.ACCEPTED, decided_by=staff, decided_at=NOW, snapshot=s)
            for a, s in zip(apps, snapshots, strict=True)
        ],
        batch_size=500,
    )
    # Registry projects shared by an expert and a PI.
    OngoingProjectRecord.objects.bulk_create(
        [
            OngoingProjectRecord(id_number=who, plan="自治区重点研发计划", project_type="重点研发", code=f"P{i}")
            for i in range(100)
            for who in (rng.choice(pool).id_number, rng.choice(apps).pi_id_number)
        ]
    )
    group = Group.objects.create(call=call, name="基准组", category="1001", scoring_closes=NOW + dt.timedelta(days=20))
    group.applications.set(apps)
    Group.objects.filter(pk=group.pk).update(created_at=NOW - dt.timedelta(days=1))  # formed at 受理, before NOW
    group.refresh_from_db()
    return staff, group, apps


def reset(group):
    ScoreSheet.objects.all().delete()
    Assignment.objects.filter(group=group).delete()
    Exclusion.objects.filter(group=group).delete()


def violations(group, review) -> int:
    applications = services.accepted_in(group)
    app_facts = {
        a.pk: application_facts(a.pk, a.acceptance.snapshot.data, review.avoid_experts_max) for a in applications
    }
    experts = {e.pk: expert_facts(e) for e in Expert.objects.all()}
    ctx = group_context(list(app_facts.values()), list(experts.values()), list(app_facts))
    # Declared conflicts are the released assignments themselves: check the active ones.
    load, broken = {}, 0
    for application_id, expert_id in Assignment.objects.exclude(status="released").values_list(
        "application_id", "expert_id"
    ):
        load[expert_id] = load.get(expert_id, 0) + 1
        broken += bool(conflicts(experts[expert_id], app_facts[application_id], ctx))
    return broken + sum(1 for n in load.values() if n > review.max_applications_per_expert)


def score(group, staff, sheets: int, rng: random.Random) -> None:
    """`sheets` submitted sheets: on the group's assignments, topped up (after the conflict check)
    with further pairs where the plan left places short, so the aggregation sees exactly `sheets`."""
    review = group.call.spec.review
    assignments = list(Assignment.objects.filter(group=group).order_by("pk")[:sheets])
    if len(assignments) < sheets:
        taken = {(a.application_id, a.expert_id) for a in assignments}
        apps = list(group.applications.values_list("pk", flat=True))
        experts = list(Expert.objects.values_list("pk", flat=True))
        extra = []
        while len(assignments) + len(extra) < sheets:
            pair = (rng.choice(apps), rng.choice(experts))
            if pair not in taken:
                taken.add(pair)
                extra.append(Assignment(group=group, application_id=pair[0], expert_id=pair[1], created_by=staff))
        assignments += Assignment.objects.bulk_create(extra, batch_size=1000)
    made = []
    for a in assignments:
        scores = {c.code: str(rng.randint(c.min, c.max)) for c in review.criteria}
        made.append(
            ScoreSheet(
                assignment=a,
                scores=scores,
                total=weighted_total(review.criteria, scores),
                submitted_at=NOW,
            )
        )
    ScoreSheet.objects.bulk_create(made, batch_size=1000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--sheets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    call, unit, applicant = call_with_a_unit()
    started = time.perf_counter()
    staff, group, apps = build(call, unit, applicant, args.applications, args.experts)
    review = call.spec.review
    print(f"built {len(apps)} applications and {args.experts} experts in {time.perf_counter() - started:.1f} s")
    print(f"N={review.experts_per_application} M={review.max_applications_per_expert} (the call file's [review])")

    def read_all():
        [a.acceptance.snapshot.data for a in services.accepted_in(group)]
        list(Expert.objects.all())

    baseline = median_seconds(read_all, args.repeat)
    print(f"baseline (read the group): {baseline:.3f} s")

    summary = {}

    def assign():
        reset(group)
        with transaction.atomic():
            summary.update(services.assign(group, staff, NOW))

    assign_s = median_seconds(assign, args.repeat)
    shortfall = sum(summary["shortfalls"].values())
    print(
        f"assign: {assign_s:.3f} s ({assign_s / baseline:.1f}× baseline), {summary['assigned']} assignments, "
        f"{summary['excluded']} (application, expert) pairs excluded with their reasons, {shortfall} places short"
    )
    broken = violations(group, review)
    print(f"checked {summary['assigned']} assignments against every conflict rule and M: {broken} violations")

    score(group, staff, args.sheets, random.Random(7))
    sheets = ScoreSheet.objects.count()
    aggregate_s = median_seconds(lambda: ranking(call), args.repeat, warm_up=True)
    print(f"aggregate: {aggregate_s:.3f} s for {sheets} score sheets ({aggregate_s / baseline:.1f}× baseline)")
    print(f"department: assign_s={assign_s:.2f} aggregate_s={aggregate_s:.2f} violations={broken}")


if __name__ == "__main__":
    main()
