"""The flow after submission (SPEC §4, 二(一)-(二)): each transition is one function that runs the
whole change in one transaction, in this order:

    check permission → check the window → check the state → check the rules/quota → write → audit → notify

A refused transition raises `TransitionRefused` with a Chinese sentence naming the rule or state,
and changes nothing.
"""

import datetime as dt
import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shenbao import storage
from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.applications.services import EditRefused
from shenbao.audit import log
from shenbao.calls import windows
from shenbao.calls.spec import Window
from shenbao.language import cite, system_language
from shenbao.organisations.models import Recommender

from .models import RecommendationList
from .notify import tell

State = Application.State


class TransitionRefused(EditRefused):
    pass


def _locked(application: Application) -> Application:
    # Only the application's own row: locking the joined call and unit rows too (PostgreSQL's default
    # for FOR UPDATE with joins) would make every transition of a call wait for every other.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "unit", "applicant")
        .get(pk=application.pk)
    )


def check_window(window: Window, now: dt.datetime, spec, what: str) -> None:
    if refusal := window.refusal(now, spec.tz, what):
        raise TransitionRefused(refusal)


def check_open(call, which: str, now: dt.datetime, what: str, *, unit=None, recommender=None) -> None:
    """The window `which` must be open at `now` for this unit / recommender (ids), extensions included."""
    if refusal := windows.refusal(call, which, now, what, unit=unit, recommender=recommender):
        raise TransitionRefused(refusal)


def _open_for(application: Application, which: str, now: dt.datetime, what: str) -> None:
    check_open(
        application.call, which, now, what, unit=application.unit_id, recommender=application.unit.recommender_id
    )


def _state(application: Application, allowed: set, what: str) -> None:
    if application.state not in allowed:
        raise TransitionRefused(
            _("申报书当前状态为“%(state)s”，不能%(what)s。") % {"state": application.get_state_display(), "what": what}
        )


def _move(application, actor, action, new_state, *, reason="", request=None, **changes) -> Application:
    before = {"state": application.state}
    application.state = new_state
    for name, value in changes.items():
        setattr(application, name, value)
    application.save()
    log.record(
        action, actor=actor, obj=application, before=before, after={"state": new_state}, reason=reason, request=request
    )
    return application


def _void_seal(application: Application) -> dict:
    """Returning a sealed application voids its seal: the sealed file goes, the content may change."""
    stored = application.sealed_pdf.name if application.sealed_pdf else ""
    if stored:
        storage = application.sealed_pdf.storage
        transaction.on_commit(lambda: storage.delete(stored))
    return {"sealed_pdf": None, "sealed_at": None}


def check_sealed_file(application: Application) -> None:
    """The sealed file a step depends on is still in the store (a lost file is refused now, not found
    missing at the recommender). An application without one is left to the state check."""
    if not application.sealed_pdf:
        return
    try:
        storage.check_present({application.sealed_pdf.name: _("已签章申报书")})
    except storage.FileMissing as missing:
        raise TransitionRefused(_("%(missing)s（须退回后重新签章）") % {"missing": missing}) from missing


def _url(application: Application) -> str:
    return reverse("applications:review", args=[application.public_id])


# --- the applicant ----------------------------------------------------------------------------


@transaction.atomic
def withdraw(application: Application, applicant: User, now: dt.datetime, *, request=None) -> Application:
    """The applicant takes a submission back before the unit acts (SPEC §5)."""
    application = _locked(application)
    if application.applicant_id != applicant.pk:
        raise PermissionDenied
    _open_for(application, "filing", now, _("撤回"))
    _state(application, {State.SUBMITTED}, _("撤回（单位已处理）"))
    return _move(application, applicant, "application.withdrawn", State.DRAFT, request=request)


# --- the unit admin ---------------------------------------------------------------------------


def check_unit_admin(application: Application, user: User) -> None:
    if not user.is_unit_admin or user.unit_id != application.unit_id:
        raise PermissionDenied


@transaction.atomic
def return_to_applicant(application, admin, reason: str, now, *, request=None) -> Application:
    """The unit returns an application with a reason; a seal on it is void (二(一)3)."""
    application = _locked(application)
    check_unit_admin(application, admin)
    _open_for(application, "filing", now, _("单位审核"))
    _state(application, {State.SUBMITTED, State.UNIT_APPROVED, State.SEALED}, _("退回"))
    if not (reason or "").strip():
        raise TransitionRefused(_("退回须填写原因，申报人将据此修改。"))
    application = _move(
        application,
        admin,
        "application.returned_by_unit",
        State.RETURNED_BY_UNIT,
        reason=reason,
        request=request,
        return_reason=reason.strip(),
        **_void_seal(application),
    )
    with system_language():
        tell(
            [application.applicant],
            _("申报书被单位退回"),
            _("“%(title)s”被单位退回：%(reason)s") % {"title": application.title, "reason": reason},
            _url(application),
        )
    return application


