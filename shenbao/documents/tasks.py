"""Sealing as background jobs on their own queue (`sealing`): the click is judged and recorded in the
request; the job renders, signs and records the seal — and, for 签章并报送, sends the application to
the recommender — judged at the moment of the click, whenever it runs (issue 12 item 3)."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shenbao import storage
from shenbao.applications.models import Application
from shenbao.audit import log
from shenbao.jobs import queue
from shenbao.jobs.models import Job
from shenbao.language import system_language
from shenbao.review import services as flow
from shenbao.review.notify import tell

from .sealing import check_can_seal, seal_application
from .signing import SealingFailed

State = Application.State
SEALING_QUEUE = "sealing"
# A content that keeps changing under the seal is sealed again at most this often within one attempt.
RERUNS_FOR_NEW_VERSIONS = 3


def _tell_failure(job: Job) -> None:
    application = job.application
    if application is None or job.requested_by is None or application.sealed_pdf:
        return  # sealed after all (another click's job): nothing failed for the person
    with system_language():
        tell(
            [job.requested_by],
            _("签章失败"),
            _("“%(title)s”签章未完成：%(error)s。可在单位审核页面重试。")
            % {"title": application.title, "error": job.error},
            reverse("review:unit_queue"),
        )


@queue.handler(queue=SEALING_QUEUE, on_failure=_tell_failure)
def seal(job: Job) -> str:
    """Seal the application (and submit it when asked), judged at `job.accepted_at`. Idempotent: an
    application already sealed is not sealed again; if its content changed while it was being sealed,
    it is sealed again for the current content."""
    admin, then = job.requested_by, job.accepted_at
    for _rerun in range(RERUNS_FOR_NEW_VERSIONS):
        application = Application.objects.select_related("call", "unit", "applicant").get(pk=job.application_id)
        if application.state != State.UNIT_APPROVED and application.sealed_pdf:
            break  # sealed already (a worker died after sealing, or a second click)
        try:
            application = seal_application(application, admin, then, done_at=timezone.now())
            break
        except flow.StaleSeal:
            continue
        except (flow.TransitionRefused, PermissionDenied) as refusal:
            raise queue.Refused(str(refusal) or _("无权签章")) from refusal
        except (SealingFailed, storage.StorageUnavailable) as error:
            raise queue.Retryable(str(error)) from error
    else:
        raise queue.Retryable(_("申报书内容在签章期间反复改变，稍后重试"))
    # Read again: a 签章并报送 click while this seal was running asks for the submission too.
    submit = Job.objects.filter(pk=job.pk).values_list("params", flat=True).first() or {}
    if submit.get("submit") and application.state == State.SEALED:
        try:
            flow.submit_to_recommender(application, admin, then, done_at=timezone.now())
        except flow.TransitionRefused as refusal:
            raise queue.Refused(_("已签章，但未能报送：%(refusal)s") % {"refusal": refusal}) from refusal
        return "sealed and submitted"
    return "sealed"


def queue_seal(
    application: Application, admin, now, *, submit: bool = False, batch: uuid.UUID | None = None, request=None
) -> Job | None:
    """The click on 签章 or 签章并报送: judged now (permission, window, state), recorded with its time
    in the audit trail, and handed to the sealing queue. An application already sealed is just
    submitted (签章并报送); None then."""
    application = Application.objects.select_related("call", "unit").get(pk=application.pk)
    if submit and application.state == State.SEALED:
        flow.submit_to_recommender(application, admin, now, request=request)
        return None
    check_can_seal(application, admin)
    flow.check_open(
        application.call,
        "filing",
        now,
        _("签章并报送") if submit else _("签章"),
        unit=application.unit_id,
        recommender=application.unit.recommender_id,
    )
    with system_language():  # stored, and read by whoever looks at the unit's queue
        what = _("%(what)s：%(title)s") % {"what": _("签章并报送") if submit else _("签章"), "title": application.title}
    with transaction.atomic():
        job = queue.accept(
            seal,
            f"seal:{application.pk}:{flow.content_version(application)}",
            {"submit": submit},
            accepted_at=now,
            what=what,
            requested_by=admin,
            application=application,
            batch=batch,
        )
        if submit and not job.params.get("submit") and job.state in (Job.State.QUEUED, Job.State.RUNNING):
            job.params = {**job.params, "submit": True}  # 签章 then 签章并报送 before it finished: do both
            job.save(update_fields=["params"])
        log.record(
            "application.seal_accepted",
            actor=admin,
            obj=application,
            after={"accepted_at": now.isoformat(), "submit": submit, "job": job.pk},
            request=request,
        )
    return job
