"""The department's pages (受理, 专家库, 评审组, 排序与立项), the expert's pages and the public 公示 page.
Thin: parse, call a transition of `services`, render; every object is checked against the person.

Who sees what: department staff everything; an expert only their own assignments (and an application
only after declaring no conflict); applicants and unit admins their application's 受理 status and
snapshots, never experts' names or scores; anyone the 公示 page, only while 公示 is open."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shenbao.applications.models import Application
from shenbao.applications.services import EditRefused, visible_applications
from shenbao.calls.current import current_call
from shenbao.calls.models import Call
from shenbao.web.clock import acted_at

from . import experts as expert_sheets
from . import services
from .conflicts import RULE_NAMES
from .models import (
    Acceptance,
    Assignment,
    CategoryBudget,
    Exclusion,
    Expert,
    ExpertImport,
    FundingList,
    Group,
    ScoreSheet,
)
from .ranking import ranking, totals_by_application
from .scoring import aggregate, sheet_problems

REFUSALS = (EditRefused, PermissionDenied, expert_sheets.ImportRefused)


def _call() -> Call:
    call = current_call()
    if call is None or call.spec.review is None:
        raise Http404(_("尚未发布含评审设置的申报批次"))
    return call


def _department(request) -> None:
    if not request.user.is_department_staff:
        raise PermissionDenied


def _try(request, action, done: str = "") -> bool:
    try:
        action()
    except REFUSALS as error:
        messages.error(request, str(error) or _("无权操作"))
        return False
    if done:
        messages.success(request, done)
    return True


# --- 受理 ---------------------------------------------------------------------------------------


@login_required
def acceptance_queue(request):
    """Every recommended application with its formal-review findings and 受理 decision."""
    from shenbao.rules.batch import review_applications
    from shenbao.rules.findings import Severity

    _department(request)
    call = _call()
    applications = list(
        Application.objects.filter(call=call, state=Application.State.RECOMMENDED)
        .select_related("unit", "call", "acceptance")
        .order_by("category", "receipt_no")
    )
    findings = review_applications(applications)  # the whole-call formal review, as the overview runs it
    rows = []
    for a in applications:
        bars = [f for f in findings[a.pk] if f.severity == Severity.BAR]
        warnings = sum(f.severity == Severity.WARNING for f in findings[a.pk])
        # The clauses of the bars, offered as the ground of a 不予受理.
        clauses = list(dict.fromkeys(f.clause for f in bars if f.clause))
        rows.append((a, len(bars), warnings, getattr(a, "acceptance", None), clauses))
    return render(
        request,
        "evaluation/acceptance.html",
        {"call": call, "rows": rows, "window": services.acceptance_window(call), "Status": Acceptance.Status},
    )


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _chosen(request) -> list[uuid.UUID]:
    chosen = []
    for value in request.POST.getlist("application"):
        try:
            chosen.append(uuid.UUID(value))
        except ValueError:
            continue
    return chosen


@login_required
@require_POST
def acceptance_batch(request):
    """受理 of the ticked applications; those with a bar are refused here and decided one by one."""
    _department(request)
    now, ok = acted_at(request), 0
    for application in Application.objects.filter(call=_call(), public_id__in=_chosen(request)):
        if _try(request, lambda a=application: services.accept(a, request.user, now, request=request)):
            ok += 1
    if ok:
        messages.success(request, _("已受理%(ok)s份。") % {"ok": ok})
    return redirect("evaluation:acceptance")


@login_required
@require_POST
def acceptance_decide(request, public_id):
    _department(request)
    application = get_object_or_404(Application, public_id=public_id, call=_call())
    action, now, user = request.POST.get("action"), acted_at(request), request.user
    reason = request.POST.get("reason", "")
    if action == "accept":
        _try(request, lambda: services.accept(application, user, now, reason=reason, request=request), _("已受理。"))
    elif action == "reject":
        clause = request.POST.get("clause", "")
        _try(
            request, lambda: services.reject(application, user, reason, clause, now, request=request), _("已不予受理。")
        )
    elif action in ("appeal_accept", "appeal_reject"):
        accepted = action == "appeal_accept"
        _try(
            request,
            lambda: services.decide_appeal(application, user, accepted, reason, now, request=request),
            _("已作出复审决定。"),
        )
    return redirect("evaluation:acceptance")


@login_required
def status(request, public_id):
    """The applicant's and the unit's view: the 受理 decision, the appeal, 公示 and 立项 — never who
    reviews or what they scored."""
    application = get_object_or_404(visible_applications(request.user), public_id=public_id)
    services.check_applicant_side(application, request.user)
    acceptance = Acceptance.objects.filter(application=application).first()
    can_appeal, appeal_until = False, None
    if acceptance and acceptance.status == Acceptance.Status.REJECTED and acceptance.appealed_at is None:
        window = services.appeal_window(acceptance)
        can_appeal, appeal_until = window.is_open(acted_at(request)), window.closes
    funding_list = FundingList.objects.filter(call=application.call).first()
    listed = bool(
        funding_list
        and funding_list.publicity_opens
        and any(r["application"] == application.pk for r in funding_list.rows)
    )
    return render(
        request,
        "evaluation/status.html",
        {
            "application": application,
            "acceptance": acceptance,
            "can_appeal": can_appeal,
            "appeal_until": appeal_until,
            "listed": listed,
            "funded": listed and funding_list.funded_at is not None,
        },
    )


@login_required
@require_POST
def appeal(request, public_id):
    application = get_object_or_404(visible_applications(request.user), public_id=public_id)
    _try(
        request,
        lambda: services.appeal(
            application, request.user, request.POST.get("reason", ""), acted_at(request), request=request
        ),
        _("复审申请已提交。"),
    )
    return redirect("evaluation:status", public_id=public_id)


@login_required
def avoid_list(request, public_id):
    """回避专家: the applicant names up to the call's number of experts to avoid."""
    application = get_object_or_404(Application.objects.select_related("call"), public_id=public_id)
    if application.applicant_id != request.user.pk:
        raise PermissionDenied
    review = services.review_spec(application.call)
    rows = list(application.data.get("avoid_experts") or [])
    if request.method == "POST":
        rows = [
            {key: request.POST.get(f"{key}-{i}", "") for key in ("name", "unit", "id_number", "reason")}
            for i in range(review.avoid_experts_max + 2)
            if f"name-{i}" in request.POST
        ]
        if _try(
            request,
            lambda: services.set_avoid_list(application, request.user, rows, acted_at(request), request=request),
            _("已保存回避专家。"),
        ):
            return redirect("evaluation:avoid", public_id=public_id)
    padded = rows + [{}] * max(review.avoid_experts_max - len(rows), 0)
    return render(request, "evaluation/avoid.html", {"application": application, "rows": padded, "review": review})


