"""A section the person cannot change is read-only and says the real reason: its state's own reason
(submitted, approved, sealed, at the recommender, recommended…), the window's once the filing closed,
"only the applicant" for the unit admin. Nothing can be typed, no row buttons, no autosave."""

import re

import pytest
from django.urls import reverse

from conftest import AFTER_FILING
from shenbao.accounts.models import User
from shenbao.applications.models import Application

State = Application.State
READ_ONLY_STATES = sorted(set(State.values) - State.editable_by_applicant())

pytestmark = pytest.mark.usefixtures("during_filing")


@pytest.fixture
def draft(client, applicant, call):
    client.force_login(applicant)
    client.post(reverse("applications:start"))
    application = Application.objects.get(applicant=applicant)
    application.data["indicators"] = [{"description": "乡土草新品种", "quantity": 2}]
    application.save()
    return application


def _reason(page: str) -> str:
    return re.search(r'<p class="finding info readonly-reason">(.*?)</p>', page, re.S).group(1)


def _assert_read_only(page: str) -> None:
    form = page[page.index('id="section-form"') : page.index("</form>", page.index('id="section-form"'))]
    assert 'data-autosave=""' in form
    inputs = re.findall(r"<(?:input|select|textarea)\b[^>]*>", form)
    typeable = [i for i in inputs if 'type="hidden"' not in i and "disabled" not in i and "readonly" not in i]
    assert not typeable, typeable
    assert "增加一行" not in form and "remove-row" not in form and ">保存<" not in form


@pytest.mark.parametrize("state", READ_ONLY_STATES)
def test_a_section_in_a_read_only_state_says_that_states_own_reason(client, draft, state):
    Application.objects.filter(pk=draft.pk).update(state=state)
    page = client.get(reverse("applications:section", args=[draft.public_id, "indicators"])).content.decode()
    _assert_read_only(page)
    reason = _reason(page)
    assert "截止" not in reason and "只能查看" not in reason
    assert 'value="乡土草新品种"' in page  # what is stored is shown, only not typeable


def test_every_read_only_state_has_a_reason_of_its_own(draft, applicant):
    from django.utils import timezone

    from shenbao.applications.services import edit_refusal

    reasons = {}
    for state in READ_ONLY_STATES:
        draft.state = state
        reasons[state] = edit_refusal(draft, applicant, timezone.now())
    assert all(reasons.values()) and len(set(reasons.values())) == len(READ_ONLY_STATES), reasons
    assert "如需修改请联系单位管理员撤回/退回" in reasons[State.SUBMITTED]
    assert "不能再修改" in reasons[State.RECOMMENDED]


def test_a_draft_after_the_filing_close_is_read_only_with_the_windows_reason(client, draft, during_filing):
    during_filing.move_to(AFTER_FILING)
    client.force_login(draft.applicant)
    page = client.get(reverse("applications:section", args=[draft.public_id, "indicators"])).content.decode()
    _assert_read_only(page)
    assert "截止" in _reason(page) and "2025年11月14日 16:00" in _reason(page)


def test_a_submitted_application_after_the_close_still_gives_its_states_reason(client, draft, during_filing):
    Application.objects.filter(pk=draft.pk).update(state=State.SUBMITTED)
    during_filing.move_to(AFTER_FILING)
    client.force_login(draft.applicant)
    page = client.get(reverse("applications:section", args=[draft.public_id, "basic"])).content.decode()
    assert "已提交单位审核，如需修改请联系单位管理员撤回/退回" in _reason(page)


def test_the_unit_admin_reads_a_draft_without_being_able_to_type_in_it(client, draft, make_user, unit):
    client.force_login(make_user(User.Role.UNIT_ADMIN, unit=unit))
    page = client.get(reverse("applications:section", args=[draft.public_id, "indicators"])).content.decode()
    _assert_read_only(page)
    assert "只有申报人本人可以修改" in _reason(page)


def test_a_returned_application_is_editable_again_during_filing(client, draft):
    Application.objects.filter(pk=draft.pk).update(state=State.RETURNED_BY_UNIT)
    page = client.get(reverse("applications:section", args=[draft.public_id, "indicators"])).content.decode()
    assert 'data-autosave="1"' in page and "readonly-reason" not in page and "增加一行" in page
