"""The unit's and the recommender's queues: a page at a time, narrowed by a filter, with findings
stored when the application changes instead of a review of every document on every view."""

import copy
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shenbao.applications import findings as stored_findings
from shenbao.applications import search
from shenbao.applications.models import Application
from shenbao.review.views import QUEUE_PAGE_SIZE

pytestmark = pytest.mark.usefixtures("during_filing", "media")


def _copies(application, count, **changes):
    """`count` more submitted applications like `application`, their findings not yet computed."""
    copies = []
    for n in range(count):
        data = copy.deepcopy(application.data)
        data["title"] = f"{application.title}（第{n + 2}份）"
        copies.append(
            Application(
                call=application.call,
                unit=application.unit,
                applicant=application.applicant,
                data=data,
                title=data["title"],
                category=application.category,
                state=changes.get("state", Application.State.SUBMITTED),
                receipt_no=f"R-{n:04d}",
            )
        )
    made = Application.objects.bulk_create(copies)
    search.index(made)  # bulk_create saves without Application.save: index them as it would
    return made


def test_the_unit_queue_shows_a_page_at_a_time(client, submitted, admin):
    _copies(submitted, QUEUE_PAGE_SIZE + 4)
    client.force_login(admin)
    first = client.get(reverse("review:unit_queue"))
    assert len(first.context["rows"]) == QUEUE_PAGE_SIZE and first.context["page_obj"].paginator.count == 55
    assert "下一页" in first.content.decode()
    second = client.get(reverse("review:unit_queue"), {"page": 2})
    assert len(second.context["rows"]) == 5


def test_the_unit_queue_is_narrowed_by_state_category_and_words(client, submitted, admin):
    _copies(submitted, 3, state=Application.State.UNIT_APPROVED)
    client.force_login(admin)
    approved = client.get(reverse("review:unit_queue"), {"state": "unit_approved"}).context["rows"]
    assert len(approved) == 3 and all(a.state == "unit_approved" for a, _, _ in approved)
    found = client.get(reverse("review:unit_queue"), {"q": "第3份"}).context["rows"]
    assert [a.title for a, _, _ in found] == [f"{submitted.title}（第3份）"]
    by_receipt = client.get(reverse("review:unit_queue"), {"q": submitted.receipt_no}).context["rows"]
    assert [a.pk for a, _, _ in by_receipt] == [submitted.pk]
    other_category = "2001" if submitted.category != "2001" else "1001"
    assert client.get(reverse("review:unit_queue"), {"category": other_category}).context["rows"] == []
    page = client.get(reverse("review:unit_queue"), {"state": "nonsense", "page": "x"})
    assert page.status_code == 200 and len(page.context["rows"]) == 4


def test_findings_stored_at_submission_are_shown_without_reviewing_again(client, submitted, admin):
    assert submitted.findings_version == submitted.version and submitted.bars == 0
    client.force_login(admin)
    with mock.patch.object(stored_findings, "review_applications", wraps=stored_findings.review_applications) as review:
        client.get(reverse("review:unit_queue"))
    review.assert_not_called()


def test_stale_findings_are_reviewed_once_then_read(client, submitted, admin):
    _copies(submitted, 30)
    client.force_login(admin)
    with mock.patch.object(stored_findings, "review_applications", wraps=stored_findings.review_applications) as review:
        first = client.get(reverse("review:unit_queue"))
        client.get(reverse("review:unit_queue"))
    assert review.call_count == 1 and len(review.call_args.args[0]) == 30
    assert all(a.findings_version == a.version for a, _, _ in first.context["rows"])
    assert not Application.objects.filter(findings_version=0).exists()


def test_a_removed_attachment_makes_the_stored_findings_stale(client, submitted, admin):
    submitted.attachments.filter(kind="integrity_commitment").delete()
    client.force_login(admin)
    row = next(r for r in client.get(reverse("review:unit_queue")).context["rows"] if r[0].pk == submitted.pk)
    assert row[1] >= 1  # the missing commitment is a bar now


def test_a_queue_page_reads_a_fixed_number_of_queries_whatever_its_length(client, submitted, admin):
    client.force_login(admin)
    client.get(reverse("review:unit_queue"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("review:unit_queue"))
    _copies(submitted, 40)
    client.get(reverse("review:unit_queue"))  # computes and stores the new rows' findings
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("review:unit_queue"))
    assert len(many.captured_queries) == len(few.captured_queries)
    rows = [q["sql"] for q in many.captured_queries if 'FROM "applications_application"' in q["sql"]]
    assert rows and not any('"applications_application"."data"' in sql for sql in rows)  # no document read


def test_the_recommender_queue_is_paginated_and_filtered(client, submitted, admin, staff):
    from django.utils import timezone

    from shenbao.review import services

    services.approve(submitted, admin, timezone.now())
    Application.objects.filter(pk=submitted.pk).update(state=Application.State.SUBMITTED_TO_RECOMMENDER)
    _copies(submitted, QUEUE_PAGE_SIZE, state=Application.State.SUBMITTED_TO_RECOMMENDER)
    client.force_login(staff)
    page = client.get(reverse("review:recommender_queue"))
    assert len(page.context["rows"]) == QUEUE_PAGE_SIZE and page.context["page_obj"].paginator.count == 51
    named = client.get(reverse("review:recommender_queue"), {"q": submitted.unit.name}).context["page_obj"]
    assert named.paginator.count == 51


def test_the_formal_review_page_reads_the_stored_findings(client, submitted, admin):
    client.force_login(admin)
    url = reverse("applications:review", args=[submitted.public_id])
    with mock.patch.object(stored_findings, "review_applications", wraps=stored_findings.review_applications) as review:
        page = client.get(url)
    review.assert_not_called()
    assert page.status_code == 200 and page.context["bars"] == submitted.bars
    Application.objects.filter(pk=submitted.pk).update(version=submitted.version + 1)  # the document changed
    with mock.patch.object(stored_findings, "review_applications", wraps=stored_findings.review_applications) as review:
        client.get(url)
        client.get(url)
    assert review.call_count == 1  # reviewed once for the new version, then read


def test_a_registry_imported_in_bulk_makes_the_stored_findings_stale(client, submitted, admin):
    from shenbao.rules.models import DishonestyRecord

    client.force_login(admin)
    before = client.get(reverse("review:unit_queue")).context["rows"][0][1]
    DishonestyRecord.objects.bulk_create(  # an import: no signals
        [DishonestyRecord(kind=DishonestyRecord.Kind.PERSON, identifier=submitted.pi_id_number)]
    )
    after = client.get(reverse("review:unit_queue")).context["rows"][0][1]
    assert after > before  # the PI is on the dishonesty registry: a bar for each role the PI holds
