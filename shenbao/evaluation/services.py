"""The department's stage, one function per transition, each in one transaction and in this order:

    check permission → check the window → check the state → check the rules → write → audit → notify

A refused transition raises `TransitionRefused` (a Chinese sentence naming the rule or state) or
`PermissionDenied`, and changes nothing. The numbers come from the call file's [review] table.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.audit import log
from shenbao.calls.spec import ReviewSpec, Window
from shenbao.language import cite, system_language
from shenbao.review.notify import tell
from shenbao.review.services import TransitionRefused, check_window

from . import conflicts
from .assignment import plan_assignment
from .facts import accepted_facts, application_facts, expert_facts, group_context
from .models import Acceptance, Assignment, Exclusion, Expert, FundingDecision, FundingList, Group, ScoreSheet, Snapshot
from .scoring import sheet_problems, weighted_total

State = Application.State
__all__ = ["TransitionRefused"]


# --- shared checks ------------------------------------------------------------------------------


def review_spec(call) -> ReviewSpec:
    review = call.spec.review
    if review is None:
        raise TransitionRefused(_("本批次的指南文件没有评审设置（[review]），不能进行受理和评审。"))
    return review


def check_department(user: User) -> None:
    if not (user.is_authenticated and user.is_department_staff):
        raise PermissionDenied


def acceptance_window(call) -> Window:
    """受理 opens when the recommendation window has closed for everyone (the latest extension the
    department granted included), for the call file's acceptance_days."""
    from django.db.models import Max

    from shenbao.calls.models import WindowExtension

    spec, review = call.spec, review_spec(call)
    extended = WindowExtension.objects.filter(call=call, which=WindowExtension.Which.RECOMMENDATION).aggregate(
        closes=Max("closes")
    )["closes"]
    closes = max(spec.recommendation.closes, extended) if extended else spec.recommendation.closes
    return Window(closes, closes + dt.timedelta(days=review.acceptance_days), review.acceptance_clause)


def appeal_window(acceptance: Acceptance) -> Window:
    review = review_spec(acceptance.application.call)
    opens = acceptance.decided_at
    return Window(opens, opens + dt.timedelta(days=review.appeal_days), review.appeal_clause)


def scoring_window(group: Group) -> Window:
    return Window(group.created_at, group.scoring_closes, _("评审组评分截止时间"))


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "unit", "applicant")
        .get(pk=application.pk)
    )


def _not_listed(call) -> None:
    if FundingList.objects.filter(call=call).exists():
        raise TransitionRefused(_("拟立项清单已确认，不能再修改受理、评审和拟立项结果。"))


def _applicant_side(application: Application) -> list[User]:
    return [application.applicant, *application.unit.users.filter(role=User.Role.UNIT_ADMIN)]


def _url(application: Application) -> str:
    return reverse("evaluation:status", args=[application.public_id])


def take_snapshot(application: Application, kind: str) -> Snapshot:
    """The application as it is now, kept for good (one per hand-over and version)."""
    snapshot, _created = Snapshot.objects.get_or_create(
        application=application,
        kind=kind,
        version=application.version,
        defaults={
            "data": application.data,
            "sealed_pdf": application.sealed_pdf.name if application.sealed_pdf else "",
        },
    )
    return snapshot


# --- 受理 ---------------------------------------------------------------------------------------


def bars_of(application: Application) -> list:
    from shenbao.rules.batch import context_for
    from shenbao.rules.findings import Severity
    from shenbao.rules.ruleset import review

    return [f for f in review(*context_for(application)) if f.severity == Severity.BAR]


