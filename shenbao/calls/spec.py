"""The call guide as typed data: parse and validate one call file (TOML).

Everything the platform enforces for a call is read from a `CallSpec`; nothing in code repeats
the guide's numbers. `parse_call_text` reports a bad file precisely: the file, the key at fault and
what was expected, so the person editing next year's call sees exactly where to look.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from shenbao import language
from shenbao.language import gettext as _

FORMAT = "shenbao.call/1"
QUOTA_TYPES = ("city", "other")
RECOMMENDER_KINDS = ("city", "department")
PARTNER_SCOPES = ("domestic_out_of_region", "foreign")


class CallFileError(ValueError):
    """A call file that cannot be used, with the key at fault and what was expected."""

    def __init__(self, source: str, key: str, expected: str):
        self.source, self.key, self.expected = source, key, expected
        super().__init__(f"{source}: {key}: {expected}")


@dataclass(frozen=True)
class Window:
    opens: dt.datetime
    closes: dt.datetime
    clause: str

    def is_open(self, now: dt.datetime) -> bool:
        return self.opens <= now < self.closes

    def time_left(self, now: dt.datetime) -> dt.timedelta:
        return max(self.closes - now, dt.timedelta(0))

    def refusal(self, now: dt.datetime, tz: dt.tzinfo, what: str) -> str:
        """Why `what` cannot be done at `now`, with the deadline and clause; "" while open."""
        if self.is_open(now):
            return ""
        if now < self.opens:
            return _("%(what)s尚未开始（%(clause)s）。") % {"what": what, "clause": language.cite(self.clause)}
        return _("%(what)s须在%(closes)s（北京时间）前完成，现已截止（%(clause)s）。") % {
            "what": what,
            "closes": language.moment(self.closes.astimezone(tz)),
            "clause": language.cite(self.clause),
        }


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    clause: str
    fiscal_cap: int
    fiscal_cap_clause: str
    partner_scope: str
    partner_scope_clause: str
    quotas: dict[str, int]
    quota_clause: str
    priority_tags: tuple[str, ...]
    priority_tags_clause: str


@dataclass(frozen=True)
class IndirectLimit:
    up_to: int | None
    ratio: Decimal


@dataclass(frozen=True)
class RecommenderEntry:
    code: str
    name: str
    kind: str
    divisions: tuple[str, ...]
    quota_type: str


@dataclass(frozen=True)
class Consultation:
    topic: str
    department: str
    phone: str


@dataclass(frozen=True)
class Criterion:
    """One scoring criterion of expert review (评审指标)."""

    code: str
    name: str
    weight: Decimal
    min: int
    max: int
    comment_below: int  # a score below this needs a comment


@dataclass(frozen=True)
class ReviewSpec:
    """The department's stage after the recommendation deadline ([review] of the call file). The
    guide is silent on it: every value is the call file's interpretation."""

    acceptance_days: int
    acceptance_clause: str
    appeal_days: int
    appeal_clause: str
    avoid_experts_max: int
    experts_per_application: int
    max_applications_per_expert: int
    conflict_clause: str
    trimmed_mean_min_scores: int
    spread_flag: Decimal
    publicity_days: int
    publicity_clause: str
    objection_department: str
    objection_phone: str
    funded_plan: str
    funded_project_type: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class CallSpec:
    """One call, as its guide defines it. Sections mirror the call file's tables."""

    code: str
    title: str
    issuer: str
    published_on: dt.date
    timezone: str
    system_name: str
    cooperation_forms: tuple[str, ...]
    filing: Window
    recommendation: Window
    categories: tuple[Category, ...]
    unit: dict[str, Any]
    pi: dict[str, Any]
    project: dict[str, Any]
    budget: dict[str, Any]
    indirect_limits: tuple[IndirectLimit, ...]
    attachments: dict[str, Any]
    integrity: dict[str, Any]
    recommenders: tuple[RecommenderEntry, ...]
    routing_clause: str
    direct_quota_type: str
    consultation: tuple[Consultation, ...]
    # None for a call file without a [review] table: the department stage is then unavailable.
    review: ReviewSpec | None = None
    # The English of the file's own words ([en]: the Chinese as written in the file = its English).
    english: dict[str, str] = field(default_factory=dict)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def __post_init__(self):
        # Looked up for every application of a batch review: index once.
        object.__setattr__(self, "_by_code", {c.code: c for c in self.categories})

    def category(self, code: str) -> Category:
        return self._by_code[code]

    @property
    def category_codes(self) -> dict[str, Category]:
        """The codes (a mapping, so `code in spec.category_codes` is a hash lookup)."""
        return self._by_code

    def quota(self, category_code: str, quota_type: str) -> int:
        return self.category(category_code).quotas[quota_type]

    def term(self, text: str) -> str:
        """A word of the call file (a category, a unit type, a recommender's name...) in the active
        language: its English from the file's [en] table when English is chosen, else as written. The
        call's words are data, so their English travels with the file, not in the code's catalogue."""
        if not text or language.chinese():
            return text
        return self.english.get(text, text)

    def terms(self, texts) -> list[str]:
        return [self.term(text) for text in texts]


