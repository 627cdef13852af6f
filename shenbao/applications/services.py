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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shenbao.accounts.models import User
from shenbao.audit import log
from shenbao.calls import windows
from shenbao.calls.models import Call
from shenbao.calls.spec import CallSpec
from shenbao.language import system_language
from shenbao.organisations.models import Unit
from shenbao.review.notify import tell
from shenbao.rules.batch import context_for
from shenbao.rules.findings import BLOCKING
from shenbao.rules.limits import title_refusal
from shenbao.rules.ruleset import review

from . import findings as stored_findings
from . import interchange, live_review, similarity
from .models import Application
from .sections import (
    SECTIONS,
    BadValue,
    Section,
    Table,
    choices_for,
    display,
    fields_of,
    get,
    is_filled,
    length_refusal_of,
    parse,
    posted_row_indices,
    put,
)


class EditRefused(Exception):
    """The application cannot be changed now; the message says why, citing the rule."""


class StaleVersion(EditRefused):
    pass


class SectionConflict(StaleVersion):
    """Another tab saved different content in the same section since this one loaded it. Nothing is
    thrown away: `differences` holds, field by field, what is stored (theirs) and what this tab posted
    (mine), so the person can keep either (theirs: reload; mine: save again at `version`)."""

    def __init__(self, section: Section, version: int, differences: list[dict]):
        self.section = section
        self.version = version
        self.differences = differences
        super().__init__(
            _(
                "“%(title)s”已在其他窗口或设备上修改（版本不一致）。为避免覆盖，本次修改暂未保存：请比较两边的内容，选择保留哪一份。"
            )
            % {"title": section.title}
        )


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


# Why the applicant cannot change the application, for each state in which they cannot.
_STATE_REASONS = {
    Application.State.SUBMITTED: (
        gettext_lazy("已提交单位审核，如需修改请联系单位管理员撤回/退回（单位处理前也可在形式审查页自行撤回）。")
    ),
    Application.State.UNIT_APPROVED: gettext_lazy("单位已审核通过，如需修改请联系单位管理员退回。"),
    Application.State.SEALED: gettext_lazy("单位已签章，如需修改请联系单位管理员退回。"),
    Application.State.SUBMITTED_TO_RECOMMENDER: gettext_lazy(
        "已报送归口管理部门，如需修改请联系单位管理员，由归口管理部门退回。"
    ),
    Application.State.RECOMMENDED: gettext_lazy("归口管理部门已推荐，申报书不能再修改。"),
    Application.State.NOT_RECOMMENDED: gettext_lazy("归口管理部门不予推荐，申报书不能再修改。"),
}


def edit_refusal(application: Application, user: User, now: dt.datetime) -> str:
    """Why `user` cannot change the application now, in Chinese; "" when they can."""
    if application.applicant_id != user.pk:
        return _("只读：只有申报人本人可以修改。")
    if application.state not in Application.State.editable_by_applicant():
        return _STATE_REASONS.get(
            application.state, _("申报书当前状态为“%(state)s”，不能修改。") % {"state": application.get_state_display()}
        )
    if refusal := windows.refusal(application.call, "filing", now, _("修改申报书"), unit=application.unit_id):
        return refusal + _("已保存的内容不会丢失，只能查看。")
    return ""


def check_editable(application: Application, user: User, now: dt.datetime) -> None:
    """Only its applicant changes a draft, while its state allows it and the filing window is open."""
    if application.applicant_id != user.pk:
        raise PermissionDenied
    if refusal := edit_refusal(application, user, now):
        raise EditRefused(refusal)


def is_editable(application: Application, user: User, now: dt.datetime) -> bool:
    return not edit_refusal(application, user, now)


