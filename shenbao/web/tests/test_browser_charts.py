"""The overview's charts render in a real browser under the site's Content-Security-Policy, from ECharts
served by shenbao itself, for department staff and for a recommender, with no violation and no error."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.web.tests.browser_steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VENDORED = Path(settings.BASE_DIR) / "shenbao" / "web" / "static" / "vendor" / "echarts.min.js"


@pytest.fixture
def page(browser, live_server):
    """A page under the site's real Content-Security-Policy (the shared fixture bypasses it)."""
    if connection.vendor != "sqlite":
        pytest.skip("runs once, in the SQLite pass: the charts do not depend on the database")
    if not VENDORED.exists():
        pytest.fail("ECharts is not vendored: run scripts/vendor-js.sh (make test, make run do)")
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture
def applications(call, unit, make_unit, make_user):
    """A few applications in several states and categories at the unit's bureau, and one elsewhere."""
    elsewhere = make_unit(division="150203", recommender_code="150200")
    states = Application.State
    rows = [
        (unit, states.RECOMMENDED, "1001", ["京蒙协作科技创新倍增计划标志性合作项目"]),
        (unit, states.SUBMITTED_TO_RECOMMENDER, "1001", []),
        (unit, states.NOT_RECOMMENDED, "2001", ["一带一路联合实验室"]),
        (elsewhere, states.SUBMITTED, "1001", []),
    ]
    for i, (owner, state, category, tags) in enumerate(rows):
        Application.objects.create(
            call=call,
            unit=owner,
            applicant=make_user(User.Role.APPLICANT, unit=owner),
            data={
                "title": f"图表测试项目{i}",
                "category": category,
                "pi": {"name": "乌云其其格", "id_number": "150105199007160025"},
                "priority_tags": tags,
                "budget": {"fiscal": {"设备费": 200_000 * (i + 1)}},
            },
            state=state,
            submitted_at=call.spec.filing.closes - (i + 1) * dt.timedelta(hours=7),
        )


def _every_chart_is_drawn(page) -> int:
    boxes = page.locator("[data-chart]")
    page.locator('[data-chart][data-drawn="true"]').nth(boxes.count() - 1).wait_for()
    assert page.locator('[data-chart][data-drawn="true"]').count() == boxes.count() > 5
    for i in range(boxes.count()):
        box = boxes.nth(i)
        assert box.locator("canvas").count() >= 1, box.get_attribute("data-chart")
        assert box.bounding_box()["height"] >= 150
    # A tooltip (drawn on the canvas, never as HTML with style attributes) on the first bar chart.
    page.locator('[data-chart="rush"]').hover()
    page.locator('[data-chart="tags"]').hover()
    return boxes.count()


def test_the_overview_charts_render_under_the_policy_for_department_and_recommender(
    page, applications, unit, department_staff, make_user
):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Every script and stylesheet loads (the favicon is another matter: issue 13, the pages' part).
    failed = lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")  # noqa: E731
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if failed(r) else None)

    log_in(page, department_staff)
    page.goto("/review/overview/")
    assert _every_chart_is_drawn(page) == 9  # a quota chart for each category
    expect(page.get_by_role("img", name="各归口管理部门的申报书及状态")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, make_user(User.Role.RECOMMENDER, recommender=unit.recommender))
    page.goto("/review/overview/")
    assert _every_chart_is_drawn(page) == 8
    expect(page.get_by_role("img", name="各类别的申报书及状态")).to_be_visible()
    assert page.get_by_text("图表测试项目3").count() == 0  # another bureau's application is not listed
    assert problems == []
