"""Sealing the 申报书 (二(一)4) and the recommendation list (二(二)4): render, sign, store, then record.

Nothing half-sealed is ever stored: the file is written only after both signatures succeeded, and
removed again if recording the state change fails.
"""

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from shenbao import storage
from shenbao.applications.models import Application
from shenbao.organisations.models import Recommender
from shenbao.review import services as flow
from shenbao.review.models import RecommendationList

from . import ca, seals
from .models import SigningIdentity
from .render import LEGAL_REPRESENTATIVE_BOX, LIST_SEAL_BOX, UNIT_SEAL_BOX, render_application, render_list
from .signing import Seal, SealingFailed, apply_seals
from .spreadsheets import Sheet, workbook

logger = logging.getLogger(__name__)


def identity(kind: str, owner: str, common_name: str, organisation: str) -> ca.Identity:
    """The signing identity from the configured provider (SEAL_IDENTITY_PROVIDER): shenbao's own CA by
    default, or a function that fetches the certificate and key a real CA issued."""
    return import_string(settings.SEAL_IDENTITY_PROVIDER)(kind, owner, common_name, organisation)


def sealed_application_pdf(application: Application) -> bytes:
    unit = application.unit
    unit_identity = identity(SigningIdentity.Kind.UNIT, unit.uscc, unit.name, unit.name)
    representative = identity(
        SigningIdentity.Kind.LEGAL_REPRESENTATIVE, unit.uscc, unit.legal_representative, unit.name
    )
    pdf = render_application(application, draft=False)
    return apply_seals(
        pdf,
        [
            Seal(unit_identity, "unit_seal", seals.round_seal(unit.name), UNIT_SEAL_BOX, "申报单位电子公章", page=0),
            Seal(
                representative,
                "legal_representative_seal",
                seals.name_seal(unit.legal_representative),
                LEGAL_REPRESENTATIVE_BOX,
                "法定代表人电子名章",
                page=0,
            ),
        ],
    )


def check_can_seal(application: Application, admin) -> None:
    """What a seal needs before any rendering: the unit's own admin, an application it approved.
    Also asked before queueing a seal, so a refusal comes back at once."""
    flow.check_unit_admin(application, admin)
    if application.state != Application.State.UNIT_APPROVED:
        raise flow.TransitionRefused(
            _("申报书当前状态为“%(state)s”，须先审核通过才能签章。") % {"state": application.get_state_display()}
        )


def check_attachment_files(application: Application) -> None:
    """The uploaded attachments the 申报书 lists are still in the store."""
    try:
        storage.check_present(
            {
                a.file.name: _("附件“%(original_name)s”") % {"original_name": a.original_name}
                for a in application.attachments.all()
            }
        )
    except storage.FileMissing as missing:
        raise flow.TransitionRefused(str(missing)) from missing


def seal_application(
    application: Application, admin, now: dt.datetime, *, done_at: dt.datetime | None = None, request=None
) -> Application:
    """Render and seal the application as it is now (a named content version), store the file, then
    record the seal if that version is still the application's. `now` is when the seal was asked for.

    1. permission and state; 2. the files it lists exist; 3. render and sign (no transaction);
    4. store the file whole; 5. record (a short transaction: window at `now`, state, version);
    a refusal at 5 removes the file again, so nothing sealed is left that the database does not name."""
    application = Application.objects.select_related("call", "unit", "applicant").get(pk=application.pk)
    check_can_seal(application, admin)
    check_attachment_files(application)
    version = flow.content_version(application)
    try:
        pdf = sealed_application_pdf(application)
    except SealingFailed:
        raise
    except Exception as error:
        logger.exception("rendering application %s failed", application.pk)
        raise SealingFailed(_("生成申报书PDF失败（详情已记入系统日志）。")) from error
    name = storage.store(
        pdf, f"sealed/{application.public_id}-{hashlib.sha256(pdf).hexdigest()[:12]}.pdf", what="已签章申报书"
    )
    try:
        return flow.record_seal(application, admin, name, now, version=version, done_at=done_at, request=request)
    except BaseException:
        storage.discard(name)
        raise


def _list_rows(recommender, call) -> list[Application]:
    return list(
        Application.objects.filter(call=call, unit__recommender=recommender, state=Application.State.RECOMMENDED)
        .select_related("unit")
        .order_by("category", "receipt_no")
    )


def list_xlsx(recommender, call, rows) -> bytes:
    """The list as Excel, through `spreadsheets.workbook`: what applicants typed stays text."""
    headers = ["序号", "受理编号", "类别", "项目名称", "牵头单位", "项目负责人", "申请财政资金（元）"]
    table = []
    for i, application in enumerate(rows, start=1):
        fiscal = sum(
            v
            for v in (application.data.get("budget", {}).get("fiscal", {}) or {}).values()
            if isinstance(v, int | float)
        )
        table.append(
            [
                i,
                application.receipt_no,
                application.category,
                application.title,
                application.unit.name,
                application.data.get("pi", {}).get("name", ""),
                fiscal,
            ]
        )
    return workbook(Sheet("推荐项目清单", headers, table, widths={3: 40, 4: 40}))


def list_pdf(recommender, call, rows, now) -> bytes:
    pdf = render_list(recommender, call, rows, now)
    signer = identity(SigningIdentity.Kind.RECOMMENDER, recommender.code, recommender.name, recommender.name)
    return apply_seals(
        pdf,
        [
            Seal(
                signer,
                "recommender_seal",
                seals.round_seal(recommender.name),
                LIST_SEAL_BOX,
                "推荐单位电子公章",
                page=-1,
            )
        ],
    )


