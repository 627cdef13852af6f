"""Standards that outsiders check (issue #13): on every page any role can reach, in every state of the
flow, axe-core finds no violation of impact moderate or above at 1280 px and at 375 px, and the Nu HTML
Checker finds no error.

Each role is one test item (xdist spreads them over its workers): the world of standards_world.py is
built phase by phase on the call's clock, and after each phase the role's people crawl from their home
page (standards_checks.py). The fixed lists below add what no link leads to: the pages of each state's
application, links sent by e-mail, error pages, and forms sent with mistakes.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client

from conftest import DURING_FILING
from shenbao.applications.models import Application
from shenbao.evaluation import experts
from shenbao.evaluation.models import Assignment
from shenbao.evaluation.tests.conftest import DURING_ACCEPTANCE
from shenbao.rules import registry_import
from shenbao.web.tests import standards_world
from shenbao.web.tests.standards_checks import Crawl, tools_missing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Decided before any fixture runs (the backend's vendor needs no connection): no browser, no world.
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the pages are the same on every database: checked once, on SQLite (keeps make test short)",
    ),
]

MISSING_PAGE = "/this-page-does-not-exist/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _send_empty(page) -> None:
    """Send the page's form as a hurried person would: nothing filled in."""
    page.locator("main form.stack button.primary").first.click()


def _mistakes(description: str, url: str):
    return (description, url, _send_empty)


def _upload(content: bytes, name: str):
    """Send the page's first upload form with `content`: the preview it leads to is a state to check."""

    def action(page) -> None:
        form = page.locator("main form[enctype='multipart/form-data']").first
        form.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": content}])
        form.locator("button").first.click()

    return action


def _review_pages(world, labels) -> list[str]:
    return [f"/applications/{world.applications[label].public_id}/review/" for label in labels]


OWN = [  # the applicant's applications, the first with filled tables so its sections are checked first
    "complete draft",
    "blank draft",
    "submitted",
    "returned_by_unit",
    "unit_approved",
    "sealed",
    "returned_by_recommender",
    "not_recommended",
    "recommended",
    "recommended, then not accepted",
]
LIST_OPEN = ["to_recommender, list open", "recommended, list open"]


def _filing(world) -> dict[str, list]:
    """Who crawls during filing, and the pages each is shown besides the links from home."""
    forbidden = "/review/overview/"
    return {
        "anonymous": [
            *world.secret_links,
            MISSING_PAGE,
            _mistakes("sent empty", "/accounts/login/"),
            _mistakes("sent empty", "/units/register/"),
        ],
        "applicant": [
            *_review_pages(world, OWN),
            MISSING_PAGE,
            forbidden,
            _mistakes("sent empty", "/accounts/password/"),
        ],
        "unit_admin": [*_review_pages(world, OWN), forbidden, _mistakes("sent empty", "/accounts/applicants/new/")],
        "recommender": [*_review_pages(world, OWN[2:]), forbidden],
        "recommender, list open": _review_pages(world, LIST_OPEN),
        "department": [*_review_pages(world, OWN + LIST_OPEN), "/review/unit/"],
    }


def _department_stage(world) -> dict[str, list]:
    status = [
        f"/evaluation/{page}/{world.applications[label].public_id}/"
        for label in ("recommended", "recommended, then not accepted")
        for page in ("status", "avoid")
    ]
    assignments = {
        who: [f"/evaluation/expert/{a.public_id}/" for a in Assignment.objects.filter(expert__user=world.people[who])]
        for who in ("expert", "expert, sheet in draft")
    }
    return {
        "applicant": status,
        "unit_admin": status[:1],
        "department": [
            f"/evaluation/groups/{world.group.pk}/",
            "/evaluation/acceptance/",
            "/evaluation/ranking/",
            ("previewed", "/evaluation/experts/import/", _upload(experts.template_xlsx(), "专家.xlsx")),
            ("previewed", "/rules/registries/", _upload(registry_import.template("ongoing"), "在研项目.xlsx")),
        ],
        **assignments,
    }


def _published(world) -> dict[str, list]:
    return {
        "anonymous": [f"/publicity/{world.call.code}/"],
        "department": ["/evaluation/ranking/", "/evaluation/acceptance/"],
    }


PHASES = [("申报受理中", DURING_FILING, _filing), ("受理与评审", DURING_ACCEPTANCE, _department_stage)]
PHASES.append(("公示", DURING_ACCEPTANCE, _published))
ROLES = {  # a test item → the people of the world it crawls as
    "anonymous": ["anonymous"],
    "applicant": ["applicant"],
    "unit admin": ["unit_admin"],
    "recommender": ["recommender", "recommender, list open"],
    "department staff": ["department"],
    "expert": ["expert", "expert, sheet in draft"],
}


def _page_state(application) -> str:
    """What an application's pages depend on: blank, editable, read-only at the unit or beyond. Each
    state's review page is in the fixed lists; its other pages are checked once per group."""
    states = Application.State
    if not application.data:
        return "blank draft"
    if application.state in states.editable_by_applicant():
        return "editable"
    return "at the unit" if application.state in states.at_unit() else "at the recommender"


def _in_thread(build, *args):
    """Build in a thread of its own: playwright's event loop owns this one, and pyHanko (sealing) runs
    its own loop. The thread's database connection is closed after it."""

    def run():
        try:
            return build(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as other_thread:
        return other_thread.submit(run).result()


def _session_cookie(user) -> dict | None:
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_passes_axe_and_the_nu_html_checker(
    role, browser, live_server, tmp_path, call, unit, make_unit, make_user, make_submitted, make_complete, make_expert
):
    if missing := tools_missing():
        pytest.skip(missing)
    people = ROLES[role]
    crawl = None
    with time_machine.travel(DURING_FILING, tick=True) as clock:
        world = _in_thread(
            standards_world.filing_phase, call, unit, make_unit, make_user, make_submitted, make_complete
        )
        for phase, moment, fixed_pages in PHASES:
            clock.move_to(moment)
            if phase == "受理与评审":
                _in_thread(standards_world.department_phase, world, make_expert)
            elif phase == "公示":
                _in_thread(standards_world.published_phase, world)
            names = {str(a.public_id): f"application {_page_state(a)}" for a in world.applications.values()}
            crawl = crawl or Crawl(browser, live_server.url, tmp_path, names)
            fixed = fixed_pages(world)
            for who in people:
                if who in fixed:  # each person crawls in the phases that have pages for them
                    user = world.people.get(who)
                    crawl.as_person(f"{who} ({phase})", _session_cookie(user), fixed.get(who, []))
    crawl.validate()
    assert crawl.pages > 5, f"the crawl as {role} found only {crawl.pages} pages"
    report = crawl.report()
    assert not report, f"{role}: {crawl.pages} pages checked\n{report}"
