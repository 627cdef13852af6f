"""The 申报书 and the recommendation list as PDFs, typeset by Typst (PyPI `typst`) from Typst templates
and the documents' data: tagged PDF/A-2b with the Noto Sans CJK SC subset embedded, a cover with the
seal block where the e-seals are stamped, the sections with their tables, the budget with its 合计
rows, page numbers; drafts carry a 草稿 watermark.

Why Typst and not WeasyPrint (measured in bench/documents.py): it typesets the real 申报书 about ten
times faster, which is most of a seal's cost, and it writes PDF/A-2b with tags itself. The data goes
to the template as JSON (sys.inputs), so what people typed is shown as text, never read as markup.
"""

import atexit
import datetime as dt
import json
import threading
from functools import cache
from pathlib import Path

import typst
from django.utils import timezone
from django.utils.translation import gettext as _

from shenbao.applications.models import Application
from shenbao.applications.sections import DATE, MONTH, NUMBER, SECTIONS, choices_for, display, fields_of, get
from shenbao.language import system_language
from shenbao.rules.required_attachments import KINDS

from .fonts import FAMILY, FONT_FILE, printable

TEMPLATES = Path(__file__).parent / "templates" / "documents"
# PDF/A-2b: the archival profile a department keeps records in (ISO 19005-2, level b); PAdES
# signatures are incremental updates, which PDF/A-2 allows, so a sealed file stays PDF/A-2b.
PDF_STANDARD = "a-2b"

# Where the e-seals are stamped (PDF points from the bottom left of the page) — documents/sealing.py
# stamps them here and the templates centre the words 盖章/签章 in the same boxes, so the two never part.
UNIT_SEAL_BOX = (160, 120, 270, 230)  # cover page of the 申报书: 牵头单位（盖章）
LEGAL_REPRESENTATIVE_BOX = (345, 140, 415, 210)  # cover page: 法定代表人（签章）
LIST_SEAL_BOX = (600, 70, 720, 190)  # last page of the list (A4 landscape): the recommender's （盖章）


class RenderFailed(RuntimeError):
    """The typesetter refused the document (a template error): nothing was produced."""


@cache
def _fonts() -> typst.Fonts:
    # Only the embedded Noto CJK collection: no system font, no Typst default font, so every PDF
    # looks the same on every machine and every glyph comes from the font the print check knows.
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONT_FILE.parent)])


_local = threading.local()


def _compiler() -> typst.Compiler:
    """One compiler per thread (it keeps its caches between documents; it is not shared across threads)."""
    if not hasattr(_local, "compiler"):
        _local.compiler = typst.Compiler(root=str(TEMPLATES), font_paths=_fonts(), ignore_system_fonts=True)
    return _local.compiler


def typeset(template: str, data: dict, *, timestamp: dt.datetime | None = None) -> bytes:
    """The PDF of a Typst template under templates/documents/ with `data` (JSON-safe) as its input."""
    payload = json.dumps({**data, "font": FAMILY}, ensure_ascii=False, default=str)  # lazy labels as text
    try:
        return _compiler().compile(
            input=str(TEMPLATES / template),
            format="pdf",
            sys_inputs={"data": payload},
            pdf_standards=[PDF_STANDARD],
            timestamp=(timestamp or timezone.now()).replace(microsecond=0),
        )
    except typst.TypstError as error:
        raise RenderFailed(_("排版失败：%(message)s") % {"message": error.message}) from error


# --- what the documents show ----------------------------------------------------------------------


