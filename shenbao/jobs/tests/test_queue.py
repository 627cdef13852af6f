"""Jobs always finish or say why (issue 9 item 3): a job whose worker died is taken up again after its
lease, a worker outlives a database outage, a failed mail is really retried, and `check_tasks` reports
what is late."""

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone

from shenbao.jobs import queue
from shenbao.jobs.models import Job
from shenbao.jobs.tests import handlers
from shenbao.web.tasks import email_on_commit

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def worker_later(settings):
    settings.JOBS_IMMEDIATE = False


def _accept(function, key="k", **fields):
    return queue.accept(function, key, {}, accepted_at=timezone.now(), what="测试任务", **fields)


def test_a_second_acceptance_of_the_same_work_is_the_same_job(db, worker_later):
    first, second = _accept(handlers.quick), _accept(handlers.quick)
    assert first.pk == second.pk and Job.objects.count() == 1


def test_a_job_whose_worker_stopped_answering_is_taken_up_again_after_its_lease(
    db, worker_later, during_filing, settings
):
    job = _accept(handlers.quick)
    assert queue.claim("dead-worker").pk == job.pk  # claimed, then the worker dies
    assert queue.claim("other-worker") is None  # held while the lease runs
    during_filing.shift(dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1))
    again = queue.claim("other-worker")
    assert again.pk == job.pk and again.attempts == 2
    assert queue.run(again).state == Job.State.DONE


def test_a_job_interrupted_as_often_as_it_may_be_tried_fails_with_a_reason(db, worker_later, during_filing, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    job = _accept(handlers.quick)
    for _ in range(2):
        queue.claim("dying-worker")
        during_filing.shift(dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1))
    assert queue.claim("worker") is None
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "多次中断" in job.error


@pytest.mark.django_db(transaction=True)  # the worker closes its connection during the outage
def test_the_worker_waits_out_a_database_outage_and_then_runs_the_job(worker_later, monkeypatch):
    job = _accept(handlers.quick)
    claim, refused, waits = queue.claim, [], []

    def claim_while_the_database_is_away(*args, **kwargs):
        if len(refused) < 3:
            refused.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return claim(*args, **kwargs)

    monkeypatch.setattr(queue, "claim", claim_while_the_database_is_away)
    monkeypatch.setattr(time, "sleep", waits.append)
    call_command("work", "--once")
    job.refresh_from_db()
    assert job.state == Job.State.DONE and waits == [0.5, 1.0, 2.0]  # backed off, doubling


class FlakyMail(EmailBackend):
    """An SMTP server that refuses the first two attempts."""

    attempts = 0

    def send_messages(self, messages):
        FlakyMail.attempts += 1
        if FlakyMail.attempts <= 2:
            raise ConnectionRefusedError("smtp.example.org:25 refused")
        return super().send_messages(messages)


def test_a_failed_mail_is_really_retried_until_it_goes(db, settings, during_filing, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyMail"
    FlakyMail.attempts = 0
    with django_capture_on_commit_callbacks(execute=True):
        email_on_commit("申报书已推荐", "正文", ["admin@example.org"])
    job = Job.objects.get()
    assert job.state == Job.State.QUEUED and job.error == "邮件发送失败，将稍后重试" and mail.outbox == []
    for _ in range(2):
        during_filing.shift(dt.timedelta(seconds=settings.JOB_RETRY_MAX_SECONDS))
        queue.run_due("worker")
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 3
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]


def test_check_tasks_reports_late_abandoned_and_failed_jobs_and_exits_1(db, worker_later, during_filing, settings):
    _accept(handlers.quick, key="late")
    abandoned = _accept(handlers.quick, key="abandoned")
    queue.claim("dead-worker", only=abandoned.pk)
    Job.objects.create(
        key="failed",
        handler="x",
        accepted_at=timezone.now(),
        run_after=timezone.now(),
        state=Job.State.FAILED,
        error="电子签章失败",
        finished_at=timezone.now(),
    )
    during_filing.shift(dt.timedelta(seconds=max(settings.JOB_LATE_SECONDS, settings.JOB_LEASE_SECONDS) + 1))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("check_tasks", stdout=out)
    assert exit_code.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[-1] == "check_tasks: late=2 failed=1 queued=1 running=1"
    assert any(line.startswith("abandoned\t") and "abandoned" in line for line in lines)


def test_check_tasks_is_quiet_and_exits_0_when_nothing_is_late(db):
    out = io.StringIO()
    call_command("check_tasks", stdout=out)
    assert out.getvalue().strip() == "check_tasks: late=0 failed=0 queued=0 running=0"


