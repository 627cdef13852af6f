"""Under the Content-Security-Policy the pages still behave in a real browser, and the browser reports
no violation: the progress bars show, the unit queue's select-all ticks, the language switcher submits."""

import pytest

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.web.tests.browser_steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    """A page under the site's real Content-Security-Policy (the shared fixture bypasses it)."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def test_pages_work_under_the_policy_without_a_single_violation(page, call, unit, applicant, make_user):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    draft = Application.objects.create(call=call, unit=unit, applicant=applicant, data={"title": "草稿"})
    log_in(page, applicant)
    page.goto(f"/applications/{draft.public_id}/basic/")
    assert page.locator("progress.progress").count() > 1
    page.context.clear_cookies()
    log_in(page, make_user(User.Role.UNIT_ADMIN, unit=unit))
    page.goto("/review/unit/")
    page.locator("input[data-check-all]").check()
    assert page.locator("input[data-check-all]").is_checked()
    with page.expect_navigation():
        page.select_option("#lang", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations == []
