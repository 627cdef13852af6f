"""The budget section is a budget: a row per category of the call with 财政资金, 自筹资金 and their 小计,
合计 rows under the amounts and under the split between units — drawn by the server (right without
JavaScript and in a read-only section) and kept up to date by budget-totals.js as the person types
(its browser test is in web/tests/test_browser_budget.py)."""

import re

import pytest
from django.urls import reverse

from shenbao.applications.budget_form import Total, total

pytestmark = pytest.mark.usefixtures("during_filing", "media")


def _cells(html: str) -> list[str]:
    """The text of every 小计/合计 cell, in page order."""
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'class="number total"[^>]*>(.*?)</td>', html, re.S)
    ]


def _page(client, application):
    return client.get(reverse("applications:section", args=[application.public_id, "budget"])).content.decode()


def test_a_total_adds_the_cells_as_typed_and_leaves_out_what_the_form_refuses():
    assert total(["150000", "", "1,200", "１２３", None]) == Total("151,323", 0)
    assert total(["0.5", "0.25"]) == Total("0.75", 0)
    assert total(["100", "三万", "-5", "nan"]) == Total("100", 3)
    assert total([]) == Total("0", 0)


def test_the_budget_page_shows_each_categorys_subtotal_and_the_totals_of_both_tables(client, applicant, make_complete):
    application = make_complete(applicant)
    client.force_login(applicant)
    html = _page(client, application)
    # 设备费 业务费 劳务费 间接费用 (小计), then 合计 of 财政资金, 自筹资金 and of both; then the split's 合计.
    assert _cells(html) == [
        "250,000",
        "550,000",
        "200,000",
        "120,000",
        "920,000",
        "200,000",
        "1,120,000",
        "920,000",
        "200,000",
    ]
    assert '<th scope="row">设备费</th>' in html and '<th scope="row">合计</th>' in html
    assert 'data-sum-names="budget.fiscal.设备费|budget.self_raised.设备费"' in html
    assert 'data-sum-table="budget.by_unit" data-sum-column="fiscal"' in html
    assert '<label class="sr-only" for="budget.fiscal.设备费">财政资金·设备费（元）</label>' in html
    assert "shenbao/budget-totals.js" in html


def test_an_amount_typed_as_words_stays_in_its_cell_and_the_total_says_it_is_left_out(client, applicant, make_complete):
    application = make_complete(applicant)
    client.force_login(applicant)
    url = reverse("applications:section", args=[application.public_id, "budget"])
    response = client.post(url, {"version": 1, "budget.fiscal.设备费": "十五万"}, HTTP_X_AUTOSAVE="1")
    assert "设备费" in response.json()["errors"]["budget.fiscal.设备费"]
    html = _page(client, application)
    assert 'value="十五万"' in html
    assert _cells(html)[0] == "100,000（1项无法识别，未计入）"  # 设备费: 十五万 left out, 自筹 100,000
    assert _cells(html)[4] == "770,000（1项无法识别，未计入）"


def test_a_read_only_budget_still_shows_its_totals(client, applicant, make_complete, unit_admin):
    application = make_complete(applicant)
    client.force_login(unit_admin)  # not the applicant's to change
    assert _cells(_page(client, application))[4:7] == ["920,000", "200,000", "1,120,000"]


def test_tables_that_are_not_money_have_no_total(client, applicant, make_complete):
    application = make_complete(applicant)
    client.force_login(applicant)
    html = client.get(reverse("applications:section", args=[application.public_id, "indicators"])).content.decode()
    assert 'class="totals"' not in html and "合计" not in html