@transaction.atomic
def accept(application, staff, now, *, reason: str = "", request=None) -> Acceptance:
    """受理: the accepted version is frozen for the experts. An application whose formal review has a
    bar is accepted only with a reason (the batch action accepts only those without)."""
    check_department(staff)
    application = _locked(application)
    check_window(acceptance_window(application.call), now, application.call.spec, _("受理"))
    if application.state != State.RECOMMENDED:
        raise TransitionRefused(
            _("申报书当前状态为“%(state)s”，只有已推荐的申报书可以受理。") % {"state": application.get_state_display()}
        )
    if Acceptance.objects.filter(application=application).exists():
        raise TransitionRefused(_("该申报书已作出受理决定。"))
    _not_listed(application.call)
    if bars_of(application) and not (reason or "").strip():
        raise TransitionRefused(_("形式审查有不符合项：受理须填写理由，或作不予受理。"))
    snapshot = take_snapshot(application, Snapshot.Kind.ACCEPTED)
    acceptance = Acceptance.objects.create(
        application=application,
        status=Acceptance.Status.ACCEPTED,
        reason=(reason or "").strip(),
        decided_by=staff,
        decided_at=now,
        snapshot=snapshot,
    )
    log.record(
        "evaluation.accepted",
        actor=staff,
        obj=application,
        after={"status": "accepted"},
        reason=reason,
        request=request,
    )
    with system_language():
        tell(
            _applicant_side(application),
            _("申报书已受理"),
            _("“%(title)s”已受理，进入专家评审。") % {"title": application.title},
            _url(application),
        )
    return acceptance


@transaction.atomic
def reject(application, staff, reason: str, clause: str, now, *, request=None) -> Acceptance:
    """不予受理, with the reason and the clause it rests on; the applicant may appeal once."""
    check_department(staff)
    application = _locked(application)
    call = application.call
    check_window(acceptance_window(call), now, call.spec, _("受理"))
    if application.state != State.RECOMMENDED:
        raise TransitionRefused(
            _("申报书当前状态为“%(state)s”，只有已推荐的申报书可以作受理决定。")
            % {"state": application.get_state_display()}
        )
    if Acceptance.objects.filter(application=application).exists():
        raise TransitionRefused(_("该申报书已作出受理决定。"))
    _not_listed(call)
    if not (reason or "").strip():
        raise TransitionRefused(_("不予受理须填写理由。"))
    if not (clause or "").strip():
        raise TransitionRefused(_("不予受理须注明依据的指南条款，例如“一(二)1”。"))
    acceptance = Acceptance.objects.create(
        application=application,
        status=Acceptance.Status.REJECTED,
        reason=reason.strip(),
        clause=clause.strip(),
        decided_by=staff,
        decided_at=now,
    )
    log.record(
        "evaluation.rejected",
        actor=staff,
        obj=application,
        after={"status": "rejected", "clause": clause},
        reason=reason,
        request=request,
    )
    review = review_spec(call)
    with system_language():
        tell(
            _applicant_side(application),
            _("申报书不予受理"),
            _("“%(title)s”不予受理（%(clause)s）：%(reason)s。如有异议，可在%(appeal_days)s日内提出一次复审申请。")
            % {"title": application.title, "clause": cite(clause), "reason": reason, "appeal_days": review.appeal_days},
            _url(application),
        )
    return acceptance


def check_applicant_side(application: Application, user: User) -> None:
    if application.applicant_id == user.pk:
        return
    if user.is_unit_admin and user.unit_id == application.unit_id:
        return
    raise PermissionDenied


@transaction.atomic
def appeal(application, user, reason: str, now, *, request=None) -> Acceptance:
    """复审申请: once, within the call file's appeal_days of the 不予受理 decision, with a reason."""
    application = _locked(application)
    check_applicant_side(application, user)
    acceptance = Acceptance.objects.select_for_update().filter(application=application).first()
    if acceptance is None or acceptance.status != Acceptance.Status.REJECTED:
        raise TransitionRefused(_("只有不予受理的申报书可以申请复审。"))
    check_window(appeal_window(acceptance), now, application.call.spec, _("复审申请"))
    if acceptance.appealed_at is not None:
        raise TransitionRefused(_("复审申请只能提出一次，已提出过。"))
    if not (reason or "").strip():
        raise TransitionRefused(_("复审申请须填写理由。"))
    acceptance.status, acceptance.appeal_reason = Acceptance.Status.APPEALED, reason.strip()
    acceptance.appealed_at, acceptance.appealed_by = now, user
    acceptance.save()
    log.record(
        "evaluation.appealed", actor=user, obj=application, after={"status": "appealed"}, reason=reason, request=request
    )
    with system_language():
        tell(
            User.objects.filter(role=User.Role.DEPARTMENT),
            _("新的复审申请"),
            _("“%(title)s”提出复审申请：%(reason)s") % {"title": application.title, "reason": reason},
        )
    return acceptance


