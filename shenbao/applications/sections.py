"""The 申报书 form, section by section, declared once: what each section holds, how a field is
shown, and how a posted value becomes a value of the interchange document.

Field paths are those of the interchange format (`budget.fiscal.设备费`, `partners.0.name`), so a
finding's field names the input it concerns. Choices that belong to the call (categories, forms,
indicator types, budget categories) are read from the call file, never written here.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shenbao.calls.spec import CallSpec
from shenbao.documents.fonts import describe, unprintable
from shenbao.parsing import BadInput, is_index, parse_finite_number
from shenbao.rules.limits import length_refusal

TEXT, TEXTAREA, DATE, MONTH, NUMBER, BOOL, SELECT, CHECKBOXES, KEYWORDS = (
    "text",
    "textarea",
    "date",
    "month",
    "number",
    "bool",
    "select",
    "checkboxes",
    "keywords",
)
SCOPES = [
    ("domestic_in_region", _("区内")),
    ("domestic_out_of_region", _("区外（国内）")),
    ("foreign", _("国外")),
]
YES_NO = [("true", _("是")), ("false", _("否"))]


@dataclass(frozen=True)
class Field:
    path: str
    label: str
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] | str = ()  # a string names a call-dependent list, see choices_for
    help: str = ""
    readonly: bool = False  # filled from the registration; changed there, not here
    required: bool = True  # counts towards the section's completeness
    # The call's limit on its length: a key of the call file's [project], with "<key>_source" saying
    # where the number comes from (e.g. max_title_length), see rules/limits.py.
    limit: str = ""


@dataclass(frozen=True)
class Table:
    """Repeated rows, e.g. partners; `path` is a list in the document."""

    path: str
    label: str
    columns: tuple[Field, ...]
    help: str = ""


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: tuple[Field, ...] = ()
    tables: tuple[Table, ...] = ()
    # Finding fields starting with one of these belong to this section's panel.
    finding_prefixes: tuple[str, ...] = field(default=())


SECTIONS: tuple[Section, ...] = (
    Section(
        "basic",
        _("基本信息"),
        fields=(
            Field("category", _("项目类别"), SELECT, "categories"),
            Field("cooperation_form", _("合作方式"), SELECT, "cooperation_forms"),
            Field("title", _("项目名称"), limit="max_title_length"),
            Field("keywords", _("关键词"), KEYWORDS, help=_("用逗号或顿号分隔，3-5个。")),
            Field("start_date", _("开始日期"), DATE),
            Field("end_date", _("结束日期"), DATE, help=_("执行期不超过3年，首尾均计（一(三)8）。")),
            Field("abstract", _("项目摘要"), TEXTAREA),
            Field("priority_tags", _("优先支持情形"), CHECKBOXES, "priority_tags", required=False),
            Field("prior_funding.based_on_funded_project", _("是否在已立项项目基础上申报"), SELECT, tuple(YES_NO)),
            Field(
                "prior_funding.innovation_statement",
                _("新的创新点"),
                TEXTAREA,
                help=_("在已立项项目基础上申报的，须说明新的创新点（一(三)7）。"),
                required=False,
            ),
        ),
        finding_prefixes=(
            "category",
            "cooperation_form",
            "title",
            "keywords",
            "start_date",
            "end_date",
            "abstract",
            "priority_tags",
            "prior_funding",
        ),
    ),
    Section(
        "content",
        _("项目内容"),
        fields=(
            Field("content.background", _("立项背景"), TEXTAREA),
            Field("content.objectives", _("研究目标"), TEXTAREA),
            Field("content.research_content", _("研究内容"), TEXTAREA),
            Field("content.innovation", _("创新点"), TEXTAREA),
            Field("content.cooperation_basis", _("合作基础"), TEXTAREA),
        ),
        tables=(
            Table(
                "content.schedule",
                _("进度安排"),
                (
                    Field("from", _("起（年月）"), MONTH),
                    Field("to", _("止（年月）"), MONTH),
                    Field("task", _("任务")),
                ),
            ),
        ),
        finding_prefixes=("content",),
    ),
    Section(
        "units",
        _("承担单位"),
        fields=(
            Field("lead_unit.name", _("牵头单位"), readonly=True),
            Field("lead_unit.uscc", _("统一社会信用代码"), readonly=True),
            Field("lead_unit.unit_type", _("单位类型"), readonly=True),
            Field("lead_unit.registered_on", _("注册日期"), readonly=True),
            Field("lead_unit.legal_representative", _("法定代表人"), readonly=True),
            Field(
                "lead_unit.research_assistant_post",
                _("科研助理岗位"),
                SELECT,
                (
                    ("per_project", _("本项目设置1个")),
                    ("shared", _("与本单位其他项目共同设置1个")),
                    ("none", _("未设置")),
                ),
                help=_("每个项目设置1个，或多个项目共同设置1个（一(一)4）。"),
            ),
        ),
        tables=(
            Table(
                "partners",
                _("合作单位"),
                (
                    Field("name", _("单位名称")),
                    Field("uscc", _("统一社会信用代码"), help=_("国内单位填写"), required=False),
                    Field("unit_type", _("单位类型"), SELECT, "unit_types"),
                    Field("location.scope", _("所在地"), SELECT, tuple(SCOPES)),
                    Field("location.province", _("省份"), required=False),
                    Field("location.country", _("国家"), required=False),
                ),
                help=_(
                    "参与单位（含牵头单位）不超过5家；国内合作须有区外单位，国际合作须有国外单位（一(一)2、一(三)3）。"
                ),
            ),
        ),
        finding_prefixes=("lead_unit", "partners"),
    ),
    Section(
        "pi",
        _("项目负责人"),
        fields=(
            Field("pi.name", _("姓名"), readonly=True),
            Field("pi.id_number", _("身份证号"), readonly=True),
            Field("pi.title", _("职称")),
            Field(
                "pi.position_type",
                _("岗位类型"),
                SELECT,
                (
                    ("professional_technical", _("专业技术岗位")),
                    ("cadre", _("管理岗位")),
                    ("worker", _("工人岗位")),
                ),
                help=_("女性的法定退休年龄与岗位类型有关。"),
            ),
            Field(
                "pi.employer",
                _("是否牵头单位在职人员"),
                SELECT,
                (("lead_unit", _("是")), ("other", _("否（须上传聘用证明）"))),
            ),
            Field("pi.academician", _("是否两院院士"), SELECT, tuple(YES_NO)),
            Field("pi.civil_servant", _("是否公务员或参公管理人员"), SELECT, tuple(YES_NO)),
            Field("pi.phone", _("手机号码"), required=False),
        ),
        tables=(
            Table(
                "pi.ongoing_projects",
                _("主持的在研自治区科技计划项目"),
                (
                    Field("plan", _("计划类别")),
                    Field("type", _("项目类型")),
                    Field("code", _("项目编号")),
                    Field("until", _("执行期至"), DATE),
                ),
                help=_("自然科学基金、揭榜挂帅、自治区级以上创新平台、科技领军类项目不计入（一(二)3）。"),
            ),
        ),
        finding_prefixes=("pi",),
    ),
    Section(
        "team",
        _("团队与课题"),
        tables=(
            Table(
                "team",
                _("项目团队成员"),
                (
                    Field("name", _("姓名")),
                    Field("id_number", _("身份证号")),
                    Field("unit", _("单位")),
                    Field("title", _("职称"), required=False),
                    Field("role", _("分工"), required=False),
                ),
            ),
            Table(
                "subprojects",
                _("课题（不超过3个，项目负责人至少牵头1个）"),
                (
                    Field("title", _("课题名称")),
                    Field("leader_id_number", _("课题负责人身份证号")),
                    Field("unit", _("承担单位")),
                    Field(
                        "leader_civil_servant",
                        _("课题负责人是否公务员或参公管理人员"),
                        SELECT,
                        tuple(YES_NO),
                        help=_("政府部门（含参公事业单位）工作人员不能作为项目（课题）负责人（一(二)5）。"),
                        required=False,  # a 课题 the PI leads takes the PI's answer
                    ),
                ),
            ),
        ),
        finding_prefixes=("team", "subprojects"),
    ),
    Section(
        "indicators",
        _("考核指标与知识产权"),
        fields=(
            Field(
                "ip_ownership",
                _("核心知识产权归属"),
                SELECT,
                (
                    ("sole", _("区内单位独立所有")),
                    ("joint", _("区内外单位共同所有")),
                    ("other", _("其他")),
                ),
            ),
            Field(
                "declarations.ip_owned_in_region",
                _("确认核心知识产权由区内单位独立或共同所有"),
                SELECT,
                tuple(YES_NO),
            ),
        ),
        tables=(
            Table(
                "indicators",
                _("考核指标"),
                (
                    Field("type", _("类型"), SELECT, "indicator_types"),
                    Field("description", _("内容")),
                    Field("quantity", _("数量"), NUMBER),
                    Field("unit", _("单位")),
                ),
                help=_("以新技术、新产品、新品种、应用解决方案等为主，论文不得作为主要考核指标（一(三)6）。"),
            ),
        ),
        finding_prefixes=("indicators", "ip_ownership", "declarations.ip_owned_in_region"),
    ),
    Section(
        "budget",
        _("经费预算"),
        fields=(),  # the per-category amounts are added from the call file, see fields_of
        tables=(
            Table(
                "budget.by_unit",
                _("各单位经费分配（元）"),
                (
                    Field("unit", _("单位")),
                    Field("fiscal", _("财政资金"), NUMBER),
                    Field("self_raised", _("自筹资金"), NUMBER),
                ),
                help=_("区外单位分配的财政资金不得过半（一(三)10）。"),
            ),
        ),
        finding_prefixes=("budget",),
    ),
    Section(
        "ethics",
        _("伦理与承诺"),
        fields=(
            Field("ethics.involves_human_subjects", _("是否涉及人的研究"), SELECT, tuple(YES_NO)),
            Field("ethics.involves_human_genetic_resources", _("是否涉及人类遗传资源"), SELECT, tuple(YES_NO)),
            Field(
                "ethics.ethics_review_required",
                _("是否属于须开展科技伦理审查的活动"),
                SELECT,
                tuple(YES_NO),
                help=_("《科技伦理审查办法（试行）》第二条所列活动（一(四)2）。"),
            ),
            Field("ethics.risk_assessment", _("科技伦理风险评估"), TEXTAREA),
            Field("declarations.not_classified", _("申报材料不涉及国家秘密"), SELECT, tuple(YES_NO)),
            Field(
                "declarations.integrity_commitment_unit",
                _("牵头单位已签署科研诚信承诺"),
                SELECT,
                tuple(YES_NO),
            ),
            Field(
                "declarations.integrity_commitment_pi",
                _("项目负责人已签署科研诚信承诺"),
                SELECT,
                tuple(YES_NO),
            ),
        ),
        finding_prefixes=("ethics", "declarations.not_classified", "declarations.integrity"),
    ),
)
SECTION_BY_SLUG = {s.slug: s for s in SECTIONS}


def fields_of(section: Section, spec: CallSpec) -> tuple[Field, ...]:
    if section.slug != "budget":
        return section.fields
    amounts = []
    for kind, label in (("fiscal", gettext("财政资金")), ("self_raised", gettext("自筹资金"))):
        for category in spec.budget["categories"]:
            amounts.append(
                Field(
                    f"budget.{kind}.{category}",
                    gettext("%(label)s·%(category)s（元）") % {"label": label, "category": spec.term(category)},
                    NUMBER,
                )
            )
    return tuple(amounts)


def max_length_of(item: Field, spec: CallSpec) -> tuple[int, str] | None:
    """The longest text the call allows in the field, in characters, and where that comes from."""
    if not item.limit:
        return None
    return spec.project[item.limit], spec.term(spec.project[f"{item.limit}_source"])


def length_refusal_of(item: Field, value: Any, spec: CallSpec) -> str:
    """Why a parsed value is too long for the call, or ""."""
    limit = max_length_of(item, spec)
    if limit is None or not isinstance(value, str):
        return ""
    return length_refusal(item.label, value, *limit)


def choices_for(item: Field, spec: CallSpec, data: dict) -> list[tuple[str, str]]:
    if not isinstance(item.choices, str):
        return list(item.choices)
    name = item.choices
    if name == "categories":
        return [(c.code, f"{c.code} {spec.term(c.name)}") for c in spec.categories]
    if name == "cooperation_forms":
        return [(f, spec.term(f)) for f in spec.cooperation_forms]
    if name == "unit_types":
        return [(t, spec.term(t)) for t in spec.unit["types"]]
    if name == "indicator_types":
        return [(t, spec.term(t)) for t in spec.project["indicator_types"]]
    if name == "priority_tags":
        codes = spec.category_codes
        category = data.get("category")
        categories = [codes[category]] if category in codes else list(spec.categories)
        return [(t, spec.term(t)) for c in categories for t in c.priority_tags]
    raise KeyError(name)


# --- reading and writing values at a path -------------------------------------------------------


def get(data: Any, path: str, default: Any = None) -> Any:
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and is_index(part) and int(part) < len(data):
            data = data[int(part)]
        else:
            return default
    return default if data is None else data


def put(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        child = data.get(part)
        if not isinstance(child, dict):
            child = data[part] = {}
        data = child
    data[last] = value


def display(item: Field, value: Any) -> str:
    """A document value as an input shows it."""
    if value is None:
        return ""
    if item.kind == KEYWORDS and isinstance(value, list):
        return "，".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class BadValue(ValueError):
    """A typed value that cannot become a document value; the message names the rule."""


def parse(item: Field, raw: str | list[str], choices: list[tuple[str, str]]) -> Any:
    """A posted value as a document value. Blank means absent (None), so a draft can be incomplete."""
    if item.kind == CHECKBOXES:
        allowed = {c for c, _ in choices}
        return [v for v in raw if v in allowed]
    raw = (raw or "").strip()
    if item.kind in (TEXT, TEXTAREA, KEYWORDS) and (missing := unprintable(raw)):
        raise BadValue(
            gettext(
                "“%(label)s”含申报书PDF无法打印的字符%(describe)s（如表情符号、生僻字），打印出来会是空框，请删除或改用文字"
            )
            % {"label": item.label, "describe": describe(missing)}
        )
    if item.kind == KEYWORDS:
        return [k.strip() for k in raw.replace("、", ",").replace("，", ",").replace(";", ",").split(",") if k.strip()]
    if raw == "":
        return None
    if item.kind == NUMBER:
        try:
            number = parse_finite_number(raw, item.label)
        except BadInput as error:
            raise BadValue(str(error)) from None
        if number < 0:
            raise BadValue(gettext("“%(label)s”不能为负数") % {"label": item.label})
        return int(number) if number.is_integer() else number
    if item.kind == DATE:
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise BadValue(
                gettext("“%(label)s”应为日期，格式如2026-01-01，当前为“%(raw)s”") % {"label": item.label, "raw": raw}
            ) from None
    if item.kind == MONTH:
        try:
            return dt.date.fromisoformat(raw + "-01").strftime("%Y-%m")
        except ValueError:
            raise BadValue(
                gettext("“%(label)s”应为年月，格式如2026-01，当前为“%(raw)s”") % {"label": item.label, "raw": raw}
            ) from None
    if item.kind == SELECT and choices:
        values = {c for c, _ in choices}
        if raw not in values:
            raise BadValue(gettext("“%(label)s”应从列表中选择") % {"label": item.label})
        if set(values) == {"true", "false"}:
            return raw == "true"
    return raw


def posted_row_indices(posted, table: Table) -> list[int]:
    """The row numbers a form posted for a table (`partners.0.name`, `partners.3.uscc` → [0, 3])."""
    prefix = table.path + "."
    return sorted(
        {
            int(head)
            for key in posted
            if key.startswith(prefix) and is_index(head := key[len(prefix) :].split(".", 1)[0])
        }
    )


def is_filled(value: Any) -> bool:
    return value not in (None, "", [], {})
