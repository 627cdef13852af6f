"""The unit admin's queue, the recommender's queue and list, the department's overview. Thin: each
action calls a transition of `services` and reports what it refused, with the reason."""

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.fields.json import KT
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from shenbao.applications import findings as stored_findings
from shenbao.applications import search
from shenbao.applications.models import Application
from shenbao.applications.services import EditRefused, applications_at_recommender, visible_applications
from shenbao.attachments.uploads import LimitedUploadHandler, UploadRefused, check_pdf, declared_too_large
from shenbao.audit import log
from shenbao.calls import windows
from shenbao.calls.current import current_call
from shenbao.calls.models import WindowExtension
from shenbao.documents.sealing import ListAlreadyConfirmed, confirm_list
from shenbao.documents.tasks import queue_seal
from shenbao.jobs import queue
from shenbao.jobs.models import Job
from shenbao.language import cite
from shenbao.organisations.models import Recommender, Unit
from shenbao.storage import StorageUnavailable
from shenbao.web.clock import acted_at

from . import services, statistics, steps
from .exports import overview_xlsx
from .extensions import grant_extension
from .models import Notification, RecommendationList

State = Application.State
UNIT_QUEUE_STATES = [s for s in State.values if s != State.DRAFT]


def _call():
    call = current_call()
    if call is None:
        raise Http404(_("尚未发布申报批次"))
    return call


# A queue shows this many applications a page unless the person chooses a longer page.
QUEUE_PAGE_SIZE = 50
QUEUE_PAGE_SIZES = (50, 100, 300)
# What any list of applications shows: never the documents themselves.
ROW_COLUMNS = ("public_id", "title", "receipt_no", "category", "state", "sealed_pdf", "submitted_at", "unit__name")
# A queue row also needs what its findings and its next step are judged on.
QUEUE_COLUMNS = (*ROW_COLUMNS, "version", "findings_version", "bars", "warnings", "applicant__real_name")


@dataclass(frozen=True)
class QueueFilter:
    """What a queue is narrowed to: a state, a category, a recommender, a priority tag, and words
    found in the title, PI, lead unit, keywords or receipt number (applications/search.py) or names."""

    state: str = ""
    category: str = ""
    text: str = ""
    per_page: int = 0
    recommender: int = 0
    tag: str = ""

    @classmethod
    def from_request(cls, request, call) -> "QueueFilter":
        state = request.GET.get("state", "")
        category = request.GET.get("category", "")
        recommender = request.GET.get("recommender", "")
        tag = request.GET.get("tag", "")
        return cls(
            state=state if state in State.values else "",
            category=category if category in call.spec.category_codes else "",
            text=request.GET.get("q", "").strip()[:100],
            per_page=int(per_page) if (per_page := request.GET.get("per_page", "")).isdigit() else 0,
            recommender=int(recommender) if recommender.isdigit() and len(recommender) < 10 else 0,
            tag=tag if tag in _priority_tags(call) else "",
        )

    def apply(self, applications, *names: str):
        if self.state:
            applications = applications.filter(state=self.state)
        if self.category:
            applications = applications.filter(category=self.category)
        if self.recommender:
            applications = applications.filter(unit__recommender_id=self.recommender)
        if self.tag:
            applications = search.with_priority_tag(applications, self.tag)
        if self.text:
            words = search.matches(search.terms(self.text)) if search.terms(self.text) else Q()
            for name in names:
                words |= Q(**{f"{name}__icontains": self.text})
            applications = applications.filter(words)
        return applications

    def query(self) -> str:
        """The filter as URL parameters, for the page links."""
        chosen = (
            ("state", self.state),
            ("category", self.category),
            ("recommender", self.recommender),
            ("tag", self.tag),
            ("q", self.text),
            ("per_page", self.per_page),
        )
        return urlencode({k: v for k, v in chosen if v})


def _priority_tags(call) -> list[str]:
    return list(dict.fromkeys(t for c in call.spec.categories for t in c.priority_tags))


