"""The 申报书 pages: my applications, each section (autosaving), the formal review, import/export,
hand-over. Thin: look the object up through what the user may see, call a service, render."""

import hashlib
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from shenbao.accounts.models import User
from shenbao.attachments.rows import attachment_rows
from shenbao.attachments.uploads import LimitedUploadHandler, declared_too_large
from shenbao.calls import windows
from shenbao.calls.current import current_call
from shenbao.parsing import BadInput, parse_int, parse_optional_int
from shenbao.review.steps import return_step
from shenbao.rules.batch import audience_of
from shenbao.rules.checks.project import near_duplicates
from shenbao.rules.context import ReviewContext
from shenbao.rules.findings import Severity
from shenbao.rules.required_attachments import missing_attachments, required_attachments, why_missing
from shenbao.rules.snapshot import Snapshot
from shenbao.web.clock import acted_at

from . import autosave, budget_form, interchange, live_review, services, similarity
from . import findings as stored_findings
from .history import history
from .models import Application
from .sections import (
    SECTION_BY_SLUG,
    SECTIONS,
    choices_for,
    display,
    fields_of,
    get,
    max_length_of,
    posted_row_indices,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
logger = logging.getLogger(__name__)


def _visible(request, public_id) -> Application:
    return get_object_or_404(
        services.visible_applications(request.user).select_related("call", "unit", "applicant"), public_id=public_id
    )


def _findings(application: Application):
    """For the section pages: the document as it is, with its cached context (see live_review.py)."""
    return live_review.findings(application)


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
            and windows.is_open(call, "filing", acted_at(request), unit=request.user.unit_id),
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
        application = services.start_application(request.user, call, acted_at(request), request=request)
    except services.EditRefused as error:
        messages.error(request, str(error))
        return redirect("applications:list")
    return redirect("applications:section", application.public_id, SECTIONS[0].slug)


def _rows(table, data, posted=None, typed=None):
    """The rows a table shows: the posted ones after a refused save, else the document's with what was
    typed but not understood put back in its cell."""
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
    shown = [{c.path: display(c, get(row, c.path)) for c in table.columns} for row in rows]
    for path, entry in (typed or {}).items():
        index, _dot, column = path.removeprefix(f"{table.path}.").partition(".")
        if path.startswith(f"{table.path}.") and index.isdigit() and int(index) < len(shown):
            shown[int(index)][column] = entry["value"]
    return shown


def _section_context(application, section, findings, user, *, posted=None, errors=None):
    spec, data = application.call.spec, application.data
    typed = services.typed_but_invalid(application, section) if posted is None else {}
    errors = {**{path: entry["message"] for path, entry in typed.items()}, **(errors or {})}
    fields = []
    for item in fields_of(section, spec):
        if posted is not None and item.path in posted:
            value = posted.getlist(item.path) if item.kind == "checkboxes" else posted.get(item.path)
        elif item.path in typed:
            value = typed[item.path]["value"]
        else:
            raw = get(data, item.path)
            value = raw if item.kind == "checkboxes" else display(item, raw)
        limit, limit_source = max_length_of(item, spec) or (None, "")
        fields.append(
            {
                "field": item,
                "value": value or ([] if item.kind == "checkboxes" else ""),
                "choices": choices_for(item, spec, data),
                "error": errors.get(item.path, ""),
                "max_length": limit,
                "limit_source": limit_source,
                "length": len(value.strip()) if limit and isinstance(value, str) else 0,
            }
        )
    grid = None
    if section.slug == "budget":  # the amounts as a budget is read: categories × sources, with 合计
        grid, fields = budget_form.budget_grid(spec, fields), []
    tables = []
    for t in section.tables:
        rows = _rows(t, data, posted, typed)
        tables.append(
            {
                "table": t,
                "rows": rows,
                "columns": [{"field": c, "choices": choices_for(c, spec, data)} for c in t.columns],
                "totals": budget_form.table_totals(t, rows),
            }
        )
    refusal = services.edit_refusal(application, user, timezone.now())
    panel_context = _panel_context(application, section, findings)
    return {
        "application": application,
        "section": section,
        "section_version": application.section_version(section.slug),
        "sections": SECTIONS,
        "fields": fields,
        "budget_grid": grid,
        "tables": tables,
        "errors": errors,
        "editable": not refusal,
        "locked": bool(refusal),
        "readonly_reason": refusal,
        "window": windows.window_for(application.call, "filing", timezone.now(), unit=application.unit_id),
        **panel_context,
        "panels_digest": panels_digest(panel_context),
    }


def _panel_context(application, section, findings):
    per_section, overall = services.completeness(application)
    return {
        "application": application,
        "section": section,
        "sections": SECTIONS,
        "findings": _section_findings(findings, section),
        "bars": sum(1 for f in findings if f.severity == Severity.BAR),
        "progress": per_section,
        "overall": overall,
    }


def panels_digest(context) -> str:
    """What the two live panels show, in a few bytes. The page sends back the digest of the panels it
    shows (header X-Panels), and a refresh that changes none of it answers without drawing them again:
    most keystrokes change no finding and no count."""
    shown = (
        get_language(),
        context["section"].slug,
        [tuple(finding) for finding in context["findings"]],
        context["bars"],
        [(slug, p.filled, p.total) for slug, p in context["progress"].items()],
        (context["overall"].filled, context["overall"].total),
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=12).hexdigest()


def _section_panels(application, section, shown: str = ""):
    context = _panel_context(application, section, live_review.findings(application))
    digest = panels_digest(context)
    if digest == shown:
        return {"panels": digest}
    return {
        "panels": digest,
        "findings_html": render_to_string("applications/_findings.html", context),
        "progress_html": render_to_string("applications/_progress.html", context),
    }


def _saved(request, application, section, section_version, errors):
    """The save's answer, with the live panels when the page asks for them (header X-Panels: it does at
    most every few seconds, application.js). The save has committed: the answer says so even when the
    panels cannot be drawn now (the database away for a moment)."""
    answer = {"ok": True, "version": section_version, "errors": errors}
    if "X-Panels" in request.headers:
        try:
            answer.update(_section_panels(application, section, request.headers["X-Panels"]))
        except DatabaseError:
            logger.warning("live findings of application %s not drawn after a save", application.pk, exc_info=True)
    return JsonResponse(answer)


def _section_or_404(slug: str):
    section = SECTION_BY_SLUG.get(slug)
    if section is None:
        raise Http404
    return section


@login_required
@never_cache
@require_GET
def section_panels(request, public_id, slug):
    """The live panels of a section page (findings, completeness), fetched by the page once the person
    pauses after a save that did not bring them (application.js). The applicant's own view (APPLICANT
    audience)."""
    section = _section_or_404(slug)
    # Read lean, as often as people pause: the columns the panels use, the call from the process's copy.
    application = get_object_or_404(
        Application.objects.only("id", "public_id", "call_id", "unit_id", "applicant_id", "state", "data"),
        public_id=public_id,
        applicant=request.user,
    )
    application.call = autosave.cached_call(application.call_id)
    return JsonResponse(_section_panels(application, section, request.headers.get("X-Panels", "")))


def _posted_version(posted) -> int:
    return parse_optional_int(posted.get("version"), _("版本号"), minimum=0) or 0


def _posted(request) -> MultiValueDict:
    """The section form as posted. The page's autosave sends its fields as a JSON list of [name, value]
    pairs: a form's Chinese text URL-encoded is nine characters a character, and decoding it cost an
    autosave more CPU than its UPDATE. A form sent without JavaScript arrives as a form does."""
    if request.content_type != "application/json":
        return request.POST
    try:
        pairs = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        pairs = None
    if not _name_value_pairs(pairs):
        raise BadInput(_("自动保存的内容无法读取：应为表单各项的名称和内容。"))
    # Grouped here, not appended one by one: QueryDict decodes and checks every value it is given.
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return MultiValueDict(grouped)


def _name_value_pairs(pairs) -> bool:
    """A list of [name, value] strings, no longer than a form may be (DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    return (
        isinstance(pairs, list)
        and len(pairs) <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        and all(isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair) for pair in pairs)
    )


@login_required
def section_page(request, public_id, slug):
    section = _section_or_404(slug)
    wants_json = request.method == "POST" and request.headers.get("X-Autosave") == "1"
    posted = _posted(request) if request.method == "POST" else None
    if wants_json:
        # The lean path first: one UPDATE that checks and writes (autosave.py); it answers only success.
        lean = autosave.save_lean(public_id, request.user, section, posted, _posted_version(posted), acted_at(request))
        if lean is not None:
            return _saved(request, lean.application, section, lean.section_version, lean.errors)
    application = _visible(request, public_id)
    if request.method != "POST":
        context = _section_context(application, section, _findings(application), request.user)
        return render(request, "applications/section.html", context)
    if application.applicant_id != request.user.pk:
        raise PermissionDenied
    try:
        result = services.save_section(
            application, request.user, section, posted, _posted_version(posted), acted_at(request)
        )
    except services.SectionConflict as conflict:
        if wants_json:
            return JsonResponse(
                {
                    "ok": False,
                    "conflict": True,
                    "message": str(conflict),
                    "version": conflict.version,
                    "differences": conflict.differences,
                },
                status=409,
            )
        application.refresh_from_db()
        context = _section_context(application, section, _findings(application), request.user, posted=posted)
        context.update(refused=str(conflict), conflict=conflict, section_version=conflict.version)
        return render(request, "applications/section.html", context, status=409)
    except services.EditRefused as error:
        if wants_json:
            return JsonResponse({"ok": False, "message": str(error)}, status=409)
        context = _section_context(application, section, _findings(application), request.user, posted=posted)
        context["refused"] = str(error)
        return render(request, "applications/section.html", context, status=409)
    if wants_json:
        return _saved(request, result.application, section, result.section_version, result.errors)
    if result.errors:
        messages.warning(
            request,
            _("“%(title)s”已保存；%(count)s处内容无法识别，已保留在原处，请改正。")
            % {"title": section.title, "count": len(result.errors)},
        )
    else:
        messages.success(request, _("“%(title)s”已保存。") % {"title": section.title})
    return redirect("applications:section", application.public_id, slug)


@login_required
def formal_review(request, public_id):
    """Every finding of the application, by section, with the attachments required and missing."""
    application, now = _visible(request, public_id), acted_at(request)
    findings = stored_findings.for_reader(application)
    files = attachment_rows([application.pk]).get(application.pk, [])
    snapshot = Snapshot(application.data, str(application.public_id)).with_attachments(files)
    if not request.user.is_applicant:  # near-duplicates are for the staff who judge them: from the index
        similar = {snapshot.key: similarity.similar_to(application)}
        context = ReviewContext(
            application.call.spec,
            similar=similar,
            units={snapshot.key: str(application.unit_id)},
            audience=audience_of(request.user),
        )
        findings += near_duplicates(snapshot, context)
    missing = missing_attachments(snapshot, application.call.spec)
    by_section = [(s, _section_findings(findings, s)) for s in SECTIONS]
    other = [f for f in findings if not any(f in fs for _, fs in by_section)]
    unreadable = services.unreadable_inputs(application)
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
            "unreadable": len(unreadable),
            "unreadable_by_section": {s.slug: [u for u in unreadable if u.section == s] for s in SECTIONS},
            "warnings": sum(1 for f in findings if f.severity == Severity.WARNING),
            "required": required_attachments(snapshot, application.call.spec),
            "missing": missing,
            # why a requirement is missing though a file of its kind is there (no partner, another year)
            "missing_reasons": {r.label: why_missing(r, snapshot, application.call.spec) for r in missing},
            "sections": SECTIONS,
            "progress": per_section,
            "overall": overall,
            "editable_states": Application.State.editable_by_applicant(),
            "history": history(application) if not request.user.is_applicant else (),
            # Buttons only when they would work now: submitting (why not, once the window closed), the
            # applicant's withdrawal while the unit has not acted, a return (state, window, list).
            "edit_refusal": services.edit_refusal(application, request.user, now),
            "can_withdraw": application.applicant_id == request.user.pk
            and application.state == Application.State.SUBMITTED
            and windows.is_open(
                application.call, "filing", now, unit=application.unit_id, recommender=application.unit.recommender_id
            ),
            "return_step": return_step(application, request.user, now),
        },
    )


@login_required
@require_POST
def submit(request, public_id):
    """Submit to the unit; bars come back on the review page, each with its field and clause."""
    application = _visible(request, public_id)
    try:
        application = services.submit_application(application, request.user, acted_at(request), request=request)
    except services.EditRefused as error:
        messages.error(request, str(error))
        return redirect("applications:review", application.public_id)
    messages.success(
        request,
        _("已提交单位审核，受理编号 %(receipt_no)s。重复提交不会产生新的申报书。")
        % {"receipt_no": application.receipt_no},
    )
    return redirect("applications:review", application.public_id)


@login_required
def export_json(request, public_id):
    application = _visible(request, public_id)
    response = HttpResponse(interchange.dumps(services.export_data(application)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="shenbao-{application.public_id}.json"'
    return response


@csrf_exempt  # the size limit must be in place before the CSRF check reads the body
@login_required
@require_POST
def import_json(request):
    too_large = _("导入失败：文件超过%(max_import_bytes)sMB，不是申报书。") % {
        "max_import_bytes": MAX_IMPORT_BYTES // 1048576
    }
    if declared_too_large(request, MAX_IMPORT_BYTES):  # refused unread: no change, so no CSRF token needed
        messages.error(request, too_large)
        return redirect("applications:list")
    limit = LimitedUploadHandler(MAX_IMPORT_BYTES, request)
    request.upload_handlers.insert(0, limit)
    return _import_checked(request, limit, too_large)


@csrf_protect
def _import_checked(request, limit, too_large):
    call = current_call()
    upload = request.FILES.get("file")
    if limit.too_large:
        messages.error(request, too_large)
        return redirect("applications:list")
    if call is None or upload is None:
        messages.error(request, _("请选择要导入的申报书JSON文件。"))
        return redirect("applications:list")
    try:
        if upload.size > MAX_IMPORT_BYTES:
            raise interchange.InterchangeError(
                _("文件超过%(max_import_bytes)sMB，不是申报书。") % {"max_import_bytes": MAX_IMPORT_BYTES // 1048576}
            )
        data = interchange.read_text(upload.read().decode("utf-8-sig"))
        application = services.import_application(request.user, call, data, acted_at(request), request=request)
    except UnicodeDecodeError:
        messages.error(request, _("导入失败：文件不是UTF-8编码的JSON。"))
    except (interchange.InterchangeError, services.EditRefused) as error:
        messages.error(request, _("导入失败：%(error)s") % {"error": error})
    else:
        messages.success(request, _("申报书已导入为草稿，附件请重新上传。"))
        return redirect("applications:review", application.public_id)
    return redirect("applications:list")


@login_required
@require_POST
def hand_over(request, public_id):
    application = _visible(request, public_id)
    chosen = parse_int(request.POST.get("applicant", ""), _("移交给的申报人"))
    applicant = get_object_or_404(User, pk=chosen, unit=request.user.unit_id, role=User.Role.APPLICANT)
    try:
        services.hand_over(application, request.user, applicant, request=request)
    except services.EditRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(title)s”已移交给%(real_name)s。")
            % {"title": application.title or _("申报书"), "real_name": applicant.real_name},
        )
    return redirect("applications:list")


def schema(request, format=interchange.FORMAT):
    """The interchange format's JSON Schema, published (and the previous version's, which is still read)."""
    return HttpResponse(
        interchange.SCHEMA_PATHS[format].read_text(encoding="utf-8"), content_type="application/schema+json"
    )
