"""An applicant fills the 申报书 in a real browser: autosave, live findings, an attachment upload."""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import DURING_FILING
from shenbao.applications.models import Application
from shenbao.applications.sections import SECTIONS
from shenbao.attachments.tests.test_uploads import pdf_bytes
from shenbao.web.tests.browser_steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def filing_clock():
    """Time starts inside the filing window and runs on (the browser's timers need it to)."""
    with time_machine.travel(DURING_FILING, tick=True):
        yield


def test_an_applicant_fills_a_section_sees_the_bars_go_and_uploads_an_attachment(
    page, call, applicant, filing_clock, media, tmp_path
):
    log_in(page, applicant)
    page.get_by_role("button", name="新建申报书").click()

    findings = page.locator("#findings-panel")
    expect(findings.get_by_text("请填写项目名称")).to_be_visible()
    page.get_by_label("项目名称").fill("草原退化区乡土牧草种质创新")
    page.get_by_label("项目类别").select_option("2001")
    page.wait_for_function("document.getElementById('save-state').textContent.includes('已保存')")
    expect(findings.get_by_text("请填写项目名称")).to_have_count(0)  # the bar went away without a reload

    application = Application.objects.get(applicant=applicant)
    assert application.title == "草原退化区乡土牧草种质创新" and application.category == "2001"

    # Leaving the section saves it first.
    page.get_by_label("开始日期").fill("2026-01-01")
    page.locator(".section-nav").get_by_role("link", name="项目内容").click()
    page.wait_for_url(re.compile(r"/content/$"))
    application.refresh_from_db()
    assert application.data["start_date"] == "2026-01-01"

    page.locator(".section-nav").get_by_role("link", name="附件").click()
    pdf = tmp_path / "诚信承诺书.pdf"
    pdf.write_bytes(pdf_bytes(2))
    page.get_by_label("附件类型").select_option("integrity_commitment")
    page.get_by_label("PDF文件").set_input_files(str(pdf))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("已上传“诚信承诺书.pdf”（2页）")).to_be_visible()


def test_opening_another_section_never_makes_the_next_autosave_stale(page, call, applicant, filing_clock, media):
    log_in(page, applicant)
    page.get_by_role("button", name="新建申报书").click()
    basic = page.url
    for slug in ("content", "budget", "basic"):  # leaving a page used to post it again, racing the next
        page.goto(basic.replace("/basic/", f"/{slug}/"))
    page.get_by_label("项目名称").fill("草原生态修复")
    page.wait_for_function("document.getElementById('save-state').textContent.includes('已保存')")
    expect(page.locator("#stale")).to_be_hidden()
    assert Application.objects.get(applicant=applicant).version == 2


def test_what_is_typed_before_the_page_script_runs_is_saved_once_it_runs(page, call, applicant, filing_clock, media):
    """The script is deferred: on a slow connection the form is there to type in before it listens."""
    log_in(page, applicant)
    held = []
    page.route("**/application.js", lambda route: held.append(route))
    page.get_by_role("button", name="新建申报书").click()
    page.get_by_label("项目名称").fill("草原退化区乡土牧草种质创新")
    page.get_by_label("项目类别").select_option("2001")
    assert len(held) == 1  # typed while the script was still on its way
    held[0].continue_()

    page.wait_for_function("document.getElementById('save-state').textContent.includes('已保存')")
    application = Application.objects.get(applicant=applicant)
    assert application.title == "草原退化区乡土牧草种质创新" and application.category == "2001"


def test_opening_a_filled_section_and_leaving_it_alone_posts_nothing(
    page, call, applicant, make_complete, filing_clock
):
    application = make_complete(applicant)
    log_in(page, applicant)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    for section in SECTIONS:
        page.goto(f"/applications/{application.public_id}/{section.slug}/")  # returns once the scripts ran
        assert page.locator("#save-state").text_content() == "填写时自动保存", section.slug
    assert posts == []
    application.refresh_from_db()
    assert application.version == 1
