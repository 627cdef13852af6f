"""Planning who reviews what: N experts per application, no expert over M, no conflict (pure).

Checking every (expert, application) pair against every rule costs experts × applications; instead
the planner looks up, for each application, the few experts a rule names (by unit, by 身份证号, by the
回避 list, by shared projects) and takes the least-loaded of the rest. Tests and the benchmark check
the outcome against `conflicts.RULES` pair by pair, so the index can never quietly disagree with them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .conflicts import ApplicationFacts, ExpertFacts, GroupContext, name_key


@dataclass
class Plan:
    # (application key, expert key) pairs to create.
    assignments: list[tuple[int, int]] = field(default_factory=list)
    # (application key, expert key, rule code, reason) for every expert a rule kept away.
    exclusions: list[tuple[int, int, str, str]] = field(default_factory=list)
    # application key → how many experts are still missing (too few eligible or free experts).
    shortfalls: dict[int, int] = field(default_factory=dict)


class _Index:
    """The experts by everything a rule matches on."""

    def __init__(self, experts: list[ExpertFacts], ctx: GroupContext):
        self.by_unit: dict[str, list[ExpertFacts]] = defaultdict(list)
        self.by_id: dict[str, ExpertFacts] = {}
        self.by_name: dict[str, list[ExpertFacts]] = defaultdict(list)
        for expert in experts:
            for key in expert.unit_keys:
                self.by_unit[key].append(expert)
            self.by_id[expert.id_number] = expert
            self.by_name[name_key(expert.name)].append(expert)
        # Experts who are people of some application of the group: competitors of all the others.
        self.competitors = [(self.by_id[p], rows) for p, rows in ctx.group_persons.items() if p in self.by_id]
        self.declared: dict[int, set[int]] = defaultdict(set)
        for app_key, expert_key in ctx.declared:
            self.declared[app_key].add(expert_key)

    def excluded(self, app: ApplicationFacts, ctx: GroupContext) -> dict[int, tuple[str, str]]:
        """expert key → (rule, reason) for every expert a rule keeps away from `app`; the first rule
        found is the one recorded, in the order of `conflicts.RULES`."""
        out: dict[int, tuple[str, str]] = {}

        def add(expert: ExpertFacts, rule: str, reason: str) -> None:
            out.setdefault(expert.key, (rule, reason))

        for key, role in app.units.items():
            for expert in self.by_unit.get(key, ()):
                add(
                    expert,
                    "unit",
                    _("专家所在单位“%(unit_name)s”是本项目的%(role)s") % {"unit_name": expert.unit_name, "role": role},
                )
        for person, role in app.persons.items():
            if expert := self.by_id.get(person):
                add(expert, "person", _("专家是本项目的%(role)s") % {"role": role})
        for expert, rows in self.competitors:
            for other, title, role in rows:
                if other != app.key:
                    add(
                        expert,
                        "competitor",
                        _("专家是同组竞争项目“%(title)s”的%(role)s") % {"title": title, "role": role},
                    )
                    break
        for entry in app.avoid:
            candidates = [self.by_id[entry.id_number]] if entry.id_number in self.by_id else []
            candidates += self.by_name.get(name_key(entry.name), [])
            for expert in candidates:
                if entry.matches(expert):
                    add(expert, "avoid_list", _("申报人在申报书中申请回避该专家"))
        pi_projects = ctx.projects_of.get(app.pi_id, frozenset())
        if pi_projects:
            for person, codes in ctx.projects_of.items():
                if person != app.pi_id and (shared := codes & pi_projects) and (expert := self.by_id.get(person)):
                    add(
                        expert,
                        "same_project",
                        _("专家与项目负责人同在已立项或在研项目%(min)s中") % {"min": min(shared)},
                    )
        for expert_key in self.declared.get(app.key, ()):
            out.setdefault(expert_key, ("declared", _("专家本人声明存在利益冲突")))
        return out


def plan_assignment(
    apps: list[ApplicationFacts],
    experts: list[ExpertFacts],
    ctx: GroupContext,
    per_application: int,
    max_load: int,
    *,
    current: dict[int, set[int]] | None = None,
    load: dict[int, int] | None = None,
) -> Plan:
    """Assign up to `per_application` experts to each application, none beyond `max_load` in all.

    `current` holds the experts an application already has (a top-up after a release keeps them),
    `load` each expert's applications already assigned (in this and other groups). Applications with
    the fewest eligible experts go first, so they are not left with only busy experts; among the
    eligible, the least loaded expert is taken (buckets by load, so each pick is cheap)."""
    current = current or {}
    load = dict(load or {})
    index = _Index(experts, ctx)
    plan = Plan()
    excluded = {}
    for app in apps:
        excluded[app.key] = index.excluded(app, ctx)
        for expert_key, (rule, reason) in excluded[app.key].items():
            plan.exclusions.append((app.key, expert_key, rule, reason))
    buckets: list[dict[int, None]] = [{} for _ in range(max_load + 1)]
    for expert in experts:
        n = load.get(expert.key, 0)
        if n < max_load:
            buckets[n][expert.key] = None
    for app in sorted(apps, key=lambda a: (-len(excluded[a.key]), a.key)):
        have = current.get(app.key, set())
        needed = per_application - len(have)
        chosen = []
        for n in range(max_load):
            if len(chosen) >= needed:
                break
            for expert_key in buckets[n]:
                if expert_key not in excluded[app.key] and expert_key not in have:
                    chosen.append((n, expert_key))
                    if len(chosen) >= needed:
                        break
        for n, expert_key in chosen:
            del buckets[n][expert_key]
            buckets[n + 1][expert_key] = None
            plan.assignments.append((app.key, expert_key))
        if needed > len(chosen):
            plan.shortfalls[app.key] = needed - len(chosen)
    return plan