@transaction.atomic
def decide_appeal(application, staff, accepted: bool, decision: str, now, *, request=None) -> Acceptance:
    """Staff decide the appeal: 受理 after all (the version is frozen then) or 不予受理 for good."""
    check_department(staff)
    application = _locked(application)
    acceptance = Acceptance.objects.select_for_update().filter(application=application).first()
    if acceptance is None or acceptance.status != Acceptance.Status.APPEALED:
        raise TransitionRefused(_("该申报书没有待决定的复审申请。"))
    _not_listed(application.call)
    if not (decision or "").strip():
        raise TransitionRefused(_("复审决定须填写意见。"))
    acceptance.appeal_decision, acceptance.appeal_decided_at = decision.strip(), now
    if accepted:
        acceptance.status = Acceptance.Status.ACCEPTED
        acceptance.snapshot = take_snapshot(application, Snapshot.Kind.ACCEPTED)
    else:
        acceptance.status = Acceptance.Status.REJECTED
    acceptance.save()
    log.record(
        "evaluation.appeal_decided",
        actor=staff,
        obj=application,
        after={"status": acceptance.status},
        reason=decision,
        request=request,
    )
    with system_language():
        outcome = _("复审后予以受理") if accepted else _("复审后维持不予受理")
        tell(
            _applicant_side(application),
            _("复审决定"),
            _("“%(title)s”%(outcome)s：%(decision)s")
            % {"title": application.title, "outcome": outcome, "decision": decision},
            _url(application),
        )
    return acceptance


# --- 回避专家 (in the 申报书) -----------------------------------------------------------------------


def avoid_list_problems(rows: list[dict], review: ReviewSpec) -> list[str]:
    """Why a 回避专家 list cannot be kept: more than the call's number, or a row without a name."""
    problems = []
    if len(rows) > review.avoid_experts_max:
        problems.append(
            _("回避专家：最多%(avoid_experts_max)s名，现填写%(count)s名。")
            % {"avoid_experts_max": review.avoid_experts_max, "count": len(rows)}
        )
    for i, row in enumerate(rows, start=1):
        if not row.get("name"):
            problems.append(_("回避专家第%(i)s行：请填写姓名。") % {"i": i})
        elif not (row.get("unit") or row.get("id_number")):
            problems.append(_("回避专家第%(i)s行：请填写工作单位或身份证号，以便准确识别。") % {"i": i})
    return problems


@transaction.atomic
def set_avoid_list(application, applicant, rows: list[dict], now, *, request=None) -> Application:
    """The applicant names the experts to avoid, while the 申报书 is editable; kept in the document as
    `avoid_experts`, never printed in the 申报书 PDF that experts read."""
    from shenbao.applications.services import check_editable

    application = _locked(application)
    check_editable(application, applicant, now)
    review = review_spec(application.call)
    rows = [
        {key: str(row.get(key) or "").strip()[:200] for key in ("name", "unit", "id_number", "reason")}
        for row in rows
        if any(str(row.get(key) or "").strip() for key in ("name", "unit", "id_number"))
    ]
    if problems := avoid_list_problems(rows, review):
        raise TransitionRefused(" ".join(problems))
    before = application.data.get("avoid_experts", [])
    application.data = {**application.data, "avoid_experts": rows}
    application.version += 1
    application.save()
    log.record("application.avoid_list", actor=applicant, obj=application, before=before, after=rows, request=request)
    return application


# --- experts ------------------------------------------------------------------------------------


@transaction.atomic
def confirm_own_data(expert: Expert, user: User, changes: dict, now, *, request=None) -> Expert:
    """An expert confirms (and may correct) their contact and disciplines on first login."""
    if expert.user_id != user.pk:
        raise PermissionDenied
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    before = {k: getattr(expert, k) for k in changes}
    for name, value in changes.items():
        setattr(expert, name, value)
    if not expert.disciplines:
        raise TransitionRefused(_("学科代码：至少填写一个（GB/T 13745）。"))
    expert.confirmed_at = now
    expert.save()
    log.record("expert.confirmed", actor=user, obj=expert, before=before, after=changes, request=request)
    return expert


# --- assignment ---


ASSIGNMENT_COLUMNS = (
    *("public_id", "group_id", "application_id", "expert_id", "status"),
    *("conflict_reason", "override_rule", "override_reason", "created_by_id", "created_at"),
)


