"""An application as the rules see it: the interchange document plus the values several rules need,
computed once. Tolerant of drafts: anything missing is None or empty, never an exception."""

import datetime as dt
from typing import Any

from shenbao.accounts.id_number import IdNumberCheck, check_id_number

from .retirement import retirement_date

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
    """`key` identifies the application among its peers (its public id, or the file name).

    Everything several rules read is worked out once here, eagerly: a batch review builds 10,000 of
    these, and a plain attribute is the cheapest thing to read afterwards."""

    def __init__(self, data: dict, key: str = ""):
        self.data = data = data if isinstance(data, dict) else {}
        self.key = key
        self.category = str(data.get("category") or "")
        self.lead = self.section("lead_unit")
        self.partners = self.rows("partners")
        self.pi = self.section("pi")
        self.pi_id: IdNumberCheck = check_id_number(str(self.pi.get("id_number") or ""))
        self.start = parse_date(data.get("start_date"))
        self.end = parse_date(data.get("end_date"))
        self.budget = self.section("budget")
        self.fiscal_total = self.total("fiscal")
        self.self_raised_total = self.total("self_raised")
        self.by_unit = self.rows("by_unit", self.budget)
        self.scopes = [self.partner_scope(p) for p in self.partners]
        self.unit_names = [str(self.lead.get("name") or "")] + [str(p.get("name") or "") for p in self.partners]
        self.attachments = self.rows("attachments")
        self.declarations = self.section("declarations")
        self.ethics = self.section("ethics")
        born = self.pi_id.birth_date
        self.pi_retires_on: dt.date | None = (
            retirement_date(born, self.pi_id.sex, str(self.pi.get("position_type") or "")) if born else None
        )

    @property
    def usccs(self) -> list[str]:
        """The codes of the lead unit and its partners, as the registries hold them (upper case)."""
        codes = [self.lead.get("uscc")] + [p.get("uscc") for p in self.partners]
        return [str(code).upper() for code in codes if code]

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def rows(self, name: str, data: dict | None = None) -> list[dict]:
        value = (self.data if data is None else data).get(name)
        return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []

    def budget_table(self, kind: str) -> dict:
        table = self.budget.get(kind)
        return table if isinstance(table, dict) else {}

    def total(self, kind: str) -> int | float:
        return sum(value for value in map(amount, self.budget_table(kind).values()) if value is not None)

    @staticmethod
    def partner_scope(partner: dict) -> str:
        location = partner.get("location")
        return str(location.get("scope") or "") if isinstance(location, dict) else ""
