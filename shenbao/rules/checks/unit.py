"""一(一): the lead unit and its partners."""

from collections.abc import Iterator

from shenbao.organisations.uscc import check_uscc

from ..context import ReviewContext
from ..findings import Finding, bar, info, warning
from ..snapshot import FOREIGN, LOCATION_SCOPES, OUT_OF_REGION, Snapshot, parse_date

SCOPE_NAMES = {OUT_OF_REGION: "区外（国内）", FOREIGN: "国外"}
RESEARCH_ASSISTANT_POSTS = ("per_project", "shared")


def lead_unit_type(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    unit = ctx.spec.unit
    unit_type = app.lead.get("unit_type")
    if not unit_type:
        yield bar("unit.type_missing", "lead_unit.unit_type", unit["lead_types_clause"], "请填写牵头单位的单位类型。")
    elif unit_type in unit["barred_types"]:
        yield bar(
            "unit.barred_type",
            "lead_unit.unit_type",
            unit["barred_types_clause"],
            f"牵头单位为{unit_type}，{'、'.join(unit['barred_types'])}不得作为牵头单位或合作单位。",
        )
    elif unit_type not in unit["lead_types"]:
        yield bar(
            "unit.type_not_lead",
            "lead_unit.unit_type",
            unit["lead_types_clause"],
            f"牵头单位类型为“{unit_type}”，牵头单位须为{'、'.join(unit['lead_types'])}之一。",
        )


def lead_unit_legal_person(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.lead.get("independent_legal_person") is not True:
        yield bar(
            "unit.not_legal_person",
            "lead_unit.independent_legal_person",
            ctx.spec.unit["registered_clause"],
            "牵头单位须具有独立法人资格。",
        )


def lead_unit_registration(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    unit = ctx.spec.unit
    clause = unit["registered_clause"]
    registered_on = parse_date(app.lead.get("registered_on"))
    limit = unit["registered_on_or_before"]
    if registered_on is None:
        yield bar("unit.registered_on_missing", "lead_unit.registered_on", clause, "请填写牵头单位的注册（成立）日期。")
    elif registered_on > limit:
        yield bar(
            "unit.registered_too_late",
            "lead_unit.registered_on",
            clause,
            f"牵头单位注册日期为{registered_on:%Y年%m月%d日}，须在{limit:%Y年%m月%d日}前（含）注册。",
        )
    division = str(app.lead.get("division_code") or "")
    if not division.startswith(unit["region_division_prefix"]):
        yield bar(
            "unit.outside_region",
            "lead_unit.division_code",
            clause,
            f"牵头单位注册地行政区划码为“{division or '未填写'}”，须为在{unit['region_name']}注册的单位。",
        )


def _uscc_findings(code: str, field: str, who: str, ctx: ReviewContext, *, lead: bool) -> Iterator[Finding]:
    unit = ctx.spec.unit
    check = check_uscc(code)
    if not check.is_valid:
        yield bar("unit.uscc_invalid", field, unit["registered_clause"], f"{who}：{check.error}。")
        return
    if check.is_government_organ:
        yield bar(
            "unit.uscc_government_organ",
            field,
            unit["barred_types_clause"],
            f"{who}的统一社会信用代码{check.code}表明其为机关（第1-2位为11），政府机关不得作为牵头单位或合作单位。",
        )
    if lead and not check.division_code.startswith(unit["region_division_prefix"]):
        yield warning(
            "unit.uscc_division_outside_region",
            field,
            unit["registered_clause"],
            f"{who}统一社会信用代码中的登记机关行政区划码为{check.division_code}，不在{unit['region_name']}，"
            "请人工核实（中央驻区单位可能使用全国代码）。",
        )


def unit_codes(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    yield from _uscc_findings(str(app.lead.get("uscc") or ""), "lead_unit.uscc", "牵头单位", ctx, lead=True)
    for i, (partner, scope) in enumerate(zip(app.partners, app.scopes, strict=True)):
        if scope == FOREIGN:
            continue
        name = partner.get("name") or f"第{i + 1}个合作单位"
        yield from _uscc_findings(str(partner.get("uscc") or ""), f"partners[{i}].uscc", name, ctx, lead=False)


def partner_types(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    barred = ctx.spec.unit["barred_types"]
    for i, (partner, scope) in enumerate(zip(app.partners, app.scopes, strict=True)):
        if partner.get("unit_type") in barred:
            yield bar(
                "unit.partner_barred_type",
                f"partners[{i}].unit_type",
                ctx.spec.unit["barred_types_clause"],
                f"合作单位“{partner.get('name')}”为{partner.get('unit_type')}，不得作为合作单位。",
            )
        if scope not in LOCATION_SCOPES:
            yield bar(
                "unit.partner_location_missing",
                f"partners[{i}].location.scope",
                ctx.spec.unit["registered_clause"],
                f"请选择合作单位“{partner.get('name') or i + 1}”所在地（区内、区外或国外）。",
            )


def joint_partner(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """1001 needs a partner outside the region, 2001 one abroad."""
    if not app.category or app.category not in ctx.spec.category_codes:
        return
    category = ctx.spec.category(app.category)
    if category.partner_scope not in app.scopes:
        yield bar(
            "unit.no_required_partner",
            "partners",
            category.partner_scope_clause,
            f"{category.name}项目须与至少1家{SCOPE_NAMES[category.partner_scope]}单位联合申报。",
        )


def research_assistant(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.lead.get("research_assistant_post") not in RESEARCH_ASSISTANT_POSTS:
        yield bar(
            "unit.research_assistant_missing",
            "lead_unit.research_assistant_post",
            ctx.spec.unit["research_assistant_clause"],
            "须设置科研助理岗位：每个项目设置1个，或多个项目共同设置1个。",
        )


def unit_integrity(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    dishonest = ctx.registries.dishonest_usccs
    if not dishonest:
        return
    for field, unit in [("lead_unit.uscc", app.lead)] + [
        (f"partners[{i}].uscc", p) for i, p in enumerate(app.partners)
    ]:
        if str(unit.get("uscc") or "").upper() in dishonest:
            yield bar(
                "unit.dishonest",
                field,
                ctx.spec.integrity["clause"],
                f"“{unit.get('name')}”在严重失信行为记录处罚期内，不得申报或参与项目。",
            )


def partner_count_info(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    scopes = app.scopes
    if scopes:
        yield info(
            "unit.partners",
            "partners",
            ctx.spec.unit["registered_clause"],
            f"合作单位{len(scopes)}家，其中区外{scopes.count(OUT_OF_REGION)}家、国外{scopes.count(FOREIGN)}家。",
        )


RULES = [
    lead_unit_type,
    lead_unit_legal_person,
    lead_unit_registration,
    unit_codes,
    partner_types,
    joint_partner,
    research_assistant,
    unit_integrity,
    partner_count_info,
]
