"""Operations on a 申报书 as plain functions: start, save a section, import, export, hand over.

Saving never loses work: a section saves whatever parses (an incomplete draft always saves), values
that cannot parse are reported and left as they were, and a save that names an older version than
the stored one is refused (a second, stale browser tab) instead of overwriting newer work.
"""

import copy
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from shenbao.accounts.models import User
from shenbao.audit import log
from shenbao.calls import windows
from shenbao.calls.models import Call
from shenbao.calls.spec import CallSpec
from shenbao.organisations.models import Unit

from . import interchange
from .models import Application
from .sections import (
    SECTIONS,
    BadValue,
    Section,
    choices_for,
    fields_of,
    get,
    is_filled,
    parse,
    posted_row_indices,
    put,
)


class EditRefused(Exception):
    """The application cannot be changed now; the message says why, citing the rule."""


class StaleVersion(EditRefused):
    pass


def applications_at_recommender(recommender_id: int):
    """What a recommender handles: its units' applications once sent to it, and those it returned."""
    return Application.objects.filter(
        unit__recommender_id=recommender_id,
        state__in=Application.State.at_recommender() | {Application.State.RETURNED_BY_RECOMMENDER},
    )


def visible_applications(user: User):
    """The applications a user may open: nobody sees another unit's or recommender's."""
    if user.is_applicant:
        return Application.objects.filter(applicant=user)
    if user.is_unit_admin and user.unit_id:
        return Application.objects.filter(unit_id=user.unit_id)
    if user.is_recommender_staff and user.recommender_id:
        return applications_at_recommender(user.recommender_id)
    if user.is_department_staff:
        return Application.objects.exclude(state=Application.State.DRAFT)
    return Application.objects.none()


def registration_facts(unit: Unit, applicant: User) -> dict:
    """What the registration already knows, so nobody types it twice (SPEC §5)."""
    return {
        "lead_unit": {
            "name": unit.name,
            "uscc": unit.uscc,
            "unit_type": unit.unit_type,
            "independent_legal_person": unit.independent_legal_person,
            "registered_on": unit.registered_on.isoformat() if unit.registered_on else "",
            "division_code": unit.division_code,
            "competent_department": unit.competent_department.name if unit.competent_department else None,
            "legal_representative": unit.legal_representative,
        },
        "pi": {
            "name": applicant.real_name,
            "id_number": applicant.id_number,
            "sex": applicant.sex,
            "phone": applicant.phone,
            "email": applicant.email,
        },
    }


# Filled from the registration on every save (the form shows them read-only); the rest only when empty.
_FROM_REGISTRATION_ALWAYS = {"lead_unit": None, "pi": ("name", "id_number", "sex")}


def _refresh_registration(data: dict, unit: Unit, applicant: User) -> dict:
    for section, values in registration_facts(unit, applicant).items():
        target = data.get(section)
        if not isinstance(target, dict):
            target = data[section] = {}
        always = _FROM_REGISTRATION_ALWAYS[section]
        for key, value in values.items():
            if always is None or key in always or not is_filled(target.get(key)):
                target[key] = value
    return data


def check_editable(application: Application, user: User, now: dt.datetime) -> None:
    """Only its applicant changes a draft, while its state allows it and the filing window is open."""
    if application.applicant_id != user.pk:
        raise PermissionDenied
    if application.state not in Application.State.editable_by_applicant():
        raise EditRefused(f"申报书当前状态为“{application.get_state_display()}”，不能修改。")
    if refusal := windows.refusal(application.call, "filing", now, "修改申报书", unit=application.unit_id):
        raise EditRefused(refusal + "已保存的内容不会丢失。")


def is_editable(application: Application, user: User, now: dt.datetime) -> bool:
    try:
        check_editable(application, user, now)
    except (EditRefused, PermissionDenied):
        return False
    return True


def start_application(applicant: User, call: Call, now: dt.datetime, *, request=None) -> Application:
    """A new draft, filled with what the registration knows. Unit admins may not apply (二(一)2)."""
    if not applicant.is_applicant or applicant.unit_id is None:
        raise PermissionDenied
    if refusal := windows.refusal(call, "filing", now, "新建申报书", unit=applicant.unit_id):
        raise EditRefused(refusal)
    data = {"format": interchange.FORMAT, "call": call.code}
    _refresh_registration(data, applicant.unit, applicant)
    with transaction.atomic():
        application = Application.objects.create(call=call, unit=applicant.unit, applicant=applicant, data=data)
        log.record("application.created", actor=applicant, obj=application, request=request)
    return application


@dataclass
class SaveResult:
    application: Application
    errors: dict[str, str] = field(default_factory=dict)  # path → Chinese message; those values were not saved


