"""Fixtures of the department's stage: recommended applications, experts, a moment after the
recommendation deadline (inside the 30 days of 受理)."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.evaluation.models import Expert

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# The 2026 call's recommendation window closes 2025-11-21 16:00; 受理 runs 30 days from then.
DURING_ACCEPTANCE = dt.datetime(2025, 11, 24, 10, 0, tzinfo=SHANGHAI)
AFTER_ACCEPTANCE = dt.datetime(2025, 12, 21, 16, 0, 1, tzinfo=SHANGHAI)
BEFORE_ACCEPTANCE = dt.datetime(2025, 11, 21, 15, 59, tzinfo=SHANGHAI)
SCORING_CLOSES = dt.datetime(2025, 12, 15, 18, 0, tzinfo=SHANGHAI)

_serial = itertools.count(1)


@pytest.fixture
def during_acceptance():
    with time_machine.travel(DURING_ACCEPTANCE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def make_recommended(make_complete, during_filing):
    """A complete application of the example (no bar), moved to 已推荐 as the flow leaves it."""

    def make(applicant, **changes):
        application = make_complete(applicant, **changes)
        Application.objects.filter(pk=application.pk).update(
            state=Application.State.RECOMMENDED, receipt_no=f"KJHZ{next(_serial):05d}"
        )
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def recommended(make_recommended, applicant):
    return make_recommended(applicant)


@pytest.fixture
def staff(department_staff):
    return department_staff


@pytest.fixture
def make_expert(make_user):
    def make(name="专家", id_number=None, unit_name="某大学", unit_uscc="", disciplines=("110",), **fields):
        fields.setdefault("confirmed_at", timezone.now())
        number = id_number or f"11010119800101{next(_serial):03d}X"
        user = make_user(User.Role.EXPERT, real_name=name, id_number=number, email=f"e{next(_serial)}@example.org")
        return Expert.objects.create(
            user=user,
            name=name,
            id_number=number,
            unit_name=unit_name,
            unit_uscc=unit_uscc,
            title="教授",
            disciplines=list(disciplines),
            **fields,
        )

    return make
