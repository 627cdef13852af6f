"""Every transition of the department's stage, four ways: allowed, wrong role, wrong state, closed
window (where the stage has one). A refusal changes nothing: no record, no audit entry."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from conftest import DURING_FILING
from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.applications.services import EditRefused
from shenbao.audit.models import AuditEntry
from shenbao.evaluation import services
from shenbao.evaluation.models import Acceptance, Assignment, Expert, FundingDecision, FundingList, Group, ScoreSheet

from .conftest import AFTER_ACCEPTANCE, BEFORE_ACCEPTANCE, DURING_ACCEPTANCE, SCORING_CLOSES

NOW = DURING_ACCEPTANCE
AFTER_SCORING = SCORING_CLOSES + dt.timedelta(seconds=1)
GOOD = {c: "8" for c in ("innovation", "cooperation", "feasibility", "outcomes", "budget")}


@pytest.fixture
def w(recommended, staff, applicant, make_user, make_expert, unit):
    return {
        "app": recommended,
        "staff": staff,
        "applicant": applicant,
        "admin": make_user(User.Role.UNIT_ADMIN, unit=unit),
        "expert": make_expert("专家甲", unit_name="北京某大学"),
        "other_expert": make_expert("专家乙", unit_name="上海某大学", available=False),
    }


def accepted(w):
    services.accept(w["app"], w["staff"], NOW)
    return w["app"]


def rejected(w):
    services.reject(w["app"], w["staff"], "未按要求提供联合申报协议", "一(三)9", NOW)
    return w["app"]


def appealed(w):
    rejected(w)
    services.appeal(w["app"], w["applicant"], "协议已在附件中", NOW)
    return w["app"]


def grouped(w, prepare=accepted):
    prepare(w)
    group = Group.objects.create(
        call=w["app"].call, name="国内合作一组", category="1001", scoring_closes=SCORING_CLOSES
    )
    group.applications.add(w["app"])
    return group


def assigned(w):
    services.assign(grouped(w), w["staff"], NOW)
    return Assignment.objects.get(expert=w["expert"])


def confirmed(w):
    assignment = assigned(w)
    return services.declare(assignment, w["expert"].user, False, "", NOW)


def drafted(w):
    assignment = confirmed(w)
    return services.save_draft(assignment, w["expert"].user, {"innovation": "3"}, {}, "", NOW)


def submitted(w):
    assignment = confirmed(w)
    return services.submit_sheet(assignment, w["expert"].user, GOOD, {}, "总体较好", NOW)


def decided(w):
    submitted(w)
    services.decide_funding(w["app"], w["staff"], True, 500_000, NOW)
    return w["app"]


def listed(w):
    decided(w)
    return services.confirm_funding_list(w["app"].call, w["staff"], NOW)


def public(w):
    return services.open_publicity(listed(w), w["staff"], NOW)


def _as_is(w):
    return w["app"]


def drafted_again(w):
    """Back in the applicant's hands (as after a return), where the 回避 list may change."""
    Application.objects.filter(pk=w["app"].pk).update(state=Application.State.RETURNED_BY_UNIT)
    w["app"].refresh_from_db()
    return w["app"]


def user(w, who):
    return w[who].user if "expert" in who else w[who]