def amount(value) -> str:
    """An amount of yuan as people read it: 1,200,000 (two decimals only when there are cents)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value or "")
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _number(value) -> float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _shown(item, value, spec, data) -> str:
    if item.kind == NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        return printable(amount(value))
    choices = dict(choices_for(item, spec, data))
    if isinstance(value, list):
        return printable("、".join(choices.get(v, str(v)) for v in value))
    text = display(item, value)
    return printable(choices.get(text, text))


def _budget_table(spec, data) -> dict:
    """Per budget category: fiscal, self-raised and their sum, with the 合计 row."""
    rows, fiscal_total, self_total = [], 0, 0
    for category in spec.budget["categories"]:
        fiscal = _number(get(data, f"budget.fiscal.{category}", 0))
        self_raised = _number(get(data, f"budget.self_raised.{category}", 0))
        fiscal_total, self_total = fiscal_total + fiscal, self_total + self_raised
        rows.append([category, amount(fiscal), amount(self_raised), amount(fiscal + self_raised)])
    return {
        "label": "",
        "headers": ["预算科目", "财政资金（元）", "自筹资金（元）", "小计（元）"],
        "rows": rows,
        "numeric": [1, 2, 3],
        "compact": [],
        "total": ["合计", amount(fiscal_total), amount(self_total), amount(fiscal_total + self_total)],
    }


def _table(table, spec, data) -> dict:
    rows = [row for row in (get(data, table.path, []) or []) if isinstance(row, dict)]
    numeric = [i for i, column in enumerate(table.columns) if column.kind == NUMBER]
    # Dates and codes (身份证号, 统一社会信用代码) read best unbroken: their columns take their width.
    compact = [
        i
        for i, column in enumerate(table.columns)
        if column.kind in (DATE, MONTH)
        or column.path.rsplit(".", 1)[-1] in ("id_number", "uscc", "code")
        or column.path.endswith("_id_number")
    ]
    total = None
    # Money adds up; quantities of different things (5 份 + 3 篇) do not: 合计 only in the budget.
    if table.path.startswith("budget.") and rows:
        total = ["合计"] + [""] * (len(table.columns) - 1)
        for i in numeric:
            total[i] = amount(sum(_number(get(row, table.columns[i].path)) for row in rows))
    return {
        "label": str(table.label),
        "headers": [str(c.label) for c in table.columns],
        "rows": [[_shown(c, get(row, c.path), spec, data) for c in table.columns] for row in rows],
        "numeric": numeric,
        "compact": compact,
        "total": total,
    }


def document_context(application: Application, *, draft: bool) -> dict:
    """The 申报书's data for the template: every value already as the text it prints as."""
    spec, data = application.call.spec, application.data
    sections = []
    for section in SECTIONS:
        tables = [_table(table, spec, data) for table in section.tables]
        if section.slug == "budget":
            fields, tables = [], [_budget_table(spec, data), *tables]
        else:
            fields = [[str(f.label), _shown(f, get(data, f.path), spec, data)] for f in fields_of(section, spec)]
        sections.append({"slug": section.slug, "title": str(section.title), "fields": fields, "tables": tables})
    category = spec.category_codes.get(application.category)
    lead_unit = printable(str(get(data, "lead_unit.name", "") or application.unit.name))
    generated_at = timezone.localtime(timezone.now(), spec.tz)
    return {
        "issuer": spec.issuer,
        "call_code": spec.code,
        "call_title": spec.title,
        "document_title": printable(application.title or "项目申报书"),
        "receipt_no": application.receipt_no or "",
        "draft": draft,
        "generated_at": f"{generated_at:%Y年%m月%d日 %H:%M}",
        "cover": [
            ["项目名称", printable(application.title) or "（未填写）"],
            ["项目类别", f"{category.code} {category.name}" if category else "（未填写）"],
            ["牵头单位", lead_unit],
            ["项目负责人", printable(str(get(data, "pi.name", "") or ""))],
            ["执行期", f"{get(data, 'start_date', '') or ''} 至 {get(data, 'end_date', '') or ''}"],
            ["受理编号", application.receipt_no or "（提交后生成）"],
        ],
        "seals": [
            {"box": UNIT_SEAL_BOX, "label": "牵头单位（盖章）"},
            {"box": LEGAL_REPRESENTATIVE_BOX, "label": "法定代表人（签章）"},
        ],
        "sections": sections,
        "attachments": [
            [
                printable(
                    str(KINDS.get(a.kind, a.kind))
                    + (f"（{a.partner}）" if a.partner else "")
                    + (f"（{a.year}年度）" if a.year else "")
                ),
                printable(a.original_name),
                str(a.pages),
                a.sha256,
            ]
            for a in application.attachments.all()
        ],
    }


def render_application(application: Application, *, draft: bool) -> bytes:
    with system_language():  # the 申报书 is a Chinese document, whoever asks for it
        return typeset("application.typ", document_context(application, draft=draft))


def list_context(recommender, call, rows, now: dt.datetime) -> dict:
    """The recommendation list's data: one row per application, the 合计 of the fiscal funds asked."""
    spec = call.spec
    lines, total = [], 0
    for i, application in enumerate(rows, start=1):
        fiscal = sum(_number(v) for v in (get(application.data, "budget.fiscal", {}) or {}).values())
        total += fiscal
        lines.append(
            [
                str(i),
                application.receipt_no,
                application.category,
                printable(application.title),
                printable(application.unit.name),
                printable(str(get(application.data, "pi.name", "") or "")),
                amount(fiscal),
            ]
        )
    return {
        "issuer": spec.issuer,
        "call_code": spec.code,
        "call_title": spec.title,
        "document_title": f"{spec.title} 推荐项目清单（{recommender.name}）",
        "receipt_no": "",
        "draft": False,
        "recommender": recommender.name,
        "rows": lines,
        "total": ["合计", {"text": f"共{len(lines)}项", "span": 5}, amount(total)],
        "date": f"{timezone.localtime(now, spec.tz):%Y年%m月%d日}",
        "seal": {"box": LIST_SEAL_BOX, "label": f"{recommender.name}（盖章）"},
    }


def render_list(recommender, call, rows, now: dt.datetime) -> bytes:
    """The recommender's list (二(二)4) as a PDF, ready for the recommender's seal on its last page."""
    with system_language():
        return typeset("recommendation_list.typ", list_context(recommender, call, rows, now), timestamp=now)


# --- documents that have no Typst template yet --------------------------------------------------


@cache
def _weasyprint_fonts():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .fonts import font_face_css

    config = FontConfiguration()
    # Dropped before the interpreter tears its modules down: its destructor needs them.
    atexit.register(_weasyprint_fonts.cache_clear)
    return config, CSS(string=font_face_css(), font_config=config)


def render_html(template: str, context: dict) -> bytes:
    """A PDF from a Django HTML template (the font family is in the context as `family`), by WeasyPrint
    as tagged PDF/A-2b with the same embedded font: for documents without a Typst template (e.g. the
    拟立项 list). Ten times slower than `typeset` (bench/documents.py), so not for what is sealed in bulk."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    config, fonts = _weasyprint_fonts()
    with system_language():
        html = render_to_string(template, {**context, "family": FAMILY})
    return HTML(string=html).write_pdf(stylesheets=[fonts], font_config=config, pdf_variant="pdf/a-2b", pdf_tags=True)