def exclusion_rows(group_id: int, exclusions) -> list[tuple]:
    """The plan's exclusions as rows; the competitor rule's, the same for every other application of
    the group, once per expert (application left empty)."""
    rows, group_wide = [], {}
    for application_id, expert_id, rule, reason in exclusions:
        if rule == "competitor":
            group_wide[expert_id, reason] = None
        else:
            rows.append((group_id, application_id, expert_id, rule, reason[:300]))
    rows += [(group_id, None, expert_id, "competitor", reason[:300]) for expert_id, reason in group_wide]
    return rows


def _insert_rows(model, columns: tuple[str, ...], rows: list[tuple], batch: int = 5000) -> None:
    """Plain INSERTs for the thousands of rows one assignment run writes: building a model instance
    per row costs more than the whole plan (measured in bench/department.py)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


# ------------------------------------------------------------------------------------------------


def accepted_query(group: Group):
    return group.applications.filter(acceptance__status=Acceptance.Status.ACCEPTED)


def accepted_in(group: Group) -> list[Application]:
    return list(accepted_query(group).select_related("acceptance__snapshot"))


def eligible_experts(group: Group) -> list[Expert]:
    """Available experts whose disciplines fall under the group's (any, when the group names none)."""
    experts = list(Expert.objects.filter(available=True).order_by("pk"))
    prefixes = tuple(group.disciplines or ())
    if not prefixes:
        return experts
    return [e for e in experts if any(str(d).startswith(prefixes) for d in e.disciplines or ())]


def _accepted_data(application: Application) -> dict:
    """What experts see and the rules read: the version frozen at 受理."""
    snapshot = application.acceptance.snapshot
    return snapshot.data if snapshot is not None else application.data


@transaction.atomic
def assign(group: Group, staff, now, *, request=None) -> dict:
    """Assign the call file's N experts to every accepted application of the group, no expert over M,
    none a conflict rule keeps away; every exclusion is recorded with its reason. Running it again
    tops up where experts were released."""
    check_department(staff)
    group = Group.objects.select_for_update().select_related("call").get(pk=group.pk)
    check_window(scoring_window(group), now, group.call.spec, _("指派专家"))
    review = review_spec(group.call)
    _not_listed(group.call)
    app_facts = accepted_facts(accepted_query(group), review.avoid_experts_max)
    if not app_facts:
        raise TransitionRefused(_("评审组内没有已受理的申报书。"))
    expert_list = [expert_facts(e) for e in eligible_experts(group)]
    ctx = group_context(app_facts, expert_list, [a.key for a in app_facts])
    current: dict[int, set[int]] = {}
    load: dict[int, int] = {}
    # M counts an expert's applications across every group of this call.
    active = Assignment.objects.filter(group__call=group.call).exclude(status=Assignment.Status.RELEASED)
    for app_id, expert_id in active.values_list("application_id", "expert_id"):
        load[expert_id] = load.get(expert_id, 0) + 1
        current.setdefault(app_id, set()).add(expert_id)
    with system_language():  # each exclusion's reason is stored, for whoever reads the group page
        plan = plan_assignment(
            app_facts,
            expert_list,
            ctx,
            review.experts_per_application,
            review.max_applications_per_expert,
            current=current,
            load=load,
        )
    Exclusion.objects.filter(group=group).delete()
    # Values as each database stores them (a UUID is text on SQLite; a datetime is naive UTC there).
    new_id = Assignment._meta.get_field("public_id").get_db_prep_value
    created = connection.ops.adapt_datetimefield_value(now)
    _insert_rows(
        Exclusion,
        ("group_id", "application_id", "expert_id", "rule", "reason"),
        exclusion_rows(group.pk, plan.exclusions),
    )
    _insert_rows(
        Assignment,
        ASSIGNMENT_COLUMNS,
        [
            (
                new_id(uuid.uuid4(), connection),
                group.pk,
                a,
                e,
                Assignment.Status.ASSIGNED,
                "",
                "",
                "",
                staff.pk,
                created,
            )
            for a, e in plan.assignments
        ],
    )
    summary = {
        "assigned": len(plan.assignments),
        "excluded": len(plan.exclusions),  # pairs (the competitor rule's stored once per expert)
        "shortfalls": {str(k): v for k, v in plan.shortfalls.items()},
    }
    log.record("evaluation.assigned", actor=staff, obj=group, after=summary, request=request)
    chosen = {e for _, e in plan.assignments}
    with system_language():
        tell(
            User.objects.filter(expert__pk__in=chosen),
            _("新的评审任务"),
            _("您有新的评审任务（%(name)s），请在%(scoring_closes)s前完成评分。")
            % {"name": group.name, "scoring_closes": f"{group.scoring_closes:%Y-%m-%d}"},
            reverse("evaluation:expert_home"),
        )
    return summary


