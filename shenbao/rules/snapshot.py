"""An application as the rules see it: the interchange document plus the values several rules need,
computed once. Tolerant of drafts: anything missing is None or empty, never an exception."""

import copy
import datetime as dt
from functools import lru_cache
from typing import Any, NamedTuple

from shenbao import normalise
from shenbao.accounts.id_number import IdNumberCheck, check_id_number
from shenbao.calls.spec import CallSpec
from shenbao.language import gettext as _

from .places import FOREIGN, IN_REGION, LOCATION_SCOPES, MAINLAND, OUT_OF_REGION, Place, place_of
from .retirement import retirement_date

FORMAT_1 = "shenbao.application/1"

__all__ = ["FOREIGN", "IN_REGION", "LOCATION_SCOPES", "OUT_OF_REGION", "Snapshot", "amount", "parse_date"]


class ImpliedPartner(NamedTuple):
    """A unit a team member or a 课题 names that is neither the lead nor a listed partner: a partner
    all the same (一(三)9, "项目参与人所在单位非牵头单位的，均视为合作单位")."""

    name: str
    field: str  # where the document names it, e.g. "team[2].unit"


class Person(NamedTuple):
    """A person of the project (一(四)1 所有项目人员): the PI, a 课题负责人 or a team member."""

    id_number: str  # normalised
    field: str
    who: str


