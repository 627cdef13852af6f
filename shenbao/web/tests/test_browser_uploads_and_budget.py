"""In a real browser: the upload form keeps the chosen 附件类型 and asks for the partner of an agreement;
the budget's 小计 and 合计 follow what is typed, rows added and removed included; the title's counter."""

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import DURING_FILING
from shenbao.attachments.models import Attachment
from shenbao.attachments.tests.test_uploads import pdf_bytes
from shenbao.web.tests.browser_steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PARTNER = "北京草业科学研究中心"


@pytest.fixture
def complete(page, call, applicant, make_complete, media):
    with time_machine.travel(DURING_FILING, tick=True):
        application = make_complete(applicant)
        application.attachments.all().delete()
        log_in(page, applicant)
        yield application


def test_the_upload_form_asks_for_the_partner_and_keeps_the_kind_after_an_error_and_an_upload(page, complete, tmp_path):
    page.goto(f"/attachments/{complete.public_id}/")
    partner, year = page.locator("#partner"), page.locator("#year")
    assert page.get_by_label("附件类型").input_value() == ""  # nothing chosen for the person
    expect(partner).to_be_hidden()
    expect(year).to_be_hidden()
    page.get_by_label("附件类型").select_option("joint_agreement")
    expect(partner).to_be_visible()
    expect(year).to_be_hidden()
    pdf = tmp_path / "联合申报协议.pdf"
    pdf.write_bytes(pdf_bytes(2))

    # Without the partner: refused, and the kind is still the one chosen.
    page.evaluate("document.getElementById('partner').required = false")  # as a browser without the check
    page.get_by_label("PDF文件").set_input_files(str(pdf))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("请选择联合申报协议（中文）对应的合作单位")).to_be_visible()
    expect(page.get_by_label("附件类型")).to_have_value("joint_agreement")
    expect(partner).to_be_visible()

    page.locator("#partner").select_option(PARTNER)
    page.get_by_label("PDF文件").set_input_files(str(pdf))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("已上传“联合申报协议.pdf”（2页）")).to_be_visible()
    assert page.get_by_label("附件类型").input_value() == "joint_agreement"
    assert Attachment.objects.get().partner == PARTNER
    required = page.locator("table").first
    expect(required.locator("tr", has_text=f"与{PARTNER}的联合申报协议").get_by_text("已上传")).to_be_visible()

    page.get_by_label("附件类型").select_option("financial_statement")
    expect(year).to_be_visible()
    expect(partner).to_be_hidden()


def test_the_budget_totals_follow_what_is_typed_and_the_rows_of_the_split(page, complete):
    page.goto(f"/applications/{complete.public_id}/budget/")
    totals = page.locator(".total")
    # 设备费 业务费 劳务费 间接费用 (小计), 合计 财政 / 自筹 / 总, the split's 合计 财政 / 自筹
    assert totals.all_inner_texts() == [
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
    page.get_by_label("财政资金·设备费（元）").fill("１５0,000.5")  # full-width digits, as an IME types them
    assert totals.nth(0).inner_text() == "250,000.50"
    assert totals.nth(4).inner_text() == "920,000.50" and totals.nth(6).inner_text() == "1,120,000.50"
    page.get_by_label("自筹资金·业务费（元）").fill("十万")
    assert totals.nth(5).inner_text() == "100,000（1项无法识别，未计入）"

    split = page.locator('fieldset[data-table="budget.by_unit"]')
    split.get_by_role("button", name="增加一行").click()
    split.locator('input[name="budget.by_unit.2.fiscal"]').fill("80,000")
    assert totals.nth(7).inner_text() == "1,000,000"
    split.locator("tbody tr").nth(0).get_by_role("button", name="删除").click()
    assert totals.nth(7).inner_text() == "400,000"


def test_the_title_counter_counts_as_the_server_does(page, complete):
    page.goto(f"/applications/{complete.public_id}/basic/")
    title = page.get_by_label("项目名称")
    assert title.get_attribute("maxlength") == "50"
    title.fill("  草原生态修复  ")
    assert page.locator(".char-count").inner_text() == "，已输入6个字"
    title.fill("草" * 60)  # maxlength stops it at the limit
    assert page.locator(".char-count").inner_text() == "，已输入50个字"