# --- snapshots ----------------------------------------------------------------------------------


def _flat(value, prefix="") -> dict[str, str]:
    """A document as path → text, so two versions compare line by line."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(_flat(item, f"{prefix}.{i}"))
        return out
    return {prefix: "" if value is None else str(value)}


def compare(older: dict, newer: dict) -> list[tuple[str, str, str]]:
    """(field, before, after) for every value that differs between two snapshots."""
    a, b = _flat(older), _flat(newer)
    return [(key, a.get(key, ""), b.get(key, "")) for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)]


@login_required
def snapshots(request, public_id):
    """The application's snapshots at each hand-over, and what changed between two of them."""
    application = get_object_or_404(visible_applications(request.user), public_id=public_id)
    items = list(application.snapshots.all())
    by_id = {str(s.pk): s for s in items}
    older, newer = by_id.get(request.GET.get("a", "")), by_id.get(request.GET.get("b", ""))
    if older is None and len(items) >= 2:
        older, newer = items[-2], items[-1]
    changes = compare(older.data, newer.data) if older and newer else []
    return render(
        request,
        "evaluation/snapshots.html",
        {"application": application, "snapshots": items, "older": older, "newer": newer, "changes": changes},
    )


# --- 专家库 -------------------------------------------------------------------------------------


@login_required
def experts(request):
    _department(request)
    rows = Expert.objects.annotate(
        assigned=Count("assignments", filter=~Q(assignments__status=Assignment.Status.RELEASED))
    ).order_by("name")
    return render(request, "evaluation/experts.html", {"experts": rows})