@transaction.atomic
def override_assign(group, application, expert, staff, reason: str, now, *, request=None) -> Assignment:
    """Staff assign an expert by hand, only with a reason; if a conflict rule speaks against the pair,
    the rule is recorded beside the reason and the report shows it."""
    check_department(staff)
    group = Group.objects.select_for_update().select_related("call").get(pk=group.pk)
    check_window(scoring_window(group), now, group.call.spec, _("指派专家"))
    _not_listed(group.call)
    application = group.applications.select_related("acceptance__snapshot").filter(pk=application.pk).first()
    if (
        application is None
        or getattr(application, "acceptance", None) is None
        or application.acceptance.status != "accepted"
    ):
        raise TransitionRefused(_("只能为本评审组内已受理的申报书指派专家。"))
    if Assignment.objects.filter(application=application, expert=expert).exists():
        raise TransitionRefused(_("%(name)s已指派过该申报书（或已声明回避），不能重复指派。") % {"name": expert.name})
    if not (reason or "").strip():
        raise TransitionRefused(_("人工指派须填写理由。"))
    app_facts = accepted_facts(accepted_query(group), review_spec(group.call).avoid_experts_max)
    facts = next(f for f in app_facts if f.key == application.pk)
    one = expert_facts(expert)
    broken = conflicts.conflicts(one, facts, group_context(app_facts, [one], [f.key for f in app_facts]))
    assignment = Assignment.objects.create(
        group=group,
        application=application,
        expert=expert,
        created_by=staff,
        override_rule=",".join(code for code, _ in broken),
        override_reason=reason.strip(),
    )
    log.record(
        "evaluation.override",
        actor=staff,
        obj=assignment,
        after={"application": application.pk, "expert": expert.pk, "rules": [c for c, _ in broken]},
        reason=reason,
        request=request,
    )
    with system_language():
        tell(
            [expert.user],
            _("新的评审任务"),
            _("您有新的评审任务（%(name)s）。") % {"name": group.name},
            reverse("evaluation:expert_home"),
        )
    return assignment


def check_own(assignment: Assignment, user: User) -> None:
    if not user.is_authenticated or not user.is_expert or assignment.expert.user_id != user.pk:
        raise PermissionDenied


@transaction.atomic
def declare(assignment, user, has_conflict: bool, reason: str, now, *, request=None) -> Assignment:
    """The expert declares no conflict (then may open the application) or a conflict, which releases
    the assignment for good and keeps the pair apart in every later assignment."""
    assignment = Assignment.objects.select_for_update().select_related("expert", "group__call").get(pk=assignment.pk)
    check_own(assignment, user)
    check_window(scoring_window(assignment.group), now, assignment.group.call.spec, _("利益冲突声明"))
    if assignment.status != Assignment.Status.ASSIGNED:
        raise TransitionRefused(_("已作出声明（%(status)s）。") % {"status": assignment.get_status_display()})
    if has_conflict and not (reason or "").strip():
        raise TransitionRefused(_("声明存在利益冲突须简要说明情况。"))
    assignment.status = Assignment.Status.RELEASED if has_conflict else Assignment.Status.CONFIRMED
    assignment.conflict_reason, assignment.declared_at = (reason or "").strip(), now
    assignment.save()
    log.record(
        "evaluation.declared",
        actor=user,
        obj=assignment,
        after={"status": assignment.status},
        reason=reason,
        request=request,
    )
    if has_conflict:
        with system_language():
            tell(
                User.objects.filter(role=User.Role.DEPARTMENT),
                _("专家声明回避"),
                _("%(name)s声明与一份申报书存在利益冲突，请补充指派（%(name2)s）。")
                % {"name": assignment.expert.name, "name2": assignment.group.name},
            )
    return assignment


