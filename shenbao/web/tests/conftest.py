"""A real browser for end-to-end tests: Debian's chromium driven by playwright (never a downloaded browser)."""

import os

import pytest

from shenbao.web.browser import CHROMIUM, launch


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/ensure-debian-packages.sh with WITH_BROWSER=1)")
    from playwright.sync_api import sync_playwright

    # playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
    # are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = launch(playwright)  # with shenbao's CJK font: text is measured as people see it
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp: playwright's wait_for_function evaluates strings, which the site's CSP (no eval) forbids;
    # test_browser_csp.py checks the pages under the real policy with a context of its own.
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(60_000)  # a throttled machine took over 10 s a page; a passing test never waits it out
    yield page
    context.close()


from shenbao.evaluation.tests.conftest import make_expert, make_recommended  # noqa: E402, F401 (fixtures)
from shenbao.review.tests.conftest import admin, make_submitted, staff, submitted  # noqa: E402, F401 (fixtures)