# --- a real worker process killed mid-job (PostgreSQL: the worker is another process) -------------


def _worker(extra_env: dict, *args) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        **extra_env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "work", "--interval", "0.1", *(args or ("--queues", "test"))],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_process_is_killed_mid_task_is_finished_by_another_worker(worker_later):
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a database server it can share")
    job = queue.accept(handlers.slow_the_first_time, "killed", {}, accepted_at=timezone.now(), what="测试任务")
    first = _worker({"JOB_LEASE_SECONDS": "2"})
    try:
        deadline = time.monotonic() + 30
        while Job.objects.get(pk=job.pk).state != Job.State.RUNNING:
            assert time.monotonic() < deadline, first.stdout.read1().decode() if first.poll() is not None else ""
            time.sleep(0.1)
    finally:
        os.kill(first.pid, signal.SIGKILL)  # mid-task: no chance to say anything
        first.wait()
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING  # what used to stay forever
    second = _worker({"JOB_LEASE_SECONDS": "2"})
    try:
        deadline = time.monotonic() + 30
        while Job.objects.get(pk=job.pk).state != Job.State.DONE:
            assert time.monotonic() < deadline and second.poll() is None
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0  # stops cleanly on SIGTERM
    job.refresh_from_db()
    assert job.result == "finished on attempt 2"


# --- parallel workers, and Redis as an optional nudge ----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_the_same_moment_take_different_jobs(worker_later):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are what is tested")
    import threading

    from django.db import connections

    for n in range(4):
        _accept(handlers.quick, key=f"parallel-{n}")
    barrier, claimed = threading.Barrier(4), []

    def claim(name):
        barrier.wait()
        job = queue.claim(name)
        claimed.append(job and job.pk)
        connections.close_all()

    threads = [threading.Thread(target=claim, args=(f"worker-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert None not in claimed and len(set(claimed)) == 4


REDIS_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture
def through_redis(settings, worker_later):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.TASKS_BACKEND = "rq"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    connection_to_redis = redis.Redis.from_url(REDIS_URL)
    connection_to_redis.flushdb()
    yield
    connection_to_redis.flushdb()


def test_with_redis_an_rq_worker_runs_the_job_under_the_same_lease(
    through_redis, db, django_capture_on_commit_callbacks
):
    import django_rq

    with django_capture_on_commit_callbacks(execute=True):
        job = _accept(handlers.quick)
    django_rq.get_worker(
        "default", job_class="django_tasks_rq.backend.Job", worker_class="rq.worker.SimpleWorker"
    ).work(burst=True)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.worker == "rq"


@pytest.mark.django_db(transaction=True)  # the worker manages its own connection, as in production
def test_with_redis_away_the_click_is_still_accepted_and_a_database_worker_runs_it(
    through_redis, settings, django_capture_on_commit_callbacks
):
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        job = _accept(handlers.quick)
    assert Job.objects.get(pk=job.pk).state == Job.State.QUEUED
    call_command("work", "--once")
    assert Job.objects.get(pk=job.pk).state == Job.State.DONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_seal_leaves_no_file_and_the_next_worker_seals(
    worker_later, make_submitted, applicant, admin, tmp_path, media
):
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a database server it can share")
    from shenbao.applications.models import Application
    from shenbao.documents.tasks import queue_seal
    from shenbao.review import services

    approved = services.approve(make_submitted(applicant), admin, timezone.now())
    job = queue_seal(approved, admin, timezone.now())
    env = {
        "JOB_LEASE_SECONDS": "3",
        "DATA_DIR": str(media.parent),
        "SEAL_IDENTITY_PROVIDER": "shenbao.documents.tests.slow_identity.identity",
        "SLOW_SEAL_MARKER": str(tmp_path / "first-seal-hangs"),
    }
    first = _worker(env, "--queues", "sealing")
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "first-seal-hangs").exists():
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.2)
    finally:
        os.kill(first.pid, signal.SIGKILL)  # mid-seal
        first.wait()
    application = Application.objects.get(pk=approved.pk)
    assert application.state == Application.State.UNIT_APPROVED and not application.sealed_pdf
    assert not (media / "sealed").exists() or not any((media / "sealed").iterdir())
    second = _worker(env, "--queues", "sealing")
    try:
        deadline = time.monotonic() + 120
        while Job.objects.get(pk=job.pk).state != Job.State.DONE:
            assert time.monotonic() < deadline and second.poll() is None
            time.sleep(0.3)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    application = Application.objects.get(pk=approved.pk)
    assert application.state == Application.State.SEALED
    assert [p.name for p in (media / "sealed").iterdir()] == [application.sealed_pdf.name.split("/")[-1]]
