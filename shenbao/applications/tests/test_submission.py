"""Submitting to the unit: bars block it, a repeated click gets the same receipt, the deadline holds."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import AFTER_FILING
from shenbao.accounts.models import User
from shenbao.applications import services
from shenbao.applications.models import Application
from shenbao.audit.models import AuditEntry
from shenbao.review.models import Notification

pytestmark = pytest.mark.usefixtures("during_filing", "media")


@pytest.fixture
def complete(make_complete, applicant):
    return make_complete(applicant)


def test_a_complete_application_is_submitted_with_a_receipt_number_and_the_unit_is_told(
    client, complete, applicant, make_user, unit, django_capture_on_commit_callbacks
):
    make_user(User.Role.UNIT_ADMIN, unit=unit, email="admin@example.org")
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", args=[complete.public_id]), follow=True)
    complete.refresh_from_db()
    assert complete.state == Application.State.SUBMITTED and complete.receipt_no.startswith("NMG-2026-KJHZ-1001-")
    assert complete.receipt_no in response.content.decode()
    assert complete.receipt_no in mail.outbox[-1].body and mail.outbox[-1].to == ["admin@example.org"]
    assert Notification.objects.filter(user__email="admin@example.org", message__contains=complete.receipt_no).exists()


def test_submitting_twice_gives_the_same_receipt_and_one_submission(complete, applicant):
    first = services.submit_application(complete, applicant, timezone.now())
    second = services.submit_application(complete, applicant, timezone.now())
    assert first.receipt_no == second.receipt_no
    assert AuditEntry.objects.filter(action="application.submitted").count() == 1


def test_a_bar_blocks_submission_and_names_field_and_clause(complete, applicant):
    complete.data["budget"]["fiscal"]["业务费"] = 600000
    complete.save()
    with pytest.raises(services.SubmissionBarred) as refused:
        services.submit_application(complete, applicant, timezone.now())
    findings = {f.code: f for f in refused.value.findings}
    assert findings["budget.split_mismatch"].clause == "一(三)10"
    assert Application.objects.get(pk=complete.pk).state == Application.State.DRAFT


def test_a_missing_attachment_blocks_submission(complete, applicant):
    complete.attachments.filter(kind="integrity_commitment").delete()
    with pytest.raises(services.SubmissionBarred) as refused:
        services.submit_application(complete, applicant, timezone.now())
    assert [f.code for f in refused.value.findings] == ["attachments.missing"]


def test_nothing_can_be_submitted_after_the_deadline_even_a_second_later(complete, applicant, during_filing):
    during_filing.move_to(AFTER_FILING)
    with pytest.raises(services.EditRefused, match="截止"):
        services.submit_application(complete, applicant, timezone.now())
    assert Application.objects.get(pk=complete.pk).state == Application.State.DRAFT


def test_a_submitted_application_can_no_longer_be_edited(client, complete, applicant):
    services.submit_application(complete, applicant, timezone.now())
    client.force_login(applicant)
    url = reverse("applications:section", args=[complete.public_id, "basic"])
    response = client.post(url, {"version": complete.version + 1, "title": "改"}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 409 and "已提交单位" in response.json()["message"]


def test_a_submission_locks_the_audit_chains_head_last_so_that_submissions_queue_on_it_only_briefly(
    complete, applicant, make_user, unit
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_user(User.Role.UNIT_ADMIN, unit=unit)  # told of it: more writes, which must come before the head
    head = AuditEntry._meta.db_table.replace("entry", "head")
    with CaptureQueriesContext(connection) as queries:
        services.submit_application(complete, applicant, timezone.now())
    statements = [q["sql"] for q in queries.captured_queries]
    first_on_head = next(i for i, sql in enumerate(statements) if head in sql)
    after_it = [sql.split()[0] for sql in statements[first_on_head:] if head not in sql]
    # the entry itself; then only the head's update and the commit
    assert [verb for verb in after_it if verb not in ("SAVEPOINT", "RELEASE")] == ["INSERT"]


def _click(client, application, clicked, remote="127.0.0.1"):
    """A submit click that the front stamped at `clicked` (deploy/front.py: X-Request-Start)."""
    return client.post(
        reverse("applications:submit", args=[application.public_id]),
        HTTP_X_REQUEST_START=f"t={clicked.timestamp():.3f}",
        REMOTE_ADDR=remote,
    )


def test_a_click_that_reached_the_front_before_the_close_is_submitted_though_a_worker_took_it_after(
    client, complete, applicant, during_filing, settings
):
    settings.TRUST_REQUEST_START = True
    clicked = AFTER_FILING - dt.timedelta(seconds=1.5)  # 15:59:59.5
    during_filing.move_to(AFTER_FILING + dt.timedelta(seconds=3))  # queued behind the rush until 16:00:04
    client.force_login(applicant)
    _click(client, complete, clicked)
    complete.refresh_from_db()
    assert complete.state == Application.State.SUBMITTED and complete.submitted_at == clicked


def test_a_stamp_is_believed_only_from_a_trusted_front_that_is_said_to_set_it_and_only_for_a_queue_s_length(
    client, complete, applicant, during_filing, settings
):
    client.force_login(applicant)
    during_filing.move_to(AFTER_FILING + dt.timedelta(seconds=3))
    just_before = AFTER_FILING - dt.timedelta(seconds=1.5)

    settings.TRUST_REQUEST_START = False  # a balancer that does not set it: a client could write it
    _click(client, complete, just_before)
    settings.TRUST_REQUEST_START = True
    _click(client, complete, just_before, remote="198.51.100.7")  # not through the front
    _click(client, complete, AFTER_FILING - dt.timedelta(minutes=10))  # longer than any request waits

    assert Application.objects.get(pk=complete.pk).state == Application.State.DRAFT
