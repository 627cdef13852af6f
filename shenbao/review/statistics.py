"""The numbers behind the overview's charts, for department staff (the whole call) and a recommender
(the applications it handles): submissions against the deadline by hour, applications by recommender
or category and state and by 盟市, quota used against quota, requested funds, PI age and sex,
priority tags.

Each chart is a `Chart`: a title, a one-sentence summary (the chart's accessible name), a small table
(its text alternative, shown under it) and `data`, what static/shenbao/charts.js draws. Everything is
computed from one query of a few columns and JSON keys per application, never whole documents.
Times are shown in the call's timezone; `now` is an argument, never read here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from shenbao.accounts.id_number import age_on, check_id_number
from shenbao.applications.models import Application
from shenbao.applications.services import applications_at_recommender
from shenbao.calls import windows
from shenbao.language import chinese
from shenbao.organisations.models import Recommender

from .services import quota_of

State = Application.State
# The rush curve shows each hour of this many days before the deadline.
RUSH_DAYS = 7
HOUR = dt.timedelta(hours=1)
# Requested funds are counted in this many equal steps up to the highest fiscal cap of the call.
FUND_STEPS = 10
UNASSIGNED = "—"


@dataclass(frozen=True)
class Scope:
    """What a person's charts count: the call's submitted applications, or one recommender's."""

    call: object
    applications: object  # a queryset
    recommender: Recommender | None = None

    @property
    def is_department(self) -> bool:
        return self.recommender is None


def scope_for(user, call) -> Scope:
    """Department staff see the whole call (drafts excepted); a recommender, or a direct-report unit
    acting as one, the applications it handles; anyone else is refused."""
    if user.is_department_staff:
        return Scope(call, Application.objects.filter(call=call).exclude(state=State.DRAFT))
    if user.acting_recommender_id:
        recommender = Recommender.objects.get(pk=user.acting_recommender_id)
        return Scope(call, applications_at_recommender(recommender.pk).filter(call=call), recommender)
    raise PermissionDenied


@dataclass
class Chart:
    key: str
    kind: str  # how charts.js draws it: rush, stacked, quota, histogram, pie, bars
    title: str
    summary: str
    headers: list[str]
    rows: list[list]
    data: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "title": self.title, **self.data}


@dataclass(frozen=True)
class Row:
    """One application, as the charts need it."""

    state: str
    category: str
    submitted_at: dt.datetime | None
    recommender_id: int | None
    division_code: str
    pi_id_number: str
    pi_sex: str
    priority_tags: list
    fiscal: float


def rows_of(applications) -> list[Row]:
    values = applications.values_list(
        "state",
        "category",
        "submitted_at",
        "unit__recommender_id",
        "unit__division_code",
        "pi_id_number",
        KT("data__pi__sex"),
        KT("data__priority_tags"),
        KT("data__budget__fiscal"),
    )
    return [
        Row(
            state,
            category,
            submitted,
            recommender,
            division or "",
            pi or "",
            sex or "",
            _json(tags, list),
            requested_fiscal(fiscal),
        )
        for state, category, submitted, recommender, division, pi, sex, tags, fiscal in values
    ]


def _json(value, kind):
    """A JSON value the database extracted: already decoded (PostgreSQL) or its text (SQLite)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return kind()
    return value if isinstance(value, kind) else kind()


def requested_fiscal(value) -> float:
    """The fiscal money a document's budget asks for, from `data.budget.fiscal` as extracted."""
    items = _json(value, dict).values()
    return float(sum(v for v in items if isinstance(v, int | float) and not isinstance(v, bool)))


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


# --- The charts ---------------------------------------------------------------------------------------


def charts(scope: Scope, now: dt.datetime) -> dict:
    """Every chart of the scope, with the headline numbers the page shows above them."""
    rows = rows_of(scope.applications)
    spec = scope.call.spec
    recommenders = _recommenders(scope, rows)
    filing = windows.window_for(
        scope.call, "filing", now, recommender=scope.recommender.pk if scope.recommender else None
    )
    ages, sexes = pi_ages(rows, spec), pi_sexes(rows)
    found = [
        rush_curve([r.submitted_at for r in rows if r.submitted_at], filing.closes, spec.tz, now),
        by_group_and_state(rows, recommenders) if scope.is_department else by_category_and_state(rows, spec),
        by_league(rows, spec),
        *quota_charts(rows, recommenders, spec, scope),
        requested_funds(rows, spec),
        ages,
        sexes,
        priority_tags(rows, spec),
    ]
    return {
        "total": len(rows),
        "recommended": sum(r.state == State.RECOMMENDED for r in rows),
        "young": ages.data["values"][0]["value"],
        "female": sexes.data["values"][0]["value"],
        "charts": found,
        "charts_json": {"charts": [c.as_json() for c in found]},
    }


