"""The whole foundation through the pages, as people do it: register a unit, its bureau approves it,
the new unit admin sets a password and opens an applicant account, the applicant logs in."""

import re

import pytest
from playwright.sync_api import expect

from conftest import TEST_PASSWORD, make_uscc
from shenbao.accounts.models import User
from shenbao.organisations.models import Recommender
from shenbao.web.tests.browser_steps import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_registers_is_approved_and_its_applicant_logs_in(page, call, make_user):
    bureau_staff = make_user(User.Role.RECOMMENDER, recommender=Recommender.objects.get(code="150781"))
    uscc = make_uscc("91", "150781")

    page.goto("/")
    page.get_by_role("link", name="新单位注册").click()
    page.get_by_label("单位名称").fill("满洲里口岸物流科技有限公司")
    page.get_by_label("统一社会信用代码").fill(uscc)
    page.get_by_label("单位类型").select_option("企业")
    page.get_by_label("是", exact=True).check()
    page.get_by_label("注册（成立）日期").fill("2012-05-20")
    page.get_by_label("注册地行政区划码").fill("150781")
    page.get_by_label("属地管理", exact=False).check()
    page.get_by_label("法定代表人").fill("赵明")
    page.get_by_label("联系人").fill("孙丽")
    page.get_by_label("联系电话").fill("0470-6200000")
    page.get_by_label("电子邮箱").fill("office@example.net")
    page.get_by_label("通讯地址").fill("满洲里市")
    page.get_by_role("button", name="提交注册").click()
    expect(page.get_by_text("满洲里市工信和科技局")).to_be_visible()
    status_url = page.url

    log_in(page, bureau_staff.username, TEST_PASSWORD)
    page.get_by_role("link", name="去审核").click()
    page.get_by_role("row", name=re.compile("满洲里口岸物流科技有限公司")).get_by_role("link", name="审核").click()
    page.get_by_label("通过", exact=True).check()
    page.get_by_role("button", name="提交审核意见").click()
    expect(page.get_by_text("单位管理员账号")).to_be_visible()
    log_out(page)

    page.goto(status_url)
    page.get_by_role("link", name="设置单位管理员密码").click()
    page.get_by_label("新密码", exact=True).fill("Manzhouli-Port-2026")
    page.get_by_label("新密码确认").fill("Manzhouli-Port-2026")
    page.get_by_role("button", name="设置密码").click()

    log_in(page, uscc, "Manzhouli-Port-2026")
    page.get_by_role("link", name="管理申报人账号").click()
    page.get_by_role("link", name="开设申报人账号").click()
    page.get_by_label("姓名").fill("巴图")
    page.get_by_label("身份证号").fill("150105199007160025")
    page.get_by_label("用户名").fill("batu")
    page.get_by_label("手机号码").fill("13900000001")
    page.get_by_label("电子邮件地址").fill("batu@example.org")
    page.get_by_role("button", name="开设账号").click()
    temporary = page.locator("code.secret").inner_text()
    log_out(page)

    log_in(page, "batu", temporary)
    page.get_by_label("旧密码").fill(temporary)
    page.get_by_label("新密码", exact=True).fill("Batu-Grassland-2026")
    page.get_by_label("新密码确认").fill("Batu-Grassland-2026")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("我的申报").first).to_be_visible()