@login_required
def expert_template(request):
    _department(request)
    response = HttpResponse(
        expert_sheets.template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename=experts-template.xlsx"
    return response


@login_required
def expert_import(request):
    """Upload → preview (rows with their errors) → confirm."""
    _department(request)
    batch = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要上传的Excel文件。"))
        elif upload.size > expert_sheets.MAX_BYTES:
            messages.error(request, _("文件过大：不超过2MB。"))
        else:
            try:
                batch = expert_sheets.preview(upload.read(), upload.name, request.user)
            except expert_sheets.ImportRefused as error:
                messages.error(request, str(error))
    return render(request, "evaluation/expert_import.html", {"batch": batch})


@login_required
@require_POST
def expert_import_confirm(request, pk):
    _department(request)
    batch = get_object_or_404(ExpertImport, pk=pk, uploaded_by=request.user)
    summary = {}

    def run():
        summary.update(expert_sheets.run_import(batch, request.user, acted_at(request), request=request))

    if _try(request, run):
        messages.success(
            request,
            _("已导入：新增%(created)s人，更新%(updated)s人。")
            % {"created": summary["created"], "updated": summary["updated"]},
        )
        return redirect("evaluation:experts")
    return render(request, "evaluation/expert_import.html", {"batch": batch})


EDITABLE = ("name", "unit_name", "unit_uscc", "title", "phone", "email")


@login_required
def expert_edit(request, pk):
    _department(request)
    expert = get_object_or_404(Expert, pk=pk)
    errors = []
    if request.method == "POST":
        row = {key: request.POST.get(key, "").strip() for key in EDITABLE}
        row.update(
            id_number=expert.id_number,
            disciplines=request.POST.get("disciplines", ""),
            available="是" if request.POST.get("available") else "否",
        )
        errors = expert_sheets.row_errors(row)
        if not errors:
            from shenbao.audit import log

            before = {k: getattr(expert, k) for k in (*EDITABLE, "disciplines", "available")}
            for key in EDITABLE:
                setattr(expert, key, row[key])
            expert.disciplines = expert_sheets.split_disciplines(row["disciplines"])
            expert.available = row["available"] == "是"
            expert.save()
            log.record("expert.edited", actor=request.user, obj=expert, before=before, after=row, request=request)
            messages.success(request, _("已保存。"))
            return redirect("evaluation:experts")
    return render(request, "evaluation/expert_edit.html", {"expert": expert, "errors": errors, "posted": request.POST})


# --- 评审组 -------------------------------------------------------------------------------------


@login_required
def groups(request):
    _department(request)
    call = _call()
    if request.method == "POST":
        category = request.POST.get("category", "")
        try:
            closes = parse_datetime(request.POST.get("scoring_closes", "").strip())
        except ValueError:  # well formed but not a date, e.g. month 13
            closes = None
        name = request.POST.get("name", "").strip()
        if category not in call.spec.category_codes or closes is None or not name:
            messages.error(request, _("请填写评审组名称、选择类别，并填写评分截止时间（如 2025-12-15 18:00）。"))
        else:
            if timezone.is_naive(closes):
                closes = timezone.make_aware(closes, call.spec.tz)
            disciplines = expert_sheets.split_disciplines(request.POST.get("disciplines", ""))
            group = Group.objects.create(
                call=call, name=name[:100], category=category, disciplines=disciplines, scoring_closes=closes
            )
            accepted = Application.objects.filter(
                call=call, category=category, acceptance__status=Acceptance.Status.ACCEPTED
            ).exclude(evaluation_groups__isnull=False)
            group.applications.set(accepted)
            from shenbao.audit import log

            log.record(
                "evaluation.group_created",
                actor=request.user,
                obj=group,
                after={"applications": group.applications.count()},
                request=request,
            )
            messages.success(
                request, _("已建立评审组，含已受理申报书%(count)s份。") % {"count": group.applications.count()}
            )
            return redirect("evaluation:group", pk=group.pk)
    active = ~Q(assignments__status=Assignment.Status.RELEASED)
    rows = Group.objects.filter(call=call).annotate(
        n=Count("applications", distinct=True),
        assigned=Count("assignments", filter=active, distinct=True),
        submitted=Count(
            "assignments", filter=active & Q(assignments__sheet__submitted_at__isnull=False), distinct=True
        ),
    )
    return render(request, "evaluation/groups.html", {"call": call, "groups": rows})


@login_required
def group(request, pk):
    """A group: assign, override with a reason, remind; progress per expert and per application,
    exclusions with their reasons, overrides, score spreads."""
    _department(request)
    group = get_object_or_404(Group.objects.select_related("call"), pk=pk)
    if request.method == "POST":
        action, now, user = request.POST.get("action"), acted_at(request), request.user
        if action == "assign":
            summary = {}
            if _try(request, lambda: summary.update(services.assign(group, user, now, request=request))):
                messages.success(
                    request,
                    _("已指派%(assigned)s人次，回避%(excluded)s人次。")
                    % {"assigned": summary["assigned"], "excluded": summary["excluded"]},
                )
                for app_id, missing in summary["shortfalls"].items():
                    messages.error(
                        request,
                        _("申报书%(app_id)s还缺%(missing)s名专家（可用专家不足）。")
                        % {"app_id": app_id, "missing": missing},
                    )
        elif action == "override":
            application = get_object_or_404(group.applications, public_id=_uuid(request.POST.get("application")))
            expert = get_object_or_404(Expert, pk=_int(request.POST.get("expert")) or 0)
            reason = request.POST.get("reason", "")
            _try(
                request,
                lambda: services.override_assign(group, application, expert, user, reason, now, request=request),
                _("已人工指派。"),
            )
        elif action == "remind":
            count = services.remind(group, user, now)
            messages.success(request, _("已提醒%(count)s名专家。") % {"count": count})
        return redirect("evaluation:group", pk=pk)
    assignments = list(
        Assignment.objects.filter(group=group)
        .select_related("expert", "application", "sheet")
        .order_by("application__receipt_no", "expert__name")
    )
    review = group.call.spec.review
    totals = totals_by_application([a.application_id for a in assignments])
    per_app: dict[int, dict] = {}
    for a in assignments:
        row = per_app.setdefault(a.application_id, {"application": a.application, "assignments": []})
        row["assignments"].append(a)
    for app_id, row in per_app.items():
        row["aggregate"] = aggregate(totals.get(app_id, []), review)
    per_expert: dict[int, dict] = {}
    for a in assignments:
        row = per_expert.setdefault(a.expert_id, {"expert": a.expert, "assigned": 0, "submitted": 0})
        if a.status != Assignment.Status.RELEASED:
            row["assigned"] += 1
            row["submitted"] += bool(getattr(a, "sheet", None) and a.sheet.submitted_at)
    exclusions = (
        Exclusion.objects.filter(group=group)
        .select_related("application", "expert")
        .order_by("application__receipt_no")[:500]
    )
    return render(
        request,
        "evaluation/group.html",
        {
            "group": group,
            "per_app": per_app.values(),
            "per_expert": per_expert.values(),
            "exclusions": exclusions,
            "exclusion_count": Exclusion.objects.filter(group=group).count(),
            "overrides": [a for a in assignments if a.override_reason],
            "rule_names": RULE_NAMES,
            "applications": group.applications.order_by("receipt_no"),
            "experts": Expert.objects.filter(available=True).order_by("name"),
        },
    )


@login_required
@require_POST
def reopen(request, pk):
    _department(request)
    sheet = get_object_or_404(ScoreSheet.objects.select_related("assignment"), pk=pk)
    _try(
        request,
        lambda: services.reopen_sheet(
            sheet, request.user, request.POST.get("reason", ""), acted_at(request), request=request
        ),
        _("已退回专家重评。"),
    )
    return redirect("evaluation:group", pk=sheet.assignment.group_id)


# --- 排序、拟立项、公示、立项 ----------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


@login_required
def ranking_page(request):
    _department(request)
    call = _call()
    funding_list = FundingList.objects.filter(call=call).first()
    if request.method == "POST":
        action, now, user = request.POST.get("action"), acted_at(request), request.user
        if action == "budget":
            category, budget = request.POST.get("category", ""), _int(request.POST.get("budget"))
            if category not in call.spec.category_codes or budget is None or budget < 0:
                messages.error(request, _("预算：请填写不小于0的整数金额（元）。"))
            elif funding_list:
                messages.error(request, _("拟立项清单已确认，不能再修改预算。"))
            else:
                CategoryBudget.objects.update_or_create(call=call, category=category, defaults={"budget": budget})
                messages.success(request, _("已设置预算。"))
        elif action == "decide":
            application = get_object_or_404(Application, call=call, public_id=_uuid(request.POST.get("application")))
            proposed = request.POST.get("proposed") == "1"
            amount = _int(request.POST.get("amount")) if request.POST.get("amount", "").strip() else None
            if request.POST.get("amount", "").strip() and amount is None:
                messages.error(request, _("拟资助金额：请填写整数金额（元）。"))
            else:
                _try(
                    request,
                    lambda: services.decide_funding(application, user, proposed, amount, now, request=request),
                    _("已保存。"),
                )
        elif action == "confirm":
            _try(
                request,
                lambda: services.confirm_funding_list(call, user, now, request=request),
                _("拟立项清单已确认并签章。"),
            )
        elif action == "publicity" and funding_list:
            _try(request, lambda: services.open_publicity(funding_list, user, now, request=request), _("已发布公示。"))
        elif action == "funded" and funding_list:
            _try(
                request,
                lambda: services.confirm_funded(funding_list, user, now, request=request),
                _("已确认立项，项目已进入已立项项目库和在研项目库。"),
            )
        return redirect("evaluation:ranking")
    budgets = {b.category: b.budget for b in CategoryBudget.objects.filter(call=call)}
    categories = [
        (call.spec.category(code) if code in call.spec.category_codes else None, code, rows, budgets.get(code))
        for code, rows in ranking(call).items()
    ]
    return render(
        request,
        "evaluation/ranking.html",
        {"call": call, "categories": categories, "funding_list": funding_list, "now": acted_at(request)},
    )


@login_required
def funding_file(request, kind):
    _department(request)
    funding_list = get_object_or_404(FundingList, call=_call())
    field = {"pdf": funding_list.pdf, "xlsx": funding_list.xlsx}.get(kind)
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=f"拟立项清单.{kind}")


