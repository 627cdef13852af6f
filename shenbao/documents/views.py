from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from shenbao.applications.services import visible_applications

from .drafts import DraftRefused, draft_pdf


@login_required
def application_pdf(request, public_id):
    """The sealed 申报书 once there is one; before that, a preview marked 草稿."""
    application = get_object_or_404(
        visible_applications(request.user).select_related("call", "unit"), public_id=public_id
    )
    if request.GET.get("sealed") and not application.sealed_pdf:
        raise Http404(_("尚未签章"))
    return pdf_response(application, request.user)


def pdf_response(application, user=None) -> HttpResponse:
    """The sealed file when there is one, else the draft (cached by version, rate-limited per user);
    for the pages and the API."""
    if application.sealed_pdf:
        return FileResponse(
            application.sealed_pdf.open("rb"),
            filename=f"{application.receipt_no}-sealed.pdf",
            content_type="application/pdf",
        )
    try:
        pdf = draft_pdf(application, user)
    except DraftRefused as refused:
        response = HttpResponse(str(refused), status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(refused.retry_after)
        return response
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draft-{application.public_id}.pdf"'
    return response
