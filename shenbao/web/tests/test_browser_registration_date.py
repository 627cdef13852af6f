"""一(一)1 on the registration form, in a real browser: the warning appears as the date is typed."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_a_registration_date_after_the_calls_date_shows_the_warning_and_an_earlier_one_removes_it(page, call):
    page.goto("/units/register/")
    warning = page.locator("#registered-late")
    expect(warning).to_be_hidden()
    page.get_by_label("注册（成立）日期").fill("2024-09-25")
    expect(warning).to_be_visible()
    assert "不能作为本批次项目的牵头单位申报" in warning.inner_text() and "一(一)1" in warning.inner_text()
    page.get_by_label("注册（成立）日期").fill("2024-09-24")
    expect(warning).to_be_hidden()