@lru_cache(maxsize=256)
def vocabulary(choices: tuple[str, ...], aliases: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """Comparison key → the call file's spelling, for a list of choices and their aliases."""
    index = {normalise.text(alias): target for alias, target in aliases}
    index.update({normalise.text(choice): choice for choice in choices})
    return index


def canonical(value: Any, choices: tuple[str, ...], aliases: tuple[tuple[str, str], ...] = ()) -> str | None:
    """The call file's spelling of `value` (政府機關 → 政府机关, "联合攻关 " → 联合攻关), or None."""
    if value.__class__ is str and value in choices:  # the usual case: spelt as the call file spells it
        return value
    return vocabulary(choices, aliases).get(normalise.text(value))


def unit_type(value: Any, spec: CallSpec) -> str | None:
    return canonical(value, spec.unit["types"], spec.unit["type_aliases"])


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def amount(value: Any) -> int | float | None:
    """A money value in yuan, or None when it is not a number (bool is not a number here)."""
    kind = value.__class__
    if kind is int or kind is float:  # the usual case, and bool (a subclass of int) is not it
        return value
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
        self.category = normalise.code(data.get("category"))
        self.lead = self.section("lead_unit")
        self.partners = self.rows("partners")
        self.team = self.rows("team")
        self.subprojects = self.rows("subprojects")
        self.pi = self.section("pi")
        self.pi_id: IdNumberCheck = check_id_number(str(self.pi.get("id_number") or ""))
        self.lead_uscc = normalise.code(self.lead.get("uscc"))
        # Written as shenbao.application/1 (read as it is, or upgraded): some questions did not exist.
        self.written_as_format_1 = FORMAT_1 in (data.get("format"), data.get("upgraded_from"))
        self.start = parse_date(data.get("start_date"))
        self.end = parse_date(data.get("end_date"))
        self.budget = self.section("budget")
        self.fiscal_total = self.total("fiscal")
        self.self_raised_total = self.total("self_raised")
        self.by_unit = self.rows("by_unit", self.budget)
        self.unit_names = [str(self.lead.get("name") or "")] + [str(p.get("name") or "") for p in self.partners]
        # Each unit's name → its comparison key: a row naming a unit as it was written is found here
        # without normalising it again (the usual case); any other spelling through `unit_key`.
        self.name_keys = {name: normalise.text(name) for name in self.unit_names}
        self.unit_keys = set(self.name_keys.values()) - {""}
        self.implied_partners = self._implied_partners()
        self._places: list[Place] | None = None
        self.memo: dict[str, Any] = {}  # what a rule works out once for the others (required_attachments)
        self.attachments = self.rows("attachments")
        self.declarations = self.section("declarations")
        self.ethics = self.section("ethics")
        born = self.pi_id.birth_date
        self.pi_retires_on: dt.date | None = (
            retirement_date(born, self.pi_id.sex, str(self.pi.get("position_type") or "")) if born else None
        )

    def with_attachments(self, files: list[dict]) -> "Snapshot":
        """The same document with these attachment rows (the stored files, not what the document claims),
        without working everything else out again: the live panel reviews every autosave this way."""
        other = copy.copy(self)
        other.data = {**self.data, "attachments": files}
        other.attachments = other.rows("attachments")
        other.memo = {}  # a rule's findings about the attachments are worked out afresh
        return other

    @property
    def usccs(self) -> list[str]:
        """The codes of the lead unit and its partners, as the registries hold them (normalised)."""
        codes = [self.lead_uscc] + [normalise.code(p.get("uscc")) for p in self.partners]
        return [code for code in codes if code]

    @property
    def people(self) -> list[Person]:
        """Every person of the project with an ID number: the PI, each 课题负责人, each team member."""
        found = [Person(self.pi_id.number, "pi.id_number", _("项目负责人"))] if self.pi_id.number else []
        for i, row in enumerate(self.subprojects):
            if number := normalise.code(row.get("leader_id_number")):
                found.append(
                    Person(number, f"subprojects[{i}].leader_id_number", _("课题%(number)s负责人") % {"number": i + 1})
                )
        for i, row in enumerate(self.team):
            if number := normalise.code(row.get("id_number")):
                who = _("团队成员%(member)s") % {"member": row.get("name") or i + 1}
                found.append(Person(number, f"team[{i}].id_number", who))
        return found

    def _implied_partners(self) -> list[ImpliedPartner]:
        found: dict[str, ImpliedPartner] = {}
        for table, rows in (("team", self.team), ("subprojects", self.subprojects)):
            for i, row in enumerate(rows):
                key = self.unit_key(row.get("unit"))
                if key and key not in self.unit_keys and key not in found:
                    found[key] = ImpliedPartner(str(row.get("unit")).strip(), f"{table}[{i}].unit")
        return list(found.values())

    def unit_key(self, name: Any) -> str:
        """A unit's name as a comparison key (normalise.text), remembered for the names of this application."""
        key = self.name_keys.get(name) if name.__class__ is str else None
        return key if key is not None else normalise.text(name)

    @property
    def unit_count(self) -> int:
        """Participating units, lead included, listed partners and those made partners by their people."""
        return 1 + len(self.partners) + len(self.implied_partners)

    def places(self, spec: CallSpec) -> list[Place]:
        """Where each listed partner is, derived from its province or country (see places.py)."""
        if self._places is None:
            region = _region_short_name(spec.unit["region_name"])
            self._places = [
                place_of(
                    str(location.get("province") or ""),
                    str(location.get("country") or ""),
                    str(location.get("scope") or ""),
                    region,
                )
                for location in (self._location(p) for p in self.partners)
            ]
        return self._places

    def scopes(self, spec: CallSpec) -> list[str]:
        scopes = self.memo.get("scopes")
        if scopes is None:
            scopes = self.memo["scopes"] = [place.scope for place in self.places(spec)]
        return scopes

    def lead_type(self, spec: CallSpec) -> str | None:
        return unit_type(self.lead.get("unit_type"), spec)

    def is_enterprise(self, spec: CallSpec) -> bool:
        """An enterprise by its type, or by its code: a USCC beginning 91 is registered as an enterprise
        (GB 32100-2015: 9 市场监管, 1 企业), so a 中央驻自治区 enterprise is one too (一(一)3, 一(三)8)."""
        unit = spec.unit
        return self.lead_type(spec) in unit["enterprise_types"] or self.lead_uscc.startswith(
            unit["enterprise_uscc_prefixes"]
        )

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def rows(self, name: str, data: dict | None = None) -> list[dict]:
        value = (self.data if data is None else data).get(name)
        return [row for row in value if row.__class__ is dict] if value.__class__ is list else []

    def budget_table(self, kind: str) -> dict:
        table = self.budget.get(kind)
        return table if isinstance(table, dict) else {}

    def total(self, kind: str) -> int | float:
        return sum(value for value in map(amount, self.budget_table(kind).values()) if value is not None)

    @staticmethod
    def _location(partner: dict) -> dict:
        location = partner.get("location")
        return location if isinstance(location, dict) else {}


@lru_cache(maxsize=16)
def _region_short_name(region_name: str) -> str:
    key = normalise.text(region_name)
    return next((name for name in MAINLAND if key.startswith(name)), key)