def _parse_tables(section: Section, posted, spec: CallSpec, data: dict, errors: dict) -> None:
    for table in section.tables:
        indices = posted_row_indices(posted, table)
        if f"{table.path}.__present" not in posted and not indices:
            continue  # the table was not on the page: leave it
        old_rows = get(data, table.path, [])
        rows = []
        for index in indices:
            row, empty = {}, True
            for column in table.columns:
                name = f"{table.path}.{index}.{column.path}"
                raw = posted.get(name, "")
                if str(raw).strip():
                    empty = False
                try:
                    value = parse(column, raw, choices_for(column, spec, data))
                except BadValue as error:
                    errors[name] = str(error)
                    value = get(old_rows, f"{index}.{column.path}") if isinstance(old_rows, list) else None
                if value is not None:
                    put(row, column.path, value)
            if not empty:
                rows.append(row)
        put(data, table.path, rows)


@transaction.atomic
def save_section(
    application: Application, user: User, section: Section, posted, version: int, now: dt.datetime
) -> SaveResult:
    """Save one section of a draft.

    1. only its applicant, while it is editable and the filing window is open;
    2. the posted version must be the stored one (else StaleVersion: another tab saved since);
    3. parse each field; what does not parse is reported and keeps its old value;
    4. refresh what the registration knows; write with the next version (an unchanged section writes
       nothing and keeps the version).
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "unit", "applicant")
        .get(pk=application.pk)
    )
    check_editable(application, user, now)
    if version != application.version:
        raise StaleVersion(
            "本页内容已在其他窗口或设备上更新（版本不一致），为避免覆盖较新的内容，本次修改未保存。"
            "请复制本页尚未保存的内容，刷新页面后再填写。"
        )
    spec = application.call.spec
    data = copy.deepcopy(application.data)
    errors: dict[str, str] = {}
    for item in fields_of(section, spec):
        if item.readonly:
            continue
        if item.kind == "checkboxes":
            if f"{item.path}.__present" not in posted:
                continue
            raw = posted.getlist(item.path)
        elif item.path not in posted:
            continue
        else:
            raw = posted.get(item.path)
        try:
            put(data, item.path, parse(item, raw, choices_for(item, spec, data)))
        except BadValue as error:
            errors[item.path] = str(error)
    _parse_tables(section, posted, spec, data, errors)
    _refresh_registration(data, application.unit, application.applicant)
    if data == application.data:  # nothing changed: keep the version, so no other tab turns stale
        return SaveResult(application, errors)
    application.data = data
    application.version += 1
    application.save()
    return SaveResult(application, errors)


@dataclass(frozen=True)
class Progress:
    filled: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.filled / self.total) if self.total else 100


def completeness(application: Application) -> tuple[dict[str, Progress], Progress]:
    """Per section and overall: how many of the fields that count are filled (tables count as one)."""
    spec, data = application.call.spec, application.data
    per_section = {}
    for section in SECTIONS:
        items = [f for f in fields_of(section, spec) if f.required]
        filled = sum(1 for f in items if is_filled(get(data, f.path)))
        filled += sum(1 for t in section.tables if is_filled(get(data, t.path)))
        per_section[section.slug] = Progress(filled, len(items) + len(section.tables))
    total = Progress(sum(p.filled for p in per_section.values()), sum(p.total for p in per_section.values()))
    return per_section, total


@transaction.atomic
def import_application(applicant: User, call: Call, data: dict, now: dt.datetime, *, request=None) -> Application:
    """A new draft from an interchange document; the registration's facts replace the file's."""
    application = start_application(applicant, call, now, request=request)
    data = interchange.upgrade(copy.deepcopy(data))  # stored in today's format, whoever imports
    data["call"] = call.code
    data.pop("attachments", None)  # files come by upload, never by claim
    old_lead = get(data, "lead_unit.name")
    _refresh_registration(data, applicant.unit, applicant)
    _rename_unit(data, old_lead, applicant.unit.name)
    application.data = data
    application.save()
    log.record("application.imported", actor=applicant, obj=application, request=request)
    return application


def _rename_unit(data: dict, old: str | None, new: str) -> None:
    """The file named its lead unit differently from the registration: follow the registration
    everywhere the document refers to the lead by name."""
    if not old or old == new:
        return
    for path in ("budget.by_unit", "subprojects", "team"):
        for row in get(data, path, []) or []:
            if isinstance(row, dict) and row.get("unit") == old:
                row["unit"] = new


def export_data(application: Application) -> dict:
    """The application as an interchange document, attachments listed with their hashes."""
    data = copy.deepcopy(application.data)
    data["format"] = interchange.FORMAT
    data["call"] = application.call.code
    data["attachments"] = [attachment.as_interchange() for attachment in application.attachments.all()]
    return data


@transaction.atomic
def hand_over(application: Application, admin: User, applicant: User, *, request=None) -> Application:
    """A unit admin gives a draft to another applicant of the same unit (SPEC §5)."""
    if not admin.is_unit_admin or application.unit_id != admin.unit_id:
        raise PermissionDenied
    if applicant.unit_id != admin.unit_id or not applicant.is_applicant or not applicant.is_active:
        raise EditRefused("只能移交给本单位已启用的申报人账号。")
    application = Application.objects.select_for_update(of=("self",)).select_related("unit").get(pk=application.pk)
    if application.state not in Application.State.editable_by_applicant():
        raise EditRefused(f"申报书当前状态为“{application.get_state_display()}”，不能移交。")
    before = {"applicant": application.applicant.username}
    application.applicant = applicant
    application.version += 1
    data = application.data
    pi = data.get("pi") if isinstance(data.get("pi"), dict) else {}
    data["pi"] = {**pi, **registration_facts(application.unit, applicant)["pi"]}  # the new PI is who they are
    application.data = data
    application.save()
    log.record(
        "application.handed_over",
        actor=admin,
        obj=application,
        before=before,
        after={"applicant": applicant.username},
        request=request,
    )
    return application


class SubmissionBarred(EditRefused):
    """The formal review found breaches (不符合) or unanswered questions (未填写); `findings` lists them,
    each with its field and clause."""

    def __init__(self, findings):
        self.findings = findings
        breaches = sum(1 for f in findings if f.severity == "bar")
        parts = [f"{breaches}项不符合指南"] if breaches else []
        parts += [f"{len(findings) - breaches}项未填写"] if len(findings) > breaches else []
        super().__init__(f"形式审查有{'、'.join(parts)}，改正、补全后才能提交。")


def receipt_number(application: Application) -> str:
    """受理编号: the call, the category and a number that never changes once given."""
    return f"{application.call.code.upper()}-{application.category or '0000'}-{application.pk:06d}"


def check_attachment_files(application: Application) -> None:
    """The uploaded files the application depends on are still in the store (issue 9 item 4): a lost
    file is refused at submission, not found missing by the unit, the recommender or the seal."""
    from shenbao import storage

    try:
        storage.check_present({a.file.name: f"附件“{a.original_name}”" for a in application.attachments.all()})
    except storage.FileMissing as missing:
        raise EditRefused(str(missing)) from missing


@transaction.atomic
def submit_application(application: Application, user: User, now: dt.datetime, *, request=None) -> Application:
    """Submit a draft to the unit (二(一)3). Safe to repeat: a second click gets the same receipt.

    1. only its applicant; 2. already submitted → the same receipt, nothing else happens;
    3. the filing window is open and the state allows it; 4. the formal review has no bar
       (near-duplicates are warnings, found by the unit's and the batch review, not here);
    5. write the state, the receipt number and the time; 6. audit; 7. tell the unit admin on commit.
    """
    from shenbao.review.notify import tell
    from shenbao.rules.batch import context_for  # the rules read applications: imported when used
    from shenbao.rules.findings import BLOCKING
    from shenbao.rules.ruleset import review

    if application.applicant_id == user.pk and application.state != Application.State.SUBMITTED:
        check_attachment_files(application)  # before the row lock: a slow store must not hold it
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "unit", "applicant")
        .get(pk=application.pk)
    )
    if application.applicant_id != user.pk:
        raise PermissionDenied
    if application.state == Application.State.SUBMITTED and application.receipt_no:
        return application
    check_editable(application, user, now)
    # Near-duplicates only warn, so they are left to the unit's and the batch review: the click stays
    # cheap on deadline day (SPEC §5).
    snapshot, context = context_for(application)
    bars = [f for f in review(snapshot, context) if f.severity in BLOCKING]  # a breach, or still 未填写
    if bars:
        raise SubmissionBarred(bars)
    before = application.state
    application.state = Application.State.SUBMITTED
    application.submitted_at = now
    if not application.receipt_no:
        application.receipt_no = receipt_number(application)
    application.save()
    log.record(
        "application.submitted",
        actor=user,
        obj=application,
        before={"state": before},
        after={"state": application.state, "receipt_no": application.receipt_no},
        request=request,
    )
    tell(
        User.objects.filter(unit=application.unit, role=User.Role.UNIT_ADMIN),
        "新的申报书待审核",
        f"{application.applicant.real_name}提交了申报书“{application.title}”（受理编号{application.receipt_no}），请登录审核。",
        reverse("review:unit_queue"),
    )
    return application
