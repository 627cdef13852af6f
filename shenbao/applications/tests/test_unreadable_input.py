"""What was typed but cannot be read ("三篇" as a quantity, "2026-13" as a month) is never dropped: it is
stored as typed, marked in the very cell the page has (aria-invalid, described by its message), listed
on the review page, and submission is refused naming the place, the field and the rule."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shenbao.applications import services
from shenbao.applications.models import Application
from shenbao.applications.tests.conftest import section_url

pytestmark = pytest.mark.usefixtures("during_filing")


def _autosave(client, draft, slug, values, version=1):
    return client.post(section_url(draft, slug), {"version": version, **values}, HTTP_X_AUTOSAVE="1")


def test_the_message_comes_back_under_the_name_of_the_cell_in_the_page_even_after_a_gap(client, draft):
    """Rows 0 and 2 on the page (row 1 deleted there, row 0 left blank): the bad cell is the page's row 2."""
    values = {
        "indicators.__present": "1",
        "indicators.0.description": "",
        "indicators.2.description": "乡土草新品种",
        "indicators.2.quantity": "三篇",
    }
    errors = _autosave(client, draft, "indicators", values).json()["errors"]
    assert list(errors) == ["indicators.2.quantity"] and "应为数字" in errors["indicators.2.quantity"]
    draft.refresh_from_db()
    assert draft.data["indicators"] == [{"description": "乡土草新品种"}]
    assert draft.invalid_inputs["indicators"]["indicators.0.quantity"]["value"] == "三篇"
    page = client.get(section_url(draft, "indicators")).content.decode()
    assert 'name="indicators.0.quantity" value="三篇"' in page  # stored renumbered: the first row now


def test_the_cell_is_marked_invalid_and_described_by_its_message(client, draft):
    _autosave(client, draft, "content", {"content.schedule.0.from": "2026-13", "content.schedule.0.task": "调研"})
    page = client.get(section_url(draft, "content")).content.decode()
    cell_input = re.search(r'<input id="content\.schedule\.0\.from"[^>]*>', page).group(0)
    assert 'value="2026-13"' in cell_input and 'aria-invalid="true"' in cell_input
    assert 'aria-describedby="content.schedule.0.from-error"' in cell_input
    message = re.search(r'<p class="errorlist" id="content\.schedule\.0\.from-error"[^>]*>(.*?)</p>', page).group(1)
    assert "“起（年月）”应为年月" in message and "2026-13" in message


def test_a_field_outside_a_table_is_described_by_its_message_too(client, draft):
    _autosave(client, draft, "basic", {"start_date": "2026-02-30"})
    page = client.get(section_url(draft, "basic")).content.decode()
    field_input = re.search(r'<input id="start_date"[^>]*>', page).group(0)
    assert 'value="2026-02-30"' in field_input and 'aria-describedby="start_date-error"' in field_input
    assert re.search(r'id="start_date-error"[^>]*>“开始日期”应为日期', page)


def test_submission_is_refused_naming_the_section_the_row_the_field_and_the_rule(client, draft, applicant):
    _autosave(client, draft, "indicators", {"indicators.0.description": "新品种", "indicators.0.quantity": "三篇"})
    _autosave(client, draft, "content", {"content.schedule.0.from": "2026-13", "content.schedule.0.task": "调研"})
    draft.refresh_from_db()
    with pytest.raises(services.EditRefused) as refused:
        services.submit_application(draft, applicant, timezone.now())
    message = str(refused.value)
    assert message.startswith("申报书中有2处填写的内容无法识别")
    assert "项目内容·进度安排第1行：“起（年月）”应为年月，格式如2026-01，当前为“2026-13”" in message
    assert "考核指标与知识产权·考核指标第1行：“数量”应为数字，当前为“三篇”" in message
    assert Application.objects.get(pk=draft.pk).state == Application.State.DRAFT


def test_the_review_page_lists_what_could_not_be_read_with_a_link_to_its_cell(client, draft):
    _autosave(client, draft, "indicators", {"indicators.0.description": "新品种", "indicators.0.quantity": "三篇"})
    page = client.get(reverse("applications:review", args=[draft.public_id])).content.decode()
    assert "有 1 处填写的内容无法识别" in page
    link = f"{section_url(draft, 'indicators')}#indicators.0.quantity"
    assert re.search(rf'<a href="{re.escape(link)}">考核指标第1行：“数量”应为数字', page)