def _with_links(applications: list[Application]) -> list[Application]:
    """Each row's links and state label, worked out once for the page: a queue shows hundreds of
    rows, and resolving two URLs per row in the template was most of its cost."""
    marker = "00000000-0000-0000-0000-000000000000"
    review_url = reverse("applications:review", args=[marker])
    pdf_url = reverse("documents:application_pdf", args=[marker])
    labels = dict(State.choices)
    for application in applications:
        public_id = str(application.public_id)
        application.review_url = review_url.replace(marker, public_id)
        application.pdf_url = pdf_url.replace(marker, public_id)
        application.state_label = labels.get(application.state, application.state)
    return applications


def _page(request, applications, call, columns, *names: str) -> tuple:
    """The request's filter and one page of the applications it leaves."""
    chosen = QueueFilter.from_request(request, call)
    narrowed = chosen.apply(applications, *names).only(*columns)
    per_page = chosen.per_page if chosen.per_page in QUEUE_PAGE_SIZES else QUEUE_PAGE_SIZE
    return chosen, Paginator(narrowed, per_page).get_page(request.GET.get("page"))


def _filter_choices(call) -> dict:
    return {
        "states": [(value, label) for value, label in State.choices if value != State.DRAFT],
        "categories": call.spec.categories,
        "page_sizes": QUEUE_PAGE_SIZES,
    }


def _queue(request, applications, call, *names: str) -> dict:
    """One page of a queue, narrowed by the request's filter, with each row's stored findings: the
    documents themselves are not read (only stale findings are recomputed, see applications/findings)."""
    chosen, page = _page(request, applications, call, QUEUE_COLUMNS, *names)
    rows = _with_links(stored_findings.current(list(page.object_list)))
    return {
        "rows": [(a, a.bars, a.warnings) for a in rows],
        "page_obj": page,
        "filter": chosen,
        **_filter_choices(call),
    }


def _chosen(request) -> list[uuid.UUID]:
    """The ticked applications' ids; anything that is not an id is ignored."""
    chosen = []
    for value in request.POST.getlist("application"):
        try:
            chosen.append(uuid.UUID(value))
        except ValueError:
            continue
    return chosen


def _run(request, action, applications, done: str):
    """Run one transition over the chosen applications; report how many went and why others did not."""
    if not applications:
        messages.error(request, _("请先勾选要处理的申报书。"))
        return
    ok, refused = 0, []
    for application in applications:
        try:
            action(application)
            ok += 1
        except (EditRefused, PermissionDenied, StorageUnavailable) as error:
            refused.append(_("“%(title)s”：%(error)s") % {"title": application.title, "error": error or _("无权操作")})
    if ok:
        messages.success(request, _("%(done)s%(ok)s份。") % {"done": done, "ok": ok})
    for reason in refused:
        messages.error(request, reason)


# A row's work in the background (its seal) is pending while its job waits or runs.
PENDING_JOB_STATES = (Job.State.QUEUED, Job.State.RUNNING)


def _pending(application_ids) -> set[int]:
    return set(
        Job.objects.filter(application_id__in=application_ids, state__in=PENDING_JOB_STATES).values_list(
            "application_id", flat=True
        )
    )


@login_required
def unit_queue(request):
    """The unit's applications, each row with its next step as its one button (none while its seal is
    being made); the batch buttons for the ticked rows, only those that apply to a row on the page;
    nothing to click once the filing window has closed, and why."""
    if not request.user.is_unit_admin:
        raise PermissionDenied
    call, unit = _call(), request.user.unit
    applications = (
        Application.objects.filter(call=call, unit=unit, state__in=UNIT_QUEUE_STATES)
        .select_related("unit", "applicant")
        .order_by("state", "-submitted_at", "pk")
    )
    queue_page = _queue(request, applications, call, "applicant__real_name")
    closed = steps.unit_window_refusal(call, unit.pk, unit.recommender_id, acted_at(request))
    rows = [a for a, *_ in queue_page["rows"]]
    pending = _pending([a.pk for a in rows])
    for application in rows:
        application.pending = application.pk in pending
        application.next_step = None if closed else steps.unit_next_step(application.state, pending=application.pending)
    return render(
        request,
        "review/unit_queue.html",
        {
            **queue_page,
            "call": call,
            "batch": _batch(request),
            "failed_jobs": failed_jobs(unit),
            "closed": closed,
            "batch_steps": [] if closed else steps.unit_batch_steps({a.state for a in rows}),
        },
    )


