"""The inputs of the conflict rules, read from 申报书 documents, experts and the registries."""

import json
from collections import defaultdict

from django.db.models.fields.json import KT
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shenbao.rules.models import OngoingProjectRecord

from .conflicts import ApplicationFacts, AvoidEntry, ExpertFacts, GroupContext, group_persons, id_key, unit_keys
from .models import Assignment, Expert, ProjectPerson

IMPLIED_PARTNER = gettext_lazy("合作单位（项目参与人所在单位视为合作单位，一(三)9）")


def _rows(data: dict, key: str) -> list[dict]:
    value = data.get(key)
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _section(data: dict, key: str) -> dict:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def avoid_entries(data: dict) -> list[dict]:
    """The 回避专家 the applicant named (`avoid_experts` of the 申报书), rows with a name or 身份证号."""
    return [row for row in _rows(data, "avoid_experts") if row.get("name") or row.get("id_number")]


def application_facts(key: int, data: dict, avoid_max: int | None = None) -> ApplicationFacts:
    """`avoid_max`: only the first so many 回避专家 count (the call's number; an imported file may hold
    more than the form allows)."""
    data = data if isinstance(data, dict) else {}
    units: dict[str, str] = {}
    lead = _section(data, "lead_unit")
    for unit_key in unit_keys(lead.get("name", ""), lead.get("uscc", "")):
        units[unit_key] = _("牵头单位（%(name)s）") % {"name": lead.get("name", "")}
    for partner in _rows(data, "partners"):
        for unit_key in unit_keys(partner.get("name", ""), partner.get("uscc", "")):
            units.setdefault(unit_key, _("合作单位（%(name)s）") % {"name": partner.get("name", "")})
    # 一(三)9: a unit that a team member or a 课题's undertaking unit names is a partner, listed or not.
    for row in [*_rows(data, "team"), *_rows(data, "subprojects")]:
        for unit_key in unit_keys(row.get("unit", "")):
            units.setdefault(unit_key, f"{IMPLIED_PARTNER}（{row.get('unit')}）")
    persons: dict[str, str] = {}
    pi_id = id_key(_section(data, "pi").get("id_number", ""))
    if pi_id:
        persons[pi_id] = _("项目负责人")
    for sub in _rows(data, "subprojects"):
        if (leader := id_key(sub.get("leader_id_number", ""))) and leader not in persons:
            persons[leader] = _("课题负责人")
    for member in _rows(data, "team"):
        if (person := id_key(member.get("id_number", ""))) and person not in persons:
            persons[person] = str(member.get("role") or _("项目组成员"))
    avoid = tuple(
        AvoidEntry(str(row.get("name") or ""), str(row.get("unit") or ""), id_key(row.get("id_number", "")))
        for row in avoid_entries(data)[:avoid_max]
    )
    return ApplicationFacts(key, str(data.get("title") or ""), pi_id, units, persons, avoid)


def expert_facts(expert: Expert) -> ExpertFacts:
    return ExpertFacts(
        expert.pk,
        expert.name,
        id_key(expert.id_number),
        expert.unit_name,
        frozenset(unit_keys(expert.unit_name, expert.unit_uscc)),
    )


def projects_of(id_numbers: set[str]) -> dict[str, frozenset[str]]:
    """For each of the given people, the codes of the registered projects they were on: the 在研项目库
    (its leaders) and the people of 立项 projects. Read with two queries, for the given people only
    and everyone sharing a project with them."""
    by_code: dict[str, set[str]] = defaultdict(set)
    for id_number, code in OngoingProjectRecord.objects.values_list("id_number", "code"):
        by_code[code.strip().upper()].add(id_key(id_number))
    for id_number, code in ProjectPerson.objects.values_list("id_number", "project_code"):
        by_code[code.strip().upper()].add(id_key(id_number))
    result: dict[str, set[str]] = defaultdict(set)
    for code, people in by_code.items():
        if len(people) < 2 or not (people & id_numbers):
            continue
        for person in people:
            result[person].add(code)
    return {person: frozenset(codes) for person, codes in result.items()}


def group_context(apps: list[ApplicationFacts], experts: list[ExpertFacts], application_ids) -> GroupContext:
    people = {e.id_number for e in experts} | {a.pi_id for a in apps if a.pi_id}
    declared = set(
        Assignment.objects.filter(application_id__in=application_ids, status=Assignment.Status.RELEASED).values_list(
            "application_id", "expert_id"
        )
    )
    return GroupContext(group_persons(apps), projects_of(people), declared)


# The parts of a 申报书 the conflict rules read: a fraction of the document, read as such so that a
# group of thousands of applications is not decoded whole.
FACT_KEYS = ("lead_unit", "partners", "team", "subprojects", "pi", "avoid_experts")


def json_part(value):
    if value is None or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def frozen_parts(applications, keys: dict[str, str]) -> dict[int, dict]:
    """application id → {name: part} of the version frozen at 受理, for `keys` (name → path in the
    document such as "budget__fiscal"); only those parts are read from the database."""
    from .models import Acceptance, Snapshot

    names = {f"part_{name}": KT(f"data__{path}") for name, path in keys.items()}
    frozen = Acceptance.objects.filter(application__in=applications).values("snapshot_id")
    rows = Snapshot.objects.filter(pk__in=frozen).annotate(**names).values("application_id", *names)
    return {row["application_id"]: {name: json_part(row[f"part_{name}"]) for name in keys} for row in rows}


def accepted_facts(applications, avoid_max: int | None) -> list[ApplicationFacts]:
    """The facts of applications (a queryset of accepted ones) from their version frozen at 受理."""
    parts = frozen_parts(applications, {key: key for key in FACT_KEYS})
    return [
        application_facts(pk, {"title": title, **parts.get(pk, {})}, avoid_max)
        for pk, title in applications.values_list("pk", "title")
    ]
