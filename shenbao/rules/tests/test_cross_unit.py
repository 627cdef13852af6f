"""One unit must never affect or see another unit's applicants (issue #8).

A draft belongs to its author: the cross-application rules (一(二)3 one category per PI, 一(三)7
near-duplicates) count only what a unit has put forward (context.counts_as_peer), never show another
unit's title, category or state to anyone but department staff, and a conflict between two units is a
case for the department, shown to both units, not a bar on the later one."""

import copy
import json

import pytest
from django.urls import reverse

from conftest import EXAMPLE_APPLICATION
from shenbao.accounts.models import User
from shenbao.applications import services, similarity
from shenbao.applications.models import Application
from shenbao.rules.batch import context_for, review_applications
from shenbao.rules.context import PEER_STATES_OTHER_UNIT, PEER_STATES_SAME_UNIT
from shenbao.rules.ruleset import has_bar, review

pytestmark = pytest.mark.usefixtures("during_filing", "media")

PI = "150105199007160025"
INTRUDER_TITLE = "冒名顶替的国际合作项目"


@pytest.fixture
def other_unit(make_unit):
    return make_unit(name="另一研究所")


@pytest.fixture
def intruder(make_user, other_unit):
    """An applicant another unit's admin created with the PI's 身份证号."""
    return make_user(User.Role.APPLICANT, unit=other_unit, real_name="冒名者", id_number=PI)


def _other_application(intruder, call, state, *, category="2001", title=INTRUDER_TITLE, abstract=None):
    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    data.update(category=category, title=title)
    if abstract is not None:
        data["abstract"] = abstract
    return Application.objects.create(call=call, unit=intruder.unit, applicant=intruder, state=state, data=data)


def _codes(findings):
    return {f.code for f in findings}


def _messages(findings):
    return " ".join(f.message for f in findings)


def test_the_states_that_count_are_states_of_the_flow():
    states = set(Application.State.values)
    assert PEER_STATES_SAME_UNIT <= states and PEER_STATES_OTHER_UNIT <= states
    assert Application.State.DRAFT not in PEER_STATES_SAME_UNIT | PEER_STATES_OTHER_UNIT
    assert not {Application.State.RETURNED_BY_UNIT, Application.State.RETURNED_BY_RECOMMENDER} & PEER_STATES_SAME_UNIT


def test_another_units_draft_in_another_category_never_bars_the_pis_application(
    make_complete, applicant, intruder, call
):
    mine = make_complete(applicant)
    _other_application(intruder, call, Application.State.DRAFT)
    findings = review(*context_for(mine, viewer=applicant))
    assert "pi.several_categories" not in _codes(findings) and "pi.cross_unit_case" not in _codes(findings)
    assert services.submit_application(mine, applicant, mine.updated_at).state == Application.State.SUBMITTED


def test_another_units_application_still_at_that_unit_does_not_count(make_complete, applicant, intruder, call):
    mine = make_complete(applicant)
    _other_application(intruder, call, Application.State.SEALED)
    assert not {"pi.several_categories", "pi.cross_unit_case"} & _codes(review(*context_for(mine, viewer=applicant)))


def test_a_conflict_with_another_units_forwarded_application_is_a_case_without_its_details(
    make_complete, applicant, unit_admin, intruder, call
):
    mine = make_complete(applicant)
    _other_application(intruder, call, Application.State.SUBMITTED_TO_RECOMMENDER)
    findings = review(*context_for(mine, viewer=unit_admin))
    case = next(f for f in findings if f.code == "pi.cross_unit_case")
    assert case.severity == "warning" and not has_bar(findings)
    for secret in (INTRUDER_TITLE, "2001", "另一研究所", "已报送归口管理部门"):
        assert secret not in case.message


def test_the_other_unit_sees_the_same_case_once_both_are_forwarded(make_complete, applicant, intruder, call):
    mine = make_complete(applicant)
    mine.state = Application.State.SUBMITTED_TO_RECOMMENDER
    mine.save()
    theirs = _other_application(intruder, call, Application.State.SUBMITTED_TO_RECOMMENDER)
    findings = review_applications([theirs])[theirs.pk]
    case = next(f for f in findings if f.code == "pi.cross_unit_case")
    assert mine.title not in case.message and "1001" not in case.message


def test_department_staff_see_the_other_units_title_category_and_state(
    make_complete, applicant, department_staff, intruder, call
):
    mine = make_complete(applicant)
    mine.state = Application.State.SUBMITTED_TO_RECOMMENDER
    mine.save()
    _other_application(intruder, call, Application.State.RECOMMENDED)
    case = next(f for f in review(*context_for(mine, viewer=department_staff)) if f.code == "pi.cross_unit_case")
    assert INTRUDER_TITLE in case.message and "2001" in case.message and "已推荐" in case.message