def _from_iso(value: Any, parse) -> Any:
    """Dates arrive as TOML dates from a file and as ISO strings from the database copy (JSON)."""
    if isinstance(value, str):
        try:
            return parse(value)
        except ValueError:
            return value
    return value


def to_json_data(data: Any) -> Any:
    """The parsed file as JSON-safe data (dates as ISO strings), for storing in the database."""
    if isinstance(data, dict):
        return {key: to_json_data(value) for key, value in data.items()}
    if isinstance(data, list):
        return [to_json_data(value) for value in data]
    if isinstance(data, (dt.date, dt.datetime, dt.time)):
        return data.isoformat()
    return data


class _Reader:
    """Typed access to one table of the file, naming the full key in every error."""

    def __init__(self, source: str, data: Any, path: str = ""):
        self.source, self.path = source, path
        if not isinstance(data, dict):
            raise CallFileError(source, path or "(file)", "a table")
        self.data = data

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, expected: str) -> CallFileError:
        return CallFileError(self.source, self._key(key), expected)

    def raw(self, key: str, default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "missing (required)")
            return default
        return self.data[key]

    def str(self, key: str, default: Any = ...) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"a non-empty string, got {value!r}")
        return value

    def int(self, key: str, minimum: int = 0) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"a whole number >= {minimum}, got {value!r}")
        return value

    def ratio(self, key: str, data: dict | None = None) -> Decimal:
        value = (data or self.data).get(key) if data is not None else self.raw(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
            raise self.fail(key, f"a number such as 0.5, got {value!r}")
        return Decimal(str(value))

    def date(self, key: str) -> dt.date:
        value = _from_iso(self.raw(key), dt.date.fromisoformat)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise self.fail(key, f"a date such as 2024-09-24, got {value!r}")
        return value

    def datetime(self, key: str) -> dt.datetime:
        value = _from_iso(self.raw(key), dt.datetime.fromisoformat)
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise self.fail(key, f"a date-time with its offset such as 2025-11-14T16:00:00+08:00, got {value!r}")
        return value

    def strings(self, key: str, allowed: tuple[str, ...] | None = None, default: Any = ...) -> tuple[str, ...]:
        value = self.raw(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, f"a list of strings, got {value!r}")
        if allowed is not None:
            for item in value:
                if item not in allowed:
                    raise self.fail(key, f"items from {list(allowed)}, got {item!r}")
        return tuple(value)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.raw(key)
        if value not in allowed:
            raise self.fail(key, f"one of {list(allowed)}, got {value!r}")
        return value

    def table(self, key: str) -> _Reader:
        return _Reader(self.source, self.raw(key), self._key(key))

    def tables(self, key: str) -> list[_Reader]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            raise self.fail(key, "a non-empty array of tables ([[...]])")
        return [_Reader(self.source, item, f"{self._key(key)}[{i}]") for i, item in enumerate(value)]


def _window(reader: _Reader) -> Window:
    window = Window(reader.datetime("opens"), reader.datetime("closes"), reader.str("clause"))
    if window.closes <= window.opens:
        raise reader.fail("closes", "a time after opens")
    return window


def _category(reader: _Reader) -> Category:
    quotas = reader.table("quotas")
    code = reader.str("code")
    return Category(
        code=code,
        name=reader.str("name"),
        clause=reader.str("clause"),
        fiscal_cap=reader.int("fiscal_cap", minimum=1),
        fiscal_cap_clause=reader.str("fiscal_cap_clause"),
        partner_scope=reader.choice("partner_scope", PARTNER_SCOPES),
        partner_scope_clause=reader.str("partner_scope_clause"),
        quotas={quota_type: quotas.int(quota_type) for quota_type in QUOTA_TYPES},
        quota_clause=reader.str("quota_clause"),
        priority_tags=reader.strings("priority_tags", default=[]),
        priority_tags_clause=reader.str("priority_tags_clause"),
    )


def _unit(reader: _Reader) -> dict[str, Any]:
    types = reader.strings("types")
    unit = {
        "registered_on_or_before": reader.date("registered_on_or_before"),
        "registered_clause": reader.str("registered_clause"),
        "region_name": reader.str("region_name"),
        "region_division_prefix": reader.str("region_division_prefix"),
        "types": types,
        "lead_types": reader.strings("lead_types", types),
        "lead_types_clause": reader.str("lead_types_clause"),
        "barred_types": reader.strings("barred_types", types),
        "barred_types_clause": reader.str("barred_types_clause"),
        "enterprise_types": reader.strings("enterprise_types", types),
        # A lead whose USCC begins with one of these is an enterprise whatever its declared type (一(一)3).
        "enterprise_uscc_prefixes": reader.strings("enterprise_uscc_prefixes", default=[]),
        "type_aliases": _aliases(reader, "type_aliases", types),
        "financial_statement_years": tuple(reader.raw("financial_statement_years")),
        "financial_statements": reader.strings("financial_statements"),
        "young_enterprise_years": reader.int("young_enterprise_years"),
        "financial_statements_clause": reader.str("financial_statements_clause"),
        "research_assistant_clause": reader.str("research_assistant_clause"),
    }
    years = unit["financial_statement_years"]
    if not years or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise reader.fail("financial_statement_years", f"a list of years such as [2022, 2023, 2024], got {years!r}")
    return unit


def _aliases(reader: _Reader, key: str, allowed: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Other spellings of a choice (参照公务员法管理事业单位 → 参公事业单位), as (alias, choice) pairs."""
    value = reader.raw(key, {})
    if not isinstance(value, dict) or not all(isinstance(k, str) and v in allowed for k, v in value.items()):
        raise reader.fail(key, f"a table of alias = one of {list(allowed)}, got {value!r}")
    return tuple(sorted(value.items()))


def _pi(reader: _Reader) -> dict[str, Any]:
    return {
        "born_on_or_after": reader.date("born_on_or_after"),
        "age_clause": reader.str("age_clause"),
        "max_ongoing_projects": reader.int("max_ongoing_projects"),
        "ongoing_clause": reader.str("ongoing_clause"),
        "exempt_project_types": reader.strings("exempt_project_types", default=[]),
        # An ongoing project counts only when its plan is the region's own (一(二)3 自治区科技计划项目).
        "regional_plan_prefixes": reader.strings("regional_plan_prefixes", default=[]),
        "categories_per_pi": reader.int("categories_per_pi", minimum=1),
        "categories_clause": reader.str("categories_clause"),
        "young_age": reader.int("young_age", minimum=1),
        "young_clause": reader.str("young_clause"),
        "civil_servant_clause": reader.str("civil_servant_clause"),
        "retirement_clause": reader.str("retirement_clause"),
        "external_employment_clause": reader.str("external_employment_clause"),
    }


# Where the title limit comes from when a call file does not say: the guide sets none, the cover's layout does.
TITLE_LIMIT_SOURCE = "指南未规定字数，本系统按申报书封面版式设定"


def _project(reader: _Reader) -> dict[str, Any]:
    indicator_types = reader.strings("indicator_types")
    return {
        "max_title_length": reader.int("max_title_length", minimum=1),
        # Optional: a call stored before the key existed still parses (its pages must not fail on upgrade).
        "max_title_length_source": reader.str("max_title_length_source", TITLE_LIMIT_SOURCE),
        "max_subprojects": reader.int("max_subprojects", minimum=1),
        "max_units": reader.int("max_units", minimum=1),
        "units_clause": reader.str("units_clause"),
        "pi_leads_subproject_clause": reader.str("pi_leads_subproject_clause"),
        "max_duration_years": reader.int("max_duration_years", minimum=1),
        "duration_clause": reader.str("duration_clause"),
        "enterprise_matching_ratio": reader.ratio("enterprise_matching_ratio"),
        "matching_clause": reader.str("matching_clause"),
        "joint_agreement_clause": reader.str("joint_agreement_clause"),
        "out_of_region_share_max": reader.ratio("out_of_region_share_max"),
        "out_of_region_clause": reader.str("out_of_region_clause"),
        "indicator_types": indicator_types,
        "main_indicator_types": reader.strings("main_indicator_types", indicator_types),
        "paper_indicator_types": reader.strings("paper_indicator_types", indicator_types),
        "indicators_clause": reader.str("indicators_clause"),
        "ip_clause": reader.str("ip_clause"),
        "duplicate_clause": reader.str("duplicate_clause"),
        "human_subjects_clause": reader.str("human_subjects_clause"),
    }


def _budget(reader: _Reader) -> tuple[dict[str, Any], tuple[IndirectLimit, ...]]:
    categories = reader.strings("categories")
    budget = {
        "currency": reader.str("currency"),
        "categories": categories,
        "direct_categories": reader.strings("direct_categories", categories),
        "indirect_category": reader.choice("indirect_category", categories),
        "equipment_category": reader.choice("equipment_category", categories),
        "indirect_limit_severity": reader.choice("indirect_limit_severity", ("bar", "warning", "info")),
        "indirect_limit_source": reader.str("indirect_limit_source"),
        "consistency_clause": reader.str("consistency_clause"),
    }
    limits = []
    for i, item in enumerate(reader.raw("indirect_limits", [])):
        row = _Reader(reader.source, item, f"budget.indirect_limits[{i}]")
        up_to = row.int("up_to", minimum=1) if "up_to" in row.data else None
        limits.append(IndirectLimit(up_to=up_to, ratio=row.ratio("ratio")))
    if limits and limits[-1].up_to is not None:
        raise reader.fail("indirect_limits", "a last band with no up_to (the rate above the highest band)")
    return budget, tuple(limits)


def _recommenders(reader: _Reader) -> tuple[tuple[RecommenderEntry, ...], str, str]:
    entries, seen = [], set()
    for row in reader.tables("list"):
        kind = row.choice("kind", RECOMMENDER_KINDS)
        entry = RecommenderEntry(
            code=row.str("code"),
            name=row.str("name"),
            kind=kind,
            divisions=row.strings("divisions", default=[]),
            quota_type=row.choice("quota_type", QUOTA_TYPES),
        )
        if kind == "city" and not entry.divisions:
            raise row.fail("divisions", "at least one division code prefix for a city recommender")
        if entry.code in seen:
            raise row.fail("code", f"a code not used before, {entry.code!r} is repeated")
        seen.add(entry.code)
        entries.append(entry)
    return tuple(entries), reader.str("routing_clause"), reader.choice("direct_quota_type", QUOTA_TYPES)


def _criterion(row: _Reader) -> Criterion:
    low, high = row.int("min"), row.int("max", minimum=1)
    if high <= low:
        raise row.fail("max", f"a number above min ({low}), got {high}")
    comment_below = row.int("comment_below")
    if not low <= comment_below <= high:
        raise row.fail("comment_below", f"a score between min and max ({low}-{high}), got {comment_below}")
    weight = row.ratio("weight")
    if not 0 < weight <= 1:
        raise row.fail("weight", f"a share above 0 and at most 1 such as 0.25, got {weight}")
    return Criterion(row.str("code"), row.str("name"), weight, low, high, comment_below)


def _review(reader: _Reader) -> ReviewSpec:
    criteria = tuple(_criterion(row) for row in reader.tables("criteria"))
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        raise reader.fail("criteria", f"distinct criterion codes, got {codes}")
    if sum(c.weight for c in criteria) != 1:
        raise reader.fail("criteria", f"weights adding up to 1, got {sum(c.weight for c in criteria)}")
    spread = reader.raw("spread_flag")
    if isinstance(spread, bool) or not isinstance(spread, int | float) or not 0 < spread <= 100:
        raise reader.fail("spread_flag", f"points of the 100-point total such as 20, got {spread!r}")
    return ReviewSpec(
        acceptance_days=reader.int("acceptance_days", minimum=1),
        acceptance_clause=reader.str("acceptance_clause"),
        appeal_days=reader.int("appeal_days", minimum=1),
        appeal_clause=reader.str("appeal_clause"),
        avoid_experts_max=reader.int("avoid_experts_max"),
        experts_per_application=reader.int("experts_per_application", minimum=1),
        max_applications_per_expert=reader.int("max_applications_per_expert", minimum=1),
        conflict_clause=reader.str("conflict_clause"),
        trimmed_mean_min_scores=reader.int("trimmed_mean_min_scores", minimum=3),
        spread_flag=Decimal(str(spread)),
        publicity_days=reader.int("publicity_days", minimum=1),
        publicity_clause=reader.str("publicity_clause"),
        objection_department=reader.str("objection_department"),
        objection_phone=reader.str("objection_phone"),
        funded_plan=reader.str("funded_plan"),
        funded_project_type=reader.str("funded_project_type"),
        criteria=criteria,
    )


def strings_in(data: Any) -> set[str]:
    """Every string value in a parsed call file (what its [en] table may name)."""
    if isinstance(data, dict):
        return set().union(*(strings_in(value) for value in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(strings_in(value) for value in data)) if data else set()
    return {data} if isinstance(data, str) else set()


def _english(root: _Reader) -> dict[str, str]:
    """The [en] table: each key a word as the file writes it, each value its English. (That every key
    is written elsewhere in the file is checked for the call files by calls/tests/test_english.py: a
    copy of a call without some table keeps a harmless extra entry.)"""
    glossary = root.raw("en", {})
    if not isinstance(glossary, dict):
        raise root.fail("en", "a table of Chinese = English strings")
    for chinese, english in glossary.items():
        if not isinstance(english, str) or not english.strip():
            raise root.fail(f"en.{chinese}", f"a non-empty English string, got {english!r}")
    return dict(glossary)


def parse_call(data: dict[str, Any], source: str = "(call)") -> CallSpec:
    root = _Reader(source, data)
    if root.raw("format") != FORMAT:
        raise root.fail("format", f"{FORMAT!r}, got {root.raw('format')!r}")
    call = root.table("call")
    timezone = call.str("timezone")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise call.fail("timezone", f"an IANA timezone such as Asia/Shanghai, got {timezone!r}") from None
    windows = root.table("windows")
    categories = tuple(_category(row) for row in root.tables("categories"))
    codes = [c.code for c in categories]
    if len(set(codes)) != len(codes):
        raise root.fail("categories", f"distinct category codes, got {codes}")
    budget, indirect_limits = _budget(root.table("budget"))
    recommenders, routing_clause, direct_quota_type = _recommenders(root.table("recommenders"))
    attachments = root.table("attachments")
    integrity = root.table("integrity")
    return CallSpec(
        code=call.str("code"),
        title=call.str("title"),
        issuer=call.str("issuer"),
        published_on=call.date("published_on"),
        timezone=timezone,
        system_name=call.str("system_name"),
        cooperation_forms=call.strings("cooperation_forms"),
        filing=_window(windows.table("filing")),
        recommendation=_window(windows.table("recommendation")),
        categories=categories,
        unit=_unit(root.table("unit")),
        pi=_pi(root.table("pi")),
        project=_project(root.table("project")),
        budget=budget,
        indirect_limits=indirect_limits,
        attachments={
            "max_bytes": attachments.int("max_bytes", minimum=1),
            "max_count": attachments.int("max_count", minimum=1),
            "content_type": attachments.str("content_type"),
            "clause": attachments.str("clause"),
        },
        integrity={"clause": integrity.str("clause"), "ethics_clause": integrity.str("ethics_clause")},
        recommenders=recommenders,
        routing_clause=routing_clause,
        direct_quota_type=direct_quota_type,
        consultation=tuple(
            Consultation(row.str("topic"), row.str("department"), row.str("phone"))
            for row in root.tables("consultation")
        ),
        review=_review(root.table("review")) if "review" in root.data else None,
        english=_english(root),
    )


def parse_call_text(text: str, source: str = "(call)") -> CallSpec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CallFileError(source, "(syntax)", f"valid TOML ({error})") from None
    return parse_call(data, source)


def read_call_file(path: Path | str) -> tuple[CallSpec, dict[str, Any]]:
    """The call in a file, validated, and its data as JSON-safe values for the database."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise CallFileError(str(path), "(file)", f"a readable UTF-8 file ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise CallFileError(str(path), "(syntax)", f"valid TOML ({error})") from None
    return parse_call(data, str(path)), to_json_data(data)