def start_application(applicant: User, call: Call, now: dt.datetime, *, request=None) -> Application:
    """A new draft, filled with what the registration knows. Unit admins may not apply (二(一)2)."""
    if not applicant.is_applicant or applicant.unit_id is None:
        raise PermissionDenied
    if refusal := windows.refusal(call, "filing", now, _("新建申报书"), unit=applicant.unit_id):
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
    # path → Chinese message: what was typed there is kept (invalid_inputs) but is not a document value.
    errors: dict[str, str] = field(default_factory=dict)
    section_version: int = 1


@dataclass
class SectionInput:
    """A posted section as a JSON merge patch of the document (RFC 7396: null removes a value), and
    what was typed but cannot become a value, kept with its message so nothing typed is lost."""

    patch: dict
    invalid: dict[str, dict[str, str]]
    # The same messages keyed by the names the page posted: a table's rows are stored renumbered (a
    # blank or deleted row leaves a gap in the page's numbering), and the page marks the cell it has.
    posted_errors: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> dict[str, str]:
        """Each message under the input's name in the page that posted it."""
        return dict(self.posted_errors)


def read_section(section: Section, posted, spec: CallSpec, data: dict | None = None) -> SectionInput:
    """Parse every editable field and table of a posted section; what was not posted is left alone."""
    patch: dict = {}
    invalid: dict[str, dict[str, str]] = {}
    posted_errors: dict[str, str] = {}
    data = data or {}

    def choices(item):  # a choice list may depend on another field (the tags on the category)
        return choices_for(item, spec, {**data, **patch})

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
            value = parse(item, raw, choices(item))
            if too_long := length_refusal_of(item, value, spec):
                raise BadValue(too_long)
            put(patch, item.path, value)
        except BadValue as error:
            put(patch, item.path, None)
            invalid[item.path] = {"value": str(raw), "message": str(error)}
            posted_errors[item.path] = str(error)
    for table in section.tables:
        indices = posted_row_indices(posted, table)
        if f"{table.path}.__present" not in posted and not indices:
            continue  # the table was not on the page: leave it
        rows = []
        for index in indices:
            row, typed, bad = {}, False, {}
            for column in table.columns:
                raw = posted.get(f"{table.path}.{index}.{column.path}", "")
                typed = typed or bool(str(raw).strip())
                try:
                    value = parse(column, raw, choices(column))
                except BadValue as error:
                    bad[column.path] = {"value": str(raw), "message": str(error)}
                    continue
                if value is not None:
                    put(row, column.path, value)
            if typed:  # a blank row is dropped; a row with only a bad value stays, keeping the value
                for column_path, entry in bad.items():
                    invalid[f"{table.path}.{len(rows)}.{column_path}"] = entry
                    posted_errors[f"{table.path}.{index}.{column_path}"] = entry["message"]
                rows.append(row)
        put(patch, table.path, rows)
    return SectionInput(patch, invalid, posted_errors)


