"""The budget section as people read a budget: one row per category of the call, 财政资金 and 自筹资金
side by side with their 小计, and 合计 rows under the amounts and under the split between units.

The totals are worked out here when the page is drawn (so they are right without JavaScript and in a
read-only section) and again by static/shenbao/budget-totals.js as the person types, in the same way:
the cells as typed, blanks left out, amounts the form would refuse (words, negative numbers) left out
and counted, so a total never silently includes or hides what the save will not keep."""

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext_lazy

from shenbao.calls.spec import CallSpec
from shenbao.parsing import BadInput, parse_finite_number

from .sections import NUMBER, Table

KINDS = (("fiscal", gettext_lazy("财政资金（元）")), ("self_raised", gettext_lazy("自筹资金（元）")))


class Total(NamedTuple):
    amount: str  # e.g. "1,120,000" or "1,000,000.50"
    unreadable: int  # cells left out because they are not amounts the form accepts


def amount_text(value: Decimal) -> str:
    """Yuan as people read them: thousands separators, cents only when there are any."""
    value = value.quantize(Decimal("0.01"))
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def total(cells: Iterable[str]) -> Total:
    sum_, unreadable = Decimal(0), 0
    for cell in cells:
        text = str(cell or "").strip()
        if not text:
            continue
        try:
            number = parse_finite_number(text, "")
        except BadInput:
            unreadable += 1
            continue
        if number < 0:
            unreadable += 1
        else:
            sum_ += Decimal(str(number))
    return Total(amount_text(sum_), unreadable)


def budget_grid(spec: CallSpec, fields: list[dict]) -> dict:
    """The amounts of the section (its fields, as the section page prepared them) as a grid with 小计
    and 合计; each cell names the inputs it adds up, for budget-totals.js."""
    by_path = {item["field"].path: item for item in fields}
    rows = []
    for category in spec.budget["categories"]:
        cells = [by_path[f"budget.{kind}.{category}"] for kind, _ in KINDS]
        rows.append(
            {
                "category": category,
                "cells": cells,
                "subtotal": total(cell["value"] for cell in cells),
                "names": [cell["field"].path for cell in cells],
            }
        )
    columns = []
    for i, (kind, label) in enumerate(KINDS):
        cells = [row["cells"][i] for row in rows]
        columns.append(
            {
                "kind": kind,
                "label": label,
                "total": total(cell["value"] for cell in cells),
                "names": [cell["field"].path for cell in cells],
            }
        )
    everything = [cell for row in rows for cell in row["cells"]]
    return {
        "rows": rows,
        "columns": columns,
        "total": total(cell["value"] for cell in everything),
        "names": [cell["field"].path for cell in everything],
    }


def table_totals(table: Table, rows: list[dict]) -> dict[str, Total] | None:
    """The 合计 row of a budget table (the split between units): a Total per amount column, by its
    path; None for tables that are not money (5 份 and 3 篇 do not add up)."""
    if not table.path.startswith("budget."):
        return None
    return {
        column.path: total(row.get(column.path, "") for row in rows)
        for column in table.columns
        if column.kind == NUMBER
    }
