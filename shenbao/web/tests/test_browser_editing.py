"""Editing the 申报书 in a real browser: a lost answer is retried and saved, two tabs on one section
choose whose text to keep, read-only sections cannot be typed in, unreadable input stays in its cell."""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import DURING_FILING
from shenbao.applications.models import Application
from shenbao.web.tests.browser_steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "document.getElementById('save-state').textContent.includes('已保存')"


@pytest.fixture
def filing_clock():
    with time_machine.travel(DURING_FILING, tick=True):
        yield


@pytest.fixture
def draft(page, call, applicant, filing_clock):
    log_in(page, applicant)
    page.get_by_role("button", name="新建申报书").click()
    page.wait_for_url(re.compile(r"/basic/$"))
    return Application.objects.get(applicant=applicant)


def test_a_save_answered_with_a_server_error_is_retried_and_saved(page, draft):
    answered = []

    def first_answer_lost(route):
        if route.request.method == "POST" and not answered:
            answered.append(route.fetch())  # the server commits the save…
            route.fulfill(status=500, body="Server Error (500)")  # …but the page gets an error
        else:
            route.continue_()

    page.route(re.compile(r"/basic/$"), first_answer_lost)
    page.get_by_label("项目名称").fill("草原生态修复")
    page.wait_for_function("document.getElementById('save-state').textContent.includes('网络异常，正在重试')")
    page.wait_for_function(SAVED, timeout=15_000)
    expect(page.locator("#stale")).to_be_hidden()
    expect(page.locator("#conflict")).to_be_hidden()
    draft.refresh_from_db()
    assert answered and draft.data["title"] == "草原生态修复" and draft.section_version("basic") == 2
    # autosave goes on after the retry
    page.get_by_label("项目名称").fill("草原生态修复与乡土草种")
    page.wait_for_function("document.getElementById('version').value === '3'")
    draft.refresh_from_db()
    assert draft.data["title"] == "草原生态修复与乡土草种"


def test_two_tabs_on_different_sections_both_save(page, draft):
    other = page.context.new_page()
    other.goto(page.url.replace("/basic/", "/content/"))
    page.get_by_label("项目名称").fill("草原生态修复")
    page.wait_for_function(SAVED)
    other.get_by_label("立项背景").fill("草原退化严重")
    other.wait_for_function(SAVED)
    expect(other.locator("#conflict")).to_be_hidden()
    expect(other.locator("#stale")).to_be_hidden()
    draft.refresh_from_db()
    assert draft.data["title"] == "草原生态修复" and draft.data["content"]["background"] == "草原退化严重"


def test_two_tabs_on_one_section_see_both_texts_and_keep_the_one_chosen(page, draft):
    other = page.context.new_page()
    other.goto(page.url)
    page.get_by_label("项目名称").fill("甲窗口的标题")
    page.wait_for_function(SAVED)
    other.get_by_label("项目名称").fill("乙窗口的标题")
    conflict = other.locator("#conflict")
    conflict.wait_for(state="visible")
    expect(conflict.get_by_text("甲窗口的标题")).to_be_visible()
    expect(conflict.get_by_text("乙窗口的标题")).to_be_visible()
    draft.refresh_from_db()
    assert draft.data["title"] == "甲窗口的标题"  # nothing was overwritten behind the person's back
    other.get_by_role("button", name="保留本窗口的内容").click()
    other.wait_for_function(SAVED)
    draft.refresh_from_db()
    assert draft.data["title"] == "乙窗口的标题"


def test_a_submitted_application_cannot_be_typed_in_and_says_why(page, draft):
    draft.data["partners"] = [{"name": "北京草业科学研究中心", "location": {"scope": "domestic_out_of_region"}}]
    draft.state = Application.State.SUBMITTED
    draft.save()
    page.goto(page.url.replace("/basic/", "/units/"))
    expect(page.get_by_text("已提交单位审核，如需修改请联系单位管理员撤回/退回")).to_be_visible()
    assert page.get_by_text("申报受理已截止").count() == 0
    partner = page.locator("[name='partners.0.name']")
    assert partner.input_value() == "北京草业科学研究中心" and partner.is_disabled()
    assert page.locator("#section-form input:not([type=hidden]):enabled, #section-form select:enabled").count() == 0
    assert page.get_by_role("button", name="增加一行").count() == 0
    assert page.get_by_role("button", name="删除").count() == 0
    assert page.get_by_role("button", name="保存").count() == 0


