"""Adding and removing attachments of a draft; each is audited."""

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _

from shenbao import storage
from shenbao.applications.models import Application
from shenbao.applications.services import check_editable
from shenbao.audit import log
from shenbao.language import cite
from shenbao.rules.required_attachments import KINDS, NEEDS_PARTNER, NEEDS_YEAR, upload_refusal
from shenbao.rules.snapshot import Snapshot

from .models import Attachment
from .uploads import UploadRefused, check_pdf, sanitise_name


def add_attachment(
    application: Application,
    user,
    uploaded,
    *,
    kind: str,
    partner: str,
    year: int | None,
    now: dt.datetime,
    request=None,
) -> Attachment:
    """1. the applicant may edit the draft now; 2. the kind is known, with the partner or year it needs
    (required_attachments.upload_refusal); 3. the file is a sound PDF
    within the call's limit; 4. store it whole, outside any transaction (a slow or hanging store
    holds no row lock, so the applicant's other tab keeps saving); 5. in a short transaction, the
    draft is checked again under a lock that keeps its state from changing (`_keep_state`) and the
    row and the audit entry are written; if that fails the stored file is removed again."""
    application = Application.objects.select_related("call").get(pk=application.pk)
    check_editable(application, user, now)
    spec = application.call.spec
    rules = spec.attachments
    if kind not in KINDS:
        raise UploadRefused(_("请选择附件类型。"))
    # Only what the kind is matched by is kept: a partner for an agreement, a year for a statement.
    partner = partner.strip() if kind in NEEDS_PARTNER else ""
    year = year if kind in NEEDS_YEAR else None
    if refusal := upload_refusal(kind, partner, year, Snapshot(application.data), spec):
        raise UploadRefused(refusal)
    check_room_for_another(application)
    checked = check_pdf(uploaded, rules["max_bytes"], rules["clause"])
    attachment = Attachment(
        application=application,
        kind=kind,
        partner=partner or "",
        year=year,
        original_name=sanitise_name(uploaded.name),
        size=checked.size,
        sha256=checked.sha256,
        pages=checked.pages,
        uploaded_by=user,
    )
    uploaded.seek(0)
    name = storage.store(uploaded, attachment.file.field.generate_filename(attachment, "upload.pdf"), what=_("附件"))
    try:
        return _record_upload(attachment, name, user, now, request)
    except BaseException:
        storage.discard(name)
        raise


@transaction.atomic
def _record_upload(attachment: Attachment, name: str, user, now: dt.datetime, request) -> Attachment:
    application = _editable_under_lock(attachment.application_id, user, now)
    _one_upload_at_a_time(attachment.application_id)
    check_room_for_another(application)  # again: another tab's upload may have been recorded meanwhile
    attachment.application = application
    attachment.file.name = name
    attachment.save()
    log.record(
        "attachment.uploaded",
        actor=user,
        obj=application,
        after={
            "kind": attachment.kind,
            "partner": attachment.partner,
            "year": attachment.year,
            "name": attachment.original_name,
            "sha256": attachment.sha256,
            "size": attachment.size,
        },
        request=request,
    )
    return attachment


def _editable_under_lock(application_id: int, user, now: dt.datetime) -> Application:
    """The application as it is now, not as the request first read it, checked editable and kept so
    until the transaction ends."""
    _keep_state(application_id)
    application = Application.objects.select_related("call").get(pk=application_id)
    check_editable(application, user, now)
    return application


def _keep_state(application_id: int) -> None:
    """Until the transaction ends, no submission, return or withdrawal changes the application's state:
    each of them locks the row FOR UPDATE first (review/services, applications/services) and waits.

    Only that: FOR KEY SHARE, not FOR UPDATE. The transaction then waits its turn for the audit chain
    (audit/log.record), behind every upload and submission of the rush, and the applicant's autosaves
    (FOR NO KEY UPDATE, autosave.py) go on meanwhile instead of waiting with it: at 300 applicants
    uploading, autosaves waited up to 1.6 s on this lock (PostgreSQL's log, bench/rush.py). SQLite
    has no row locks; its writers take turns for the whole database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Application._meta.db_table} WHERE id = %s FOR KEY SHARE", [application_id])


# The advisory lock's first key, a constant of ours; its second is the application's id.
_UPLOADS_OF_AN_APPLICATION = 6_008_999


def _one_upload_at_a_time(application_id: int) -> None:
    """Until the transaction ends, no other upload to this application is recorded, so that two tabs
    uploading at once cannot pass the attachments' limit together. An advisory lock, not a row lock:
    it keeps out other uploads only, never the applicant's autosaves. (SQLite's writers take turns.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_UPLOADS_OF_AN_APPLICATION, application_id])


def check_room_for_another(application: Application) -> None:
    """At most the call's `max_count` attachments per application (二(一)3)."""
    rules = application.call.spec.attachments
    if Attachment.objects.filter(application=application).count() >= rules["max_count"]:
        raise UploadRefused(
            _("每份申报书最多上传%(max_count)s个附件，请先删除不需要的附件（%(clause)s）。")
            % {"max_count": rules["max_count"], "clause": cite(rules["clause"])}
        )


@transaction.atomic
def remove_attachment(attachment: Attachment, user, now: dt.datetime, *, request=None) -> None:
    """Judged on the application under the lock: a submission that committed since the request read
    it keeps every attachment it was submitted with. A second click on the same removal finds nothing
    left to remove and records nothing."""
    application = _editable_under_lock(attachment.application_id, user, now)
    if not Attachment.objects.select_for_update().filter(pk=attachment.pk).exists():
        return
    log.record(
        "attachment.removed",
        actor=user,
        obj=application,
        before={"kind": attachment.kind, "name": attachment.original_name, "sha256": attachment.sha256},
        request=request,
    )
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))
