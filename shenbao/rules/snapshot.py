"""An application as the rules see it: the interchange document plus the values several rules need,
computed once. Tolerant of drafts: anything missing is None or empty, never an exception."""

import datetime as dt
from functools import cached_property
from typing import Any

from shenbao.accounts.id_number import IdNumberCheck, check_id_number

IN_REGION = "domestic_in_region"
OUT_OF_REGION = "domestic_out_of_region"
FOREIGN = "foreign"
LOCATION_SCOPES = (IN_REGION, OUT_OF_REGION, FOREIGN)


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def amount(value: Any) -> int | float | None:
    """A money value in yuan, or None when it is not a number (bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


class Snapshot:
    """`key` identifies the application among its peers (its public id, or the file name)."""

    def __init__(self, data: dict, key: str = ""):
        self.data = data if isinstance(data, dict) else {}
        self.key = key

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def rows(self, name: str, data: dict | None = None) -> list[dict]:
        value = (self.data if data is None else data).get(name)
        return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []

    @cached_property
    def category(self) -> str:
        return str(self.data.get("category") or "")

    @cached_property
    def lead(self) -> dict:
        return self.section("lead_unit")

    @cached_property
    def partners(self) -> list[dict]:
        return self.rows("partners")

    @cached_property
    def pi(self) -> dict:
        return self.section("pi")

    @cached_property
    def pi_id(self) -> IdNumberCheck:
        return check_id_number(str(self.pi.get("id_number") or ""))

    @cached_property
    def start(self) -> dt.date | None:
        return parse_date(self.data.get("start_date"))

    @cached_property
    def end(self) -> dt.date | None:
        return parse_date(self.data.get("end_date"))

    @cached_property
    def budget(self) -> dict:
        return self.section("budget")

    def budget_table(self, kind: str) -> dict:
        table = self.budget.get(kind)
        return table if isinstance(table, dict) else {}

    def total(self, kind: str) -> int | float:
        return sum(value for value in map(amount, self.budget_table(kind).values()) if value is not None)

    @cached_property
    def fiscal_total(self) -> int | float:
        return self.total("fiscal")

    @cached_property
    def unit_names(self) -> list[str]:
        return [str(self.lead.get("name") or "")] + [str(p.get("name") or "") for p in self.partners]

    def partner_scope(self, partner: dict) -> str:
        location = partner.get("location")
        return str(location.get("scope") or "") if isinstance(location, dict) else ""

    @cached_property
    def attachments(self) -> list[dict]:
        return self.rows("attachments")

    def has_attachment(self, kind: str, **match: Any) -> bool:
        return any(
            row.get("kind") == kind and all(row.get(key) == value for key, value in match.items())
            for row in self.attachments
        )

    @cached_property
    def declarations(self) -> dict:
        return self.section("declarations")

    @cached_property
    def ethics(self) -> dict:
        return self.section("ethics")
