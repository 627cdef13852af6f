"""Every transition of the flow, five ways: allowed, wrong role, wrong unit or recommender, wrong state,
closed window (frozen time). A refusal changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.applications.services import EditRefused
from shenbao.documents.sealing import seal_application
from shenbao.organisations.models import Recommender
from shenbao.review import services

State = Application.State
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
AFTER = {
    "filing": dt.datetime(2025, 11, 14, 16, 0, 1, tzinfo=SHANGHAI),
    "recommendation": dt.datetime(2025, 11, 21, 16, 0, 1, tzinfo=SHANGHAI),
}


def _approved(a, people):
    return services.approve(a, people["admin"], timezone.now())


def _sealed(a, people):
    _approved(a, people)
    return seal_application(a, people["admin"], timezone.now())


def _sent(a, people):
    _sealed(a, people)
    return services.submit_to_recommender(a, people["admin"], timezone.now())


def _as_is(a, people):
    return a


# name: (prepare, do, actor, wrong role, wrong unit, prepare for a wrong state, window, resulting state)
TRANSITIONS = {
    "withdraw": (
        _as_is,
        lambda a, u, n: services.withdraw(a, u, n),
        "applicant",
        "admin",
        "their_applicant",
        _approved,
        "filing",
        State.DRAFT,
    ),
    "approve": (
        _as_is,
        lambda a, u, n: services.approve(a, u, n),
        "admin",
        "applicant",
        "their_admin",
        _approved,
        "filing",
        State.UNIT_APPROVED,
    ),
    "return_to_applicant": (
        _as_is,
        lambda a, u, n: services.return_to_applicant(a, u, "请修改", n),
        "admin",
        "staff",
        "their_admin",
        _sent,
        "filing",
        State.RETURNED_BY_UNIT,
    ),
    "seal": (
        _approved,
        lambda a, u, n: seal_application(a, u, n),
        "admin",
        "staff",
        "their_admin",
        _as_is,
        "filing",
        State.SEALED,
    ),
    "submit_to_recommender": (
        _sealed,
        lambda a, u, n: services.submit_to_recommender(a, u, n),
        "admin",
        "applicant",
        "their_admin",
        _approved,
        "filing",
        State.SUBMITTED_TO_RECOMMENDER,
    ),
    "withdraw_from_recommender": (
        _sent,
        lambda a, u, n: services.withdraw_from_recommender(a, u, n),
        "admin",
        "staff",
        "their_admin",
        _sealed,
        "filing",
        State.SEALED,
    ),
    "recommend": (
        _sent,
        lambda a, u, n: services.recommend(a, u, n),
        "staff",
        "admin",
        "their_staff",
        _sealed,
        "recommendation",
        State.RECOMMENDED,
    ),
    "not_recommend": (
        _sent,
        lambda a, u, n: services.not_recommend(a, u, "", n),
        "staff",
        "admin",
        "their_staff",
        _sealed,
        "recommendation",
        State.NOT_RECOMMENDED,
    ),
    "return_to_unit": (
        _sent,
        lambda a, u, n: services.return_to_unit(a, u, "请修改", n),
        "staff",
        "admin",
        "their_staff",
        _sealed,
        "filing",
        State.RETURNED_BY_RECOMMENDER,
    ),
}


@pytest.fixture
def people(applicant, admin, staff, make_user, make_unit):
    theirs = make_unit(division="150203", recommender_code="150200")
    return {
        "applicant": applicant,
        "admin": admin,
        "staff": staff,
        "their_applicant": make_user(User.Role.APPLICANT, unit=theirs),
        "their_admin": make_user(User.Role.UNIT_ADMIN, unit=theirs),
        "their_staff": make_user(User.Role.RECOMMENDER, recommender=Recommender.objects.get(code="150200")),
    }


def _state(application):
    return Application.objects.get(pk=application.pk).state


@pytest.mark.parametrize("name", TRANSITIONS)
def test_the_transition_is_allowed_to_its_actor(name, submitted, people):
    prepare, do, actor, *_, result = TRANSITIONS[name]
    application = prepare(submitted, people)
    do(application, people[actor], timezone.now())
    assert _state(application) == result


@pytest.mark.parametrize("name", TRANSITIONS)
@pytest.mark.parametrize("who", ["wrong role", "wrong unit"])
def test_the_transition_is_refused_to_anyone_else(name, who, submitted, people):
    prepare, do, _, wrong_role, wrong_unit, *_ = TRANSITIONS[name]
    application = prepare(submitted, people)
    before = _state(application)
    with pytest.raises(PermissionDenied):
        do(application, people[wrong_role if who == "wrong role" else wrong_unit], timezone.now())
    assert _state(application) == before


@pytest.mark.parametrize("name", TRANSITIONS)
def test_the_transition_is_refused_in_the_wrong_state(name, submitted, people):
    _, do, actor, _, _, wrong_state, *_ = TRANSITIONS[name]
    application = wrong_state(submitted, people)
    before = _state(application)
    with pytest.raises(EditRefused, match="当前状态"):
        do(application, people[actor], timezone.now())
    assert _state(application) == before


@pytest.mark.parametrize("name", TRANSITIONS)
def test_the_transition_is_refused_after_its_window_closes(name, submitted, people, during_filing):
    prepare, do, actor, _, _, _, window, _ = TRANSITIONS[name]
    application = prepare(submitted, people)
    before = _state(application)
    during_filing.move_to(AFTER[window])
    with pytest.raises(EditRefused, match="截止"):
        do(application, people[actor], timezone.now())
    assert _state(application) == before
