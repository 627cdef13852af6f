"""One person takes an application from a complete draft to a confirmed, sealed recommendation list,
through the pages, and the sealed PDFs validate."""

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from conftest import DURING_FILING
from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.documents.signing import check_signatures
from shenbao.review.models import RecommendationList
from shenbao.web.tests.browser_steps import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def filing_clock():
    with time_machine.travel(DURING_FILING, tick=True) as traveller:
        yield traveller


def _checked_and_closed(pdf):
    """Validate in a thread of its own, and close the database connection that thread opened."""
    try:
        return check_signatures(pdf)
    finally:
        connection.close()


def test_from_draft_to_a_confirmed_sealed_list_in_the_browser(
    page,
    call,
    unit,
    applicant,
    make_user,
    filing_clock,
    media,
    tmp_path,
    make_submitted,
):
    admin = make_user(User.Role.UNIT_ADMIN, unit=unit, real_name="单位管理员")
    staff = make_user(User.Role.RECOMMENDER, recommender=unit.recommender, real_name="推荐部门")
    application = make_submitted(applicant)
    from shenbao.review import services

    services.withdraw(application, applicant, timezone.now())  # back to a complete draft

    log_in(page, applicant)
    page.goto(f"/applications/{application.public_id}/review/")
    page.get_by_role("button", name="提交单位审核").click()
    expect(page.get_by_text(re.compile("受理编号 NMG-2026-KJHZ-1001-")).first).to_be_visible()
    log_out(page)

    asked = []  # irreversible steps ask first; the person agrees
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    log_in(page, admin)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="单位审核").click()
    row = page.get_by_role("row", name=re.compile(application.title[:10]))
    for action in ("审核通过", "电子签章", "报送归口管理部门"):  # each row's one button is its next step
        row.get_by_role("button", name=re.compile(f"^{action}")).click()
    expect(page.get_by_text("已报送归口管理部门1份")).to_be_visible()
    assert [message[:6] for message in asked] == ["签章后不能撤", "报送后申报书"]
    log_out(page)

    log_in(page, staff)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="限额推荐").click()
    page.get_by_role("row", name=re.compile(application.title[:10])).get_by_role("checkbox").check()
    page.get_by_role("button", name="推荐", exact=True).click()
    expect(page.get_by_text("1 / 7")).to_be_visible()
    page.get_by_role("button", name="确认推荐项目清单").click()
    expect(page.get_by_text("推荐项目清单已确认").first).to_be_visible()
    assert asked[-1].startswith("确认后不能撤销")

    sealed = Application.objects.get(pk=application.pk)
    entry = RecommendationList.objects.get()
    assert sealed.state == Application.State.RECOMMENDED
    for pdf in (sealed.sealed_pdf.read(), entry.pdf.read()):
        # playwright's event loop owns this thread; pyHanko's validator runs its own in another.
        with ThreadPoolExecutor(1) as other_thread:
            assert all(check.valid for check in other_thread.submit(_checked_and_closed, pdf).result())
        if shutil.which("pdfsig"):
            path = tmp_path / "sealed.pdf"
            path.write_bytes(pdf)
            assert "Signature is Valid" in subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