# --- scoring ------------------------------------------------------------------------------------


def _open_sheet(assignment, user, now) -> tuple[Assignment, ScoreSheet]:
    assignment = Assignment.objects.select_for_update().select_related("expert", "group__call").get(pk=assignment.pk)
    check_own(assignment, user)
    check_window(scoring_window(assignment.group), now, assignment.group.call.spec, _("评分"))
    if assignment.status != Assignment.Status.CONFIRMED:
        raise TransitionRefused(_("请先声明与该申报书无利益冲突，再评分。"))
    sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(assignment=assignment)
    if sheet.submitted_at is not None:
        raise TransitionRefused(_("评分已提交，不能修改；如需修改请联系科技厅退回。"))
    return assignment, sheet


def _clean(review: ReviewSpec, scores: dict, comments: dict) -> tuple[dict, dict]:
    codes = {c.code for c in review.criteria}
    return (
        {k: str(v).strip()[:10] for k, v in (scores or {}).items() if k in codes},
        {k: str(v)[:2000] for k, v in (comments or {}).items() if k in codes},
    )


@transaction.atomic
def save_draft(assignment, user, scores: dict, comments: dict, overall: str, now, *, request=None) -> ScoreSheet:
    """Autosave: whatever was typed is kept, valid or not; checks come at submit."""
    assignment, sheet = _open_sheet(assignment, user, now)
    review = review_spec(assignment.group.call)
    sheet.scores, sheet.comments = _clean(review, scores, comments)
    sheet.overall_comment = (overall or "")[:4000]
    sheet.total = (
        weighted_total(review.criteria, sheet.scores)
        if not sheet_problems(review.criteria, sheet.scores, {c.code: "x" for c in review.criteria})
        else None
    )
    sheet.save()
    return sheet


@transaction.atomic
def submit_sheet(assignment, user, scores: dict, comments: dict, overall: str, now, *, request=None) -> ScoreSheet:
    """Submit the sheet: every criterion within its range, comments where a score is below the
    threshold; final unless staff reopen it."""
    assignment, sheet = _open_sheet(assignment, user, now)
    review = review_spec(assignment.group.call)
    scores, comments = _clean(review, scores, comments)
    if problems := sheet_problems(review.criteria, scores, comments):
        # Keep what was typed, then refuse.
        ScoreSheet.objects.filter(pk=sheet.pk).update(scores=scores, comments=comments, overall_comment=overall or "")
        raise TransitionRefused("；".join(message for _, message in problems))
    sheet.scores, sheet.comments, sheet.overall_comment = scores, comments, (overall or "")[:4000]
    sheet.total = weighted_total(review.criteria, scores)
    sheet.submitted_at = now
    sheet.save()
    log.record("evaluation.scored", actor=user, obj=sheet, after={"total": str(sheet.total)}, request=request)
    return sheet


@transaction.atomic
def reopen_sheet(sheet, staff, reason: str, now, *, request=None) -> ScoreSheet:
    check_department(staff)
    sheet = (
        ScoreSheet.objects.select_for_update()
        .select_related("assignment__group__call", "assignment__expert__user")
        .get(pk=sheet.pk)
    )
    check_window(scoring_window(sheet.assignment.group), now, sheet.assignment.group.call.spec, _("退回重评"))
    if sheet.submitted_at is None:
        raise TransitionRefused(_("评分尚未提交，无需退回。"))
    _not_listed(sheet.assignment.group.call)
    if not (reason or "").strip():
        raise TransitionRefused(_("退回重评须填写理由。"))
    sheet.submitted_at = None
    sheet.reopened_count += 1
    sheet.save()
    log.record("evaluation.reopened", actor=staff, obj=sheet, reason=reason, request=request)
    with system_language():
        tell(
            [sheet.assignment.expert.user],
            _("评分被退回重评"),
            _("您的一份评分被退回：%(reason)s") % {"reason": reason},
            reverse("evaluation:expert_home"),
        )
    return sheet


