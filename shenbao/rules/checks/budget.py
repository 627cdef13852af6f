"""一(三)8-10 and the budget rules: caps, sums, shares, indirect costs, matching funds."""

from collections.abc import Iterator
from decimal import Decimal

from shenbao import normalise
from shenbao.language import gettext as _
from shenbao.language import gettext_lazy, join

from ..context import ReviewContext
from ..findings import Finding, Severity, bar, incomplete, yuan
from ..snapshot import FOREIGN, OUT_OF_REGION, Snapshot, amount, canonical

KINDS = {"fiscal": gettext_lazy("财政资金"), "self_raised": gettext_lazy("自筹资金")}
OUTSIDE = (OUT_OF_REGION, FOREIGN)


def budget_tables(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.budget
    clause = rules["consistency_clause"]
    if not app.budget_table("fiscal"):
        yield incomplete("budget.missing", "budget.fiscal", clause, _("财政资金预算"))
    for kind, label in KINDS.items():
        for category, value in app.budget_table(kind).items():
            field = f"budget.{kind}.{category}"
            if canonical(category, rules["categories"]) is None:
                yield bar(
                    "budget.category_unknown",
                    field,
                    clause,
                    _("%(kind)s预算科目“%(category)s”不在%(categories)s之列。")
                    % {"kind": label, "category": category, "categories": join(ctx.spec.terms(rules["categories"]))},
                )
            number = amount(value)
            if value is None:
                continue  # an empty cell is 0 in the sums; the form marks it as it does any blank
            if number is None or number < 0:
                yield bar(
                    "budget.not_an_amount",
                    field,
                    clause,
                    _("%(kind)s“%(category)s”应为不小于0的金额（元）。")
                    % {"kind": label, "category": ctx.spec.term(category)},
                )


def fiscal_cap(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.category not in ctx.spec.category_codes:
        return
    category = ctx.spec.category(app.category)
    if app.fiscal_total > category.fiscal_cap:
        yield bar(
            "budget.over_cap",
            "budget.fiscal",
            category.fiscal_cap_clause,
            _("%(category)s项目申请财政资金%(amount)s，超过上限%(cap)s。")
            % {
                "category": ctx.spec.term(category.name),
                "amount": yuan(app.fiscal_total),
                "cap": yuan(category.fiscal_cap),
            },
        )


def split_by_unit(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.budget["consistency_clause"]
    rows = app.by_unit
    if not rows:
        yield incomplete("budget.by_unit_missing", "budget.by_unit", clause, _("各参与单位的经费分配"))
        return
    names = app.unit_keys | {normalise.text(p.name) for p in app.implied_partners}
    for i, row in enumerate(rows):
        key = app.unit_key(row.get("unit"))
        if not key:
            yield incomplete(
                "budget.by_unit_unit_missing",
                f"budget.by_unit[{i}].unit",
                clause,
                _("经费分配第%(i)s行的单位") % {"i": i + 1},
            )
        elif key not in names:
            yield bar(
                "budget.by_unit_unknown",
                f"budget.by_unit[{i}].unit",
                clause,
                _("经费分配中的“%(unit)s”不是本项目的牵头或合作单位。") % {"unit": row.get("unit")},
            )
    for kind, label in KINDS.items():
        split = sum(amount(row.get(kind)) or 0 for row in rows)
        total = app.fiscal_total if kind == "fiscal" else app.self_raised_total
        blank = [
            str(row.get("unit") or _("第%(i)s行") % {"i": i + 1}) for i, row in enumerate(rows) if row.get(kind) is None
        ]
        if blank and split < total:  # what is still blank may make up the difference: 未填写, no verdict
            yield incomplete(
                "budget.split_missing",
                f"budget.by_unit.{kind}",
                clause,
                _("%(units)s分配的%(label)s") % {"units": join(blank), "label": label},
            )
        elif split != total:
            yield bar(
                "budget.split_mismatch",
                f"budget.by_unit.{kind}",
                clause,
                _("各单位%(kind)s合计%(split)s，与%(kind)s预算合计%(total)s不一致。")
                % {"kind": label, "split": yuan(split), "total": yuan(total)},
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
            _("区外参与单位分配财政资金%(share)s，占财政资金%(total)s的%(ratio)s，不得超过%(limit)s。")
            % {"share": yuan(share), "total": yuan(total), "ratio": f"{share / total:.1%}", "limit": f"{limit:.0%}"},
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
            ctx.spec.term(rules["indirect_limit_source"]),  # cited as a clause is: a regulation's number
            _(
                "间接费用%(indirect)s，超过直接费用扣除设备购置费后（%(base)s）按比例核定的上限%(allowed)s（%(source)s）。"
            )
            % {
                "indirect": yuan(indirect),
                "base": yuan(base),
                "allowed": yuan(int(allowed)),
                "source": ctx.spec.term(rules["indirect_limit_source"]),
            },
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
            _("自筹资金预算（企业牵头项目自筹资金须不低于财政资金的%(ratio)s倍）") % {"ratio": f"{ratio:g}"},
        )
    elif Decimal(str(raised)) < needed:
        yield bar(
            "budget.enterprise_matching",
            "budget.self_raised",
            rules["matching_clause"],
            _("企业牵头项目自筹资金%(raised)s，须不低于财政资金%(fiscal)s的%(ratio)s倍（即%(needed)s）。")
            % {
                "raised": yuan(raised),
                "fiscal": yuan(app.fiscal_total),
                "ratio": f"{ratio:g}",
                "needed": yuan(int(needed)),
            },
        )


RULES = [budget_tables, fiscal_cap, split_by_unit, out_of_region_share, indirect_costs, enterprise_matching]