def merge_patch(target, patch):
    """RFC 7396 JSON merge patch, exactly as the database applies it in the lean autosave."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _in_patch(path: str, patch: dict) -> bool:
    *parents, last = path.split(".")
    node = patch
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and last in node


def _typed_text(item, data: dict, invalid: dict) -> str:
    """A field or a table as a person reads it, with what was typed but not understood as typed."""
    if isinstance(item, Table):
        rows = copy.deepcopy(get(data, item.path, []))
        rows = [row if isinstance(row, dict) else {} for row in rows] if isinstance(rows, list) else []
        for path, entry in invalid.items():
            index, _dot, column = path.removeprefix(f"{item.path}.").partition(".")
            if path.startswith(f"{item.path}.") and index.isdigit() and int(index) < len(rows):
                put(rows[int(index)], column, entry["value"])
        cells = [[display(c, get(row, c.path)) for c in item.columns] for row in rows]
        return "\n".join("；".join(cell for cell in row if cell) for row in cells)
    if item.path in invalid:
        return invalid[item.path]["value"]
    value = get(data, item.path)
    return "，".join(map(str, value)) if isinstance(value, list) else display(item, value)


def section_differences(
    section: Section, spec: CallSpec, stored: dict, stored_invalid: dict, posted: SectionInput
) -> list[dict]:
    """Where what is stored differs from what was posted, both as a person reads them. An empty list
    means the post is what is already stored: a retried save, not a conflict."""
    mine = merge_patch(stored, posted.patch)
    differences = []
    for item in [f for f in fields_of(section, spec) if not f.readonly] + list(section.tables):
        if not _in_patch(item.path, posted.patch):
            continue  # not on the posted page
        theirs, ours = _typed_text(item, stored, stored_invalid), _typed_text(item, mine, posted.invalid)
        if theirs != ours:
            differences.append({"path": item.path, "label": item.label, "theirs": theirs, "mine": ours})
    return differences


def _with_invalid(application: Application, slug: str, invalid: dict) -> dict:
    kept = {k: v for k, v in (application.invalid_inputs or {}).items() if k != slug}
    if invalid:
        kept[slug] = invalid
    return kept


@transaction.atomic
def save_section(
    application: Application, user: User, section: Section, posted, version: int, now: dt.datetime
) -> SaveResult:
    """Save one section of a draft, carefully. (The lean autosave, autosave.py, is tried first and
    hands over to this whenever it cannot decide alone.)

    1. only its applicant, while it is editable and the filing window is open;
    2. the posted version must be the section's stored one; if it is not, the same content is a
       retried save and succeeds, different content is a SectionConflict carrying both texts;
    3. parse each field; what does not parse is kept as typed, with its message, but is no value;
    4. refresh what the registration knows; write with the section's next version (an unchanged
       section writes nothing and keeps its version).
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "unit", "applicant")
        .get(pk=application.pk)
    )
    check_editable(application, user, now)
    spec = application.call.spec
    posted_input = read_section(section, posted, spec, application.data)
    current = application.section_version(section.slug)
    if version != current:
        stored_invalid = (application.invalid_inputs or {}).get(section.slug, {})
        if differences := section_differences(section, spec, application.data, stored_invalid, posted_input):
            raise SectionConflict(section, current, differences)
    data = merge_patch(application.data, posted_input.patch)
    _refresh_registration(data, application.unit, application.applicant)
    invalid = _with_invalid(application, section.slug, posted_input.invalid)
    if data == application.data and invalid == (application.invalid_inputs or {}):
        return SaveResult(application, posted_input.errors, current)
    application.data = data
    application.invalid_inputs = invalid
    application.version += 1
    application.section_versions = {**(application.section_versions or {}), section.slug: current + 1}
    application.save()
    return SaveResult(application, posted_input.errors, current + 1)


def typed_but_invalid(application: Application, section: Section) -> dict[str, dict[str, str]]:
    """What was typed in a section and could not be read, with its message: shown in its field."""
    return (application.invalid_inputs or {}).get(section.slug, {})


@dataclass(frozen=True)
class UnreadableInput:
    """A value typed but not understood: its section, its input's name, where it is as a person says
    it ("进度安排第1行"), and the message naming the field and the rule."""

    section: Section
    path: str
    where: str
    message: str

    def __str__(self) -> str:
        place = f"{self.section.title}·{self.where}" if self.where else self.section.title
        return f"{place}：{self.message}"


