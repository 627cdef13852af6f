"""一(二): the project leader (PI)."""

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache

from shenbao import normalise
from shenbao.accounts.id_number import age_on, check_id_number
from shenbao.language import cite, day, join
from shenbao.language import gettext as _

from ..context import APPLICANT, DEPARTMENT, OngoingProject, ReviewContext, counts_as_peer
from ..findings import Finding, bar, incomplete, info, warning
from ..retirement import CADRE_OR_TECHNICAL, FEMALE, WORKER
from ..snapshot import Snapshot, parse_date

POSITION_TYPES = (*CADRE_OR_TECHNICAL, WORKER)


def pi_identity(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.pi["age_clause"]
    if not str(app.pi.get("name") or "").strip():
        yield incomplete("pi.name_missing", "pi.name", clause, _("项目负责人姓名"))
    if not app.pi_id.number:
        yield incomplete("pi.id_missing", "pi.id_number", clause, _("项目负责人身份证号"))
    elif not app.pi_id.is_valid:
        yield bar("pi.id_invalid", "pi.id_number", clause, _("项目负责人%(error)s。") % {"error": app.pi_id.error})
    elif app.pi.get("sex") and app.pi.get("sex") != app.pi_id.sex:
        yield warning(
            "pi.sex_mismatch",
            "pi.sex",
            clause,
            _("项目负责人填写的性别与身份证号第17位不一致，以身份证号为准。"),
        )


def pi_age(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    born = app.pi_id.birth_date
    limit = ctx.spec.pi["born_on_or_after"]
    if born is not None and born < limit:
        yield bar(
            "pi.too_old",
            "pi.id_number",
            ctx.spec.pi["age_clause"],
            _("项目负责人出生于%(born)s，须为%(limit)s以后（含）出生（不超过60周岁）。")
            % {"born": day(born), "limit": day(limit)},
        )


def pi_retirement(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """Retiring within the project period needs a commitment letter (see attachments), unless academician."""
    born, sex, position = app.pi_id.birth_date, app.pi_id.sex, app.pi.get("position_type") or ""
    if born is None or app.end is None:
        return
    clause = ctx.spec.pi["retirement_clause"]
    if sex == FEMALE and position not in POSITION_TYPES:
        yield warning(
            "pi.position_type_missing",
            "pi.position_type",
            clause,
            _("请选择项目负责人的岗位类型（管理岗位、专业技术岗位或工人岗位），女性的法定退休年龄与之相关。"),
        )
    retires = app.pi_retires_on
    if retires <= app.end:
        message = (
            _("项目负责人将于%(retires)s达到法定退休年龄，在项目执行期内（两院院士除外，无需承诺函）。")
            if app.pi.get("academician") is True
            else _("项目负责人将于%(retires)s达到法定退休年龄，在项目执行期内，须提供承诺函。")
        )
        yield info("pi.retires_during_project", "pi.id_number", clause, message % {"retires": day(retires)})


def pi_employment(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.pi.get("employer") not in ("lead_unit", "other"):
        yield incomplete(
            "pi.employer_missing",
            "pi.employer",
            ctx.spec.pi["external_employment_clause"],
            _("项目负责人是否为牵头单位在职人员"),
        )


def pi_civil_servant(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(二)5 "政府部门（含参公事业单位）工作人员不能作为项目（课题）负责人": the PI and every 课题负责人.
    Unanswered is 未填写, never read as "yes"; a 课题 the PI leads takes the PI's answer."""
    clause = ctx.spec.pi["civil_servant_clause"]
    answer = app.pi.get("civil_servant")
    if answer is True:
        yield bar(
            "pi.civil_servant",
            "pi.civil_servant",
            clause,
            _("项目负责人为政府部门（含参公事业单位）工作人员，不能作为项目（课题）负责人。"),
        )
    elif answer is not False:
        yield incomplete(
            "pi.civil_servant_unanswered", "pi.civil_servant", clause, _("项目负责人是否公务员或参公管理人员")
        )
    for i, row in enumerate(app.subprojects):
        leader = normalise.code(row.get("leader_id_number"))
        if not leader or leader == app.pi_id.number:
            continue
        field = f"subprojects[{i}].leader_civil_servant"
        who = _("课题“%(subproject)s”的负责人") % {"subproject": row.get("title") or i + 1}
        if "leader_civil_servant" not in row and app.written_as_format_1:
            # A document written before the question existed (shenbao.application/1 had no such key): a
            # person must confirm it, but a file units' systems wrote in that format is not refused.
            yield warning(
                "subproject.leader_civil_servant_unconfirmed",
                field,
                clause,
                _("%(who)s是否为政府部门（含参公事业单位）工作人员尚未确认，请核实（不能作为项目（课题）负责人）。")
                % {"who": who},
            )
            continue
        answer = row.get("leader_civil_servant")
        if answer is True:
            yield bar(
                "subproject.leader_civil_servant",
                field,
                clause,
                _("%(who)s为政府部门（含参公事业单位）工作人员，不能作为项目（课题）负责人。") % {"who": who},
            )
        elif answer is not False:
            yield incomplete(
                "subproject.leader_civil_servant_unanswered",
                field,
                clause,
                _("%(who)s是否公务员或参公管理人员") % {"who": who},
            )


def is_counted(project: OngoingProject, ctx: ReviewContext, opens: dt.date) -> bool:
    """一(二)3 counts 自治区科技计划 projects still running when the call opens, except the exempt
    families, whatever their sub-type ("自治区自然科学基金 面上项目" is 自然科学基金), in any spelling."""
    rules = ctx.spec.pi
    if project.until is not None and project.until < opens:
        return False
    plan, kind = normalise.text(project.plan), normalise.text(project.type)
    if plan and not plan.startswith(_keys(rules["regional_plan_prefixes"])):
        return False  # 国家重点研发计划, another province's plan: not a 自治区科技计划 project
    return not any(family in kind or family in plan for family in _keys(rules["exempt_project_types"]))


@lru_cache(maxsize=64)
def _keys(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalise.text(name) for name in names)


def _ongoing(app: Snapshot, ctx: ReviewContext) -> tuple[list[OngoingProject], list[OngoingProject]]:
    """(counted, undeclared): projects that count (see is_counted), and those the registry knows that
    the application does not declare. Codes match after normalisation (2024yfhh0001 = 2024YFHH0001),
    so a declared project is never counted twice."""
    declared = [
        OngoingProject(
            str(row.get("plan") or ""),
            str(row.get("type") or ""),
            str(row.get("code") or ""),
            parse_date(row.get("until")),
        )
        for row in app.rows("ongoing_projects", app.pi)
    ]
    registry = ctx.registries.ongoing_by_id_number.get(app.pi_id.number, [])
    declared_codes = {normalise.code(p.code) for p in declared if p.code}
    undeclared = [p for p in registry if normalise.code(p.code) not in declared_codes]
    opens: dt.date = ctx.spec.filing.opens.date()
    counted, seen = [], set()
    for project in declared + undeclared:
        key = normalise.code(project.code)
        if key and key in seen:
            continue
        seen.add(key)
        if is_counted(project, ctx, opens):
            counted.append(project)
    return counted, undeclared


def pi_ongoing_projects(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.pi
    counted, undeclared = _ongoing(app, ctx)
    if len(counted) > rules["max_ongoing_projects"]:
        yield bar(
            "pi.too_many_ongoing",
            "pi.ongoing_projects",
            rules["ongoing_clause"],
            _("项目负责人主持在研自治区科技计划项目%(count)s项（%(codes)s），超过%(max)s项的限制（%(exempt)s不计入）。")
            % {
                "count": len(counted),
                "codes": join(p.code or p.plan for p in counted),
                "max": rules["max_ongoing_projects"],
                "exempt": join(ctx.spec.terms(rules["exempt_project_types"])),
            },
        )
    opens = ctx.spec.filing.opens.date()
    for project in undeclared:
        if project.until is not None and project.until < opens:
            continue
        yield warning(
            "pi.undeclared_ongoing",
            "pi.ongoing_projects",
            rules["ongoing_clause"],
            _("在研项目库显示项目负责人主持%(plan)s项目%(code)s（至%(until)s），申报书未填写。")
            % {"plan": project.plan, "code": project.code, "until": project.until or _("未知")},
        )


def pi_leads_a_subproject(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(三)4, judged once every 课题 names its leader and the PI's ID number is known."""
    clause = ctx.spec.project["pi_leads_subproject_clause"]
    subprojects = app.subprojects
    leaders = [normalise.code(s.get("leader_id_number")) for s in subprojects]
    for i, (row, leader) in enumerate(zip(subprojects, leaders, strict=True)):
        if not leader:
            who = _("课题“%(title)s”的负责人身份证号") % {"title": row.get("title") or i + 1}
            yield incomplete("subproject.leader_missing", f"subprojects[{i}].leader_id_number", clause, who)
    if not subprojects or not all(leaders) or not app.pi_id.number:
        return
    if app.pi_id.number not in leaders:
        yield bar(
            "pi.leads_no_subproject",
            "subprojects",
            clause,
            _("项目负责人须至少牵头承担1个课题。"),
        )


def pi_one_category(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(二)3 同一人作为项目负责人，只能选取本征集通知中1个类别进行申报, over the applications that count
    (see context.counts_as_peer). Within one unit a second category is a bar; between two units it is
    a case for the department to resolve, shown to both units without the other's details — never a
    bar that the later one suffers for what another unit did."""
    clause = ctx.spec.pi["categories_clause"]
    own_unit = ctx.units.get(app.key)
    same, other = [], []
    for peer in ctx.applications_by_pi.get(app.pi_id.number, ()):
        if peer.key == app.key:
            continue
        is_same = own_unit is None or peer.unit == own_unit
        if counts_as_peer(peer.state, same_unit=is_same):
            (same if is_same else other).append(peer)
    other_categories = sorted({p.category for p in same if p.category != app.category})
    if other_categories:
        yield bar(
            "pi.several_categories",
            "pi.id_number",
            clause,
            _("同一项目负责人本年度只能申报%(count)s个类别，本单位已有类别%(categories)s的申报书。")
            % {"count": ctx.spec.pi["categories_per_pi"], "categories": join(other_categories)},
        )
    if any(p.category == app.category for p in same):
        yield warning(
            "pi.same_category_twice",
            "pi.id_number",
            clause,
            _("同一项目负责人在本单位类别%(category)s下有多份申报书，请核实。") % {"category": app.category},
        )
    if not other or ctx.audience == APPLICANT:
        return
    if ctx.audience == DEPARTMENT:
        details = _("；").join(
            _("%(unit)s“%(title)s”（类别%(category)s，%(state)s）")
            % {"unit": p.unit_name, "title": p.title, "category": p.category, "state": p.state_label or p.state}
            for p in other
        )
        text = _("同一项目负责人另有其他单位的申报书：%(details)s。请协调处理。") % {"details": details}
    else:
        text = _("同一项目负责人（身份证号相同）在另一单位另有申报书，已作为待协调事项提交科技厅处理。")
    yield warning(
        "pi.cross_unit_case",
        "pi.id_number",
        clause,
        _("%(text)s本申报书不因此被拒绝（%(clause)s：同一人只能申报1个类别）。")
        % {"text": text, "clause": cite(clause)},
    )


def pi_integrity(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(四)1 所有项目人员: the PI, every 课题负责人 and every team member, by normalised ID number."""
    dishonest = ctx.registries.dishonest_id_numbers
    if not dishonest:
        return
    for person in app.people:
        if person.id_number in dishonest:
            yield bar(
                "pi.dishonest" if person.field == "pi.id_number" else "team.dishonest",
                person.field,
                ctx.spec.integrity["clause"],
                _("%(who)s在科研严重失信行为记录处罚期内，所有项目人员均不得参与申报。") % {"who": person.who},
            )


def team_ids(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    for i, member in enumerate(app.team):
        check = check_id_number(str(member.get("id_number") or ""))
        if not check.is_valid:
            yield warning(
                "team.id_invalid",
                f"team[{i}].id_number",
                ctx.spec.pi["age_clause"],
                _("团队成员%(member)s的%(error)s，请核实。")
                % {"member": member.get("name") or i + 1, "error": check.error},
            )


def pi_statistics(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    born, start = app.pi_id.birth_date, app.start or ctx.spec.filing.opens.date()
    if born is None:
        return
    age = age_on(born, start)
    notes = []
    if age <= ctx.spec.pi["young_age"]:
        notes.append(_("青年科研人员（%(age)s岁）") % {"age": age})
    if app.pi_id.sex == FEMALE:
        notes.append(_("女性"))
    if notes:
        yield info(
            "pi.statistics",
            "pi",
            ctx.spec.pi["young_clause"],
            _("项目负责人为%(notes)s，仅作统计。") % {"notes": join(notes)},
        )


RULES = [
    pi_identity,
    pi_age,
    pi_retirement,
    pi_employment,
    pi_civil_servant,
    pi_ongoing_projects,
    pi_leads_a_subproject,
    pi_one_category,
    pi_integrity,
    team_ids,
    pi_statistics,
]
