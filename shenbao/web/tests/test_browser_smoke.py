"""The pages work in a real browser (chromium)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_registration_and_help_from_the_home_page(page, call):
    page.goto("/")
    assert page.locator("h1").inner_text() == "科技计划项目网上申报"
    page.get_by_role("link", name="申报咨询").click()
    expect(page.locator("table").get_by_text("0471-6328616")).to_be_visible()


def test_a_visitor_switches_the_language_to_english_and_back(page, call):
    page.goto("/")
    with page.expect_navigation():
        page.select_option("#lang", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("#lang", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
