"""The review page of an application as the staff who handle it read it: a plain title, and a 处理记录
that names states in Chinese and says who did what in which role."""

import re
from html import unescape

from django.urls import reverse

from shenbao.review import services

from .test_flow import now


def _page(client, user, application) -> str:
    client.force_login(user)
    return client.get(reverse("applications:review", args=[application.public_id])).content.decode()


def test_the_page_title_is_plain_text_without_the_history_table(client, submitted, admin):
    services.approve(submitted, admin, now())
    title = re.search(r"<title>(.*?)</title>", _page(client, admin, submitted), re.S).group(1)
    assert "<" not in unescape(title) and "处理记录" not in title
    assert "形式审查" in title and submitted.title in unescape(title)


def test_the_history_names_states_in_chinese_and_the_actor_with_role(client, submitted, admin, applicant):
    services.return_to_applicant(submitted, admin, "预算需调整", now())
    page = _page(client, admin, submitted)
    history = page[page.index("处理记录") :]
    rows = [unescape(re.sub(r"<[^>]+>", "|", row)) for row in re.findall(r"<tr>(.*?)</tr>", history, re.S)]
    submitted_row = next(r for r in rows if "|提交单位审核|" in r)
    assert f"{applicant.real_name}（申报人）" in submitted_row and "草稿 → 已提交单位" in submitted_row
    returned_row = next(r for r in rows if "|单位退回修改|" in r)
    assert "单位管理员（单位管理员）" in returned_row
    assert "已提交单位 → 单位退回修改" in returned_row and "预算需调整" in returned_row
    assert "draft" not in history and "submitted" not in history and "returned_by_unit" not in history