def publicity(request, code):
    """公示 (no login): the 拟立项 list — title, lead unit, PI — while 公示 is open, with the contact for
    objections. Nothing else of the applications, nothing of the experts."""
    call = get_object_or_404(Call, code=code)
    funding_list = FundingList.objects.filter(call=call, publicity_opens__isnull=False).first()
    now = acted_at(request)
    is_open = bool(funding_list and funding_list.publicity_opens <= now < funding_list.publicity_closes)
    rows = [
        {"category": r["category"], "title": r["title"], "lead_unit": r["lead_unit"], "pi": r["pi"]}
        for r in (funding_list.rows if is_open else [])
    ]
    spec = call.spec
    return render(
        request,
        "evaluation/publicity.html",
        {
            "call": call,
            "spec": spec,
            "review": spec.review,
            "funding_list": funding_list,
            "is_open": is_open,
            "rows": rows,
        },
    )


# --- the expert ---------------------------------------------------------------------------------


def _expert(request) -> Expert:
    if not request.user.is_authenticated or not request.user.is_expert:
        raise PermissionDenied
    expert = Expert.objects.filter(user=request.user).first()
    if expert is None:
        raise PermissionDenied
    return expert


@login_required
def expert_home(request):
    expert = _expert(request)
    if expert.confirmed_at is None:
        return redirect("evaluation:expert_profile")
    assignments = (
        Assignment.objects.filter(expert=expert)
        .select_related("application", "group", "sheet")
        .order_by("group__scoring_closes")
    )
    return render(request, "evaluation/expert_home.html", {"expert": expert, "assignments": assignments})


