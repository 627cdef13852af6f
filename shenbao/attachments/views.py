"""The attachments page of an application: what the guide requires of it, what is there, uploads."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from shenbao.applications.models import Application
from shenbao.applications.sections import SECTIONS
from shenbao.applications.services import (
    EditRefused,
    completeness,
    edit_refusal,
    is_editable,
    visible_applications,
)
from shenbao.language import cite
from shenbao.parsing import parse_optional_int
from shenbao.rules.batch import context_for
from shenbao.rules.findings import Severity
from shenbao.rules.required_attachments import (
    KINDS,
    NEEDS_PARTNER,
    NEEDS_YEAR,
    missing_attachments,
    partner_clause,
    partner_names,
    required_attachments,
    why_missing,
    year_clause,
)
from shenbao.rules.ruleset import review
from shenbao.storage import StorageUnavailable
from shenbao.web.clock import acted_at

from .models import Attachment
from .services import add_attachment, check_room_for_another, remove_attachment
from .uploads import LimitedUploadHandler, UploadRefused, declared_too_large


def _application(request, public_id) -> Application:
    return get_object_or_404(visible_applications(request.user).select_related("call"), public_id=public_id)


def _choices(source, *, kind_only: bool) -> dict:
    """What the upload form had chosen, to choose it again: after a refused upload, the posted
    choices; after an upload, its kind (?kind=), as the next file is often another of the same kind."""
    kind = source.get("kind", "")
    return {
        "kind": kind if kind in KINDS else "",
        "partner": "" if kind_only else source.get("partner", ""),
        "year": "" if kind_only else source.get("year", ""),
    }


def _page(request, application, status=200, error="", chosen: dict | None = None):
    """The page; `chosen` is what the upload form had chosen (a refused upload's POST, read only once
    the upload handlers have read the body), else the kind of the last upload from the query string."""
    snapshot, context = context_for(application)
    spec = application.call.spec
    findings = review(snapshot, context)
    per_section, overall = completeness(application)
    required = required_attachments(snapshot, spec)
    missing = missing_attachments(snapshot, spec)
    return render(
        request,
        "attachments/list.html",
        {
            "application": application,
            "attachments": application.attachments.all(),
            "required": [
                (r, r not in missing, why_missing(r, snapshot, spec) if r in missing else "") for r in required
            ],
            "kinds": [(code, label, _needs(code)) for code, label in KINDS.items()],
            "kinds_map": KINDS,
            "chosen": chosen if chosen is not None else _choices(request.GET, kind_only=True),
            "partners": partner_names(snapshot),
            "partner_clause": cite(partner_clause(spec)),
            "year_clause": cite(year_clause(spec)),
            "years": spec.unit["financial_statement_years"],
            "max_mb": spec.attachments["max_bytes"] // 1048576,
            "clause": cite(spec.attachments["clause"]),
            "error": error,
            "editable": is_editable(application, request.user, acted_at(request)),
            "readonly_reason": edit_refusal(application, request.user, acted_at(request)),
            "section": {"slug": "attachments"},
            "sections": SECTIONS,
            "progress": per_section,
            "overall": overall,
            "bars": sum(1 for f in findings if f.severity == Severity.BAR),
        },
        status=status,
    )


def _needs(kind: str) -> str:
    return "partner" if kind in NEEDS_PARTNER else "year" if kind in NEEDS_YEAR else ""


@login_required
def attachment_list(request, public_id):
    return _page(request, _application(request, public_id))


@csrf_exempt  # the upload handlers must be in place before the CSRF check reads the body
@login_required
@require_POST
def upload(request, public_id):
    application = _application(request, public_id)
    if application.applicant_id != request.user.pk:
        raise PermissionDenied
    rules = application.call.spec.attachments
    if declared_too_large(request, rules["max_bytes"]):  # refused unread: no change, so no CSRF token needed
        return _page(
            request,
            application,
            413,
            _("文件超过%(max_bytes)sMB，未上传（%(clause)s）。")
            % {"max_bytes": rules["max_bytes"] // 1048576, "clause": cite(rules["clause"])},
        )
    try:
        check_room_for_another(application)  # also refused unread; checked again under the lock
    except UploadRefused as error:
        return _page(request, application, 400, str(error))
    limit = LimitedUploadHandler(rules["max_bytes"], request)
    request.upload_handlers.insert(0, limit)
    return _checked_upload(request, application, limit)


@csrf_protect
def _checked_upload(request, application, limit):
    spec = application.call.spec
    chosen = _choices(request.POST, kind_only=False)  # the body is read: the form's fields are there
    max_mb = spec.attachments["max_bytes"] // 1048576
    uploaded = request.FILES.get("file")
    if limit.too_large:
        return _page(
            request,
            application,
            413,
            _("文件超过%(max_mb)sMB，上传已中止（%(clause)s）。")
            % {"max_mb": max_mb, "clause": cite(spec.attachments["clause"])},
            chosen,
        )
    if uploaded is None:
        return _page(request, application, 400, _("请选择要上传的PDF文件。"), chosen)
    year = request.POST.get("year")
    try:
        attachment = add_attachment(
            application,
            request.user,
            uploaded,
            kind=request.POST.get("kind", ""),
            partner=request.POST.get("partner", ""),
            year=parse_optional_int(year, _("年度"), minimum=1900, maximum=2100),
            now=acted_at(request),
            request=request,
        )
    except (UploadRefused, EditRefused) as error:
        return _page(request, application, 400, str(error), chosen)
    except StorageUnavailable as error:
        return _page(request, application, 503, str(error), chosen)
    messages.success(
        request,
        _("已上传“%(original_name)s”（%(pages)s页）。")
        % {"original_name": attachment.original_name, "pages": attachment.pages},
    )
    # The kind stays chosen for the next file.
    return redirect(f"{reverse('attachments:list', args=[application.public_id])}?kind={quote(attachment.kind)}")


@login_required
@require_POST
def delete(request, public_id, attachment_id):
    application = _application(request, public_id)
    attachment = get_object_or_404(Attachment, application=application, public_id=attachment_id)
    if application.applicant_id != request.user.pk:
        raise PermissionDenied
    try:
        remove_attachment(attachment, request.user, acted_at(request), request=request)
    except EditRefused as error:
        return _page(request, application, 400, str(error))
    messages.success(request, _("已删除“%(original_name)s”。") % {"original_name": attachment.original_name})
    return redirect("attachments:list", application.public_id)


@login_required
def download(request, public_id, attachment_id):
    application = _application(request, public_id)
    attachment = get_object_or_404(Attachment, application=application, public_id=attachment_id)
    # Always a download, never shown inline: whatever the file holds, the browser does not run it here.
    return FileResponse(
        attachment.file.open("rb"),
        filename=attachment.original_name,
        content_type="application/pdf",
        as_attachment=True,
    )