def _batch(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.GET.get("batch", ""))
    except ValueError:
        return None


def failed_jobs(unit):
    """Seals of the unit that failed and are not done since: shown with their reason and a retry button."""
    return (
        Job.objects.filter(application__unit=unit, state=Job.State.FAILED)
        .filter(Q(application__sealed_pdf="") | Q(application__sealed_pdf__isnull=True))
        .exclude(application__state__in=State.editable_by_applicant())
        .select_related("application")
        .order_by("-finished_at")[:50]
    )


# The most rows a page shows, so the most a progress request asks about.
PROGRESS_MAX_ROWS = max(QUEUE_PAGE_SIZES)


def _asked_rows(request) -> list[uuid.UUID]:
    asked = []
    for value in request.GET.getlist("row")[:PROGRESS_MAX_ROWS]:
        try:
            asked.append(uuid.UUID(value))
        except ValueError:
            continue
    return asked


def _progress_row(application: Application, job: Job | None, closed: str) -> dict:
    pending = job is not None and job.state in PENDING_JOB_STATES
    step = None if closed else steps.unit_next_step(application.state, pending=pending)
    return {
        "id": str(application.public_id),
        "title": application.title,
        "state": application.state,
        "state_label": application.get_state_display(),
        "sealed": bool(application.sealed_pdf),
        "pending": pending,
        "error": job.error if job is not None and job.state == Job.State.FAILED else "",
        "next": {
            "value": f"{step.action}:{application.public_id}",
            "label": str(step.label),
            "confirm": str(step.confirm),
        }
        if step
        else None,
    }