# name: (prepare, do(target, user, now), actor, wrong role, prepare a wrong state, closed-window moment)
TRANSITIONS = {
    "accept": (_as_is, lambda t, u, n: services.accept(t, u, n), "staff", "applicant", accepted, AFTER_ACCEPTANCE),
    "reject": (
        _as_is,
        lambda t, u, n: services.reject(t, u, "理由", "一(二)1", n),
        "staff",
        "admin",
        accepted,
        BEFORE_ACCEPTANCE,
    ),
    "appeal": (
        rejected,
        lambda t, u, n: services.appeal(t, u, "理由", n),
        "applicant",
        "expert",
        accepted,
        NOW + dt.timedelta(days=16),
    ),
    "decide_appeal": (
        appealed,
        lambda t, u, n: services.decide_appeal(t, u, True, "复审后受理", n),
        "staff",
        "applicant",
        rejected,
        None,
    ),
    "assign": (
        grouped,
        lambda t, u, n: services.assign(t, u, n),
        "staff",
        "applicant",
        lambda w: grouped(w, rejected),
        AFTER_SCORING,
    ),
    "override_assign": (
        grouped,
        lambda t, u, n: services.override_assign(
            t, t.applications.get(), Expert.objects.get(name="专家甲"), u, "唯一同行", n
        ),
        "staff",
        "applicant",
        lambda w: grouped(w, rejected),
        AFTER_SCORING,
    ),
    "set_avoid_list": (
        drafted_again,
        lambda t, u, n: services.set_avoid_list(t, u, [{"name": "王五", "unit": "某大学"}], n),
        "applicant",
        "admin",
        _as_is,
        NOW,
    ),
    "declare": (
        assigned,
        lambda t, u, n: services.declare(t, u, False, "", n),
        "expert",
        "other_expert",
        confirmed,
        AFTER_SCORING,
    ),
    "submit_sheet": (
        confirmed,
        lambda t, u, n: services.submit_sheet(t, u, GOOD, {}, "", n),
        "expert",
        "staff",
        assigned,
        AFTER_SCORING,
    ),
    "reopen_sheet": (
        submitted,
        lambda t, u, n: services.reopen_sheet(t, u, "请补充意见", n),
        "staff",
        "expert",
        drafted,
        AFTER_SCORING,
    ),
    "decide_funding": (
        submitted,
        lambda t, u, n: services.decide_funding(w_app(t), u, True, 400_000, n),
        "staff",
        "applicant",
        rejected,
        None,
    ),
    "confirm_funding_list": (
        decided,
        lambda t, u, n: services.confirm_funding_list(t.call, u, n),
        "staff",
        "admin",
        accepted,
        None,
    ),
    "open_publicity": (listed, lambda t, u, n: services.open_publicity(t, u, n), "staff", "applicant", public, None),
    "confirm_funded": (
        public,
        lambda t, u, n: services.confirm_funded(t, u, n),
        "staff",
        "applicant",
        listed,
        NOW + dt.timedelta(days=1),
    ),
}


def w_app(target):
    """decide_funding acts on the application whatever the preparation returned."""
    if isinstance(target, ScoreSheet):
        return target.assignment.application
    return target


AFTER_PUBLICITY = NOW + dt.timedelta(days=6)


def _moment(name):
    return {"confirm_funded": AFTER_PUBLICITY, "set_avoid_list": DURING_FILING}.get(name, NOW)


def _everything():
    return (
        AuditEntry.objects.count(),
        list(Acceptance.objects.values_list("status", "appealed_at", "appeal_decided_at")),
        list(Assignment.objects.values_list("status", "expert_id")),
        list(ScoreSheet.objects.values_list("submitted_at", "reopened_count")),
        list(FundingDecision.objects.values_list("proposed", "amount")),
        list(FundingList.objects.values_list("publicity_opens", "funded_at")),
        list(Application.objects.values_list("state", "version", "data")),
    )


@pytest.mark.parametrize("name", TRANSITIONS)
def test_transition_is_allowed_for_its_actor(name, w):
    prepare, do, actor, *_ = TRANSITIONS[name]
    target = prepare(w)
    before = AuditEntry.objects.count()
    do(target, user(w, actor), _moment(name))
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.parametrize("name", TRANSITIONS)
def test_transition_is_refused_to_the_wrong_role_and_changes_nothing(name, w):
    prepare, do, _, wrong, *_ = TRANSITIONS[name]
    target = prepare(w)
    before = _everything()
    with pytest.raises(PermissionDenied):
        do(target, user(w, wrong), _moment(name))
    assert _everything() == before


@pytest.mark.parametrize("name", TRANSITIONS)
def test_transition_is_refused_in_the_wrong_state_and_changes_nothing(name, w):
    _, do, actor, _, wrong_state, _ = TRANSITIONS[name]
    target = wrong_state(w)
    before = _everything()
    with pytest.raises(EditRefused):  # TransitionRefused, or the editing rules' refusal
        do(target, user(w, actor), _moment(name))
    assert _everything() == before


@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items() if t[5] is not None])
def test_transition_is_refused_outside_its_window_and_changes_nothing(name, w):
    prepare, do, actor, _, _, closed = TRANSITIONS[name]
    target = prepare(w)
    before = _everything()
    with pytest.raises(EditRefused, match=r"截止|尚未开始"):
        do(target, user(w, actor), closed)
    assert _everything() == before