def remind(group: Group, staff, now) -> int:
    """Remind the experts of a group whose sheets are not submitted; returns how many were told."""
    check_department(staff)
    waiting = (
        Assignment.objects.filter(group=group)
        .exclude(status=Assignment.Status.RELEASED)
        .exclude(sheet__submitted_at__isnull=False)
        .values_list("expert__user", flat=True)
        .distinct()
    )
    users = list(User.objects.filter(pk__in=list(waiting)))
    with transaction.atomic():
        with system_language():
            tell(
                users,
                _("评分提醒"),
                _("%(name)s的评分将于%(scoring_closes)s截止，请尽快完成。")
                % {"name": group.name, "scoring_closes": f"{group.scoring_closes:%Y-%m-%d %H:%M}"},
                reverse("evaluation:expert_home"),
            )
        log.record("evaluation.reminded", actor=staff, obj=group, after={"experts": len(users)})
    return len(users)


# --- 拟立项, the list, 公示, 立项 -------------------------------------------------------------------


def requested_fiscal(data: dict) -> int:
    fiscal = ((data or {}).get("budget") or {}).get("fiscal") or {}
    return int(sum(v for v in fiscal.values() if isinstance(v, int | float) and not isinstance(v, bool)))


@transaction.atomic
def decide_funding(application, staff, proposed: bool, amount: int | None, now, *, request=None) -> FundingDecision:
    """拟立项 (or not) with the amount: at most the fiscal funds requested and the category's cap."""
    check_department(staff)
    application = _locked(application)
    acceptance = Acceptance.objects.filter(application=application).first()
    if acceptance is None or acceptance.status != Acceptance.Status.ACCEPTED:
        raise TransitionRefused(_("只有已受理并评审的申报书可以拟立项。"))
    _not_listed(application.call)
    spec = application.call.spec
    requested = requested_fiscal(_accepted_data(application))
    amount = requested if amount is None else int(amount)
    if proposed:
        cap = spec.category(application.category).fiscal_cap if application.category in spec.category_codes else None
        if amount <= 0:
            raise TransitionRefused(_("拟资助金额须大于0元。"))
        if amount > requested:
            raise TransitionRefused(
                _("拟资助金额%(amount)s元超过申请的财政资金%(requested)s元。")
                % {"amount": amount, "requested": requested}
            )
        if cap is not None and amount > cap:
            raise TransitionRefused(
                _("拟资助金额%(amount)s元超过本类别财政资金上限%(cap)s元（%(fiscal_cap_clause)s）。")
                % {
                    "amount": amount,
                    "cap": cap,
                    "fiscal_cap_clause": cite(spec.category(application.category).fiscal_cap_clause),
                }
            )
    decision, _created = FundingDecision.objects.update_or_create(
        application=application,
        defaults={"proposed": proposed, "amount": amount if proposed else 0, "decided_by": staff, "decided_at": now},
    )
    log.record(
        "evaluation.funding_decided",
        actor=staff,
        obj=application,
        after={"proposed": proposed, "amount": decision.amount},
        request=request,
    )
    return decision


def list_rows(call) -> list[dict]:
    """The 拟立项 rows in category and ranking order, as they go into the list files and 公示."""
    from .ranking import ranking

    rows = []
    for category, ranked in ranking(call).items():
        for row in ranked:
            if row.decision is not None and row.decision.proposed:
                rows.append(
                    {
                        "application": row.application.pk,
                        "receipt_no": row.application.receipt_no,
                        "category": category,
                        "title": row.application.title,
                        "lead_unit": row.application.unit.name,
                        "pi": row.pi_name,
                        "score": str(row.aggregate.score) if row.aggregate.score is not None else "",
                        "amount": row.decision.amount,
                    }
                )
    return rows


@transaction.atomic
def confirm_funding_list(call, staff, now, *, request=None) -> FundingList:
    """Confirm the 拟立项 list: a sealed PDF and an Excel file, like the recommendation lists."""
    from django.core.files.base import ContentFile

    from .documents import funding_pdf, funding_xlsx

    check_department(staff)
    review_spec(call)
    if FundingList.objects.select_for_update().filter(call=call).exists():
        raise TransitionRefused(_("拟立项清单已确认。"))
    rows = list_rows(call)
    if not rows:
        raise TransitionRefused(_("尚未确定任何拟立项项目，不能确认空清单。"))
    entry = FundingList(call=call, confirmed_by=staff, confirmed_at=now, rows=rows)
    entry.pdf.save(f"{call.code}-funding.pdf", ContentFile(funding_pdf(call, rows, now)), save=False)
    entry.xlsx.save(f"{call.code}-funding.xlsx", ContentFile(funding_xlsx(rows)), save=False)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # another person confirmed the list in the meantime
        raise TransitionRefused(_("拟立项清单已确认。")) from None
    log.record(
        "evaluation.list_confirmed",
        actor=staff,
        obj=entry,
        after={"applications": [r["receipt_no"] for r in rows]},
        request=request,
    )
    return entry


