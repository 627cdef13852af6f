"""Extensions (issue 12 item 4): the department grants a unit, a recommender or the whole call more
time, with a reason; it is audited, shown to the unit, and every window check honours it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from conftest import AFTER_FILING
from shenbao.applications import services as applications
from shenbao.applications.models import Application
from shenbao.audit.models import AuditEntry
from shenbao.calls import windows
from shenbao.calls.models import WindowExtension
from shenbao.documents.sealing import seal_application
from shenbao.review import services
from shenbao.review.extensions import grant_extension

BEIJING = dt.timezone(dt.timedelta(hours=8))
EXTENDED_CLOSE = dt.datetime(2025, 11, 17, 16, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _no_cached_banner():
    """The banner's list is cached for a few seconds: no test sees another's extensions."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def after_close(during_filing):
    during_filing.move_to(AFTER_FILING)
    return during_filing


def _grant(call, staff, **target):
    return grant_extension(call, staff, "filing", EXTENDED_CLOSE, "系统拥堵，延长三天", timezone.now(), **target)


def test_a_unit_granted_an_extension_may_still_act_after_the_close_and_another_unit_may_not(
    submitted, admin, department_staff, after_close, make_unit
):
    call, other = submitted.call, make_unit()
    _grant(call, department_staff, unit=submitted.unit)
    assert windows.is_open(call, "filing", timezone.now(), unit=submitted.unit_id)
    assert not windows.is_open(call, "filing", timezone.now(), unit=other.pk)
    services.approve(submitted, admin, timezone.now())
    seal_application(submitted, admin, timezone.now())
    services.submit_to_recommender(submitted, admin, timezone.now())
    assert Application.objects.get(pk=submitted.pk).state == Application.State.SUBMITTED_TO_RECOMMENDER


def test_the_extension_ends_at_its_own_close_with_the_usual_refusal(submitted, admin, department_staff, after_close):
    _grant(submitted.call, department_staff, unit=submitted.unit)
    after_close.move_to(EXTENDED_CLOSE + dt.timedelta(seconds=1))
    with pytest.raises(services.TransitionRefused, match="2025年11月17日 16:00"):
        services.approve(submitted, admin, timezone.now())


def test_a_whole_call_extension_lets_an_applicant_edit_and_submit(
    make_complete, applicant, department_staff, during_filing, call
):
    application = make_complete(applicant)
    during_filing.move_to(AFTER_FILING)
    with pytest.raises(applications.EditRefused):
        applications.check_editable(application, applicant, timezone.now())
    _grant(call, department_staff)
    applications.check_editable(application, applicant, timezone.now())
    applications.submit_application(application, applicant, timezone.now())


def test_a_recommender_extension_reopens_recommendation_for_that_recommender_only(
    department_staff, staff, call, during_filing
):
    close = call.spec.recommendation.closes
    during_filing.move_to(close + dt.timedelta(hours=1))
    grant_extension(
        call,
        department_staff,
        "recommendation",
        close + dt.timedelta(days=1),
        "归口部门系统故障",
        timezone.now(),
        recommender=staff.recommender,
    )
    assert windows.is_open(call, "recommendation", timezone.now(), recommender=staff.recommender_id)
    assert not windows.is_open(call, "recommendation", timezone.now())


def test_granting_is_for_department_staff_needs_a_reason_and_a_later_close_and_is_audited(
    call, department_staff, admin, unit, during_filing
):
    with pytest.raises(PermissionDenied):
        _grant(call, admin, unit=unit)
    with pytest.raises(services.TransitionRefused, match="延期原因"):
        grant_extension(call, department_staff, "filing", EXTENDED_CLOSE, " ", timezone.now(), unit=unit)
    with pytest.raises(services.TransitionRefused, match="须晚于原截止时间2025-11-14 16:00"):
        grant_extension(call, department_staff, "filing", call.spec.filing.closes, "原因", timezone.now())
    extension = _grant(call, department_staff, unit=unit)
    entry = AuditEntry.objects.get(action="call.window_extended")
    assert entry.reason == "系统拥堵，延长三天" and entry.after["target"] == unit.name
    assert extension.closes == EXTENDED_CLOSE and extension.target == unit.name


def test_the_unit_sees_its_extension_and_its_reason_on_every_page(
    client, admin, department_staff, unit, call, after_close
):
    _grant(call, department_staff, unit=unit)
    client.force_login(admin)
    page = client.get(reverse("review:unit_queue")).content.decode()
    assert "延长至2025-11-17 16:00" in page and "系统拥堵，延长三天" in page
    assert "受理中" in page  # the call bar counts down to the unit's own close


def test_the_department_grants_an_extension_on_its_page_and_a_bad_date_keeps_what_was_typed(
    client, department_staff, unit, call, during_filing
):
    client.force_login(department_staff)
    url = reverse("review:window_extensions")
    refused = client.post(url, {"which": "filing", "unit": unit.uscc, "closes": "下周一", "reason": "系统拥堵"})
    assert refused.status_code == 400 and "延长至：请填写日期和时间" in refused.content.decode()
    assert "系统拥堵" in refused.content.decode()
    granted = client.post(
        url, {"which": "filing", "unit": unit.uscc, "closes": "2025-11-17T16:00", "reason": "系统拥堵"}
    )
    assert granted.status_code == 302
    extension = WindowExtension.objects.get()
    assert extension.unit == unit and extension.closes == EXTENDED_CLOSE
    assert unit.name in client.get(url).content.decode()


def test_only_department_staff_open_the_extensions_page(client, admin, call):
    client.force_login(admin)
    assert client.get(reverse("review:window_extensions")).status_code == 403
