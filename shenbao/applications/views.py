"""The 申报书 pages: my applications, each section (autosaving), the formal review, import/export,
hand-over. Thin: look the object up through what the user may see, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from shenbao.accounts.models import User
from shenbao.audit.log import ACTION_LABELS
from shenbao.calls import windows
from shenbao.calls.current import current_call
from shenbao.rules.batch import context_for
from shenbao.rules.findings import Severity
from shenbao.rules.required_attachments import missing_attachments, required_attachments
from shenbao.rules.ruleset import review

from . import interchange, services
from .models import Application
from .sections import (
    SECTION_BY_SLUG,
    SECTIONS,
    choices_for,
    display,
    fields_of,
    get,
    posted_row_indices,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _visible(request, public_id) -> Application:
    return get_object_or_404(
        services.visible_applications(request.user).select_related("call", "unit", "applicant"), public_id=public_id
    )


def _findings(application: Application):
    snapshot, context = context_for(application)
    return snapshot, review(snapshot, context)


def _section_findings(findings, section):
    prefixes = section.finding_prefixes
    return [f for f in findings if f.field.startswith(prefixes)]


@login_required
def application_list(request):
    call = current_call()
    applications = services.visible_applications(request.user).select_related("call", "applicant")
    return render(
        request,
        "applications/list.html",
        {
            "applications": applications.order_by("-updated_at")[:200],
            "call": call,
            "can_start": request.user.is_applicant
            and call is not None
            and windows.is_open(call, "filing", timezone.now(), unit=request.user.unit_id),
            "colleagues": User.objects.filter(unit=request.user.unit, role=User.Role.APPLICANT, is_active=True)
            if request.user.is_unit_admin
            else (),
        },
    )


@login_required
@require_POST
def application_start(request):
    call = current_call()
    if call is None:
        raise Http404
    try:
        application = services.start_application(request.user, call, timezone.now(), request=request)
    except services.EditRefused as error:
        messages.error(request, str(error))
        return redirect("applications:list")
    return redirect("applications:section", application.public_id, SECTIONS[0].slug)


def _rows(table, data, posted=None):
    """The rows a table shows: the posted ones after a failed save, else the document's (plus one blank)."""
    if posted is not None:
        return [
            {c.path: posted.get(f"{table.path}.{i}.{c.path}", "") for c in table.columns}
            for i in posted_row_indices(posted, table)
        ]
    rows = get(data, table.path, [])
    rows = rows if isinstance(rows, list) else []
    if not rows and table.path == "budget.by_unit":  # start the split with the units the project has
        names = [get(data, "lead_unit.name")] + [p.get("name") for p in get(data, "partners", []) or []]
        rows = [{"unit": name} for name in names if name]
    return [{c.path: display(c, get(row, c.path)) for c in table.columns} for row in rows]


def _section_context(application, section, findings, user, *, posted=None, errors=None):
    spec, data = application.call.spec, application.data
    errors = errors or {}
    fields = []
    for item in fields_of(section, spec):
        if posted is not None and item.path in posted:
            value = posted.getlist(item.path) if item.kind == "checkboxes" else posted.get(item.path)
        else:
            raw = get(data, item.path)
            value = raw if item.kind == "checkboxes" else display(item, raw)
        fields.append(
            {
                "field": item,
                "value": value or ([] if item.kind == "checkboxes" else ""),
                "choices": choices_for(item, spec, data),
                "error": errors.get(item.path, ""),
            }
        )
    tables = [
        {
            "table": t,
            "rows": _rows(t, data, posted),
            "columns": [{"field": c, "choices": choices_for(c, spec, data)} for c in t.columns],
        }
        for t in section.tables
    ]
    per_section, overall = services.completeness(application)
    return {
        "application": application,
        "section": section,
        "sections": SECTIONS,
        "fields": fields,
        "tables": tables,
        "errors": errors,
        "findings": _section_findings(findings, section),
        "bars": sum(1 for f in findings if f.severity == Severity.BAR),
        "progress": per_section,
        "overall": overall,
        "editable": services.is_editable(application, user, timezone.now()),
        "window": windows.window_for(application.call, "filing", timezone.now(), unit=application.unit_id),
    }


def _section_panels(application, section, user, errors):
    _, findings = _findings(application)
    context = _section_context(application, section, findings, user, errors=errors)
    return {
        "findings_html": render_to_string("applications/_findings.html", context),
        "progress_html": render_to_string("applications/_progress.html", context),
    }