@transaction.atomic
def open_publicity(funding_list, staff, now, *, request=None) -> FundingList:
    """公示: the public page opens now for the call file's publicity_days."""
    check_department(staff)
    funding_list = FundingList.objects.select_for_update().select_related("call").get(pk=funding_list.pk)
    review = review_spec(funding_list.call)
    if funding_list.publicity_opens is not None:
        raise TransitionRefused(_("公示已发布。"))
    funding_list.publicity_opens = now
    funding_list.publicity_closes = now + dt.timedelta(days=review.publicity_days)
    funding_list.save()
    log.record(
        "evaluation.publicity_opened",
        actor=staff,
        obj=funding_list,
        after={"closes": funding_list.publicity_closes.isoformat()},
        request=request,
    )
    applications = Application.objects.filter(pk__in=[r["application"] for r in funding_list.rows]).select_related(
        "applicant", "unit"
    )
    for application in applications:
        with system_language():
            tell(
                _applicant_side(application),
                _("拟立项公示"),
                _("“%(title)s”已列入拟立项公示。") % {"title": application.title},
                _url(application),
            )
    return funding_list


@transaction.atomic
def confirm_funded(funding_list, staff, now, *, request=None) -> FundingList:
    """立项 after 公示 closes: the projects enter the 已立项项目 and 在研项目 registries, with their people,
    so next year's 查重 and 限项 read them without an import."""
    from shenbao.rules.models import FundedProject, OngoingProjectRecord

    from .models import ProjectPerson

    check_department(staff)
    funding_list = FundingList.objects.select_for_update().select_related("call").get(pk=funding_list.pk)
    call, review = funding_list.call, review_spec(funding_list.call)
    if funding_list.publicity_opens is None:
        raise TransitionRefused(_("须先发布公示，公示期满后才能确认立项。"))
    check_window(
        Window(funding_list.publicity_closes, dt.datetime.max.replace(tzinfo=dt.UTC), review.publicity_clause),
        now,
        call.spec,
        _("确认立项（公示期满后）"),
    )
    if funding_list.funded_at is not None:
        raise TransitionRefused(_("已确认立项。"))
    year = (call.spec.filing.closes.astimezone(call.spec.tz).year) + 1
    applications = {
        a.pk: a
        for a in Application.objects.filter(pk__in=[r["application"] for r in funding_list.rows]).select_related(
            "applicant", "unit", "acceptance__snapshot"
        )
    }
    for row in funding_list.rows:
        application = applications[row["application"]]
        data = _accepted_data(application)
        code = f"{call.code}-{application.receipt_no or application.pk}".upper()
        FundingDecision.objects.filter(application=application).update(project_code=code)
        pi = data.get("pi") or {}
        FundedProject.objects.create(
            year=year,
            title=application.title,
            abstract=str(data.get("abstract") or ""),
            leader_id_number=application.pi_id_number,
        )
        OngoingProjectRecord.objects.create(
            id_number=application.pi_id_number,
            leader_name=str(pi.get("name") or ""),
            plan=review.funded_plan,
            project_type=review.funded_project_type,
            code=code,
            until=data.get("end_date") or None,
        )
        facts = application_facts(application.pk, data)
        ProjectPerson.objects.bulk_create(
            [ProjectPerson(project_code=code, id_number=person, role=role) for person, role in facts.persons.items()]
        )
    funding_list.funded_at, funding_list.funded_by = now, staff
    funding_list.save()
    log.record(
        "evaluation.funded", actor=staff, obj=funding_list, after={"projects": len(funding_list.rows)}, request=request
    )
    for application in applications.values():
        with system_language():
            tell(
                _applicant_side(application),
                _("项目已立项"),
                _("“%(title)s”已立项。") % {"title": application.title},
                _url(application),
            )
    return funding_list