class ListAlreadyConfirmed(flow.TransitionRefused):
    """A second confirmation (another tab, a double click): the existing list comes back with it."""

    def __init__(self, entry: RecommendationList):
        self.entry = entry
        if entry.state == RecommendationList.State.CONFIRMING:
            super().__init__(_("推荐项目清单正在确认，请稍候刷新查看。"))
        else:
            super().__init__(
                _("推荐项目清单已于%(localtime)s确认，无需重复确认。")
                % {"localtime": f"{timezone.localtime(entry.confirmed_at):%Y-%m-%d %H:%M}"}
            )


def _frozen(rows: list[Application]) -> list[list]:
    """What the list certifies: each application with the version and the sealed file it was listed at."""
    return [[a.pk, a.version, a.sealed_pdf.name] for a in rows]


@transaction.atomic
def _freeze(recommender, call, staff, now: dt.datetime) -> tuple[RecommendationList, list[Application]]:
    """Under the recommender's row lock: no list yet, nothing left unhandled, then the recommended set
    is written down as a `confirming` list, which every recommendation change refuses from now on."""
    Recommender.objects.select_for_update().get(pk=recommender.pk)
    wall_clock = timezone.now()
    existing = RecommendationList.objects.filter(call=call, recommender=recommender).first()
    if existing is not None:
        if flow.list_in_the_way(recommender.pk, call, wall_clock) is not None:
            raise ListAlreadyConfirmed(existing)
        existing.delete()  # a confirmation whose process died: its lease ran out
    rows = _list_rows(recommender, call)
    if not rows:
        raise flow.TransitionRefused(_("尚未推荐任何项目，不能确认空清单。"))
    pending = Application.objects.filter(
        call=call, unit__recommender=recommender, state=Application.State.SUBMITTED_TO_RECOMMENDER
    ).count()
    if pending:
        raise flow.TransitionRefused(
            _("还有%(pending)s份申报书未处理（推荐或不予推荐），请处理后再确认。") % {"pending": pending}
        )
    entry = RecommendationList.objects.create(
        call=call,
        recommender=recommender,
        confirmed_at=now,
        confirmed_by=staff,
        state=RecommendationList.State.CONFIRMING,
        frozen=_frozen(rows),
        lease_until=wall_clock + dt.timedelta(seconds=settings.LIST_CONFIRMATION_LEASE_SECONDS),
    )
    return entry, rows


@transaction.atomic
def _complete(entry: RecommendationList, pdf_name: str, xlsx_name: str, staff, request) -> RecommendationList:
    """Under the lock again: the set must be the one frozen, else nothing is confirmed."""
    from shenbao.audit import log

    Recommender.objects.select_for_update().get(pk=entry.recommender_id)
    entry = RecommendationList.objects.get(pk=entry.pk, state=RecommendationList.State.CONFIRMING)
    if _frozen(_list_rows(entry.recommender, entry.call)) != entry.frozen:
        raise flow.TransitionRefused(_("确认期间推荐结果发生了变化，清单未确认，请核对后重新确认。"))
    entry.pdf.name, entry.xlsx.name = pdf_name, xlsx_name
    entry.state, entry.lease_until = RecommendationList.State.CONFIRMED, None
    entry.save()
    log.record(
        "list.confirmed",
        actor=staff,
        obj=entry,
        after={"applications": [a.receipt_no for a in _list_rows(entry.recommender, entry.call)]},
        reason=f"确认时间（点击）：{entry.confirmed_at.isoformat()}",
        request=request,
    )
    return entry


def confirm_list(recommender, call, staff, now: dt.datetime, *, request=None) -> RecommendationList:
    """Confirm the recommender's list before the deadline: a sealed PDF and an Excel file (二(二)4).

    1. permission; 2. the window, at the click (`now`); 3. freeze the recommended set under the
    recommender's row lock (a short transaction); 4. check the sealed files exist, render and sign the
    list from the frozen rows and store the files, outside any transaction and lock; 5. a short
    transaction confirms it if the set is unchanged, with the audit entry. A failure after 3 removes
    the stored files and the unfinished list, so the recommender can confirm again.
    """
    if staff.acting_recommender_id != recommender.pk:
        raise PermissionDenied
    flow.check_open(call, "recommendation", now, "确认推荐项目清单", recommender=recommender.pk)
    entry, rows = _freeze(recommender, call, staff, now)
    stored: list[str] = []
    try:
        check_sealed_files(rows)
        pdf, xlsx = list_pdf(recommender, call, rows, now), list_xlsx(recommender, call, rows)
        stem = f"lists/{call.code}-{recommender.code}"
        stored.append(storage.store(pdf, f"{stem}.pdf", what="推荐项目清单"))
        stored.append(storage.store(xlsx, f"{stem}.xlsx", what="推荐项目清单"))
        return _complete(entry, *stored, staff, request)
    except BaseException:
        storage.discard(*stored)
        RecommendationList.objects.filter(pk=entry.pk, state=RecommendationList.State.CONFIRMING).delete()
        raise


def check_sealed_files(rows: list[Application]) -> None:
    """Every listed application's sealed 申报书 is still in the store (a deleted file is refused now,
    not found missing by the department later)."""
    try:
        storage.check_present({a.sealed_pdf.name: _("“%(title)s”的已签章申报书") % {"title": a.title} for a in rows})
    except storage.FileMissing as missing:
        raise flow.TransitionRefused(str(missing)) from missing
