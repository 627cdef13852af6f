"""Near-duplicates for one application come from an index kept up to date, not a scan of the call."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shenbao.applications import similarity
from shenbao.applications.models import Application, SimilarityEntry
from shenbao.rules.batch import CALL_SOURCE
from shenbao.rules.duplicates import Document, find_similar
from shenbao.rules.models import FundedProject

pytestmark = pytest.mark.usefixtures("during_filing", "media")


def _submitted_like(application, count, *, title=None, abstract=None):
    copies = []
    for n in range(count):
        data = copy.deepcopy(application.data)
        data["title"] = title or f"第{n}个完全不同的项目：风电储能装备研制{n}"
        data["abstract"] = abstract if abstract is not None else f"氢能{n}煤化工关键技术示范应用{n * 7}，前景广阔。" * 3
        copies.append(
            Application(
                call=application.call,
                unit=application.unit,
                applicant=application.applicant,
                data=data,
                title=data["title"],
                state=Application.State.SUBMITTED,
            )
        )
    made = Application.objects.bulk_create(copies)
    similarity.index_applications(made)
    return made


def test_a_renamed_resubmission_is_found_through_the_index_as_the_whole_call_scan_finds_it(submitted):
    [renamed] = _submitted_like(submitted, 1, title="改进的" + submitted.title, abstract=submitted.data["abstract"])
    _submitted_like(submitted, 5)
    found = similarity.similar_to(submitted)
    assert [(s.title, s.source) for s in found] == [(renamed.title, CALL_SOURCE)]
    documents = [
        Document(str(a.public_id), a.title, a.data.get("abstract", ""), CALL_SOURCE) for a in Application.objects.all()
    ]
    scanned = find_similar(documents)[str(submitted.public_id)]
    assert [(s.title, round(s.score, 6)) for s in scanned] == [(s.title, round(s.score, 6)) for s in found]


def test_a_funded_project_is_indexed_when_saved_and_found_for_every_call(submitted):
    FundedProject.objects.create(year=2024, title=submitted.title, abstract=submitted.data["abstract"])
    found = similarity.similar_to(submitted)
    assert [(s.title, s.source) for s in found] == [(submitted.title, "2024年已立项项目")]


def test_submission_indexes_the_application(submitted):
    assert SimilarityEntry.objects.get(application=submitted).version == submitted.version


def test_an_application_changed_since_it_was_indexed_is_indexed_again_when_looked_at(submitted):
    [other] = _submitted_like(submitted, 1)
    Application.objects.filter(pk=submitted.pk).update(version=submitted.version + 1)
    submitted.refresh_from_db()
    submitted.data["title"], submitted.data["abstract"] = other.title, other.data["abstract"]
    Application.objects.filter(pk=submitted.pk).update(data=submitted.data, title=other.title)
    submitted.refresh_from_db()
    assert [s.title for s in similarity.similar_to(submitted)] == [other.title]
    assert SimilarityEntry.objects.get(application=submitted).version == submitted.version


def test_the_staff_view_of_one_application_does_not_grow_with_the_call(client, submitted, admin):
    client.force_login(admin)
    url = reverse("applications:review", args=[submitted.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _submitted_like(submitted, 60)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert not any("KT(" in q["sql"] or "abstract" in q["sql"] for q in large.captured_queries)


def test_the_staff_view_warns_of_a_near_duplicate(client, submitted, admin):
    _submitted_like(submitted, 1, title="改进的" + submitted.title, abstract=submitted.data["abstract"])
    client.force_login(admin)
    body = client.get(reverse("applications:review", args=[submitted.public_id])).content.decode()
    assert "高度相似" in body and "改进的" + submitted.title in body


def test_funded_projects_imported_in_bulk_are_found_too(submitted):
    similarity.similar_to(submitted)
    FundedProject.objects.bulk_create(
        [FundedProject(year=2023, title=submitted.title, abstract=submitted.data["abstract"])]
    )
    assert [s.source for s in similarity.similar_to(submitted)] == ["2023年已立项项目"]