@transaction.atomic
def approve(application, admin, now, *, request=None) -> Application:
    """The unit approves an application whose formal review has no bar."""
    from shenbao.rules.batch import context_for
    from shenbao.rules.ruleset import has_bar, review

    application = _locked(application)
    check_unit_admin(application, admin)
    _open_for(application, "filing", now, _("单位审核"))
    _state(application, {State.SUBMITTED}, _("审核通过"))
    if has_bar(review(*context_for(application))):
        raise TransitionRefused(_("形式审查仍有不符合项，不能审核通过，请退回申报人修改。"))
    application = _move(
        application, admin, "application.approved_by_unit", State.UNIT_APPROVED, request=request, return_reason=""
    )
    with system_language():
        tell(
            [application.applicant],
            _("申报书已通过单位审核"),
            _("“%(title)s”已通过单位审核。") % {"title": application.title},
            _url(application),
        )
    return application


class StaleSeal(TransitionRefused):
    """The content changed while the seal was being made: the file certifies an older version."""


def content_version(application: Application) -> str:
    """What a seal certifies, as one value: the document, its attachments, the unit's names and the
    receipt number. A seal is recorded only if this is still what was rendered (issue 9 item 2)."""
    attachments = sorted(application.attachments.values_list("kind", "partner", "year", "sha256"))
    material = [
        application.data,
        [list(a) for a in attachments],
        application.unit.name,
        application.unit.legal_representative,
        application.receipt_no,
    ]
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def accepted_note(accepted_at: dt.datetime, done_at: dt.datetime | None) -> str:
    """For the audit trail of work finished in the background: when the person's click was accepted."""
    if done_at is None or done_at == accepted_at:
        return ""
    return _("受理时间 %(localtime)s，后台完成") % {"localtime": f"{timezone.localtime(accepted_at):%Y-%m-%d %H:%M:%S}"}


@transaction.atomic
def record_seal(application, admin, pdf_name: str, now, *, version: str, done_at=None, request=None) -> Application:
    """Store the sealed 申报书 made by `documents.sealing` (二(一)4). Called with a finished file only:
    a failure before this point leaves the application as it was. `now` is when the seal was asked for
    (the window is judged then, SPEC §5); `version` is the content the file was rendered from, which
    must still be the application's (else StaleSeal and nothing changes)."""
    application = _locked(application)
    check_unit_admin(application, admin)
    _open_for(application, "filing", now, _("签章"))
    _state(application, {State.UNIT_APPROVED}, _("签章"))
    if content_version(application) != version:
        raise StaleSeal(_("申报书内容在签章期间已改变，须按当前内容重新签章。"))
    return _move(
        application,
        admin,
        "application.sealed",
        State.SEALED,
        reason=accepted_note(now, done_at),
        request=request,
        sealed_pdf=pdf_name,
        sealed_at=done_at or now,
    )


@transaction.atomic
def submit_to_recommender(application, admin, now, *, done_at=None, request=None) -> Application:
    """Send a sealed application to the unit's recommender; `now` is the click (the window is judged
    then, even when a background job finishes the work later)."""
    check_sealed_file(application)  # before any row lock: a slow store must not hold one
    application = _locked(application)
    check_unit_admin(application, admin)
    _open_for(application, "filing", now, _("报送归口管理部门"))
    _state(application, {State.SEALED}, _("报送（须先签章）"))
    if application.unit.recommender_id is None:
        raise TransitionRefused(_("本单位尚无归口管理部门，请联系科技厅。"))
    application = _move(
        application,
        admin,
        "application.submitted_to_recommender",
        State.SUBMITTED_TO_RECOMMENDER,
        reason=accepted_note(now, done_at),
        request=request,
    )
    staff = User.objects.filter(recommender_id=application.unit.recommender_id, role=User.Role.RECOMMENDER)
    with system_language():
        tell(
            staff,
            _("新的推荐申报书"),
            _("%(name)s报送了“%(title)s”。") % {"name": application.unit.name, "title": application.title},
        )
    return application


@transaction.atomic
def withdraw_from_recommender(application, admin, now, *, request=None) -> Application:
    """The unit takes an application back before the recommender acts; the seal stays valid."""
    application = _locked(application)
    check_unit_admin(application, admin)
    _open_for(application, "filing", now, _("撤回"))
    _state(application, {State.SUBMITTED_TO_RECOMMENDER}, _("撤回（归口管理部门已处理）"))
    return _move(application, admin, "application.withdrawn_by_unit", State.SEALED, request=request)


# --- the recommender --------------------------------------------------------------------------


def _recommender_staff(application: Application, user: User) -> None:
    acting = user.acting_recommender_id
    if acting is None or acting != application.unit.recommender_id:
        raise PermissionDenied


def list_in_the_way(recommender_id: int, call, now: dt.datetime) -> RecommendationList | None:
    """The recommender's list once confirmed, or while a confirmation is under way (a stale one, whose
    process died, does not count)."""
    entry = RecommendationList.objects.filter(call=call, recommender_id=recommender_id).first()
    if entry is None or entry.state == RecommendationList.State.CONFIRMED:
        return entry
    return entry if entry.lease_until and entry.lease_until > now else None