@login_required
def unit_progress(request):
    """The background work of the unit's queue as it stands (polled by progress.js): a batch of seals
    (`batch`) and the rows the page shows as pending (`row`, repeated). How many are done, which failed
    and why, and each row's state and next step, so the rows change as the work finishes. Only the
    unit's own applications are counted or shown, whatever ids are asked for."""
    if not request.user.is_unit_admin:
        raise PermissionDenied
    unit, batch, asked = request.user.unit, _batch(request), _asked_rows(request)
    mine = Job.objects.filter(application__unit=unit).select_related("application")
    jobs = {job.application_id: job for job in (mine.filter(batch=batch) if batch else [])}
    latest = {}  # each asked row's latest job (the last one wins)
    for job in mine.filter(application__public_id__in=asked).order_by("created_at", "pk") if asked else []:
        latest[job.application_id] = job
    for application_id, job in latest.items():
        jobs.setdefault(application_id, job)  # a row of the batch is followed through the batch's job
    done = [j for j in jobs.values() if j.state == Job.State.DONE]
    failed = [j for j in jobs.values() if j.state == Job.State.FAILED]
    closed = steps.unit_window_refusal(_call(), unit.pk, unit.recommender_id, acted_at(request))
    return JsonResponse(
        {
            "total": len(jobs),
            "done": len(done),
            "pending": len(jobs) - len(done) - len(failed),
            "failed": [{"title": j.application.title, "error": j.error} for j in failed],
            "rows": [_progress_row(j.application, j, closed) for j in jobs.values()],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@require_POST
def retry_job(request, pk):
    """The retry button of a failed seal: it runs again, still judged at the original click."""
    job = get_object_or_404(Job, pk=pk, application__unit=request.user.unit_id or -1)
    if not request.user.is_unit_admin:
        raise PermissionDenied
    job = queue.retry(job, request.user)
    messages.success(request, _("已重新开始：%(what)s") % {"what": job.what})
    return redirect(f"{reverse('review:unit_queue')}?batch={job.batch}" if job.batch else "review:unit_queue")


def _unit_action_and_rows(request) -> tuple[str, list[uuid.UUID]]:
    """A row's own button posts `step` = "action:id" (that row alone); a batch button posts `action`
    with the ticked rows."""
    step = request.POST.get("step", "")
    if step:
        action, _, public_id = step.partition(":")
        try:
            return (action if action in steps.UNIT_ACTIONS else ""), [uuid.UUID(public_id)]
        except ValueError:
            return "", []
    return request.POST.get("action", ""), _chosen(request)


@login_required
@require_POST
def unit_action(request):
    """Batch actions of the unit admin: approve, seal (in the background), submit to the recommender."""
    if not request.user.is_unit_admin:
        raise PermissionDenied
    action, ids = _unit_action_and_rows(request)
    chosen = list(Application.objects.filter(unit=request.user.unit, public_id__in=ids).select_related("call", "unit"))
    now, user = acted_at(request), request.user
    if action == "approve":
        _run(request, lambda a: services.approve(a, user, now, request=request), chosen, _("已审核通过"))
    elif action in ("seal", "seal_submit"):
        # Judged and recorded now (the click decides); rendering and signing run on the sealing queue,
        # and the page follows the batch's progress.
        submit, batch = action == "seal_submit", Job.new_batch()
        what = _("签章并报送") if submit else _("签章")
        accepted = _("已受理（%(localtime)s）%(what)s，后台处理中，进度见下方：") % {
            "localtime": f"{timezone.localtime(now):%H:%M:%S}",
            "what": what,
        }
        _run(
            request,
            lambda a: queue_seal(a, user, now, submit=submit, batch=batch, request=request),
            chosen,
            accepted,
        )
        return redirect(f"{reverse('review:unit_queue')}?batch={batch}")
    elif action == "submit":
        _run(
            request,
            lambda a: services.submit_to_recommender(a, user, now, request=request),
            chosen,
            _("已报送归口管理部门"),
        )
    elif action == "withdraw":
        _run(request, lambda a: services.withdraw_from_recommender(a, user, now, request=request), chosen, _("已撤回"))
    else:
        messages.error(request, _("请选择操作。"))
    return redirect("review:unit_queue")


@login_required
@require_POST
def return_application(request, public_id):
    """Return with a reason: the unit admin to the applicant, the recommender to the unit."""
    application = get_object_or_404(
        visible_applications(request.user).select_related("call", "unit"), public_id=public_id
    )
    reason, now = request.POST.get("reason", ""), acted_at(request)
    try:
        if request.user.is_unit_admin:
            services.return_to_applicant(application, request.user, reason, now, request=request)
        elif request.user.is_recommender_staff:
            services.return_to_unit(application, request.user, reason, now, request=request)
        else:
            raise PermissionDenied
    except EditRefused as error:
        messages.error(request, str(error))
        return redirect("applications:review", application.public_id)
    messages.success(request, _("已退回“%(title)s”。") % {"title": application.title})
    return redirect("review:unit_queue" if request.user.is_unit_admin else "review:recommender_queue")


@login_required
@require_POST
def withdraw(request, public_id):
    application = get_object_or_404(visible_applications(request.user), public_id=public_id)
    try:
        services.withdraw(application, request.user, acted_at(request), request=request)
    except EditRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已撤回，可以继续修改后再提交。"))
    return redirect("applications:review", application.public_id)


@login_required
def recommender_queue(request):
    call, recommender = _call(), services.acting_recommender(request.user)
    applications = (
        applications_at_recommender(recommender.pk)
        .filter(call=call)
        .select_related("unit", "applicant")
        .order_by("category", "receipt_no", "pk")
    )
    used = services.recommended_counts(recommender, call)
    quotas = [
        (category, services.quota_of(recommender, call.spec, category.code), used.get(category.code, 0))
        for category in call.spec.categories
    ]
    now = acted_at(request)
    window = windows.window_for(call, "recommendation", now, recommender=recommender.pk)
    return render(
        request,
        "review/recommender_queue.html",
        {
            **_queue(request, applications, call, "unit__name", "applicant__real_name"),
            "call": call,
            "recommender": recommender,
            "quotas": quotas,
            "list": RecommendationList.objects.confirmed().filter(call=call, recommender=recommender).first(),
            "window": window,
            "window_open": window.is_open(now),
            "time_left": window.time_left(now),
            # Why 推荐/不予推荐/确认 can no longer work (the list confirmed, the window closed): then
            # they are not shown, and this is.
            "closed": steps.recommender_refusal(recommender.pk, call, now),
            "confirm_step": steps.CONFIRM_LIST,
        },
    )


@login_required
@require_POST
def recommender_action(request):
    recommender = services.acting_recommender(request.user)
    chosen = list(
        applications_at_recommender(recommender.pk)
        .filter(public_id__in=_chosen(request))
        .select_related("call", "unit")
    )
    action, now, user = request.POST.get("action"), acted_at(request), request.user
    if action == "recommend":
        _run(request, lambda a: services.recommend(a, user, now, request=request), chosen, _("已推荐"))
    elif action == "not_recommend":
        reason = request.POST.get("reason", "")
        _run(
            request,
            lambda a: services.not_recommend(a, user, reason, now, request=request),
            chosen,
            _("已设为不予推荐"),
        )
    elif action == "confirm":
        try:
            confirm_list(recommender, _call(), user, now, request=request)
        except ListAlreadyConfirmed as already:
            # A second tab or a double click: 409 with the page that shows the existing list.
            messages.info(request, str(already))
            response = recommender_queue(request)
            response.status_code = 409
            return response
        except (EditRefused, StorageUnavailable) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("推荐项目清单已确认并签章，请下载后上传推荐文件扫描件。"))
    else:
        messages.error(request, _("请选择操作。"))
    return redirect("review:recommender_queue")


def _own_list(request, pk) -> RecommendationList:
    return get_object_or_404(services.visible_lists(request.user), pk=pk)


LIST_FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "letter": "application/pdf",
}


