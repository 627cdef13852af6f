"""Every role's main pages work on a phone (375 px: no sideways scrolling of the page; wide tables scroll
in their own box) and on a laptop (1280 px: the top menu on one line)."""

import pytest
import time_machine
from django.db import connection

from conftest import DURING_FILING
from shenbao.web.tests.browser_steps import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="layout does not depend on the database: checked once, on SQLite"
    ),
]

PHONE, LAPTOP = 375, 1280


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _menu_lines(page) -> int:
    """How many rows the top menu's entries take."""
    return page.evaluate(
        """() => new Set([...document.querySelectorAll('nav.nav a')]
            .map(a => Math.round(a.getBoundingClientRect().top))).size"""
    )


@pytest.fixture
def people(make_recommended, applicant, unit_admin, recommender_staff, department_staff):
    """One application that went the whole way, so that every role's queue and overview has a row."""
    application = make_recommended(applicant)
    return application, {
        "applicant": applicant,
        "unit_admin": unit_admin,
        "recommender": recommender_staff,
        "department": department_staff,
    }


def _pages(application) -> dict:
    review = f"/applications/{application.public_id}/review/"
    section = f"/applications/{application.public_id}/"
    return {
        None: ["/", "/units/register/", "/units/lookup/?q=测试", "/accounts/login/", "/help/", "/no-such-page/"],
        "applicant": ["/", "/applications/", section + "units/", section + "team/", section + "budget/", review],
        "unit_admin": ["/", "/review/unit/", "/applications/", "/accounts/applicants/", "/accounts/password/", review],
        "recommender": ["/", "/review/recommender/", "/units/registrations/", review],
        "department": [
            "/",
            "/review/overview/",
            "/applications/",
            "/review/extensions/",
            "/evaluation/acceptance/",
            "/evaluation/ranking/",
            "/rules/registries/",
            review,
        ],
    }


def test_every_roles_main_pages_fit_a_phone_and_keep_the_menu_on_one_line_on_a_laptop(browser, live_server, people):
    application, users = people
    too_wide, wrapped = [], []
    with time_machine.travel(DURING_FILING, tick=True):
        for role, paths in _pages(application).items():
            context = browser.new_context(
                locale="zh-CN", base_url=live_server.url, viewport={"width": LAPTOP, "height": 800}
            )
            page = context.new_page()
            page.set_default_timeout(60_000)
            if role is not None:
                log_in(page, users[role])
            page.goto("/")
            if _menu_lines(page) != 1:
                wrapped.append(role)
            page.set_viewport_size({"width": PHONE, "height": 800})
            for path in paths:
                response = page.goto(path)
                assert response.status < 500, path
                if _page_width(page) > PHONE:
                    too_wide.append((role, path, _page_width(page)))
            context.close()
    assert {"wider than a phone": too_wide, "menu wraps at 1280 px": wrapped} == {
        "wider than a phone": [],
        "menu wraps at 1280 px": [],
    }


def test_a_wide_table_scrolls_inside_its_own_box_on_a_phone(page, live_server, people):
    application, users = people
    with time_machine.travel(DURING_FILING, tick=True):
        page.set_viewport_size({"width": PHONE, "height": 800})
        log_in(page, users["applicant"])
        page.goto(f"/applications/{application.public_id}/units/")
        table = page.locator("table").first
        box = table.evaluate("t => [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]")
        scroller = table.evaluate(
            """t => { for (let e = t; e; e = e.parentElement) {
                 const o = getComputedStyle(e).overflowX;
                 if ((o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth) return e.tagName; }
               return null; }"""
        )
        assert box[0] > box[1] or scroller is not None, box
        assert _page_width(page) <= PHONE
