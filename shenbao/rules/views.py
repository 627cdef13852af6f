"""The department's registry imports: template, upload → row-by-row check and preview → confirm,
and undo a batch. Thin: department staff only, then the functions of registry_import.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import registry_import
from .models import RegistryImport

PREVIEW_ROWS = 50


def _department(request):
    if not request.user.is_department_staff:
        raise PermissionDenied


def _kind(kind: str) -> str:
    if kind not in RegistryImport.Kind.values:
        raise Http404
    return kind


@login_required
def registries(request):
    _department(request)
    return render(
        request,
        "rules/registries.html",
        {"kinds": RegistryImport.Kind.choices, "imports": RegistryImport.objects.select_related("uploaded_by")[:50]},
    )


@login_required
def template(request, kind):
    _department(request)
    kind = _kind(kind)
    response = HttpResponse(
        registry_import.template(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="registry-{kind}-template.xlsx"'
    return response


@login_required
@require_POST
def upload(request, kind):
    """Check every row and show what would change; nothing is written to the registry yet."""
    _department(request)
    kind = _kind(kind)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要导入的Excel（.xlsx）或CSV文件。"))
        return redirect("rules:registries")
    if upload.size > registry_import.MAX_BYTES:
        messages.error(request, _("文件超过%(max_bytes)sMB。") % {"max_bytes": registry_import.MAX_BYTES // 1048576})
        return redirect("rules:registries")
    try:
        entry, checked = registry_import.preview(
            request.user, kind, upload.name, upload.read(), registry_import.regional_plan_prefixes(), request=request
        )
    except registry_import.ImportRefused as error:
        messages.error(request, _("导入失败：%(error)s") % {"error": error})
        return redirect("rules:registries")
    columns = registry_import.columns(kind)
    rows = [[row.get(c.field, "") for c in columns] for row in checked.rows[:PREVIEW_ROWS]]
    return render(
        request,
        "rules/registry_preview.html",
        {
            "kind_label": RegistryImport.Kind(kind).label,
            "file_name": upload.name,
            "entry": entry,
            "errors": checked.errors,
            "headers": [_(c.header) for c in columns],
            "rows": rows,
            "more": max(0, len(checked.rows) - PREVIEW_ROWS),
        },
        status=200 if entry is not None else 400,
    )


@login_required
@require_POST
def apply(request, pk):
    _department(request)
    entry = get_object_or_404(RegistryImport, pk=pk)
    try:
        registry_import.apply(entry, request.user, request=request)
    except registry_import.ImportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("已导入%(kind)s“%(file_name)s”，可整批撤销。")
            % {"kind": entry.get_kind_display(), "file_name": entry.file_name},
        )
    return redirect("rules:registries")


@login_required
@require_POST
def rollback(request, pk):
    _department(request)
    entry = get_object_or_404(RegistryImport, pk=pk)
    try:
        registry_import.rollback(entry, request.user, request=request)
    except registry_import.ImportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已撤销导入批次“%(file_name)s”。") % {"file_name": entry.file_name})
    return redirect("rules:registries")
