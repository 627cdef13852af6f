"""The English interface is complete: every page each role reaches, in every stage of the flow, with
English chosen in the language switch, shows no Chinese interface text.

The fixtures are built with English user data (names, titles, unit names, the application's text), so
any Chinese character left on a page is interface text: a string not marked for translation, a
translation missing from `locale/en/LC_MESSAGES/django.po`, or a call-file word without its English in
the call file's `[en]` table. The pages are read as a person reads them: text, and the attributes a
screen reader or a tooltip shows (never `value`s of options, names or ids, which are data keys)."""

import copy
import json
import re
import subprocess
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation

from conftest import EXAMPLE_APPLICATION, attach_example_files
from shenbao.accounts.models import User
from shenbao.applications import services as applications
from shenbao.applications.models import Application
from shenbao.documents.sealing import confirm_list, seal_application
from shenbao.evaluation import services as evaluation
from shenbao.evaluation.models import Assignment, Expert, Group
from shenbao.evaluation.tests.conftest import DURING_ACCEPTANCE, SCORING_CLOSES
from shenbao.review import services as review

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
# Chinese that stays on an English page, and why.
ALLOWED = {
    "中文": "the language switch names Chinese in Chinese, so that a Chinese reader finds the way back",
    "简体中文": "the same, as Django's language list spells it",
    "申": "the logo's character, hidden from screen readers",
}
# Attributes a person reads (a tooltip, a screen reader, a placeholder, a button's caption), and the
# data- attributes that carry a script's messages (data-confirm, data-progress-text, data-sealed-label…);
# the other data- attributes are keys (field paths such as budget.fiscal.设备费).
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description", "data-confirm", "data-text"}
MESSAGE_ATTRIBUTES = ("-text", "-label", "-finished", "-failed")
LINK = re.compile(r'href="(/[^"#?]*)')
# Not pages of shenbao's own interface: Django's admin, files, machine-readable answers.
SKIP = ("/static/", "/admin/", "/accounts/logout/", "/i18n/", "/api/v1/", "/documents/")
FILES = re.compile(r"\.(pdf|xlsx|json)$|/(pdf|xlsx|letter|template\.xlsx)/$")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    """What a person reads on a page: its text and the attributes shown or spoken. An element marked
    lang="zh-…" holds Chinese on purpose (stored content written in the system's language, a field
    that takes the guide's Chinese clause numbers): it is skipped, as a screen reader switches voice."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.read: list[str] = []
        self._hidden: list[str] = []  # open elements whose text is not read (scripts, Chinese on purpose)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        chinese = (attributes.get("lang") or "").startswith("zh")
        if tag not in VOID and (
            chinese or (tag in ("script", "style") and attributes.get("type") != "application/json")
        ):
            self._hidden.append(tag)
            return
        if chinese or self._hidden:
            return
        self.read.extend(
            v
            for k, v in attrs
            if v and (k in READ_ATTRIBUTES or (k.startswith("data-") and k.endswith(MESSAGE_ATTRIBUTES)))
        )
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.read.append(attributes["value"])

    def handle_endtag(self, tag):
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data):
        if not self._hidden:
            self.read.append(data)


def chinese_on(html: str) -> set[str]:
    """The runs of Chinese characters a person reads on the page, less the allowed ones."""
    reader = _Reader()
    reader.feed(html)
    return {run for text in reader.read for run in CJK.findall(text) if run not in ALLOWED}


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _crawl(
    client, start: list[str], limit: int = 80, *, once_per_page_kind: bool = False, within: tuple[str, ...] = ("/",)
) -> dict[str, set[str]]:
    """Every page reachable by links from `start`, with the Chinese left on it. Staff see many
    applications' section pages that differ only in their data: with `once_per_page_kind` they read one
    of each kind (the same URL with another application's id), and every application's review page."""
    seen, kinds, queue, found = set(), set(), list(start), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        kind = UUID.sub("<id>", url)
        if url in seen or url.startswith(SKIP) or FILES.search(url):
            continue
        if once_per_page_kind and kind in kinds and not url.endswith("/review/"):
            continue
        seen.add(url)
        kinds.add(kind)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert 'lang="en"' in html, f"{url} is not in English"
        if chinese := chinese_on(html):
            found[url] = chinese
        queue.extend(link for link in LINK.findall(html) if link.startswith(within))
    assert len(seen) > 2, start
    return found


def _report(found: dict[str, set[str]]) -> str:
    return "\n".join(f"{url}: {' | '.join(sorted(runs))}" for url, runs in sorted(found.items()))


# --- the world, with English user data ---------------------------------------------------------------

# The example application's own text in English; the call's words (category, 合作方式, unit types,
# indicator types, budget categories, priority tags) stay as the call file spells them: the page shows
# their English from the call file.
ENGLISH_TEXT = {
    "title": "Native forage germplasm innovation for degraded grassland restoration",
    "keywords": ["native forage", "germplasm", "restoration", "Beijing cooperation"],
    "abstract": "Screening drought- and cold-tolerant native forage germplasm with a Beijing team.",
    "content": {
        "background": "Large degraded grassland areas lack native seed.",
        "objectives": "Five new germplasm lines, one seed base, one restoration plan.",
        "research_content": "Collection, evaluation, breeding, mixed sowing and demonstration.",
        "innovation": "Marker-assisted selection applied to local native forage.",
        "cooperation_basis": "Joint surveys since 2022 and a shared laboratory.",
        "schedule": [
            {"from": "2026-01", "to": "2026-12", "task": "Collection and evaluation"},
            {"from": "2027-01", "to": "2027-12", "task": "Breeding and sowing trials"},
            {"from": "2028-01", "to": "2028-12", "task": "Seed base and demonstration"},
        ],
    },
    "partners": [
        {
            "name": "Beijing Grassland Research Centre",
            "uscc": "12100000400012345P",
            "unit_type": "科研院所",
            "location": {"scope": "domestic_out_of_region", "province": "Beijing"},
        }
    ],
    "team": [
        {
            "name": "Zhang Ming",
            "id_number": "310104198205040015",
            "unit": "Beijing Grassland Research Centre",
            "title": "Professor",
            "role": "Subproject leader",
        }
    ],
    "indicators": [
        {"type": "新品种", "description": "New native forage lines", "quantity": 5, "unit": "lines"},
        {"type": "应用解决方案", "description": "Restoration plan", "quantity": 1, "unit": "plan"},
        {"type": "示范基地", "description": "Seed demonstration base", "quantity": 1, "unit": "base"},
        {"type": "人才培养", "description": "Young researchers trained", "quantity": 4, "unit": "people"},
        {"type": "论文", "description": "Papers", "quantity": 3, "unit": "papers"},
    ],
    "ethics": {
        "involves_human_subjects": False,
        "involves_human_genetic_resources": False,
        "ethics_review_required": False,
        "risk_assessment": "No human or animal subjects.",
    },
}
PARTNER = "Beijing Grassland Research Centre"


def english_example(unit_name: str, pi: User, title: str) -> dict:
    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    data.update(copy.deepcopy(ENGLISH_TEXT))
    data["title"] = title
    data["pi"]["title"] = "Research Professor"
    data["pi"]["ongoing_projects"] = [
        {"plan": "Inner Mongolia key R&D plan", "type": "Key R&D", "code": "2024YFHH0001", "until": "2026-12-31"}
    ]
    data["subprojects"] = [
        {"title": "Germplasm collection", "leader_id_number": pi.id_number, "unit": unit_name},
        {"title": "Marker-assisted breeding", "leader_id_number": "310104198205040015", "unit": PARTNER},
    ]
    data["budget"]["by_unit"] = [
        {"unit": unit_name, "fiscal": 600000, "self_raised": 200000},
        {"unit": PARTNER, "fiscal": 320000, "self_raised": 0},
    ]
    data.pop("attachments")
    return data


@pytest.fixture
def world(call, media, make_unit, make_user, during_filing):
    """A unit, its people and three applications: a draft, one submitted to the unit, one recommended
    in a confirmed list; the recommender's and the department's staff; an expert."""

    unit = make_unit(
        name="Grassland Ecology Institute",
        legal_representative="Bater",
        contact_name="Li Si",
        address="Hohhot",
        recommender_code="150100",
    )
    people = {
        "applicant": make_user(
            User.Role.APPLICANT, unit=unit, real_name="Wuyun Qiqige", id_number="150105199007160025", email="a@x.org"
        ),
        "colleague": make_user(
            User.Role.APPLICANT, unit=unit, real_name="Bao Lin", id_number="150102198001011234", email="b@x.org"
        ),
        "admin": make_user(User.Role.UNIT_ADMIN, unit=unit, real_name="Unit Admin", email="u@x.org"),
        "recommender": make_user(
            User.Role.RECOMMENDER, recommender=unit.recommender, real_name="Bureau Staff", email="r@x.org"
        ),
        "department": make_user(User.Role.DEPARTMENT, real_name="Department Staff", is_staff=True, is_superuser=True),
    }
    applications_ = {}
    now = timezone.now()
    for name, owner, title in (
        ("draft", "colleague", "Draft project on grassland seed"),
        ("submitted", "applicant", "Submitted project on grassland restoration"),
        ("recommended", "applicant", "Recommended project on forage breeding"),
    ):
        user = people[owner]
        application = applications.import_application(user, call, english_example(unit.name, user, title), now)
        attach_example_files(application, user, partner=PARTNER)
        applications_[name] = application
    return people, applications_


def _flow(people, apps):
    """The submitted application waits for its unit; the recommended one is sealed, sent, recommended
    and its recommender's list confirmed."""
    now = timezone.now()
    applicant, admin, staff = people["applicant"], people["admin"], people["recommender"]
    applications.submit_application(apps["submitted"], applicant, now)
    recommended = applications.submit_application(apps["recommended"], applicant, now)
    recommended = review.approve(recommended, admin, now)
    seal_application(recommended, admin, now)
    recommended.refresh_from_db()
    recommended = review.submit_to_recommender(recommended, admin, now)
    recommended = review.recommend(recommended, staff, now)
    confirm_list(staff.recommender, recommended.call, staff, now)
    return recommended


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_every_role_sees_english_pages_during_filing(client, world):
    people, apps = world
    _flow(people, apps)
    found = {}
    for role in ("colleague", "applicant", "admin", "recommender", "department"):
        _english(client, people[role])
        found.update(_crawl(client, ["/"], once_per_page_kind=role not in ("colleague", "applicant")))
    _english(client, people["applicant"])
    for url, status in (("/no-such-page/", 404), ("/review/overview/", 403)):  # the error pages too
        response = client.get(url)
        assert response.status_code == status
        if chinese := chinese_on(response.content.decode()):
            found[f"{url} ({status})"] = chinese
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    found.update(
        _crawl(client, ["/", "/units/register/", "/accounts/login/", f"/publicity/{apps['draft'].call.code}/"])
    )
    assert not found, "Chinese left on English pages:\n" + _report(found)


def test_every_role_sees_english_pages_in_the_department_stage(client, world, make_user):
    people, apps = world
    # The department stage starts from a recommended application; how it got there is the other test's.
    Application.objects.filter(pk=apps["recommended"].pk).update(
        state=Application.State.RECOMMENDED, receipt_no="KJHZ00001", submitted_at=timezone.now()
    )
    recommended = Application.objects.get(pk=apps["recommended"].pk)
    staff = people["department"]
    with time_machine.travel(DURING_ACCEPTANCE, tick=False):
        evaluation.accept(recommended, staff, timezone.now())
        group = Group.objects.create(
            call=recommended.call, name="Domestic group 1", category="1001", scoring_closes=SCORING_CLOSES
        )
        group.applications.add(recommended)
        user = make_user(User.Role.EXPERT, real_name="Expert One", id_number="11010119800101001X", email="e@x.org")
        expert = Expert.objects.create(
            user=user,
            name="Expert One",
            id_number=user.id_number,
            unit_name="Some University",
            title="Professor",
            disciplines=["110"],
            confirmed_at=timezone.now(),
        )
        evaluation.assign(group, staff, timezone.now())
        assignment = Assignment.objects.get(expert=expert)
        found = {}
        _english(client, user)
        found.update(_crawl(client, ["/", f"/evaluation/expert/{assignment.public_id}/"]))
        assignment = evaluation.declare(assignment, user, False, "", timezone.now())
        found.update(_crawl(client, [f"/evaluation/expert/{assignment.public_id}/"]))  # scoring
        criteria = recommended.call.spec.review.criteria
        evaluation.submit_sheet(assignment, user, {c.code: "8" for c in criteria}, {}, "Sound plan.", timezone.now())
        found.update(_crawl(client, [f"/evaluation/expert/{assignment.public_id}/"]))  # scores submitted
        for role in ("applicant", "admin", "recommender", "department"):
            _english(client, people[role])
            start = ["/", f"/evaluation/status/{recommended.public_id}/", f"/evaluation/avoid/{recommended.public_id}/"]
            found.update(_crawl(client, start, once_per_page_kind=True, within=("/evaluation/", "/publicity/")))
    assert not found, "Chinese left on English pages:\n" + _report(found)


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry(domain):
    catalogue = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / f"{domain}.po"

    def entries(option: str) -> str:
        """The entries msgattrib selects, as text: nothing at all when there are none."""
        return subprocess.run(
            ["msgattrib", option, "--no-obsolete", "--no-wrap", str(catalogue)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    untranslated, fuzzy = entries("--untranslated"), entries("--only-fuzzy")
    assert not untranslated, f"untranslated in {catalogue}:\n{untranslated[:3000]}"
    assert not fuzzy, f"fuzzy in {catalogue} (translate, then remove the flag):\n{fuzzy[:3000]}"


def test_a_page_in_english_leaves_the_next_work_of_its_thread_in_chinese(client, call):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'lang="en"' in client.get("/").content.decode()
    assert translation.get_language() == settings.LANGUAGE_CODE  # a job or a test run next is not English