def test_an_applicant_is_told_nothing_about_other_units(make_complete, applicant, intruder, call):
    mine = make_complete(applicant)
    _other_application(intruder, call, Application.State.RECOMMENDED)
    assert "pi.cross_unit_case" not in _codes(review(*context_for(mine, viewer=applicant)))
    assert "pi.cross_unit_case" not in _codes(review(*context_for(mine)))  # no viewer: the least said


def test_within_one_unit_a_second_category_submitted_to_the_unit_still_bars(make_complete, applicant, make_user, unit):
    mine = make_complete(applicant)
    colleague = make_user(User.Role.APPLICANT, unit=unit)  # the PI's draft was handed to a colleague
    data = copy.deepcopy(mine.data)
    data.update(category="2001", title="同单位另一类别")
    Application.objects.create(call=mine.call, unit=unit, applicant=colleague, state="submitted", data=data)
    assert "pi.several_categories" in _codes(review(*context_for(mine, viewer=applicant)))


def test_within_one_unit_a_colleagues_draft_does_not_count(make_complete, applicant, make_user, unit):
    mine = make_complete(applicant)
    colleague = make_user(User.Role.APPLICANT, unit=unit)
    data = copy.deepcopy(mine.data)
    data.update(category="2001")
    Application.objects.create(call=mine.call, unit=unit, applicant=colleague, state="draft", data=data)
    assert "pi.several_categories" not in _codes(review(*context_for(mine, viewer=applicant)))


def _near_copy(mine):
    return dict(title=mine.title + "（改）", abstract=mine.data["abstract"], category="1001")


def test_near_duplicate_findings_never_show_a_unit_admin_another_units_unforwarded_draft(
    client, make_complete, applicant, unit_admin, make_user, other_unit, call
):
    mine = make_complete(applicant)
    mine.state = Application.State.SUBMITTED
    mine.save()
    stranger = make_user(User.Role.APPLICANT, unit=other_unit, id_number="310104198205040015")
    _other_application(stranger, call, Application.State.DRAFT, **_near_copy(mine))
    client.force_login(unit_admin)
    page = client.get(reverse("applications:review", args=[mine.public_id])).content.decode()
    assert mine.title + "（改）" not in page and "高度相似" not in page


def test_a_near_duplicate_forwarded_by_another_unit_is_shown_to_a_unit_admin_without_its_title(
    client, make_complete, applicant, unit_admin, department_staff, make_user, other_unit, call
):
    mine = make_complete(applicant)
    mine.state = Application.State.SUBMITTED_TO_RECOMMENDER
    mine.save()
    stranger = make_user(User.Role.APPLICANT, unit=other_unit, id_number="310104198205040015")
    theirs = _other_application(stranger, call, Application.State.SUBMITTED_TO_RECOMMENDER, **_near_copy(mine))
    similarity.index_applications([theirs])  # as its submission did
    client.force_login(unit_admin)
    page = client.get(reverse("applications:review", args=[mine.public_id])).content.decode()
    assert "另一单位已报送的一份申报书" in page and mine.title + "（改）" not in page
    client.force_login(department_staff)
    page = client.get(reverse("applications:review", args=[mine.public_id])).content.decode()
    assert mine.title + "（改）" in page


@pytest.mark.django_db(transaction=True)  # forking closes the connection: no test transaction to lose
def test_the_whole_call_finds_the_same_with_workers_as_in_one_process(
    make_complete, applicant, intruder, call, monkeypatch
):
    from shenbao.rules import batch

    mine = make_complete(applicant)
    mine.state = Application.State.SUBMITTED_TO_RECOMMENDER
    mine.save()
    _other_application(intruder, call, Application.State.RECOMMENDED, **_near_copy(mine))
    for i in range(4):
        _other_application(intruder, call, Application.State.SUBMITTED, title=f"其他项目{i}", abstract=f"摘要{i}" * 20)
    one = batch.review_call(call, workers=1)
    monkeypatch.setattr(batch, "PARALLEL_FROM", 2)
    forked = batch.review_call(call, workers=2)
    assert list(forked.findings) == list(one.findings)
    assert {k: sorted(v) for k, v in forked.findings.items()} == {k: sorted(v) for k, v in one.findings.items()}
    assert "pi.cross_unit_case" in {f.code for f in one.findings[str(mine.public_id)]}