def test_an_unreadable_quantity_and_month_stay_in_their_cells_with_the_message(page, draft):
    page.goto(page.url.replace("/basic/", "/indicators/"))
    page.get_by_role("button", name="增加一行").click()
    page.locator("[name='indicators.0.description']").fill("乡土草新品种")
    page.locator("[name='indicators.0.quantity']").fill("三篇")
    page.wait_for_function(SAVED)
    cell = page.locator("td:has([name='indicators.0.quantity'])")
    assert "has-error" in cell.get_attribute("class") and "应为数字" in cell.inner_text()
    assert "1处内容无法识别" in page.locator("#save-state").inner_text()

    page.goto(page.url.replace("/indicators/", "/content/"))
    page.get_by_role("button", name="增加一行").click()
    page.locator("[name='content.schedule.0.from']").fill("2026-13")
    page.locator("[name='content.schedule.0.task']").fill("调研")
    page.wait_for_function(SAVED)
    page.locator(".section-nav").get_by_role("link", name="考核指标与知识产权").click()
    page.wait_for_url(re.compile(r"/indicators/$"))
    assert page.locator("[name='indicators.0.quantity']").input_value() == "三篇"
    assert "应为数字" in page.locator("td:has([name='indicators.0.quantity'])").inner_text()
    page.locator(".section-nav").get_by_role("link", name="项目内容").click()
    assert page.locator("[name='content.schedule.0.from']").input_value() == "2026-13"
    assert "应为年月" in page.locator("td:has([name='content.schedule.0.from'])").inner_text()


def _saved_after(page, milliseconds):
    page.clock.run_for(milliseconds)
    page.wait_for_function(SAVED)
    page.evaluate("document.getElementById('save-state').textContent = ''")


def _settle(page, held, count):
    for _ in range(100):  # the route sees a request a moment after the page sends it
        if len(held) >= count:
            break
        page.wait_for_timeout(50)


def test_the_live_panels_come_with_a_save_every_few_seconds_and_once_after_a_pause(page, draft):
    panel_requests, asked_with_a_save = [], []
    page.on("request", lambda request: panel_requests.append(request) if "/panels/" in request.url else None)
    page.on(
        "request",
        lambda r: asked_with_a_save.append("x-panels" in r.headers) if r.method == "POST" else None,
    )
    page.clock.install()  # the page's timers only: the saves and the panels are real requests
    page.reload()
    page.get_by_label("项目名称").fill("草原生态修复")
    _saved_after(page, 1600)  # typing: saved after a pause of 1.5 s; the panels are fresh from the page
    for category in ("2001", "1001"):
        page.get_by_label("项目类别").select_option(category)
        _saved_after(page, 400)  # a choice: saved at once
    assert asked_with_a_save == [False, False, False] and panel_requests == []
    page.clock.run_for(4100)  # a pause: the panels in a request of their own, once
    expect(page.locator("#findings-panel").get_by_text("请填写项目名称")).to_have_count(0)
    assert [request.method for request in panel_requests] == ["GET"]
    page.clock.run_for(5000)
    page.get_by_label("项目类别").select_option("2001")
    _saved_after(page, 400)  # the panels are 5 s old: this save asks for them, and nothing follows
    page.clock.run_for(4100)
    assert asked_with_a_save[-1] is True and len(panel_requests) == 1


def test_a_slow_panels_refresh_never_holds_up_the_saves_and_is_not_sent_twice(page, draft):
    held = []
    page.route(re.compile(r"/panels/$"), lambda route: held.append(route))  # the server is slow to answer

    def saved_without_panels(route):  # and draws no panels with the saves either
        if route.request.method != "POST":
            return route.fallback()
        answer = route.fetch()
        data = {k: v for k, v in answer.json().items() if k not in ("panels", "findings_html", "progress_html")}
        route.fulfill(response=answer, json=data)

    page.route(re.compile(r"/basic/$"), saved_without_panels)
    page.clock.install()
    page.reload()
    page.get_by_label("项目名称").fill("草原")
    _saved_after(page, 1600)
    page.clock.run_for(4100)
    _settle(page, held, 1)
    for category in ("2001", "1001", "2001"):  # each save is answered while the refresh waits
        page.get_by_label("项目类别").select_option(category)
        _saved_after(page, 400)
        page.clock.run_for(4100)
    page.wait_for_timeout(200)
    assert len(held) == 1
    held[0].fulfill(json={"panels": "x"})
