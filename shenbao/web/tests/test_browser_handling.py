"""The handling of an application after submission, in a real browser, where issue 13 found it broken:
the recommendation letter downloads from both pages that link it; a sent application's section cannot
be typed in and says why; a cell that cannot be read keeps what was typed with its message, and
submission names it; irreversible steps ask, and buttons that can no longer work are gone; the unit
queue follows a seal to its end without a reload."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from conftest import DURING_FILING
from shenbao.applications.models import Application
from shenbao.attachments.tests.test_uploads import pdf_bytes
from shenbao.jobs import queue
from shenbao.review import services
from shenbao.review.models import RecommendationList
from shenbao.web.tests.browser_steps import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
State = Application.State


@pytest.fixture
def filing_clock():
    with time_machine.travel(DURING_FILING, tick=True) as traveller:
        yield traveller


def _in_another_thread(work):
    """pyHanko runs an event loop of its own: not in playwright's thread. Close what it opened."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as other:
        return other.submit(run).result()


def _sent(application, admin):
    from shenbao.documents.sealing import seal_application

    services.approve(application, admin, timezone.now())
    _in_another_thread(lambda: seal_application(Application.objects.get(pk=application.pk), admin, timezone.now()))
    return services.submit_to_recommender(Application.objects.get(pk=application.pk), admin, timezone.now())


def test_the_letter_uploaded_by_the_recommender_downloads_from_its_page_and_the_overview(
    page, filing_clock, submitted, admin, staff, department_staff, tmp_path
):
    from shenbao.documents.sealing import confirm_list

    _sent(submitted, admin)
    services.recommend(submitted, staff, timezone.now())
    _in_another_thread(lambda: confirm_list(staff.recommender, submitted.call, staff, timezone.now()))
    scan = tmp_path / "推荐函.pdf"
    scan.write_bytes(pdf_bytes(1))

    log_in(page, staff)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="限额推荐").click()
    page.get_by_label("推荐文件扫描件（PDF）").set_input_files(scan)
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("推荐文件已上传。")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="推荐文件", exact=True).click()
    assert download.value.suggested_filename.endswith("letter.pdf")
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")
    log_out(page)

    log_in(page, department_staff)
    page.goto("/review/overview/")
    with page.expect_download() as download:
        page.get_by_role("link", name="推荐文件", exact=True).click()
    assert open(download.value.path(), "rb").read() == RecommendationList.objects.get().letter.read()


def test_a_recommended_application_cannot_be_typed_in_and_says_why(page, filing_clock, submitted, applicant):
    Application.objects.filter(pk=submitted.pk).update(state=State.RECOMMENDED)
    log_in(page, applicant)
    page.goto(f"/applications/{submitted.public_id}/units/")
    saves = []
    page.on("request", lambda request: saves.append(request.url) if request.method == "POST" else None)
    expect(page.get_by_text("归口管理部门已推荐，申报书不能再修改。")).to_be_visible()
    partner = page.locator("[name='partners.0.name']")
    before = partner.input_value()
    partner.click(force=True)  # a person clicks into the cell and types
    page.keyboard.type("改一改")
    assert partner.input_value() == before and partner.is_disabled()
    assert (
        page.get_by_role("button", name="增加一行").count() == 0
        and page.get_by_role("button", name="删除").count() == 0
    )
    page.wait_for_timeout(2000)  # longer than the autosave's pause
    assert saves == []
    assert page.locator("#save-state").inner_text() == ""


