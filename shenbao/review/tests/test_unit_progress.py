"""The unit queue follows its background seals without a reload: rows with pending work are marked in
the page, the status endpoint answers for them (and for a batch) with each row's state and next step,
and only ever about the unit's own applications."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.documents.tasks import queue_seal
from shenbao.jobs import queue
from shenbao.jobs.models import Job
from shenbao.review import services


@pytest.fixture
def worker_later(settings):
    settings.JOBS_IMMEDIATE = False


@pytest.fixture
def sealing(submitted, admin, worker_later):
    """An approved application whose seal was asked for and waits for the worker."""
    approved = services.approve(submitted, admin, timezone.now())
    queue_seal(approved, admin, timezone.now())
    return approved


def _progress(client, **query):
    url = reverse("review:unit_progress")
    rows = query.pop("row", [])
    return client.get(url, {**query, "row": [str(r) for r in rows]}).json()


def test_a_row_whose_seal_is_being_made_is_marked_pending_without_a_button(client, sealing, admin):
    client.force_login(admin)
    page = client.get(reverse("review:unit_queue")).content.decode()
    row = re.search(rf'<tr data-row="{sealing.public_id}"([^>]*)>(.*?)</tr>', page, re.S)
    assert "data-pending" in row.group(1)
    assert "签章中…" in row.group(2) and 'name="step"' not in row.group(2)
    assert "shenbao/progress.js" in page and "<script>" not in page


def test_the_status_of_a_pending_row_changes_when_its_seal_is_done(client, sealing, admin):
    client.force_login(admin)
    before = _progress(client, row=[sealing.public_id])
    assert (before["total"], before["done"], before["pending"]) == (1, 0, 1)
    (row,) = before["rows"]
    assert row["pending"] and row["state_label"] == "单位审核通过" and row["next"] is None
    queue.run_due("worker", ["sealing"])
    after = _progress(client, row=[sealing.public_id])
    assert (after["done"], after["pending"]) == (1, 0)
    (row,) = after["rows"]
    assert row["state_label"] == "已签章" and row["sealed"] and not row["pending"]
    assert row["next"]["value"] == f"submit:{sealing.public_id}" and row["next"]["label"] == "报送归口管理部门"
    assert "报送后" in row["next"]["confirm"]


def test_a_failed_seal_is_named_with_its_reason(client, sealing, admin):
    Job.objects.filter(application=sealing).update(state=Job.State.FAILED, error="文件存储暂时不可用")
    client.force_login(admin)
    progress = _progress(client, row=[sealing.public_id])
    assert progress["failed"] == [{"title": sealing.title, "error": "文件存储暂时不可用"}]
    assert progress["rows"][0]["error"] == "文件存储暂时不可用" and progress["pending"] == 0


def test_another_units_admin_learns_nothing_of_the_rows_it_asks_about(client, sealing, make_user, make_unit):
    client.force_login(make_user(User.Role.UNIT_ADMIN, unit=make_unit()))
    progress = _progress(client, row=[sealing.public_id])
    assert progress == {"total": 0, "done": 0, "pending": 0, "failed": [], "rows": []}


def test_only_the_unit_admin_may_ask(client, sealing, applicant, staff):
    for person in (applicant, staff):
        client.force_login(person)
        assert client.get(reverse("review:unit_progress"), {"row": str(sealing.public_id)}).status_code == 403


def test_ids_that_are_not_ids_are_ignored(client, sealing, admin):
    client.force_login(admin)
    response = client.get(reverse("review:unit_progress"), {"row": ["x", "1", str(sealing.public_id)], "batch": "y"})
    assert response.status_code == 200 and response.json()["total"] == 1
