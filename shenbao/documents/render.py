"""The 申报书 as a PDF, rendered with WeasyPrint from the application's data: a cover page, every
section with its tables, the budget, the attachments, page numbers; drafts carry a 草稿 watermark."""

from functools import cache

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from shenbao.applications.models import Application
from shenbao.applications.sections import SECTIONS, choices_for, display, fields_of, get
from shenbao.rules.required_attachments import KINDS

from .fonts import FAMILY, font_face_css


@cache
def _fonts() -> tuple[FontConfiguration, CSS]:
    config = FontConfiguration()
    return config, CSS(string=font_face_css(), font_config=config)


def _shown(item, value, spec, data) -> str:
    choices = dict(choices_for(item, spec, data))
    if isinstance(value, list):
        return "、".join(choices.get(v, str(v)) for v in value)
    text = display(item, value)
    return choices.get(text, text)


def document_context(application: Application, *, draft: bool) -> dict:
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


def render_application(application: Application, *, draft: bool) -> bytes:
    config, fonts = _fonts()
    html = render_to_string("documents/application.html", document_context(application, draft=draft))
    return HTML(string=html).write_pdf(stylesheets=[fonts], font_config=config)


def render_html(template: str, context: dict) -> bytes:
    config, fonts = _fonts()
    return HTML(string=render_to_string(template, {**context, "family": FAMILY})).write_pdf(
        stylesheets=[fonts], font_config=config
    )