@login_required
@require_safe
def list_file(request, pk, kind):
    """A confirmed list's sealed PDF, its Excel, or the scanned recommendation letter: for the
    recommender whose list it is and for the department. Always a download with its own type (the
    security middleware adds nosniff), so whatever a scanned file holds is never shown inline here."""
    entry = _own_list(request, pk)
    field = {"pdf": entry.pdf, "xlsx": entry.xlsx, "letter": entry.letter}.get(kind)
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"),
        filename=field.name.rsplit("/", 1)[-1],
        content_type=LIST_FILE_TYPES[kind],
        as_attachment=True,
    )


@login_required
@require_safe
def list_letter(request, pk):
    """The scanned recommendation letter of a confirmed list (二(二)4)."""
    return list_file(request, pk, "letter")


@csrf_exempt  # the upload limit must be in place before the CSRF check reads the body
@login_required
@require_POST
def upload_letter(request, pk):
    """The scanned recommendation letter (二(二)4), under the same upload rules as every attachment:
    the size limit holds while it streams, and it must be a sound PDF."""
    entry = _own_list(request, pk)
    if not request.user.acting_recommender_id:
        raise PermissionDenied
    rules = entry.call.spec.attachments
    if declared_too_large(request, rules["max_bytes"]):
        messages.error(
            request,
            _("文件超过%(max_bytes)sMB，未上传（%(clause)s）。")
            % {"max_bytes": rules["max_bytes"] // 1048576, "clause": cite(rules["clause"])},
        )
        return redirect("review:recommender_queue")
    limit = LimitedUploadHandler(rules["max_bytes"], request)
    request.upload_handlers.insert(0, limit)
    return _store_letter(request, entry, limit)


@csrf_protect
def _store_letter(request, entry, limit):
    spec, upload = entry.call.spec, request.FILES.get("letter")
    rules = spec.attachments
    if not windows.is_open(entry.call, "recommendation", acted_at(request), recommender=entry.recommender_id):
        messages.error(
            request, _("推荐文件须在截止前上传（%(clause)s）。") % {"clause": cite(spec.recommendation.clause)}
        )
    elif limit.too_large:
        messages.error(
            request,
            _("文件超过%(max_bytes)sMB，上传已中止（%(clause)s）。")
            % {"max_bytes": rules["max_bytes"] // 1048576, "clause": cite(rules["clause"])},
        )
    elif upload is None:
        messages.error(request, _("请选择推荐文件的PDF扫描件。"))
    else:
        try:
            check_pdf(upload, rules["max_bytes"], rules["clause"])
        except UploadRefused as error:
            messages.error(request, str(error))
        else:
            entry.letter.save(f"{entry.call.code}-{entry.recommender.code}-letter.pdf", upload, save=False)
            entry.letter_uploaded_at = acted_at(request)
            entry.save()
            log.record("list.letter_uploaded", actor=request.user, obj=entry, request=request)
            messages.success(request, _("推荐文件已上传。"))
    return redirect("review:recommender_queue")


# What an overview row shows: never the documents themselves (the PI's name is extracted by the database).
OVERVIEW_COLUMNS = (*ROW_COLUMNS, "unit__recommender__name")


@login_required
def overview(request):
    """The call at a glance, in charts with their tables, and the applications themselves, filtered
    and searched: department staff see the whole call, a recommender the applications it handles."""
    call = _call()
    scope = statistics.scope_for(request.user, call)
    applications = (
        scope.applications.select_related("unit__recommender")
        .annotate(pi_name=KT("data__pi__name"))
        .order_by("category", "receipt_no", "pk")
    )
    chosen, page = _page(request, applications, call, OVERVIEW_COLUMNS)
    recommenders = None
    if scope.is_department:
        recommenders = Recommender.objects.filter(pk__in=scope.applications.values("unit__recommender_id")).order_by(
            "kind", "code"
        )
    return render(
        request,
        "review/overview.html",
        {
            **statistics.charts(scope, acted_at(request)),
            **_filter_choices(call),
            "call": call,
            "scope": scope,
            "rows": _with_links(list(page.object_list)),
            "page_obj": page,
            "filter": chosen,
            "recommenders": recommenders,
            "tags": _priority_tags(call),
            "lists": services.visible_lists(request.user).filter(call=call).select_related("recommender"),
        },
    )


@login_required
def export_applications(request):
    """The overview's applications as Excel, narrowed by the same filter as the page."""
    call = _call()
    scope = statistics.scope_for(request.user, call)
    chosen = QueueFilter.from_request(request, call)
    applications = chosen.apply(scope.applications).order_by("category", "receipt_no", "pk")
    response = HttpResponse(
        overview_xlsx(call, applications),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{call.code}-applications.xlsx"'
    return response


@login_required
def inbox(request):
    notes = Notification.objects.filter(user=request.user)[:100]
    response = render(request, "review/inbox.html", {"notes": notes})
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=acted_at(request))
    return response


@login_required
def window_extensions(request):
    """The department grants extensions of a window (to a unit, a recommender or the whole call) and
    sees those granted."""
    if not request.user.is_department_staff:
        raise PermissionDenied
    call, error, status = _call(), "", 200
    if request.method == "POST":
        try:
            unit, recommender = _extension_target(request.POST)
            grant_extension(
                call,
                request.user,
                request.POST.get("which", ""),
                _beijing_time(request.POST.get("closes", ""), call.spec.tz),
                request.POST.get("reason", ""),
                acted_at(request),
                unit=unit,
                recommender=recommender,
                request=request,
            )
        except EditRefused as refusal:
            error, status = str(refusal), 400
        else:
            messages.success(request, _("已批准延期，相关单位会看到新的截止时间和原因。"))
            return redirect("review:window_extensions")
    return render(
        request,
        "review/extensions.html",
        {
            "call": call,
            "extensions": call.extensions.select_related("unit", "recommender", "granted_by").order_by("-granted_at"),
            "recommenders": Recommender.objects.order_by("code"),
            "which_choices": WindowExtension.Which.choices,
            "posted": request.POST if error else {},
            "error": error,
        },
        status=status,
    )


def _extension_target(posted) -> tuple:
    uscc, code = (posted.get("unit") or "").strip().upper(), (posted.get("recommender") or "").strip()
    unit = Unit.objects.filter(uscc=uscc).first() if uscc else None
    if uscc and unit is None:
        raise services.TransitionRefused(_("单位统一社会信用代码：未找到“%(uscc)s”的已注册单位。") % {"uscc": uscc})
    recommender = Recommender.objects.filter(code=code).first() if code else None
    if code and recommender is None:
        raise services.TransitionRefused(_("归口管理部门：请从列表中选择。"))
    return unit, recommender


def _beijing_time(value: str, tz):
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise services.TransitionRefused(_("延长至：请填写日期和时间，如 2025-11-17 16:00。")) from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment
