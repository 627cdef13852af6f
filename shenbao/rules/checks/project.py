"""一(三): the project itself."""

import datetime as dt
import re
from collections.abc import Iterator

from shenbao.language import day, gettext_lazy, join
from shenbao.language import gettext as _

from ..context import APPLICANT, DEPARTMENT, ReviewContext
from ..findings import Finding, bar, incomplete, info, warning
from ..limits import title_limit, title_refusal
from ..snapshot import Snapshot, canonical

# The fields without which an application is not an application, and what the form calls them.
REQUIRED_TEXT = {
    "title": gettext_lazy("项目名称"),
    "abstract": gettext_lazy("项目摘要"),
    "content.background": gettext_lazy("立项背景"),
    "content.objectives": gettext_lazy("研究目标"),
    "content.research_content": gettext_lazy("研究内容"),
    "content.innovation": gettext_lazy("创新点"),
    "content.cooperation_basis": gettext_lazy("合作基础"),
}
IP_OWNERSHIPS = ("sole", "joint")
# Where a similar document comes from, as the similarity index stores it (batch.document, earlier_projects).
_FUNDED_SOURCE = re.compile(r"^(\d{4})年已立项项目$")


_PARTS = {path: tuple(path.split(".")) for path in REQUIRED_TEXT}


def _text(app: Snapshot, path: str) -> str:
    value = app.data
    for part in _PARTS.get(path) or path.split("."):
        value = value.get(part) if value.__class__ is dict else None
    return value.strip() if value.__class__ is str else ""


