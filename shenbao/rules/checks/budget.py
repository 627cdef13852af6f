"""一(三)8-10 and the budget rules: caps, sums, shares, indirect costs, matching funds."""

from collections.abc import Iterator
from decimal import Decimal

from shenbao import normalise

from ..context import ReviewContext
from ..findings import Finding, Severity, bar, incomplete, yuan
from ..snapshot import FOREIGN, OUT_OF_REGION, Snapshot, amount, canonical

KINDS = {"fiscal": "财政资金", "self_raised": "自筹资金"}
OUTSIDE = (OUT_OF_REGION, FOREIGN)


def budget_tables(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.budget
    clause = rules["consistency_clause"]
    if not app.budget_table("fiscal"):
        yield incomplete("budget.missing", "budget.fiscal", clause, "财政资金预算")
    for kind, label in KINDS.items():
        for category, value in app.budget_table(kind).items():
            field = f"budget.{kind}.{category}"
            if canonical(category, rules["categories"]) is None:
                yield bar(
                    "budget.category_unknown",
                    field,
                    clause,
                    f"{label}预算科目“{category}”不在{'、'.join(rules['categories'])}之列。",
                )
            number = amount(value)
            if value is None:
                continue  # an empty cell is 0 in the sums; the form marks it as it does any blank
            if number is None or number < 0:
                yield bar("budget.not_an_amount", field, clause, f"{label}“{category}”应为不小于0的金额（元）。")


def fiscal_cap(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.category not in ctx.spec.category_codes:
        return
    category = ctx.spec.category(app.category)
    if app.fiscal_total > category.fiscal_cap:
        yield bar(
            "budget.over_cap",
            "budget.fiscal",
            category.fiscal_cap_clause,
            f"{category.name}项目申请财政资金{yuan(app.fiscal_total)}，超过上限{yuan(category.fiscal_cap)}。",
        )


def split_by_unit(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.budget["consistency_clause"]
    rows = app.by_unit
    if not rows:
        yield incomplete("budget.by_unit_missing", "budget.by_unit", clause, "各参与单位的经费分配")
        return
    names = app.unit_keys | {normalise.text(p.name) for p in app.implied_partners}
    for i, row in enumerate(rows):
        key = app.unit_key(row.get("unit"))
        if not key:
            yield incomplete(
                "budget.by_unit_unit_missing", f"budget.by_unit[{i}].unit", clause, f"经费分配第{i + 1}行的单位"
            )
        elif key not in names:
            yield bar(
                "budget.by_unit_unknown",
                f"budget.by_unit[{i}].unit",
                clause,
                f"经费分配中的“{row.get('unit')}”不是本项目的牵头或合作单位。",
            )
    for kind, label in KINDS.items():
        split = sum(amount(row.get(kind)) or 0 for row in rows)
        total = app.fiscal_total if kind == "fiscal" else app.self_raised_total
        blank = [str(row.get("unit") or f"第{i + 1}行") for i, row in enumerate(rows) if row.get(kind) is None]
        if blank and split < total:  # what is still blank may make up the difference: 未填写, no verdict
            yield incomplete(
                "budget.split_missing", f"budget.by_unit.{kind}", clause, f"{'、'.join(blank)}分配的{label}"
            )
        elif split != total:
            yield bar(
                "budget.split_mismatch",
                f"budget.by_unit.{kind}",
                clause,
                f"各单位{label}合计{yuan(split)}，与{label}预算合计{yuan(total)}不一致。",
            )


def out_of_region_share(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.project
    total = app.fiscal_total
    if not total:
        return
    # Outside by where the partner is (its province or country), not by how it was marked (一(一)2).
    outside = {
        app.unit_key(p.get("name"))
        for p, scope in zip(app.partners, app.scopes(ctx.spec), strict=True)
        if scope in OUTSIDE
    }
    share = sum(amount(row.get("fiscal")) or 0 for row in app.by_unit if app.unit_key(row.get("unit")) in outside)
    limit: Decimal = rules["out_of_region_share_max"]
    if Decimal(str(share)) > limit * Decimal(str(total)):
        yield bar(
            "budget.out_of_region_share",
            "budget.by_unit",
            rules["out_of_region_clause"],
            f"区外参与单位分配财政资金{yuan(share)}，占财政资金{yuan(total)}的{share / total:.1%}，"
            f"不得超过{limit:.0%}。",
        )


def indirect_costs(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """间接费用 ≤ the banded rate of (direct costs − equipment purchase), e.g. 30 % up to 5M."""
    rules = ctx.spec.budget
    fiscal = app.budget_table("fiscal")
    indirect = amount(fiscal.get(rules["indirect_category"])) or 0
    direct = sum(amount(fiscal.get(c)) or 0 for c in rules["direct_categories"])
    base = direct - (amount(fiscal.get(rules["equipment_category"])) or 0)
    allowed, lower = Decimal(0), 0
    for band in ctx.spec.indirect_limits:
        upper = base if band.up_to is None else min(base, band.up_to)
        if upper > lower:
            allowed += Decimal(str(upper - lower)) * band.ratio
        if band.up_to is None or base <= band.up_to:
            break
        lower = band.up_to
    if Decimal(str(indirect)) > allowed:
        yield Finding(
            "budget.indirect_over_limit",
            Severity(rules["indirect_limit_severity"]),
            f"budget.fiscal.{rules['indirect_category']}",
            rules["indirect_limit_source"],
            f"间接费用{yuan(indirect)}，超过直接费用扣除设备购置费后（{yuan(base)}）按比例核定的上限{yuan(int(allowed))}"
            f"（{rules['indirect_limit_source']}）。",
        )


def enterprise_matching(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.project
    if not app.is_enterprise(ctx.spec):  # by type, or by a USCC beginning 91 (中央驻自治区 enterprises too)
        return
    ratio: Decimal = rules["enterprise_matching_ratio"]
    needed = Decimal(str(app.fiscal_total)) * ratio
    raised = app.self_raised_total
    if needed and all(value is None for value in app.budget_table("self_raised").values()):
        yield incomplete(
            "budget.enterprise_matching",
            "budget.self_raised",
            rules["matching_clause"],
            f"自筹资金预算（企业牵头项目自筹资金须不低于财政资金的{ratio:g}倍）",
        )
    elif Decimal(str(raised)) < needed:
        yield bar(
            "budget.enterprise_matching",
            "budget.self_raised",
            rules["matching_clause"],
            f"企业牵头项目自筹资金{yuan(raised)}，须不低于财政资金{yuan(app.fiscal_total)}的{ratio:g}倍"
            f"（即{yuan(int(needed))}）。",
        )


RULES = [budget_tables, fiscal_cap, split_by_unit, out_of_region_share, indirect_costs, enterprise_matching]