def _recommenders(scope: Scope, rows: list[Row]) -> list[Recommender]:
    if scope.recommender is not None:
        return [scope.recommender]
    ids = {r.recommender_id for r in rows if r.recommender_id}
    return list(Recommender.objects.filter(pk__in=ids).order_by("kind", "code"))


def _wall_ms(moment: dt.datetime, tz) -> int:
    """The moment as milliseconds of its wall-clock time in `tz` read as UTC: charts.js draws with
    ECharts' `useUTC`, so every browser shows Beijing time whatever its own timezone."""
    return int(moment.astimezone(tz).replace(tzinfo=dt.UTC).timestamp() * 1000)


def _ceil_hour(moment: dt.datetime, tz) -> dt.datetime:
    local = moment.astimezone(tz)
    floor = local.replace(minute=0, second=0, microsecond=0)
    return floor if floor == local else floor + HOUR


def rush_curve(submitted: list[dt.datetime], closes: dt.datetime, tz, now: dt.datetime) -> Chart:
    """Submissions per hour over the RUSH_DAYS days before the deadline (or before now, while the
    deadline is further away), with the running total and the deadline marked. Each hour counts
    what came in during it, up to and including its end."""
    end = _ceil_hour(closes if now >= closes - dt.timedelta(days=RUSH_DAYS) else now, tz)
    if submitted:
        end = max(end, _ceil_hour(max(submitted), tz))
    start = end - dt.timedelta(days=RUSH_DAYS)
    hours = [0] * (RUSH_DAYS * 24)
    before = 0
    for moment in submitted:
        if moment <= start:
            before += 1
        else:
            hours[math.ceil((moment - start) / HOUR) - 1] += 1
    running, cumulative, days = before, [[_wall_ms(start, tz), before]], {}
    for i, count in enumerate(hours):
        running += count
        hour_end = start + (i + 1) * HOUR
        cumulative.append([_wall_ms(hour_end, tz), running])
        day = (hour_end - HOUR).astimezone(tz).date()
        days[day] = (days.get(day, (0, 0))[0] + count, running)
    last_day = sum(1 for m in submitted if closes - dt.timedelta(days=1) < m <= closes)
    deadline = f"{closes.astimezone(tz):%Y-%m-%d %H:%M}"
    summary = _(
        "截止时间 %(deadline)s（北京时间）。共提交 %(total)s 份，截止前最后24小时提交 %(last)s 份（%(share)s）。"
    ) % {
        "deadline": deadline,
        "total": len(submitted),
        "last": last_day,
        "share": _share(last_day, len(submitted)),
    }
    return Chart(
        "rush",
        "rush",
        _("提交时间与截止时间（最后%(days)s天，按小时）") % {"days": RUSH_DAYS},
        summary,
        [_("日期"), _("当日提交"), _("累计")],
        [[_("此前"), before, before]] + [[f"{day:%m-%d}", n, total] for day, (n, total) in days.items()],
        {
            "hours": [[_wall_ms(start + i * HOUR + HOUR / 2, tz), n] for i, n in enumerate(hours)],
            "cumulative": cumulative,
            "start": _wall_ms(start, tz),
            "end": _wall_ms(end, tz),
            "deadline": _wall_ms(closes, tz),
            "deadline_label": _("截止 %(deadline)s") % {"deadline": deadline},
            "names": [_("每小时提交"), _("累计提交")],
        },
    )


def _stacked(key: str, title: str, group_header: str, groups: list[str], rows: list[Row], group_of) -> Chart:
    """Applications per group, each bar split by state (only the states that occur)."""
    counts = Counter((group_of(r), r.state) for r in rows)
    states = [(value, label) for value, label in State.choices if any(s == value for _g, s in counts)]
    groups = [g for g in groups if any(counts[(g, s)] for s, _l in states)]
    totals = {g: sum(counts[(g, s)] for s, _l in states) for g in groups}
    summary = _("共 %(total)s 份：%(parts)s。") % {
        "total": len(rows),
        "parts": "，".join(f"{g} {totals[g]}" for g in sorted(groups, key=lambda g: -totals[g])) or "—",
    }
    return Chart(
        key,
        "stacked",
        title,
        summary,
        [group_header, *(label for _v, label in states), _("合计")],
        [[g, *(counts[(g, s)] for s, _l in states), totals[g]] for g in groups],
        {
            "groups": groups,
            "series": [{"name": label, "data": [counts[(g, s)] for g in groups]} for s, label in states],
        },
    )


