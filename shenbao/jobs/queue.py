"""Background work that always finishes or says why (issue 9 item 3).

    accept (in the click's transaction) → a worker claims it with a lease → the handler runs →
    done | retried later with backoff | failed with a Chinese reason the person who clicked is shown

A handler is an idempotent function of its Job: running it twice (a worker died after the work but
before saying so) produces the same result once. It raises `Refused` when the work can never succeed
(the application was returned meanwhile) and `Retryable` with a Chinese reason when it may succeed
later (the file store did not answer); anything else is an internal error, retried the same way and
reported without its technical detail, which goes to the log.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Job

logger = logging.getLogger(__name__)
State = Job.State


class Refused(Exception):
    """The work cannot be done (a rule or state says no): fail now with this Chinese reason."""


class Retryable(Exception):
    """The work failed for a passing reason (Chinese): try again later."""


INTERNAL_ERROR = gettext_lazy("后台处理出错（详情已记入系统日志）")


@dataclass(frozen=True)
class Handler:
    function: Callable[[Job], str]
    queue: str
    on_failure: Callable[[Job], None] | None


_handlers: dict[str, Handler] = {}


def handler(*, queue: str = "default", on_failure: Callable[[Job], None] | None = None):
    """Register a function as a job handler on `queue`; `on_failure(job)` tells the person."""

    def register(function):
        name = f"{function.__module__}.{function.__qualname__}"
        _handlers[name] = Handler(function, queue, on_failure)
        function.job_handler = name
        return function

    return register


def _resolve(name: str) -> Handler:
    if name not in _handlers:
        import_module(name.rsplit(".", 1)[0])  # registers it; only registered functions ever run
    return _handlers[name]


def accept(
    function, key: str, params: dict, *, accepted_at: dt.datetime, what: str, requested_by=None, **fields
) -> Job:
    """Record the work a click was accepted for; it runs once the click's transaction commits. The same
    key still queued or running is that job (a double click changes nothing); the same key done or
    failed runs again for this click."""
    name = function.job_handler
    registered = _resolve(name)
    values = dict(
        handler=name,
        queue=registered.queue,
        params=params,
        what=what,
        requested_by=requested_by,
        accepted_at=accepted_at,
        run_after=timezone.now(),
        max_attempts=settings.JOB_MAX_ATTEMPTS,
        **fields,
    )
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(key=key).first()
        if job is None:
            try:
                with transaction.atomic():
                    job = Job.objects.create(key=key, **values)
            except IntegrityError:  # the same click in another request, a moment earlier
                job = Job.objects.select_for_update().get(key=key)
        elif job.state in (State.DONE, State.FAILED):
            for name_, value in values.items():
                setattr(job, name_, value)
            job.state, job.attempts, job.error, job.result, job.lease_until = State.QUEUED, 0, "", "", None
            job.save()
        elif fields.get("batch") and job.state == State.QUEUED:
            job.batch = fields["batch"]  # the newest click follows its progress
            job.save(update_fields=["batch"])
    _run_now_if_immediate(job)
    return job


def retry(job: Job, person) -> Job:
    """The retry button: a failed job starts again for the person who asks."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.state != State.FAILED:
            return job
        job.state, job.attempts, job.error, job.lease_until = State.QUEUED, 0, "", None
        job.run_after, job.requested_by = timezone.now(), person
        job.save()
    _run_now_if_immediate(job)
    return job


def _run_now_if_immediate(job: Job) -> None:
    # Tests and TASKS_BACKEND=immediate: no worker, the request runs the job itself, at once.
    if settings.JOBS_IMMEDIATE and job.state == State.QUEUED:
        run_due(worker="immediate", only=job.pk)
        job.refresh_from_db()
    elif settings.TASKS_BACKEND == "rq":
        transaction.on_commit(lambda: _nudge_through_redis(job.pk))


