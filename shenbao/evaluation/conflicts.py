"""Conflict of interest between an expert and an application (评审回避), as pure functions.

Each rule takes the expert's facts, the application's facts and the group's context, and returns the
reason in Chinese when the expert must not review the application, else "". Nothing here reads the
database or the clock: `facts.py` builds the inputs, `assignment.py` uses an index built from the same
facts to plan quickly, and tests and the benchmark re-check every planned pair against `RULES`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shenbao.organisations.uscc import normalise as normalise_uscc


def name_key(name: str) -> str:
    """A unit's or a person's name compared after NFKC, without spaces, case-folded (SPEC §3)."""
    return "".join(unicodedata.normalize("NFKC", str(name or "")).split()).casefold()


def unit_keys(name: str, uscc: str = "") -> set[str]:
    """How a unit is recognised: by its code where known, and by its name (team members name units
    only by name)."""
    keys = set()
    if uscc and (code := normalise_uscc(str(uscc))):
        keys.add(f"uscc:{code}")
    if key := name_key(name):
        keys.add(f"name:{key}")
    return keys


def id_key(id_number: str) -> str:
    return unicodedata.normalize("NFKC", str(id_number or "")).strip().upper()


@dataclass(frozen=True)
class ExpertFacts:
    key: int
    name: str
    id_number: str
    unit_name: str
    unit_keys: frozenset[str]


@dataclass(frozen=True)
class AvoidEntry:
    """One 回避专家 the applicant named: by 身份证号, or by name and unit."""

    name: str
    unit: str = ""
    id_number: str = ""

    def matches(self, expert: ExpertFacts) -> bool:
        if self.id_number:
            return id_key(self.id_number) == expert.id_number
        if name_key(self.name) != name_key(expert.name):
            return False
        return not self.unit or name_key(self.unit) == name_key(expert.unit_name)


@dataclass(frozen=True)
class ApplicationFacts:
    key: int
    title: str
    pi_id: str
    # unit key → how the unit takes part ("牵头单位", "合作单位", "合作单位（…一(三)9）"), with its name.
    units: dict[str, str]
    # 身份证号 → role in the project (项目负责人, 课题负责人, 项目组成员).
    persons: dict[str, str]
    avoid: tuple[AvoidEntry, ...] = ()


@dataclass
class GroupContext:
    """What the rules need beyond the pair: the group's other applications and the registries."""

    # 身份证号 → (application key, title, role) for every person of every application of the group.
    group_persons: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    # 身份证号 → the project codes that person was on (在研项目库 leaders, 立项 projects' people).
    projects_of: dict[str, frozenset[str]] = field(default_factory=dict)
    # (application key, expert key) pairs where the expert declared a conflict.
    declared: set[tuple[int, int]] = field(default_factory=set)


def unit_rule(expert: ExpertFacts, app: ApplicationFacts, ctx: GroupContext) -> str:
    for key in expert.unit_keys:
        if key in app.units:
            return _("专家所在单位“%(unit_name)s”是本项目的%(units)s") % {
                "unit_name": expert.unit_name,
                "units": app.units[key],
            }
    return ""


def person_rule(expert: ExpertFacts, app: ApplicationFacts, ctx: GroupContext) -> str:
    role = app.persons.get(expert.id_number)
    return _("专家是本项目的%(role)s") % {"role": role} if role else ""


def competitor_rule(expert: ExpertFacts, app: ApplicationFacts, ctx: GroupContext) -> str:
    for other, title, role in ctx.group_persons.get(expert.id_number, ()):
        if other != app.key:
            return _("专家是同组竞争项目“%(title)s”的%(role)s") % {"title": title, "role": role}
    return ""


def avoid_list_rule(expert: ExpertFacts, app: ApplicationFacts, ctx: GroupContext) -> str:
    for entry in app.avoid:
        if entry.matches(expert):
            return _("申报人在申报书中申请回避该专家")
    return ""


def same_project_rule(expert: ExpertFacts, app: ApplicationFacts, ctx: GroupContext) -> str:
    if not app.pi_id or expert.id_number == app.pi_id:
        return ""
    shared = ctx.projects_of.get(expert.id_number, frozenset()) & ctx.projects_of.get(app.pi_id, frozenset())
    return _("专家与项目负责人同在已立项或在研项目%(min)s中") % {"min": min(shared)} if shared else ""


def declared_rule(expert: ExpertFacts, app: ApplicationFacts, ctx: GroupContext) -> str:
    return _("专家本人声明存在利益冲突") if (app.key, expert.key) in ctx.declared else ""


Rule = Callable[[ExpertFacts, ApplicationFacts, GroupContext], str]
RULES: dict[str, Rule] = {
    "unit": unit_rule,
    "person": person_rule,
    "competitor": competitor_rule,
    "avoid_list": avoid_list_rule,
    "same_project": same_project_rule,
    "declared": declared_rule,
}
RULE_NAMES = {
    "unit": gettext_lazy("专家单位为牵头或合作单位"),
    "person": gettext_lazy("专家为项目人员"),
    "competitor": gettext_lazy("专家为同组竞争项目人员"),
    "avoid_list": gettext_lazy("申报人申请回避"),
    "same_project": gettext_lazy("专家与负责人同在一个项目"),
    "declared": gettext_lazy("专家声明利益冲突"),
}


def conflicts(expert: ExpertFacts, app: ApplicationFacts, ctx: GroupContext) -> list[tuple[str, str]]:
    """Every rule the pair breaks, as (rule code, reason); empty when the expert may review."""
    return [(code, reason) for code, rule in RULES.items() if (reason := rule(expert, app, ctx))]


def group_persons(apps: Iterable[ApplicationFacts]) -> dict[str, list[tuple[int, str, str]]]:
    index: dict[str, list[tuple[int, str, str]]] = {}
    for app in apps:
        for id_number, role in app.persons.items():
            index.setdefault(id_number, []).append((app.key, app.title, role))
    return index
