"""一(二): the project leader (PI)."""

import datetime as dt
from collections.abc import Iterator

from shenbao.accounts.id_number import age_on, check_id_number

from ..context import OngoingProject, ReviewContext
from ..findings import Finding, bar, info, warning
from ..retirement import CADRE_OR_TECHNICAL, FEMALE, WORKER
from ..snapshot import Snapshot, parse_date

POSITION_TYPES = (*CADRE_OR_TECHNICAL, WORKER)


def pi_identity(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.pi["age_clause"]
    if not app.pi.get("name"):
        yield bar("pi.name_missing", "pi.name", clause, "请填写项目负责人姓名。")
    if not app.pi_id.is_valid:
        yield bar("pi.id_invalid", "pi.id_number", clause, f"项目负责人{app.pi_id.error}。")
    elif app.pi.get("sex") and app.pi.get("sex") != app.pi_id.sex:
        yield warning(
            "pi.sex_mismatch", "pi.sex", clause, "项目负责人填写的性别与身份证号第17位不一致，以身份证号为准。"
        )


def pi_age(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    born = app.pi_id.birth_date
    limit = ctx.spec.pi["born_on_or_after"]
    if born is not None and born < limit:
        yield bar(
            "pi.too_old",
            "pi.id_number",
            ctx.spec.pi["age_clause"],
            f"项目负责人出生于{born:%Y年%m月%d日}，须为{limit:%Y年%m月%d日}以后（含）出生（不超过60周岁）。",
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
            "请选择项目负责人的岗位类型（管理岗位、专业技术岗位或工人岗位），女性的法定退休年龄与之相关。",
        )
    retires = app.pi_retires_on
    if retires <= app.end:
        exempt = "（两院院士除外，无需承诺函）" if app.pi.get("academician") is True else "，须提供承诺函"
        yield info(
            "pi.retires_during_project",
            "pi.id_number",
            clause,
            f"项目负责人将于{retires:%Y年%m月%d日}达到法定退休年龄，在项目执行期内{exempt}。",
        )


def pi_employment(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.pi.get("employer") not in ("lead_unit", "other"):
        yield bar(
            "pi.employer_missing",
            "pi.employer",
            ctx.spec.pi["external_employment_clause"],
            "请说明项目负责人是否为牵头单位在职人员。",
        )


def pi_civil_servant(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.pi.get("civil_servant") is not False:
        yield bar(
            "pi.civil_servant",
            "pi.civil_servant",
            ctx.spec.pi["civil_servant_clause"],
            "公务员及参照公务员法管理的人员不得作为项目负责人申报（请确认项目负责人身份）。",
        )


def _ongoing(app: Snapshot, ctx: ReviewContext) -> tuple[list[OngoingProject], list[OngoingProject]]:
    """(counted, undeclared): non-exempt projects still running when the call opens, and those the
    registry knows that the application does not declare."""
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
    declared_codes = {p.code for p in declared if p.code}
    undeclared = [p for p in registry if p.code not in declared_codes]
    opens: dt.date = ctx.spec.filing.opens.date()
    exempt = ctx.spec.pi["exempt_project_types"]
    counted = [p for p in declared + undeclared if p.type not in exempt and (p.until is None or p.until >= opens)]
    return counted, undeclared


def pi_ongoing_projects(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.pi
    counted, undeclared = _ongoing(app, ctx)
    if len(counted) > rules["max_ongoing_projects"]:
        codes = "、".join(p.code or p.plan for p in counted)
        yield bar(
            "pi.too_many_ongoing",
            "pi.ongoing_projects",
            rules["ongoing_clause"],
            f"项目负责人主持在研自治区科技计划项目{len(counted)}项（{codes}），超过{rules['max_ongoing_projects']}项的限制"
            f"（{'、'.join(rules['exempt_project_types'])}不计入）。",
        )
    for project in undeclared:
        yield warning(
            "pi.undeclared_ongoing",
            "pi.ongoing_projects",
            rules["ongoing_clause"],
            f"在研项目库显示项目负责人主持{project.plan}项目{project.code}"
            f"（至{project.until or '未知'}），申报书未填写。",
        )


def pi_leads_a_subproject(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    subprojects = app.rows("subprojects")
    if subprojects and not any(str(s.get("leader_id_number") or "").upper() == app.pi_id.number for s in subprojects):
        yield bar(
            "pi.leads_no_subproject",
            "subprojects",
            ctx.spec.project["pi_leads_subproject_clause"],
            "项目负责人须至少牵头承担1个课题。",
        )


def pi_one_category(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    peers = [p for p in ctx.applications_by_pi.get(app.pi_id.number, []) if p[0] != app.key]
    clause = ctx.spec.pi["categories_clause"]
    other_categories = sorted({category for _, category in peers if category != app.category})
    if other_categories:
        yield bar(
            "pi.several_categories",
            "pi.id_number",
            clause,
            f"同一项目负责人本年度只能申报{ctx.spec.pi['categories_per_pi']}个类别，"
            f"已有类别{'、'.join(other_categories)}的申报书。",
        )
    if any(category == app.category for _, category in peers):
        yield warning(
            "pi.same_category_twice",
            "pi.id_number",
            clause,
            f"同一项目负责人在类别{app.category}下有多份申报书，请核实。",
        )


def pi_integrity(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.pi_id.number and app.pi_id.number in ctx.registries.dishonest_id_numbers:
        yield bar(
            "pi.dishonest",
            "pi.id_number",
            ctx.spec.integrity["clause"],
            "项目负责人在严重失信行为记录处罚期内，不得申报项目。",
        )


def team_ids(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    for i, member in enumerate(app.rows("team")):
        check = check_id_number(str(member.get("id_number") or ""))
        if not check.is_valid:
            yield warning(
                "team.id_invalid",
                f"team[{i}].id_number",
                ctx.spec.pi["age_clause"],
                f"团队成员{member.get('name') or i + 1}的{check.error}，请核实。",
            )


def pi_statistics(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    born, start = app.pi_id.birth_date, app.start or ctx.spec.filing.opens.date()
    if born is None:
        return
    age = age_on(born, start)
    notes = []
    if age <= ctx.spec.pi["young_age"]:
        notes.append(f"青年科研人员（{age}岁）")
    if app.pi_id.sex == FEMALE:
        notes.append("女性")
    if notes:
        yield info("pi.statistics", "pi", ctx.spec.pi["young_clause"], f"项目负责人为{'、'.join(notes)}，仅作统计。")


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
