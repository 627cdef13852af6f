"""The JSON API: the flow for units' own systems. Every endpoint calls the same domain function as
the page, with the token's user, so permissions, windows, states and rules are the same; a refusal
comes back as {"detail": "<the same Chinese sentence>"} with 400, 401, 403, 404, 405, 409 or 429
(errors.py; the middleware gives every other error under /api/ the same shape). openapi.py describes
each answer; a change here changes it there."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from shenbao.applications import interchange
from shenbao.applications import services as applications
from shenbao.applications.models import Application
from shenbao.attachments.uploads import declared_too_large
from shenbao.audit import log
from shenbao.calls.current import current_call
from shenbao.documents.tasks import queue_seal
from shenbao.documents.views import pdf_response
from shenbao.parsing import BadInput, loads_json
from shenbao.review import services as flow
from shenbao.rules.batch import context_for
from shenbao.rules.ruleset import review
from shenbao.web.clock import acted_at

from .errors import error_response
from .models import INVALID, ApiToken, digest
from .openapi import document
from .ratelimit import too_many

MAX_BODY = 2 * 1024 * 1024
# Guessing tokens: after this many refused tokens from one address in a minute, every request from it
# is refused for the rest of the minute. Issuing and revoking: this many per person per hour.
FAILED_AUTH_LIMIT = 20
FAILED_AUTH_SECONDS = 60
TOKEN_CHANGES_PER_HOUR = 10


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def endpoint(*methods):
    """Token authentication, the allowed methods, and domain refusals as JSON errors."""

    def decorate(view):
        @csrf_exempt  # no cookies: a bearer token cannot be sent by another site's page
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = error_response(f"该地址不支持{request.method}方法，只支持{'、'.join(methods)}。", 405)
                response["Allow"] = ", ".join(methods)
                return response
            address = log.client_ip(request) or "-"
            if too_many("api-auth-failure", address, limit=FAILED_AUTH_LIMIT, seconds=FAILED_AUTH_SECONDS, count=False):
                response = error_response("无效令牌的请求过多，请1分钟后再试。", 429)
                response["Retry-After"] = str(FAILED_AUTH_SECONDS)
                return response
            header = request.headers.get("Authorization", "")
            token = None
            if header.startswith("Bearer "):
                token = (
                    ApiToken.objects.select_related("user")
                    .filter(key_hash=digest(header[7:].strip()), revoked=False)
                    .first()
                )
            refusal = token.refusal() if token is not None else (401, INVALID)
            if refusal:
                too_many("api-auth-failure", address, limit=FAILED_AUTH_LIMIT, seconds=FAILED_AUTH_SECONDS)
                return error_response(refusal[1], refusal[0])
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=acted_at(request))
            request.user = token.user
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                return error_response("无权操作该对象", 403)
            except Http404:
                return error_response("对象不存在或无权查看", 404)
            except applications.SubmissionBarred as refusal:
                return error_response(str(refusal), 409, findings=[f.as_dict() for f in refusal.findings])
            except applications.EditRefused as refusal:
                return error_response(str(refusal), 409)
            except interchange.InterchangeError as refusal:
                return error_response(str(refusal), 400)

        return wrapper

    return decorate


def _body(request) -> dict:
    # The declared length first, so that an oversized import is refused before its body is read.
    if declared_too_large(request, MAX_BODY) or len(request.body) > MAX_BODY:
        raise interchange.InterchangeError(f"请求体超过{MAX_BODY // 1048576}MB，不是申报书。")
    if not request.body:
        return {}
    try:
        data = loads_json(request.body, "请求体")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise interchange.InterchangeError(f"请求体不是有效的JSON：{error}") from None
    except BadInput as error:
        raise interchange.InterchangeError(str(error)) from None
    if not isinstance(data, dict):
        raise interchange.InterchangeError("请求体应为JSON对象")
    return data


def _application(request, public_id) -> Application:
    return get_object_or_404(
        applications.visible_applications(request.user).select_related("call", "unit", "applicant"),
        public_id=public_id,
    )


def _summary(application: Application) -> dict:
    return {
        "id": str(application.public_id),
        "title": application.title,
        "category": application.category,
        "state": application.state,
        "state_label": application.get_state_display(),
        "receipt_no": application.receipt_no,
        "version": application.version,
        "sealed": bool(application.sealed_pdf),
    }


@endpoint("GET", "POST")
def applications_collection(request):
    if request.method == "GET":
        rows = applications.visible_applications(request.user).order_by("-updated_at")[:500]
        return _json([_summary(a) for a in rows])
    call = current_call()
    if call is None:
        raise Http404
    data = interchange.validate(_body(request))
    application = applications.import_application(request.user, call, data, acted_at(request), request=request)
    response = _json(_summary(application), 201)
    response["Location"] = reverse("api:application", args=[application.public_id])
    return response


@endpoint("GET")
def application_detail(request, public_id):
    application = _application(request, public_id)
    return _json({**_summary(application), "document": applications.export_data(application)})


@endpoint("GET")
def application_findings(request, public_id):
    application = _application(request, public_id)
    return _json([f.as_dict() for f in review(*context_for(application, viewer=request.user))])


@endpoint("POST")
def review_document(request):
    """The formal review of a posted document, stored nowhere: what `manage.py review FILE.json` does.
    Its listed attachments are checked like uploads (declared size, PDF only, 二(一)3)."""
    from shenbao.rules.documents import review_document as review_posted

    findings = review_posted(interchange.validate(_body(request)), "document")
    return _json([f.as_dict() for f in findings])


def _reason(request) -> str:
    reason = _body(request).get("reason", "")
    if not isinstance(reason, str):
        raise interchange.InterchangeError("“reason”应为文字（字符串）。")
    return reason


def _transition(name):
    """POST /applications/{id}/<name>: the transition of that name; `return` and `not-recommend` read
    `reason` from the body, the others take no body."""

    def view(request, public_id):
        application = _application(request, public_id)
        reason = _reason(request) if name in TRANSITIONS_WITH_REASON else ""
        now, user = acted_at(request), request.user
        actions = {
            "submit": lambda: applications.submit_application(application, user, now, request=request),
            "withdraw": lambda: flow.withdraw(application, user, now, request=request),
            "approve": lambda: flow.approve(application, user, now, request=request),
            "submit-to-recommender": lambda: flow.submit_to_recommender(application, user, now, request=request),
            "recommend": lambda: flow.recommend(application, user, now, request=request),
            "not-recommend": lambda: flow.not_recommend(application, user, reason, now, request=request),
            "return": lambda: (
                flow.return_to_applicant(application, user, reason, now, request=request)
                if user.is_unit_admin
                else flow.return_to_unit(application, user, reason, now, request=request)
            ),
        }
        return _json(_summary(actions[name]()))

    view.__name__ = f"transition_{name.replace('-', '_')}"
    return endpoint("POST")(view)


TRANSITIONS = ["submit", "withdraw", "approve", "submit-to-recommender", "recommend", "not-recommend", "return"]
TRANSITIONS_WITH_REASON = {"not-recommend", "return"}
transition_views = {name: _transition(name) for name in TRANSITIONS}


@endpoint("POST")
def seal(request, public_id):
    """Sealing runs in the background, judged at this request's time; poll the application until
    `sealed` is true. `{"submit": true}` is 签章并报送: sealed, then sent to the recommender."""
    application = _application(request, public_id)
    submit = _body(request).get("submit", False)
    if not isinstance(submit, bool):
        raise interchange.InterchangeError("“submit”应为true或false。")
    job = queue_seal(application, request.user, acted_at(request), submit=submit, request=request)
    summary = _summary(Application.objects.get(pk=application.pk))
    return _json({**summary, "queued": job is not None, "job": job and {"state": job.state, "error": job.error}}, 202)


@endpoint("GET")
def application_pdf(request, public_id):
    return pdf_response(_application(request, public_id), request.user)


@endpoint("POST")
def confirm_list(request):
    from shenbao.documents.sealing import ListAlreadyConfirmed
    from shenbao.documents.sealing import confirm_list as confirm

    call = current_call()
    if call is None:
        raise Http404
    try:
        entry = confirm(flow.acting_recommender(request.user), call, request.user, acted_at(request), request=request)
    except ListAlreadyConfirmed as already:
        return error_response(str(already), 409, list=_list_summary(already.entry))
    return _json(_list_summary(entry), 201)


def _list_summary(entry) -> dict:
    return {"id": entry.pk, "state": entry.state, "confirmed_at": entry.confirmed_at.isoformat()}


LIST_FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@endpoint("GET")
def list_file(request, pk, kind):
    """The confirmed list's sealed PDF (`kind` pdf) or its Excel (xlsx): two paths in the document,
    each with its media type."""
    if kind not in LIST_FILE_TYPES:
        raise Http404
    entry = get_object_or_404(flow.visible_lists(request.user), pk=pk)
    field = {"pdf": entry.pdf, "xlsx": entry.xlsx}[kind]
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=field.name.rsplit("/", 1)[-1],
        content_type=LIST_FILE_TYPES[kind],
    )


@require_GET
def openapi(request):
    return JsonResponse(document(request.build_absolute_uri("/api/v1")), json_dumps_params={"ensure_ascii": False})


@login_required
def tokens(request):
    """A person's API tokens: issue one (its key is shown this once), see when each was last used."""
    key, status = None, 200
    if request.method == "POST":
        if too_many("api-token-change", str(request.user.pk), limit=TOKEN_CHANGES_PER_HOUR, seconds=3600):
            messages.error(request, f"每小时最多申请或吊销{TOKEN_CHANGES_PER_HOUR}次令牌，请稍后再试。")
            status = 429
        else:
            name = (request.POST.get("name") or "").strip()[:100] or "科研管理系统"
            with transaction.atomic():
                token, key = ApiToken.issue(request.user, name)
                log.record("api_token.issued", actor=request.user, obj=token, after={"name": name}, request=request)
    tokens = [(t, t.refusal()) for t in request.user.api_tokens.filter(revoked=False).select_related("user")]
    return render(request, "api/tokens.html", {"tokens": tokens, "key": key}, status=status)


@login_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if too_many("api-token-change", str(request.user.pk), limit=TOKEN_CHANGES_PER_HOUR, seconds=3600):
        messages.error(request, f"每小时最多申请或吊销{TOKEN_CHANGES_PER_HOUR}次令牌，请稍后再试。")
        return redirect("api:tokens")
    with transaction.atomic():
        token.revoked = True
        token.save(update_fields=["revoked"])
        log.record("api_token.revoked", actor=request.user, obj=token, before={"name": token.name}, request=request)
    return redirect("api:tokens")
