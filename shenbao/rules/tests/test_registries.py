"""The registries reach the rules whether one application is reviewed (a form save, a submit), a
queue of them, or a whole call, though only the rows concerned are read for the first two."""

import pytest

from shenbao.rules.batch import context_for, review_applications, review_call
from shenbao.rules.models import DishonestyRecord, OngoingProjectRecord
from shenbao.rules.ruleset import review

pytestmark = pytest.mark.usefixtures("during_filing")


@pytest.fixture
def flagged(make_complete, applicant):
    application = make_complete(applicant)
    DishonestyRecord.objects.create(kind="unit", identifier="12100000400012345p", name="北京草业科学研究中心")
    DishonestyRecord.objects.create(kind="person", identifier="110101199001010011", name="无关的人")
    OngoingProjectRecord.objects.create(
        id_number=applicant.id_number, plan="自治区重点研发计划", project_type="重点研发", code="2025ZD0009"
    )
    return application


def _codes(findings):
    return {f.code for f in findings}


def test_one_application_sees_its_partners_dishonesty_and_its_pis_ongoing_projects(flagged):
    codes = _codes(review(*context_for(flagged)))
    assert {"unit.dishonest", "pi.undeclared_ongoing", "pi.too_many_ongoing"} <= codes


def test_a_queue_sees_them_too(flagged):
    assert {"unit.dishonest", "pi.too_many_ongoing"} <= _codes(review_applications([flagged])[flagged.pk])


def test_the_whole_call_sees_them_too(flagged):
    result = review_call(flagged.call, include_drafts=True)
    assert {"unit.dishonest", "pi.too_many_ongoing"} <= _codes(result.findings[str(flagged.public_id)])