def by_group_and_state(rows: list[Row], recommenders: list[Recommender]) -> Chart:
    names = {r.pk: r.display_name for r in recommenders}
    groups = [r.display_name for r in recommenders] + [UNASSIGNED]
    return _stacked(
        "by_recommender",
        _("各归口管理部门的申报书及状态"),
        _("归口管理部门"),
        groups,
        rows,
        lambda r: names.get(r.recommender_id, UNASSIGNED),
    )


def by_category_and_state(rows: list[Row], spec) -> Chart:
    names = {c.code: f"{c.code} {spec.term(c.name)}" for c in spec.categories}
    return _stacked(
        "by_category",
        _("各类别的申报书及状态"),
        _("类别"),
        [*names.values(), UNASSIGNED],
        rows,
        lambda r: names.get(r.category, UNASSIGNED),
    )


def leagues(spec) -> list[tuple[str, str]]:
    """(division prefix, 盟市 name) from the call's 盟市 recommenders, longest prefix first."""
    found = []
    for entry in spec.recommenders:
        if entry.kind != Recommender.Kind.CITY:
            continue
        # 呼和浩特市科学技术局 → 呼和浩特市; in English the bureau's name from the call file as it is.
        name = entry.name.removesuffix("科学技术局").removesuffix("科技局") if chinese() else spec.term(entry.name)
        found.extend((prefix, name) for prefix in entry.divisions)
    return sorted(found, key=lambda p: (-len(p[0]), p[0]))


def by_league(rows: list[Row], spec) -> Chart:
    """Applications by the 盟市 where the lead unit is registered, whatever its route."""
    prefixes = leagues(spec)
    other = _("其他地区")

    def league(row: Row) -> str:
        return next((name for prefix, name in prefixes if row.division_code.startswith(prefix)), other)

    ordered = list(dict.fromkeys(name for _p, name in sorted(prefixes, key=lambda p: p[0])))
    return _stacked("by_league", _("各盟市（单位注册地）的申报书及状态"), _("盟市"), [*ordered, other], rows, league)


def quota_charts(rows: list[Row], recommenders: list[Recommender], spec, scope: Scope) -> list[Chart]:
    """Recommended against quota: one chart per category across recommenders (department), or one
    across categories (a recommender)."""
    used = Counter((r.recommender_id, r.category) for r in rows if r.state == State.RECOMMENDED)

    def chart(key, title, header, pairs):
        groups = [label for label, _r, _c in pairs]
        quotas = [quota_of(r, spec, c.code) for _l, r, c in pairs]
        counts = [used[(r.pk, c.code)] for _l, r, c in pairs]
        full = [g for g, n, q in zip(groups, counts, quotas, strict=True) if n >= q]
        summary = _("已推荐 %(used)s 项，限额合计 %(quota)s 项；已用满限额：%(full)s。") % {
            "used": sum(counts),
            "quota": sum(quotas),
            "full": "，".join(full) or _("无"),
        }
        return Chart(
            key,
            "quota",
            title,
            summary,
            [header, _("已推荐"), _("限额")],
            [[g, n, q] for g, n, q in zip(groups, counts, quotas, strict=True)],
            {"groups": groups, "used": counts, "quota": quotas, "names": [_("已推荐"), _("限额")]},
        )

    if not scope.is_department:
        recommender = scope.recommender
        pairs = [(f"{c.code} {spec.term(c.name)}", recommender, c) for c in spec.categories]
        return [chart("quota", _("已推荐与限额（按类别）"), _("类别"), pairs)]
    return [
        chart(
            f"quota_{c.code}",
            _("%(code)s %(name)s：各归口管理部门已推荐与限额") % {"code": c.code, "name": spec.term(c.name)},
            _("归口管理部门"),
            [(r.display_name, r, c) for r in recommenders],
        )
        for c in spec.categories
    ]


def _yuan_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)s万元以上") % {"low": f"{low / 10000:g}"}
    return _("%(low)s–%(high)s万元") % {"low": f"{low / 10000:g}", "high": f"{high / 10000:g}"}