def title_length(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """A title longer than the call allows (one saved before the limit, a file under review): the form
    and the import refuse it as they are typed (rules/limits.py), the review says so of one already there."""
    title = app.data.get("title")
    if title.__class__ is str and (too_long := title_refusal(title, ctx.spec)):
        yield bar("project.title_too_long", "title", title_limit(ctx.spec)[1], too_long)


def category_and_form(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    codes = ctx.spec.category_codes
    if not app.category:
        yield incomplete("project.category_missing", "category", ctx.spec.categories[0].clause, _("项目类别"))
    elif app.category not in codes:
        names = join(f"{c.code} {ctx.spec.term(c.name)}" for c in ctx.spec.categories)
        yield bar(
            "project.category_unknown",
            "category",
            ctx.spec.categories[0].clause,
            _("项目类别“%(category)s”不在本批次之列，应为%(names)s。") % {"category": app.category, "names": names},
        )
    form = app.data.get("cooperation_form")
    if not str(form or "").strip():
        yield incomplete(
            "project.cooperation_form_missing", "cooperation_form", ctx.spec.categories[0].clause, _("合作方式")
        )
    elif canonical(form, ctx.spec.cooperation_forms) is None:
        yield bar(
            "project.cooperation_form",
            "cooperation_form",
            ctx.spec.categories[0].clause,
            _("合作方式“%(form)s”应为%(forms)s之一。")
            % {"form": form, "forms": join(ctx.spec.terms(ctx.spec.cooperation_forms))},
        )


def required_text(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.attachments["clause"]
    for path, label in REQUIRED_TEXT.items():
        if not _text(app, path):
            yield incomplete("project.missing", path, clause, label)
    keywords = app.data.get("keywords")
    if not isinstance(keywords, list) or not [k for k in keywords if isinstance(k, str) and k.strip()]:
        yield incomplete("project.missing", "keywords", clause, _("关键词"))
    if not app.rows("schedule", app.section("content")):
        yield incomplete("project.missing", "content.schedule", clause, _("进度安排"))


def duration(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.project
    clause = rules["duration_clause"]
    if app.start is None or app.end is None:
        yield incomplete("project.dates_missing", "start_date", clause, _("项目起止日期"))
        return
    if app.end < app.start:
        yield bar("project.dates_reversed", "end_date", clause, _("项目结束日期早于开始日期。"))
        return
    years = rules["max_duration_years"]
    try:
        limit = app.start.replace(year=app.start.year + years)
    except ValueError:  # 29 February
        limit = app.start.replace(year=app.start.year + years, day=28)
    if app.end >= limit:
        yield bar(
            "project.too_long",
            "end_date",
            clause,
            _("项目执行期%(start)s至%(end)s，超过%(years)s年（首尾均计，最晚应于%(last)s结束）。")
            % {
                "start": day(app.start),
                "end": day(app.end),
                "years": years,
                "last": day(limit - dt.timedelta(days=1)),
            },
        )


def counts(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.project
    subprojects = app.subprojects
    if len(subprojects) > rules["max_subprojects"]:
        yield bar(
            "project.too_many_subprojects",
            "subprojects",
            rules["units_clause"],
            _("设置课题%(count)s个，每个项目下设课题不超过%(max)s个。")
            % {"count": len(subprojects), "max": rules["max_subprojects"]},
        )
    units = app.unit_count  # listed partners and the units made partners by their people (一(三)9)
    if units > rules["max_units"]:
        implied = (
            _("，其中%(count)s家为项目参与人所在单位（视为合作单位）") % {"count": len(app.implied_partners)}
            if app.implied_partners
            else ""
        )
        yield bar(
            "project.too_many_units",
            "partners",
            rules["units_clause"],
            _("参与单位共%(count)s家（含牵头单位%(implied)s），不超过%(max)s家。")
            % {"count": units, "implied": implied, "max": rules["max_units"]},
        )


def indicators(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    rules = ctx.spec.project
    clause = rules["indicators_clause"]
    rows = app.rows("indicators")
    known, main, papers = rules["indicator_types"], rules["main_indicator_types"], rules["paper_indicator_types"]
    types = [canonical(row.get("type"), known) for row in rows]
    for i, (row, kind) in enumerate(zip(rows, types, strict=True)):
        if kind is None and str(row.get("type") or "").strip():
            yield bar(
                "project.indicator_type_unknown",
                f"indicators[{i}].type",
                clause,
                _("考核指标类型“%(type)s”不在指南所列类型中。") % {"type": row.get("type")},
            )
        elif kind is None:
            yield incomplete(
                "project.indicator_type_missing",
                f"indicators[{i}].type",
                clause,
                _("第%(number)s项考核指标的类型") % {"number": i + 1},
            )
    main_count = sum(1 for kind in types if kind in main)
    paper_count = sum(1 for kind in types if kind in papers)
    unanswered = any(
        kind is None and not str(row.get("type") or "").strip() for row, kind in zip(rows, types, strict=True)
    )
    if not rows:
        yield incomplete("project.no_main_indicator", "indicators", clause, _("考核指标"))
    elif unanswered and not main_count:
        return  # a row whose type is not chosen yet may be the main indicator: 未填写 above, no verdict
    elif not main_count:
        yield bar(
            "project.papers_as_main_indicators" if paper_count else "project.no_main_indicator",
            "indicators",
            clause,
            (
                _("主要考核指标应为%(types)s等，论文不得作为主要考核指标。")
                if paper_count
                else _("主要考核指标应为%(types)s等，尚未填写。")
            )
            % {"types": join(ctx.spec.terms(main[:10]))},
        )
    elif paper_count >= main_count:
        yield warning(
            "project.papers_as_main_indicators",
            "indicators",
            clause,
            _("论文类指标%(papers)s项，不少于其他考核指标（%(main)s项），论文不得作为主要考核指标。")
            % {"papers": paper_count, "main": main_count},
        )


def intellectual_property(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.project["ip_clause"]
    ownership, confirmed = app.data.get("ip_ownership"), app.declarations.get("ip_owned_in_region")
    if ownership in (None, "") or confirmed is None:
        yield incomplete("project.ip_unanswered", "ip_ownership", clause, _("核心知识产权归属及确认"))
    elif ownership not in IP_OWNERSHIPS or confirmed is not True:
        yield bar(
            "project.ip_not_in_region",
            "ip_ownership",
            clause,
            _("项目核心知识产权须由自治区内单位独立所有或共同所有（请选择归属并确认）。"),
        )


def prior_funding(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """Based on a funded project: the new innovation must be stated; until it is, it is 未填写."""
    prior = app.section("prior_funding")
    if prior.get("based_on_funded_project") is True and not str(prior.get("innovation_statement") or "").strip():
        yield incomplete(
            "project.prior_without_new_innovation",
            "prior_funding.innovation_statement",
            ctx.spec.project["duplicate_clause"],
            _("新的创新点（项目在已立项项目基础上申报，须说明新的创新点）"),
        )


def _source(source: str) -> str:
    """The stored (Chinese) name of where a similar document comes from, in the active language."""
    if source == "本批次申报书":
        return _("本批次申报书")
    if funded := _FUNDED_SOURCE.match(source):
        return _("%(year)s年已立项项目") % {"year": funded[1]}
    return source


def near_duplicates(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """一(三)7. The similar applications are already limited to those that count (batch.py); another
    unit's title is shown to department staff only, and an applicant is shown nothing of other units."""
    own_unit = ctx.units.get(app.key)
    for similar in ctx.similar.get(app.key, ()):
        other_unit = similar.unit is not None and own_unit is not None and similar.unit != own_unit
        if other_unit and ctx.audience == APPLICANT:
            continue
        named = (
            _("%(source)s“%(title)s”") % {"source": _source(similar.source), "title": similar.title}
            if not other_unit or ctx.audience == DEPARTMENT
            else _("另一单位已报送的一份申报书")
        )
        yield warning(
            "project.near_duplicate",
            "title",
            ctx.spec.project["duplicate_clause"],
            _("与%(named)s高度相似（相似度%(score)s），不得多头申报或改头换面重复申报，请核实。")
            % {"named": named, "score": f"{similar.score:.0%}"},
        )


def priority_tags(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    if app.category not in ctx.spec.category_codes:
        return
    category = ctx.spec.category(app.category)
    tags = app.data.get("priority_tags") or []
    tags = tags if isinstance(tags, list) else []
    named = [(tag, canonical(tag, category.priority_tags)) for tag in tags]
    unknown = [tag for tag, known in named if known is None]
    if unknown:
        yield warning(
            "project.priority_tag_unknown",
            "priority_tags",
            category.priority_tags_clause,
            _("优先支持情形“%(tags)s”不在%(category)s所列情形中。")
            % {"tags": join(unknown), "category": ctx.spec.term(category.name)},
        )
    known = [known for _, known in named if known is not None]
    if known:
        yield info(
            "project.priority",
            "priority_tags",
            category.priority_tags_clause,
            _("优先支持：%(tags)s。") % {"tags": join(ctx.spec.terms(known))},
        )


RULES = [
    title_length,
    category_and_form,
    required_text,
    duration,
    counts,
    indicators,
    intellectual_property,
    prior_funding,
    near_duplicates,
    priority_tags,
]
