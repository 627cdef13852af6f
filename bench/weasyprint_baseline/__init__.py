"""The renderer shenbao used before Typst: WeasyPrint from HTML templates (this folder), with the
same embedded Noto Sans CJK SC. Kept as the baseline bench/documents.py measures Typst against, in
the same run, and as what the PDF/A variant of WeasyPrint would cost; not used by the application."""

import atexit
from functools import cache
from pathlib import Path

from django.template import Context, Engine
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from shenbao.applications.sections import SECTIONS, choices_for, display, fields_of, get
from shenbao.documents.fonts import FAMILY, font_face_css
from shenbao.rules.required_attachments import KINDS

FOLDER = Path(__file__).parent
# PDF/A-2b with tags: what WeasyPrint would have to write to meet the archival requirement.
PDFA = {"pdf_variant": "pdf/a-2b", "pdf_tags": True}


@cache
def _fonts() -> tuple[FontConfiguration, CSS]:
    config = FontConfiguration()
    atexit.register(_fonts.cache_clear)  # before the interpreter tears down what its destructor needs
    return config, CSS(string=font_face_css(), font_config=config)


@cache
def _template(name: str):
    return Engine(libraries={}).from_string((FOLDER / name).read_text(encoding="utf-8"))


def _shown(item, value, spec, data) -> str:
    choices = dict(choices_for(item, spec, data))
    if isinstance(value, list):
        return "、".join(choices.get(v, str(v)) for v in value)
    text = display(item, value)
    return choices.get(text, text)


def _context(application, draft: bool) -> dict:
    spec, data = application.call.spec, application.data
    sections = []
    for section in SECTIONS:
        fields = [(f.label, _shown(f, get(data, f.path), spec, data)) for f in fields_of(section, spec)]
        tables = []
        for table in section.tables:
            rows = get(data, table.path, []) or []
            tables.append(
                {
                    "label": table.label,
                    "headers": [c.label for c in table.columns],
                    "rows": [[_shown(c, get(row, c.path), spec, data) for c in table.columns] for row in rows],
                }
            )
        sections.append({"title": section.title, "fields": fields, "tables": tables, "slug": section.slug})
    budget = {
        category: (get(data, f"budget.fiscal.{category}", 0), get(data, f"budget.self_raised.{category}", 0))
        for category in spec.budget["categories"]
    }
    return {
        "application": application,
        "data": data,
        "spec": spec,
        "category": spec.category_codes.get(application.category),
        "sections": sections,
        "budget": budget,
        "attachments": [(KINDS.get(a.kind, a.kind), a) for a in application.attachments.all()],
        "draft": draft,
        "family": FAMILY,
        "generated_at": timezone.localtime(),
    }


def _pdf(template: str, context: dict, options: dict) -> bytes:
    config, fonts = _fonts()
    html = _template(template).render(Context({**context, "family": FAMILY}))
    return HTML(string=html).write_pdf(stylesheets=[fonts], font_config=config, **options)


def render_application(application, *, draft: bool, pdfa: bool = False) -> bytes:
    return _pdf("application.html", _context(application, draft), PDFA if pdfa else {})


def render_list(recommender, call, rows, now, *, pdfa: bool = False) -> bytes:
    context = {"recommender": recommender, "call": call, "rows": rows, "now": now}
    return _pdf("recommendation_list.html", context, PDFA if pdfa else {})