def test_a_bad_cell_after_a_deleted_row_is_marked_kept_and_named_at_submission(page, filing_clock, call, applicant):
    saved = "document.getElementById('save-state').textContent.includes('已保存')"
    log_in(page, applicant)
    page.get_by_role("button", name="新建申报书").click()
    page.wait_for_url(re.compile(r"/basic/$"))
    page.goto(page.url.replace("/basic/", "/indicators/"))
    page.get_by_role("button", name="增加一行").click()
    page.get_by_role("button", name="增加一行").click()
    page.locator("[name='indicators.1.description']").fill("乡土草新品种")
    page.locator("tr:has([name='indicators.0.description'])").get_by_role("button", name="删除").click()
    page.locator("[name='indicators.1.quantity']").fill("三篇")
    page.wait_for_function(saved)
    quantity = page.locator("[name='indicators.1.quantity']")
    assert quantity.get_attribute("aria-invalid") == "true"
    message = page.locator(f"[id='{quantity.get_attribute('aria-describedby')}']")
    assert "“数量”应为数字，当前为“三篇”" in message.inner_text()
    assert "1处内容无法识别" in page.locator("#save-state").inner_text()

    page.locator(".section-nav").get_by_role("link", name="项目内容").click()
    page.wait_for_url(re.compile(r"/content/$"))
    page.locator(".section-nav").get_by_role("link", name="考核指标与知识产权").click()
    kept = page.locator("[name='indicators.0.quantity']")  # stored as the first row
    assert kept.input_value() == "三篇" and kept.get_attribute("aria-invalid") == "true"
    page.goto(page.url.replace("/indicators/", "/review/"))
    expect(page.get_by_text("有 1 处填写的内容无法识别")).to_be_visible()
    page.get_by_role("button", name="提交单位审核").click()
    expect(
        page.get_by_text(re.compile("考核指标与知识产权·考核指标第1行：“数量”应为数字，当前为“三篇”"))
    ).to_be_visible()
    assert Application.objects.get(applicant=applicant).state == State.DRAFT


def test_confirming_the_list_asks_first_and_afterwards_offers_no_buttons_that_cannot_work(
    page, filing_clock, submitted, admin, staff
):
    _sent(submitted, admin)
    log_in(page, staff)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="限额推荐").click()
    page.get_by_role("row", name=re.compile(submitted.title[:10])).get_by_role("checkbox").check()
    page.get_by_role("button", name="推荐", exact=True).click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="确认推荐项目清单").click()
    assert asked and "不能撤销" in asked[0] and "不能再推荐、不予推荐或退回" in asked[0]
    page.wait_for_timeout(500)
    assert not RecommendationList.objects.exists()  # said no: nothing happened

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认推荐项目清单").click()
    expect(page.get_by_text("推荐项目清单已确认，推荐结果不能再修改（二(二)4）。")).to_be_visible()
    for gone in ("推荐", "不予推荐", "确认推荐项目清单"):
        assert page.get_by_role("button", name=gone, exact=True).count() == 0
    page.get_by_role("link", name=submitted.title).click()
    assert page.get_by_role("button", name="退回修改").count() == 0


def test_the_unit_queue_follows_a_seal_to_its_end_without_a_reload(page, filing_clock, submitted, admin, settings):
    settings.JOBS_IMMEDIATE = False  # the seal waits for a worker, as in production
    services.approve(submitted, admin, timezone.now())
    # The page's status requests are held while the worker runs in this test (SQLite's shared in-memory
    # database locks a table against a second writer's reader), and let through afterwards.
    held, worker_done = [], []

    def hold_while_the_worker_runs(route):
        if worker_done:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/review/unit/progress\.json"), hold_while_the_worker_runs)
    log_in(page, admin)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="单位审核").click()
    row = page.get_by_role("row", name=re.compile(submitted.title[:10]))
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("^电子签章")).click()
    row = page.get_by_role("row", name=re.compile(submitted.title[:10]))
    expect(row.get_by_text("签章中…")).to_be_visible()
    expect(row.get_by_text("单位审核通过")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    # The page asks for the seal's progress while it is pending (every few seconds): wait for its first
    # question, so that the answer it gets later is the one drawn after the worker, not before it.
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)  # lets playwright deliver the held request to the route handler
    assert held  # the page was asking while the seal was pending

    assert _in_another_thread(lambda: queue.run_due("worker", ["sealing"])) == 1
    worker_done.append(True)
    for request in held:
        request.continue_()
    row.get_by_role("button", name=re.compile("^报送归口管理部门")).wait_for(timeout=60_000)
    expect(row.get_by_text("已签章", exact=True)).to_be_visible()
    expect(row.get_by_text("已签章PDF")).to_be_visible()
    expect(page.get_by_text(re.compile("全部处理完毕：签章中 1/1"))).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("^报送归口管理部门")).click()  # the button drawn by the page works
    expect(page.get_by_text("已报送归口管理部门1份")).to_be_visible()
    assert Application.objects.get(pk=submitted.pk).state == State.SUBMITTED_TO_RECOMMENDER