def requested_funds(rows: list[Row], spec) -> Chart:
    """How many applications ask for how much fiscal money, in FUND_STEPS equal steps up to the
    call's highest cap (and one step beyond it), stacked by category."""
    cap = max((c.fiscal_cap for c in spec.categories), default=0) or 1_000_000
    step = cap / FUND_STEPS
    buckets = [_yuan_label(round(i * step), round((i + 1) * step)) for i in range(FUND_STEPS)]
    buckets.append(_yuan_label(cap, None))

    def bucket(amount: float) -> int:
        return min(max(math.ceil(amount / step) - 1, 0), FUND_STEPS)

    counts = Counter((r.category, bucket(r.fiscal)) for r in rows)
    categories = [c for c in spec.categories if any(counts[(c.code, i)] for i in range(len(buckets)))]
    amounts = sorted(r.fiscal for r in rows)
    median = amounts[len(amounts) // 2] if amounts else 0
    summary = _("申请财政资金合计 %(total)s 万元，中位数 %(median)s 万元。") % {
        "total": f"{sum(amounts) / 10000:g}",
        "median": f"{median / 10000:g}",
    }
    return Chart(
        "funds",
        "histogram",
        _("申请财政资金分布"),
        summary,
        [_("申请财政资金"), *(f"{c.code} {spec.term(c.name)}" for c in categories)],
        [[label, *(counts[(c.code, i)] for c in categories)] for i, label in enumerate(buckets)],
        {
            "buckets": buckets,
            "series": [
                {"name": f"{c.code} {spec.term(c.name)}", "data": [counts[(c.code, i)] for i in range(len(buckets))]}
                for c in categories
            ],
        },
    )


def _pie(key: str, title: str, summary: str, header: str, values: list[tuple[str, int]]) -> Chart:
    total = sum(n for _l, n in values)
    return Chart(
        key,
        "pie",
        title,
        summary,
        [header, _("人数"), _("占比")],
        [[label, n, _share(n, total)] for label, n in values],
        {"values": [{"name": label, "value": n} for label, n in values]},
    )


def pi_ages(rows: list[Row], spec) -> Chart:
    """PIs aged young_age or less on the day the call opened (一(二)4 counts them; never a bar)."""
    start, young_age = spec.filing.opens.astimezone(spec.tz).date(), spec.pi["young_age"]
    young = older = unknown = 0
    for row in rows:
        birth = check_id_number(row.pi_id_number).birth_date
        if birth is None:
            unknown += 1
        elif age_on(birth, start) <= young_age:
            young += 1
        else:
            older += 1
    values = [(_("%(age)s岁及以下") % {"age": young_age}, young), (_("%(age)s岁以上") % {"age": young_age}, older)]
    if unknown:
        values.append((_("身份证号未能识别"), unknown))
    summary = _("%(age)s岁及以下的项目负责人 %(young)s 人，占 %(share)s。") % {
        "age": young_age,
        "young": young,
        "share": _share(young, len(rows)),
    }
    return _pie("pi_age", _("项目负责人年龄（%(age)s岁及以下）") % {"age": young_age}, summary, _("年龄"), values)


def pi_sexes(rows: list[Row]) -> Chart:
    """Sex from the 身份证号 (its 17th digit), else as the form states it."""
    counts = Counter()
    for row in rows:
        counts[check_id_number(row.pi_id_number).sex or row.pi_sex] += 1
    female, male = counts.pop("female", 0), counts.pop("male", 0)
    values = [(_("女"), female), (_("男"), male)]
    if sum(counts.values()):
        values.append((_("未能识别"), sum(counts.values())))
    summary = _("女性项目负责人 %(female)s 人，占 %(share)s。") % {"female": female, "share": _share(female, len(rows))}
    return _pie("pi_sex", _("女性项目负责人"), summary, _("性别"), values)


def priority_tags(rows: list[Row], spec) -> Chart:
    """How many applications claim each 优先支持情形 of the call, and how many claim none."""
    known = list(dict.fromkeys(t for c in spec.categories for t in c.priority_tags))
    counts = Counter(t for r in rows for t in set(r.priority_tags) if isinstance(t, str))
    none = sum(1 for r in rows if not r.priority_tags)
    names = [*known, *(t for t in counts if t not in known), _("无优先支持情形")]
    values = [*(counts[t] for t in names[:-1]), none]
    names = [*spec.terms(names[:-1]), names[-1]]  # shown in the reader's language
    claimed = len(rows) - none
    summary = _("%(claimed)s 份申报书填报了优先支持情形（%(share)s）。") % {
        "claimed": claimed,
        "share": _share(claimed, len(rows)),
    }
    return Chart(
        "tags",
        "bars",
        _("优先支持情形"),
        summary,
        [_("优先支持情形"), _("申报书数")],
        [[n, v] for n, v in zip(names, values, strict=True)],
        {"names": names, "values": values},
    )