@login_required
def section_page(request, public_id, slug):
    application = _visible(request, public_id)
    section = SECTION_BY_SLUG.get(slug)
    if section is None:
        raise Http404
    is_owner = application.applicant_id == request.user.pk
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        wants_json = request.headers.get("X-Autosave") == "1"
        try:
            posted_version = request.POST.get("version", "")
            version = int(posted_version) if posted_version.isdigit() else 0
            result = services.save_section(application, request.user, section, request.POST, version, timezone.now())
        except services.EditRefused as error:
            if wants_json:
                return JsonResponse({"ok": False, "message": str(error)}, status=409)
            _, findings = _findings(application)
            context = _section_context(application, section, findings, request.user, posted=request.POST)
            context["refused"] = str(error)
            return render(request, "applications/section.html", context, status=409)
        if wants_json:
            return JsonResponse(
                {
                    "ok": True,
                    "version": result.application.version,
                    "errors": result.errors,
                    **_section_panels(result.application, section, request.user, result.errors),
                }
            )
        if result.errors:
            _, findings = _findings(result.application)
            context = _section_context(
                result.application, section, findings, request.user, posted=request.POST, errors=result.errors
            )
            return render(request, "applications/section.html", context, status=400)
        messages.success(request, f"“{section.title}”已保存。")
        return redirect("applications:section", application.public_id, slug)
    _, findings = _findings(application)
    context = _section_context(application, section, findings, request.user)
    return render(request, "applications/section.html", context)


@login_required
def formal_review(request, public_id):
    """Every finding of the application, by section, with the attachments required and missing."""
    application = _visible(request, public_id)
    # Comparing with the whole call costs a little: done for the staff who judge it, not on every
    # applicant's page view.
    snapshot, context = context_for(application, with_similar=not request.user.is_applicant, viewer=request.user)
    findings = review(snapshot, context)
    by_section = [(s, _section_findings(findings, s)) for s in SECTIONS]
    other = [f for f in findings if not any(f in fs for _, fs in by_section)]
    per_section, overall = services.completeness(application)
    return render(
        request,
        "applications/review.html",
        {
            "application": application,
            "by_section": by_section,
            "other": other,
            "bars": sum(1 for f in findings if f.severity == Severity.BAR),
            "incomplete": sum(1 for f in findings if f.severity == Severity.INCOMPLETE),
            "warnings": sum(1 for f in findings if f.severity == Severity.WARNING),
            "required": required_attachments(snapshot, application.call.spec),
            "missing": missing_attachments(snapshot, application.call.spec),
            "sections": SECTIONS,
            "progress": per_section,
            "overall": overall,
            "editable_states": Application.State.editable_by_applicant(),
            "history": _history(application) if not request.user.is_applicant else (),
            "action_labels": ACTION_LABELS,
        },
    )


def _history(application):
    """What happened to the application, from the audit log, for the staff who handle it."""
    from shenbao.audit.models import AuditEntry

    return AuditEntry.objects.filter(object_type="applications.application", object_id=str(application.pk)).order_by(
        "id"
    )


@login_required
@require_POST
def submit(request, public_id):
    """Submit to the unit; bars come back on the review page, each with its field and clause."""
    application = _visible(request, public_id)
    try:
        application = services.submit_application(application, request.user, timezone.now(), request=request)
    except services.EditRefused as error:
        messages.error(request, str(error))
        return redirect("applications:review", application.public_id)
    messages.success(request, f"已提交单位审核，受理编号 {application.receipt_no}。重复提交不会产生新的申报书。")
    return redirect("applications:review", application.public_id)


@login_required
def export_json(request, public_id):
    application = _visible(request, public_id)
    response = HttpResponse(interchange.dumps(services.export_data(application)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="shenbao-{application.public_id}.json"'
    return response


@login_required
@require_POST
def import_json(request):
    call = current_call()
    upload = request.FILES.get("file")
    if call is None or upload is None:
        messages.error(request, "请选择要导入的申报书JSON文件。")
        return redirect("applications:list")
    try:
        if upload.size > MAX_IMPORT_BYTES:
            raise interchange.InterchangeError(f"文件超过{MAX_IMPORT_BYTES // 1048576}MB，不是申报书。")
        data = interchange.read_text(upload.read().decode("utf-8-sig"))
        application = services.import_application(request.user, call, data, timezone.now(), request=request)
    except UnicodeDecodeError:
        messages.error(request, "导入失败：文件不是UTF-8编码的JSON。")
    except (interchange.InterchangeError, services.EditRefused) as error:
        messages.error(request, f"导入失败：{error}")
    else:
        messages.success(request, "申报书已导入为草稿，附件请重新上传。")
        return redirect("applications:review", application.public_id)
    return redirect("applications:list")


@login_required
@require_POST
def hand_over(request, public_id):
    application = _visible(request, public_id)
    chosen = request.POST.get("applicant", "")
    if not chosen.isdigit():
        raise Http404
    applicant = get_object_or_404(User, pk=int(chosen), unit=request.user.unit_id, role=User.Role.APPLICANT)
    try:
        services.hand_over(application, request.user, applicant, request=request)
    except services.EditRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{application.title or '申报书'}”已移交给{applicant.real_name}。")
    return redirect("applications:list")


def schema(request, format=interchange.FORMAT):
    """The interchange format's JSON Schema, published (and the previous version's, which is still read)."""
    return HttpResponse(
        interchange.SCHEMA_PATHS[format].read_text(encoding="utf-8"), content_type="application/schema+json"
    )
