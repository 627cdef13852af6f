"""What is sealed is what the database says (issue 9 items 2 and 6), and the click decides (issue 12
item 3): a seal is rendered from a named content version and recorded only while it is current; three
clicks make one seal; a 签章并报送 accepted at 15:59:59 ends at the recommender even if its worker runs
after the close."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shenbao.applications import services as applications
from shenbao.applications.models import Application
from shenbao.audit.models import AuditEntry
from shenbao.documents import sealing
from shenbao.documents.signing import SealingFailed
from shenbao.documents.tasks import queue_seal
from shenbao.jobs import queue
from shenbao.jobs.models import Job
from shenbao.review import services
from shenbao.review.models import Notification

State = Application.State
BEIJING = dt.timezone(dt.timedelta(hours=8))
LAST_SECOND = dt.datetime(2025, 11, 14, 15, 59, 59, tzinfo=BEIJING)
AFTER_CLOSE = dt.datetime(2025, 11, 14, 16, 0, 5, tzinfo=BEIJING)


@pytest.fixture
def approved(submitted, admin):
    return services.approve(submitted, admin, timezone.now())


@pytest.fixture
def worker_later(settings):
    """Jobs wait for a worker, as in production (tests otherwise run them at once)."""
    settings.JOBS_IMMEDIATE = False


def _retitled(application, applicant, admin, title: str) -> Application:
    """Return, edit the title, resubmit and approve again: what a unit and an applicant can do in
    half a second while a seal is being rendered."""
    services.return_to_applicant(application, admin, "请修改项目名称", timezone.now())
    application = Application.objects.get(pk=application.pk)
    application.data = {**application.data, "title": title}
    application.version += 1
    application.save()
    applications.submit_application(application, applicant, timezone.now())
    return services.approve(application, admin, timezone.now())


def test_a_seal_rendered_before_the_title_changed_is_not_recorded_and_the_job_seals_the_new_title(
    approved, admin, applicant, monkeypatch
):
    render, rendered_titles = sealing.sealed_application_pdf, []

    def render_while_the_content_changes(application):
        rendered_titles.append(application.title)
        pdf = render(application)
        if len(rendered_titles) == 1:
            _retitled(application, applicant, admin, "新的项目名称")
        return pdf

    monkeypatch.setattr(sealing, "sealed_application_pdf", render_while_the_content_changes)
    job = queue_seal(approved, admin, timezone.now())
    sealed = Application.objects.get(pk=approved.pk)
    assert job.state == Job.State.DONE and sealed.state == State.SEALED
    assert rendered_titles == [approved.title, "新的项目名称"]  # rendered again for the current version
    assert sealed.title == "新的项目名称"
    assert len(list(sealed.sealed_pdf.storage.listdir("sealed")[1])) == 1  # the stale file is gone


def test_recording_a_seal_of_another_content_version_is_refused_and_changes_nothing(approved, admin):
    with pytest.raises(services.StaleSeal, match="重新签章"):
        services.record_seal(approved, admin, "sealed/x.pdf", timezone.now(), version="not-the-current-one")
    assert Application.objects.get(pk=approved.pk).state == State.UNIT_APPROVED


def test_three_clicks_on_seal_make_one_job_one_seal_and_no_failure_notice(
    approved, admin, client, worker_later, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    for _ in range(3):
        client.post(reverse("review:unit_action"), {"action": "seal", "application": approved.public_id})
    assert Job.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert queue.run_due("worker") == 1
    assert Application.objects.get(pk=approved.pk).state == State.SEALED
    assert not Notification.objects.filter(message__contains="签章").exists()
    assert not Job.objects.filter(state=Job.State.FAILED).exists()
    # A fourth click after it is sealed is refused at once, on the page, not by a failure notice later.
    page = client.post(
        reverse("review:unit_action"), {"action": "seal", "application": approved.public_id}, follow=True
    )
    assert "须先审核通过才能签章" in page.content.decode() and Job.objects.count() == 1


def test_a_job_run_twice_after_its_worker_died_seals_once(approved, admin, worker_later):
    job = queue_seal(approved, admin, timezone.now())
    queue.run(queue.claim("first"))
    first_file = Application.objects.get(pk=approved.pk).sealed_pdf.name
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)  # as if the worker died before saying so
    queue.run(queue.claim("second"))
    assert Application.objects.get(pk=approved.pk).sealed_pdf.name == first_file
    assert AuditEntry.objects.filter(action="application.sealed").count() == 1


def test_seal_and_submit_clicked_at_15_59_59_reaches_the_recommender_though_the_worker_runs_after_the_close(
    approved, admin, client, worker_later, during_filing
):
    during_filing.move_to(LAST_SECOND)
    client.force_login(admin)
    page = client.post(reverse("review:unit_action"), {"action": "seal_submit", "application": approved.public_id})
    assert page.status_code == 302 and "batch=" in page.url
    during_filing.move_to(AFTER_CLOSE)
    assert queue.run_due("late-worker") == 1
    application = Application.objects.get(pk=approved.pk)
    assert application.state == State.SUBMITTED_TO_RECOMMENDER and application.sealed_pdf
    accepted = AuditEntry.objects.get(action="application.seal_accepted")
    assert accepted.after["accepted_at"].startswith("2025-11-14T07:59:59")  # 15:59:59 Beijing, in UTC
    assert "受理时间 2025-11-14 15:59:59" in AuditEntry.objects.get(action="application.sealed").reason
    assert AuditEntry.objects.filter(action="application.submitted_to_recommender").exists()


def test_a_click_one_second_after_the_close_is_refused_at_once(approved, admin, client, during_filing):
    during_filing.move_to(AFTER_CLOSE)
    client.force_login(admin)
    page = client.post(
        reverse("review:unit_action"), {"action": "seal_submit", "application": approved.public_id}, follow=True
    )
    assert "现已截止" in page.content.decode() and not Job.objects.exists()


def test_a_failing_seal_is_retried_with_backoff_then_shown_with_its_reason_and_a_retry_button(
    approved, admin, client, worker_later, during_filing, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_ATTEMPTS, settings.JOB_RETRY_BASE_SECONDS = 3, 10

    def broken(*args, **kwargs):
        raise SealingFailed("电子签章失败：证书不可用")

    monkeypatch.setattr(sealing, "apply_seals", broken)
    job = queue_seal(approved, admin, timezone.now())
    waits = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            queue.run_due("worker")
            job.refresh_from_db()
            if job.state == Job.State.QUEUED:
                waits.append((job.run_after - timezone.now()).total_seconds())
                during_filing.shift(dt.timedelta(seconds=waits[-1]))
    assert waits == [10, 20] and job.state == Job.State.FAILED and job.attempts == 3
    assert job.error == "电子签章失败：证书不可用（已尝试3次）"
    notice = Notification.objects.get(user=admin)
    assert "签章未完成" in notice.message and "证书不可用" in notice.message

    client.force_login(admin)
    page = client.get(reverse("review:unit_queue")).content.decode()
    assert "证书不可用" in page and reverse("review:retry_job", args=[job.pk]) in page
    monkeypatch.undo()
    client.post(reverse("review:retry_job", args=[job.pk]))
    assert queue.run_due("worker", ["sealing"]) == 1
    assert Application.objects.get(pk=approved.pk).state == State.SEALED


def test_the_progress_endpoint_counts_the_batch_and_names_failures(
    make_submitted, applicant, admin, client, worker_later, monkeypatch
):
    batch = Job.new_batch()
    good = services.approve(make_submitted(applicant, title="能签章的项目"), admin, timezone.now())
    bad = services.approve(make_submitted(applicant, title="会失败的项目"), admin, timezone.now())
    for application in (good, bad):
        queue_seal(application, admin, timezone.now(), batch=batch)
    client.force_login(admin)
    url = f"{reverse('review:unit_progress')}?batch={batch}"
    assert client.get(url).json() | {"rows": None} == {
        "total": 2,
        "done": 0,
        "pending": 2,
        "failed": [],
        "rows": None,
    }
    queue.run(queue.claim("worker", only=Job.objects.get(application=good).pk))
    Job.objects.filter(application=bad).update(state=Job.State.FAILED, error="文件存储暂时不可用")
    progress = client.get(url).json()
    assert (progress["done"], progress["pending"]) == (1, 0)
    assert progress["failed"] == [{"title": "会失败的项目", "error": "文件存储暂时不可用"}]
    assert {r["id"]: r["state_label"] for r in progress["rows"]}[str(good.public_id)] == "已签章"
    page = client.get(f"{reverse('review:unit_queue')}?batch={batch}").content.decode()
    assert "shenbao/progress.js" in page and "data-progress-url" in page and "<script>" not in page


def test_another_units_admin_sees_nothing_of_a_batch(approved, admin, make_user, make_unit, client, worker_later):
    from shenbao.accounts.models import User

    batch = Job.new_batch()
    queue_seal(approved, admin, timezone.now(), batch=batch)
    client.force_login(make_user(User.Role.UNIT_ADMIN, unit=make_unit()))
    assert client.get(f"{reverse('review:unit_progress')}?batch={batch}").json()["total"] == 0
    job = Job.objects.get()
    assert client.post(reverse("review:retry_job", args=[job.pk])).status_code == 404


def test_seal_then_seal_and_submit_before_the_seal_ran_does_both_in_one_job(approved, admin, worker_later):
    queue_seal(approved, admin, timezone.now())
    queue_seal(approved, admin, timezone.now(), submit=True)
    assert Job.objects.count() == 1
    queue.run_due("worker", ["sealing"])
    assert Application.objects.get(pk=approved.pk).state == State.SUBMITTED_TO_RECOMMENDER


def test_seal_and_submit_of_an_application_already_sealed_just_submits(approved, admin):
    sealing.seal_application(approved, admin, timezone.now())
    assert queue_seal(approved, admin, timezone.now(), submit=True) is None
    assert Application.objects.get(pk=approved.pk).state == State.SUBMITTED_TO_RECOMMENDER