@login_required
def expert_profile(request):
    """First login: the expert checks their own data (contact, disciplines) and confirms it."""
    expert = _expert(request)
    errors = []
    if request.method == "POST":
        row = {
            "phone": request.POST.get("phone", "").strip(),
            "email": request.POST.get("email", "").strip(),
            "disciplines": request.POST.get("disciplines", ""),
        }
        errors = expert_sheets.contact_errors(row)
        if not errors:
            changes = {
                "phone": row["phone"],
                "email": row["email"],
                "disciplines": expert_sheets.split_disciplines(row["disciplines"]),
            }
            if _try(
                request,
                lambda: services.confirm_own_data(expert, request.user, changes, acted_at(request), request=request),
                _("个人信息已确认。"),
            ):
                return redirect("evaluation:expert_home")
    return render(
        request, "evaluation/expert_profile.html", {"expert": expert, "errors": errors, "posted": request.POST}
    )


def _own_assignment(request, public_id) -> Assignment:
    expert = _expert(request)
    assignment = (
        Assignment.objects.select_related("application__acceptance__snapshot", "group__call", "expert")
        .filter(public_id=public_id, expert=expert)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def _posted_sheet(request, criteria) -> tuple[dict, dict, str]:
    scores = {c.code: request.POST.get(f"score-{c.code}", "") for c in criteria}
    comments = {c.code: request.POST.get(f"comment-{c.code}", "") for c in criteria}
    return scores, comments, request.POST.get("overall", "")


@login_required
def assignment(request, public_id):
    """Declare first; then the accepted version of the application and the score sheet."""
    a = _own_assignment(request, public_id)
    if a.expert.confirmed_at is None:
        return redirect("evaluation:expert_profile")
    criteria = a.group.call.spec.review.criteria
    now = acted_at(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("no_conflict", "conflict"):
            reason = request.POST.get("reason", "")
            _try(
                request,
                lambda: services.declare(a, request.user, action == "conflict", reason, now, request=request),
                _("已声明。"),
            )
            if action == "conflict":
                return redirect("evaluation:expert_home")
        elif action in ("save", "submit"):
            scores, comments, overall = _posted_sheet(request, criteria)
            do = services.submit_sheet if action == "submit" else services.save_draft
            if not _try(
                request,
                lambda: do(a, request.user, scores, comments, overall, now, request=request),
                _("评分已提交。") if action == "submit" else _("已保存草稿。"),
            ):
                # Nothing typed is lost: show the sheet again with the posted values.
                return render(
                    request, "evaluation/assignment.html", _assignment_context(a, criteria, scores, comments, overall)
                )
        return redirect("evaluation:assignment", public_id=public_id)
    sheet = ScoreSheet.objects.filter(assignment=a).first()
    return render(
        request,
        "evaluation/assignment.html",
        _assignment_context(
            a,
            criteria,
            sheet.scores if sheet else {},
            sheet.comments if sheet else {},
            sheet.overall_comment if sheet else "",
            sheet,
        ),
    )


def _assignment_context(a, criteria, scores, comments, overall, sheet=None) -> dict:
    a.refresh_from_db()
    sheet = sheet or ScoreSheet.objects.filter(assignment=a).first()
    visible = a.status == Assignment.Status.CONFIRMED
    snapshot = a.application.acceptance.snapshot
    data = snapshot.data if snapshot else {}
    return {
        "a": a,
        "visible": visible,
        "data": data if visible else {},
        # Before the declaration the expert sees who takes part, nothing of the content.
        "people": _people(data) if a.status == Assignment.Status.ASSIGNED else None,
        "criteria": [(c, scores.get(c.code, ""), comments.get(c.code, "")) for c in criteria],
        "overall": overall,
        "sheet": sheet,
        "problems": sheet_problems(criteria, scores, comments) if scores else [],
    }


def _people(data: dict) -> dict:
    def names(rows, key):
        return (
            [str(r.get(key) or "") for r in rows if isinstance(r, dict) and r.get(key)]
            if isinstance(rows, list)
            else []
        )

    units = [str((data.get("lead_unit") or {}).get("name") or ""), *names(data.get("partners"), "name")]
    units += names(data.get("team"), "unit") + names(data.get("subprojects"), "unit")
    return {
        "units": list(dict.fromkeys(u for u in units if u)),
        "pi": str((data.get("pi") or {}).get("name") or ""),
        "team": names(data.get("team"), "name"),
    }


@login_required
def assignment_pdf(request, public_id):
    """The sealed 申报书 as accepted, for a declared assignment only."""
    a = _own_assignment(request, public_id)
    if a.status != Assignment.Status.CONFIRMED:
        raise PermissionDenied
    snapshot = a.application.acceptance.snapshot
    if not snapshot or not snapshot.sealed_pdf:
        raise Http404(_("无签章文件"))
    from django.core.files.storage import default_storage

    return FileResponse(default_storage.open(snapshot.sealed_pdf, "rb"), filename="申报书.pdf")


@login_required
@require_POST
def autosave(request, public_id):
    """The score sheet's autosave (static JS posts the form every few seconds): a draft, kept as typed."""
    a = _own_assignment(request, public_id)
    criteria = a.group.call.spec.review.criteria
    scores, comments, overall = _posted_sheet(request, criteria)
    try:
        sheet = services.save_draft(a, request.user, scores, comments, overall, acted_at(request), request=request)
    except REFUSALS as error:
        return JsonResponse({"ok": False, "error": str(error) or _("无权操作")}, status=409)
    return JsonResponse(
        {
            "ok": True,
            "saved_at": timezone.localtime(sheet.updated_at).strftime("%H:%M:%S"),
            "total": str(sheet.total or ""),
        }
    )