def _lock_open_list(application: Application) -> Recommender:
    """Lock the recommender's row, then refuse if its list is confirmed or being confirmed: the
    confirmation takes the same lock, so no recommendation change can slip in between (二(二)4)."""
    recommender = Recommender.objects.select_for_update().get(pk=application.unit.recommender_id)
    entry = list_in_the_way(recommender.pk, application.call, timezone.now())
    if entry is not None:
        if entry.state == RecommendationList.State.CONFIRMING:
            raise TransitionRefused(_("推荐项目清单正在确认，不能再修改推荐结果（二(二)4）。"))
        raise TransitionRefused(_("推荐项目清单已确认，不能再修改推荐结果（二(二)4）。"))
    return recommender


def acting_recommender(user: User) -> Recommender:
    """The recommender a person acts for (its staff, or a direct-report unit's admin), else 403."""
    if user.acting_recommender_id is None:
        raise PermissionDenied
    return Recommender.objects.get(pk=user.acting_recommender_id)


def visible_lists(user: User):
    """Confirmed lists a person may open: the department sees all, a recommender its own."""
    if user.is_department_staff:
        return RecommendationList.objects.confirmed()
    if user.acting_recommender_id:
        return RecommendationList.objects.confirmed().filter(recommender_id=user.acting_recommender_id)
    raise PermissionDenied


def quota_of(recommender: Recommender, spec, category: str) -> int:
    override = (recommender.quota_overrides or {}).get(category)
    return int(override) if override is not None else spec.quota(category, recommender.quota_type)


def recommended_counts(recommender: Recommender, call) -> dict[str, int]:
    rows = (
        Application.objects.filter(call=call, unit__recommender=recommender, state=State.RECOMMENDED)
        .values("category")
        .annotate(n=Count("id"))
    )
    return {row["category"]: row["n"] for row in rows}


@transaction.atomic
def recommend(application, staff, now, *, request=None) -> Application:
    """Recommend within the quota of the application's category (二(二)3). The recommender's row is
    locked first, so two staff recommending at the same moment cannot both take the last place."""
    application = _locked(application)
    _recommender_staff(application, staff)
    _open_for(application, "recommendation", now, _("推荐"))
    _state(application, {State.SUBMITTED_TO_RECOMMENDER, State.NOT_RECOMMENDED}, _("推荐"))
    recommender = _lock_open_list(application)
    spec = application.call.spec
    quota = quota_of(recommender, spec, application.category)
    used = Application.objects.filter(
        call=application.call, unit__recommender=recommender, category=application.category, state=State.RECOMMENDED
    ).count()
    if used >= quota:
        category = spec.category(application.category)
        raise TransitionRefused(
            _("%(name)s的%(name2)s推荐限额为%(quota)s项，已推荐%(used)s项，不能再推荐（%(quota_clause)s）。")
            % {
                "name": recommender.name,
                "name2": category.name,
                "quota": quota,
                "used": used,
                "quota_clause": cite(category.quota_clause),
            }
        )
    application = _move(application, staff, "application.recommended", State.RECOMMENDED, request=request)
    with system_language():
        tell(
            application.unit.users.filter(role=User.Role.UNIT_ADMIN),
            _("申报书已推荐"),
            _("“%(title)s”已获%(name)s推荐。") % {"title": application.title, "name": recommender.name},
        )
    return application


@transaction.atomic
def not_recommend(application, staff, reason: str, now, *, request=None) -> Application:
    application = _locked(application)
    _recommender_staff(application, staff)
    _open_for(application, "recommendation", now, _("推荐"))
    _state(application, {State.SUBMITTED_TO_RECOMMENDER, State.RECOMMENDED}, _("设为不予推荐"))
    _lock_open_list(application)
    return _move(
        application, staff, "application.not_recommended", State.NOT_RECOMMENDED, reason=reason or "", request=request
    )


@transaction.atomic
def return_to_unit(application, staff, reason: str, now, *, request=None) -> Application:
    """The recommender returns an application for correction; the seal is void (二(二)1)."""
    application = _locked(application)
    _recommender_staff(application, staff)
    _open_for(application, "filing", now, _("退回修改"))  # a correction must still be possible before the filing close
    _state(application, {State.SUBMITTED_TO_RECOMMENDER, State.NOT_RECOMMENDED}, _("退回"))
    _lock_open_list(application)
    if not (reason or "").strip():
        raise TransitionRefused(_("退回须填写原因。"))
    application = _move(
        application,
        staff,
        "application.returned_by_recommender",
        State.RETURNED_BY_RECOMMENDER,
        reason=reason,
        request=request,
        return_reason=reason.strip(),
        **_void_seal(application),
    )
    with system_language():
        tell(
            [application.applicant, *application.unit.users.filter(role=User.Role.UNIT_ADMIN)],
            _("申报书被归口管理部门退回"),
            _("“%(title)s”被退回：%(reason)s") % {"title": application.title, "reason": reason},
            _url(application),
        )
    return application