def unreadable_inputs(application: Application) -> list[UnreadableInput]:
    """Everything typed and kept but not understood, section by section in the form's order."""
    stored = application.invalid_inputs or {}
    found = []
    for section in SECTIONS:
        entries = stored.get(section.slug)
        if not isinstance(entries, dict):
            continue
        for path, entry in entries.items():
            where = ""
            for table in section.tables:
                index = path.removeprefix(f"{table.path}.").split(".", 1)[0]
                if path.startswith(f"{table.path}.") and index.isdigit():
                    where = _("%(label)s第%(index)s行") % {"label": table.label, "index": int(index) + 1}
            message = entry.get("message", "") if isinstance(entry, dict) else ""
            found.append(UnreadableInput(section, path, where, message))
    return found


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
    """A new draft from an interchange document; the registration's facts replace the file's.
    A title longer than the call allows is refused, as the form refuses it (rules/limits.py)."""
    if too_long := title_refusal(str(data.get("title") or ""), call.spec):
        raise interchange.InterchangeError(too_long)
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
        raise EditRefused(_("只能移交给本单位已启用的申报人账号。"))
    application = Application.objects.select_for_update(of=("self",)).select_related("unit").get(pk=application.pk)
    if application.state not in Application.State.editable_by_applicant():
        raise EditRefused(_("申报书当前状态为“%(state)s”，不能移交。") % {"state": application.get_state_display()})
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
        parts = [_("%(breaches)s项不符合指南") % {"breaches": breaches}] if breaches else []
        parts += [_("%(count)s项未填写") % {"count": len(findings) - breaches}] if len(findings) > breaches else []
        super().__init__(_("形式审查有%(join)s，改正、补全后才能提交。") % {"join": "、".join(parts)})


def receipt_number(application: Application) -> str:
    """受理编号: the call, the category and a number that never changes once given."""
    return f"{application.call.code.upper()}-{application.category or '0000'}-{application.pk:06d}"


def check_attachment_files(application: Application) -> None:
    """The uploaded files the application depends on are still in the store (issue 9 item 4): a lost
    file is refused at submission, not found missing by the unit, the recommender or the seal."""
    from shenbao import storage

    try:
        storage.check_present(
            {
                a.file.name: _("附件“%(original_name)s”") % {"original_name": a.original_name}
                for a in application.attachments.all()
            }
        )
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
    if unreadable := unreadable_inputs(application):
        raise EditRefused(
            _("申报书中有%(count)s处填写的内容无法识别（已原样保留并标在所在的栏目中），请改正后再提交：%(inputs)s。")
            % {"count": len(unreadable), "inputs": _("；").join(map(str, unreadable))}
        )
    _refresh_registration(application.data, application.unit, application.applicant)
    # Near-duplicates only warn, so they are left to the unit's and the batch review: the click stays
    # cheap on deadline day (SPEC §5).
    snapshot, context = context_for(application)
    with system_language():  # stored with the application, read by its unit in any language
        found = review(snapshot, context)
    bars = [f for f in found if f.severity in BLOCKING]  # a breach, or still 未填写
    if bars:
        raise SubmissionBarred(bars)
    stored_findings.store(application, found)  # what the unit's queue shows, without reviewing again
    before = application.state
    application.state = Application.State.SUBMITTED
    application.submitted_at = now
    if not application.receipt_no:
        application.receipt_no = receipt_number(application)
    application.save()
    stored_findings.mark_peers_stale(application)
    # The PI's other applications count this one from now on (一(二)3): their live panels read it again.
    transaction.on_commit(lambda: live_review.forget_peers(application))
    similarity.index_applications([application])  # compared with the call from now on (一(三)7)
    with system_language():
        tell(
            User.objects.filter(unit=application.unit, role=User.Role.UNIT_ADMIN),
            _("新的申报书待审核"),
            _("%(real_name)s提交了申报书“%(title)s”（受理编号%(receipt_no)s），请登录审核。")
            % {
                "real_name": application.applicant.real_name,
                "title": application.title,
                "receipt_no": application.receipt_no,
            },
            reverse("review:unit_queue"),
        )
    # Last: the audit chain's head is one row every submission locks until it commits; taken at the
    # very end, it is held for one INSERT and the commit, not for the rest of the work (the rush).
    log.record(
        "application.submitted",
        actor=user,
        obj=application,
        before={"state": before},
        after={"state": application.state, "receipt_no": application.receipt_no},
        request=request,
    )
    return application
