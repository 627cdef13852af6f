"""一(一): the lead unit and its partners."""

from collections.abc import Iterator

from shenbao import normalise
from shenbao.language import cite, day, gettext_lazy, join
from shenbao.language import gettext as _
from shenbao.organisations.uscc import check_uscc

from ..context import ReviewContext
from ..findings import Finding, bar, incomplete, info, warning
from ..snapshot import FOREIGN, IN_REGION, LOCATION_SCOPES, OUT_OF_REGION, Snapshot, parse_date, unit_type

SCOPE_NAMES = {
    IN_REGION: gettext_lazy("区内"),
    OUT_OF_REGION: gettext_lazy("区外（国内）"),
    FOREIGN: gettext_lazy("国外"),
}
RESEARCH_ASSISTANT_POSTS = ("per_project", "shared")
# GB 32100-2015: registering department 9 (市场监管) + entity type 2 = 个体工商户, which has no
# independent legal personality (一(一)1) whatever the form's flag says.
INDIVIDUAL_BUSINESS_PREFIX = "92"


def lead_unit_type(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(一)1 and 一(一)5, with the type compared after normalisation (政府機關, "参公事业单位 ")."""
    unit = ctx.spec.unit
    raw = str(app.lead.get("unit_type") or "").strip()
    canonical = app.lead_type(ctx.spec)
    if not raw:
        yield incomplete("unit.type_missing", "lead_unit.unit_type", unit["lead_types_clause"], _("牵头单位的单位类型"))
    elif canonical in unit["barred_types"]:
        yield bar(
            "unit.barred_type",
            "lead_unit.unit_type",
            unit["barred_types_clause"],
            _("牵头单位为%(type)s（填写为“%(raw)s”），%(barred)s不得作为牵头单位或合作单位。")
            % {"type": ctx.spec.term(canonical), "raw": raw, "barred": join(ctx.spec.terms(unit["barred_types"]))},
        )
    elif canonical not in unit["lead_types"]:
        yield bar(
            "unit.type_not_lead",
            "lead_unit.unit_type",
            unit["lead_types_clause"],
            _("牵头单位类型为“%(raw)s”，牵头单位须为%(types)s之一。")
            % {"raw": ctx.spec.term(raw), "types": join(ctx.spec.terms(unit["lead_types"]))},
        )


def lead_unit_legal_person(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.unit["registered_clause"]
    flag = app.lead.get("independent_legal_person")
    if app.lead_uscc.startswith(INDIVIDUAL_BUSINESS_PREFIX) and check_uscc(app.lead_uscc).is_valid:
        yield bar(
            "unit.not_legal_person",
            "lead_unit.uscc",
            clause,
            _(
                "牵头单位统一社会信用代码%(code)s第1-2位为92（个体工商户），个体工商户不具有独立法人资格，"
                "不能作为牵头单位。"
            )
            % {"code": app.lead_uscc},
        )
    elif flag is None:
        yield incomplete(
            "unit.legal_person_unanswered", "lead_unit.independent_legal_person", clause, _("是否具有独立法人资格")
        )
    elif flag is not True:
        yield bar(
            "unit.not_legal_person", "lead_unit.independent_legal_person", clause, _("牵头单位须具有独立法人资格。")
        )


def lead_unit_registration(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    unit = ctx.spec.unit
    clause = unit["registered_clause"]
    registered_on = parse_date(app.lead.get("registered_on"))
    limit = unit["registered_on_or_before"]
    if registered_on is None:
        yield incomplete(
            "unit.registered_on_missing", "lead_unit.registered_on", clause, _("牵头单位的注册（成立）日期")
        )
    elif registered_on > limit:
        yield bar(
            "unit.registered_too_late",
            "lead_unit.registered_on",
            clause,
            _("牵头单位注册日期为%(registered)s，须在%(limit)s前（含）注册。")
            % {"registered": day(registered_on), "limit": day(limit)},
        )
    division = normalise.code(app.lead.get("division_code"))
    if not division:
        yield incomplete("unit.division_missing", "lead_unit.division_code", clause, _("牵头单位注册地行政区划码"))
    elif not division.startswith(unit["region_division_prefix"]):
        yield bar(
            "unit.outside_region",
            "lead_unit.division_code",
            clause,
            _("牵头单位注册地行政区划码为“%(division)s”，须为在%(region)s注册的单位。")
            % {"division": division, "region": ctx.spec.term(unit["region_name"])},
        )


def _uscc_findings(code: str, field: str, who: str, ctx: ReviewContext, *, lead: bool) -> Iterator[Finding]:
    unit = ctx.spec.unit
    if not code:
        yield incomplete(
            "unit.uscc_missing", field, unit["registered_clause"], _("%(who)s的统一社会信用代码") % {"who": who}
        )
        return
    check = check_uscc(code)
    if not check.is_valid:
        yield bar(
            "unit.uscc_invalid",
            field,
            unit["registered_clause"],
            _("%(who)s：%(error)s。") % {"who": who, "error": check.error},
        )
        return
    if check.is_government_organ:
        yield bar(
            "unit.uscc_government_organ",
            field,
            unit["barred_types_clause"],
            _("%(who)s的统一社会信用代码%(code)s表明其为机关（第1-2位为11），政府机关不得作为牵头单位或合作单位。")
            % {"who": who, "code": check.code},
        )
    if lead and not check.division_code.startswith(unit["region_division_prefix"]):
        yield warning(
            "unit.uscc_division_outside_region",
            field,
            unit["registered_clause"],
            _(
                "%(who)s统一社会信用代码中的登记机关行政区划码为%(division)s，不在%(region)s，"
                "请人工核实（中央驻区单位可能使用全国代码）。"
            )
            % {"who": who, "division": check.division_code, "region": ctx.spec.term(unit["region_name"])},
        )


def unit_codes(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """Mainland units carry a valid USCC; foreign, Hong Kong, Macao and Taiwan units have none."""
    yield from _uscc_findings(app.lead_uscc, "lead_unit.uscc", _("牵头单位"), ctx, lead=True)
    for i, (partner, place) in enumerate(zip(app.partners, app.places(ctx.spec), strict=True)):
        if not place.has_uscc:
            continue
        name = partner.get("name") or _("第%(number)s个合作单位") % {"number": i + 1}
        code = normalise.code(partner.get("uscc"))
        yield from _uscc_findings(code, f"partners[{i}].uscc", name, ctx, lead=False)


def partner_types(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(一)5 for every partner (type normalised); where each partner is, from its province or country."""
    unit = ctx.spec.unit
    barred = unit["barred_types"]
    for i, (partner, place) in enumerate(zip(app.partners, app.places(ctx.spec), strict=True)):
        name = partner.get("name") or _("第%(number)s个合作单位") % {"number": i + 1}
        canonical = unit_type(partner.get("unit_type"), ctx.spec)
        if canonical in barred:
            yield bar(
                "unit.partner_barred_type",
                f"partners[{i}].unit_type",
                unit["barred_types_clause"],
                _("合作单位“%(name)s”为%(type)s，%(barred)s不得作为牵头单位或合作单位。")
                % {"name": name, "type": ctx.spec.term(canonical), "barred": join(ctx.spec.terms(barred))},
            )
        if place.scope not in LOCATION_SCOPES:
            yield incomplete(
                "unit.partner_location_missing",
                f"partners[{i}].location",
                unit["registered_clause"],
                _("合作单位“%(name)s”所在地（国内单位填写省份，国外单位填写国家）") % {"name": name},
            )
            continue
        declared = Snapshot._location(partner).get("scope")
        if declared in LOCATION_SCOPES and declared != place.scope:
            yield warning(
                "unit.partner_scope_corrected",
                f"partners[{i}].location.scope",
                ctx.spec.category_codes.get(app.category, ctx.spec.categories[0]).partner_scope_clause,
                _("合作单位“%(name)s”位于%(place)s，按%(scope)s单位计，而非所标注的%(declared)s。")
                % {
                    "name": name,
                    "place": place.name,
                    "scope": SCOPE_NAMES[place.scope],
                    "declared": SCOPE_NAMES[declared],
                },
            )


def implied_partners(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(三)9: 项目参与人所在单位非牵头单位的，均视为合作单位 — listed or not, it needs its agreement
    (see required_attachments) and counts towards the units of 一(三)3 (see project.counts)."""
    clause = ctx.spec.project["joint_agreement_clause"]
    for partner in app.implied_partners:
        yield warning(
            "unit.implied_partner",
            partner.field,
            clause,
            _(
                "“%(name)s”是项目参与人所在单位，非牵头单位，视为合作单位（%(clause)s）：须与其签订联合申报协议，"
                "并计入参与单位总数；请在“合作单位”中填写其信息。"
            )
            % {"name": partner.name, "clause": cite(clause)},
        )


def joint_partner(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """1001 needs a partner outside the region, 2001 one abroad, where it is in fact (一(一)2)."""
    if not app.category or app.category not in ctx.spec.category_codes:
        return
    category = ctx.spec.category(app.category)
    scopes = app.scopes(ctx.spec)
    if category.partner_scope in scopes:
        return
    if not scopes:  # no partner listed yet: unanswered, not "none"
        yield incomplete(
            "unit.no_required_partner",
            "partners",
            category.partner_scope_clause,
            _("%(scope_names)s合作单位（%(name)s项目须与至少1家%(scope_names)s单位联合申报）")
            % {"scope_names": SCOPE_NAMES[category.partner_scope], "name": ctx.spec.term(category.name)},
        )
    elif all(scope in LOCATION_SCOPES for scope in scopes):  # a partner without its place may be the one
        yield bar(
            "unit.no_required_partner",
            "partners",
            category.partner_scope_clause,
            _("%(category)s项目须与至少1家%(scope)s单位联合申报。")
            % {"category": ctx.spec.term(category.name), "scope": SCOPE_NAMES[category.partner_scope]},
        )


def research_assistant(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    post = app.lead.get("research_assistant_post")
    if post in (None, ""):
        yield incomplete(
            "unit.research_assistant_unanswered",
            "lead_unit.research_assistant_post",
            ctx.spec.unit["research_assistant_clause"],
            _("科研助理岗位设置情况"),
        )
    elif post not in RESEARCH_ASSISTANT_POSTS:
        yield bar(
            "unit.research_assistant_missing",
            "lead_unit.research_assistant_post",
            ctx.spec.unit["research_assistant_clause"],
            _("须设置科研助理岗位：每个项目设置1个，或多个项目共同设置1个。"),
        )


def unit_integrity(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(四)1 所有申报单位: the lead, every listed partner and every unit made a partner by its people,
    by code (normalised) or, for a unit the document names without a code, by name."""
    codes, names = ctx.registries.dishonest_usccs, ctx.registries.dishonest_unit_names
    if not codes and not names:
        return
    units = [("lead_unit.uscc", app.lead.get("name"), app.lead_uscc)]
    units += [(f"partners[{i}].uscc", p.get("name"), normalise.code(p.get("uscc"))) for i, p in enumerate(app.partners)]
    units += [(p.field, p.name, "") for p in app.implied_partners]
    for field, name, code in units:
        if (code and code in codes) or (not code and normalise.text(name) in names):
            yield bar(
                "unit.dishonest",
                field,
                ctx.spec.integrity["clause"],
                _("“%(name)s”在科研严重失信行为记录处罚期内，所有申报单位均不得申报或参与项目。")
                % {"name": name or code},
            )


def partner_count_info(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    scopes = app.scopes(ctx.spec)
    if scopes:
        yield info(
            "unit.partners",
            "partners",
            ctx.spec.unit["registered_clause"],
            _("合作单位%(count)s家，其中区外%(out)s家、国外%(foreign)s家。")
            % {"count": len(scopes), "out": scopes.count(OUT_OF_REGION), "foreign": scopes.count(FOREIGN)},
        )


RULES = [
    lead_unit_type,
    lead_unit_legal_person,
    lead_unit_registration,
    unit_codes,
    partner_types,
    implied_partners,
    joint_partner,
    research_assistant,
    unit_integrity,
    partner_count_info,
]
