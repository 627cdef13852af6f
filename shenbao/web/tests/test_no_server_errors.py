"""A crawler for each role: every page reachable by links from its home page answers without a server
error (catches a broken template or view before a person does)."""

import re

import pytest
from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.documents.sealing import seal_application
from shenbao.review import services

pytestmark = pytest.mark.usefixtures("during_filing")
LINK = re.compile(r'href="(/[^"#?]*)')
SKIP = ("/static/", "/admin/", "/accounts/logout/", "/i18n/")


def _crawl(client, limit=60) -> dict[str, int]:
    seen, queue, statuses = set(), ["/"], {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            queue.extend(LINK.findall(response.content.decode()))
    return statuses


@pytest.mark.parametrize("role", ["applicant", "admin", "staff", "department", "anonymous"])
def test_every_page_a_role_can_reach_answers_without_a_server_error(
    client, role, submitted, admin, staff, applicant, department_staff, make_user, unit
):
    services.approve(submitted, admin, timezone.now())
    seal_application(submitted, admin, timezone.now())
    make_user(User.Role.APPLICANT, unit=unit, real_name="另一位申报人")
    who = {"applicant": applicant, "admin": admin, "staff": staff, "department": department_staff}.get(role)
    if who is not None:
        client.force_login(who)
    statuses = _crawl(client)
    errors = {url: status for url, status in statuses.items() if status >= 500}
    assert len(statuses) > 3 and not errors