def _nudge_through_redis(job_id: int) -> None:
    """With Redis configured, rq workers may run the job too (the lease keeps it to one worker). The
    job is already safe in the database: if Redis is away, `manage.py work` runs it all the same."""
    from .tasks import run_job

    try:
        run_job.enqueue(job_id)
    except Exception as error:
        logger.warning("could not hand job %s to Redis (%s); a database worker will run it", job_id, error)


def backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(settings.JOB_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), settings.JOB_RETRY_MAX_SECONDS)
    )


def due(queues: list[str] | None, now: dt.datetime):
    jobs = Job.objects.filter(Q(state=State.QUEUED, run_after__lte=now) | Q(state=State.RUNNING, lease_until__lt=now))
    return jobs.filter(queue__in=queues) if queues else jobs


def claim(worker: str, queues: list[str] | None = None, *, only: int | None = None) -> Job | None:
    """Take the next due job (or one whose worker's lease ran out) for `worker`, or None. Two workers
    never take the same job: the row is locked (PostgreSQL skips rows another worker holds) and the
    claim is a conditional update on the state and attempt count it read."""
    now = timezone.now()
    with transaction.atomic():
        candidates = due(queues, now).order_by("run_after", "pk")
        if only is not None:
            candidates = candidates.filter(pk=only)
        job = candidates.select_for_update(skip_locked=True).first()
        if job is None:
            return None
        if job.state == State.RUNNING and job.attempts >= job.max_attempts:
            _fail(job, _("后台处理多次中断，未能完成"))
            return None
        claimed = Job.objects.filter(pk=job.pk, state=job.state, attempts=job.attempts).update(
            state=State.RUNNING,
            attempts=F("attempts") + 1,
            worker=worker,
            lease_until=now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS),
        )
        if not claimed:
            return None
    return Job.objects.select_related("requested_by").get(pk=job.pk)


def run(job: Job) -> Job:
    """Run a claimed job and record how it ended (only if this worker still holds it)."""
    try:
        result = _resolve(job.handler).function(job)
    except Refused as refusal:
        _end(job, State.FAILED, error=str(refusal))
    except Exception as error:
        reason = str(error) if isinstance(error, Retryable) else INTERNAL_ERROR
        if not isinstance(error, Retryable):
            logger.exception("job %s (%s) failed, attempt %s", job.pk, job.key, job.attempts)
        if job.attempts < job.max_attempts:
            mine = Job.objects.filter(pk=job.pk, worker=job.worker, attempts=job.attempts, state=State.RUNNING)
            mine.update(state=State.QUEUED, error=reason, run_after=timezone.now() + backoff(job.attempts))
        else:
            _end(
                job,
                State.FAILED,
                error=_("%(reason)s（已尝试%(attempts)s次）") % {"reason": reason, "attempts": job.attempts},
            )
    else:
        _end(job, State.DONE, result=str(result or "")[:300])
    return Job.objects.get(pk=job.pk)


def _end(job: Job, state: str, *, error: str = "", result: str = "") -> None:
    mine = Job.objects.filter(pk=job.pk, worker=job.worker, attempts=job.attempts, state=State.RUNNING)
    if mine.update(state=state, error=error, result=result, finished_at=timezone.now(), lease_until=None):
        if state == State.FAILED:
            job.error = error
            _tell(job)


def _fail(job: Job, error: str) -> None:
    Job.objects.filter(pk=job.pk).update(state=State.FAILED, error=error, finished_at=timezone.now(), lease_until=None)
    job.error = error
    _tell(job)


def _tell(job: Job) -> None:
    registered = _resolve(job.handler)
    if registered.on_failure is not None:
        try:
            registered.on_failure(job)
        except Exception:
            logger.exception("telling about failed job %s", job.pk)


def run_due(worker: str, queues: list[str] | None = None, *, only: int | None = None) -> int:
    """Run due jobs until none is left; how many ran. (Tests, and the immediate set-up.)"""
    ran = 0
    while (job := claim(worker, queues, only=only)) is not None:
        run(job)
        ran += 1
        if only is not None:
            break
    return ran
