"""Attacks on the department stage's URLs. `ATTACKS` has the shape of the attacker matrix in
web/tests/test_object_permissions.py (url name → method, attacker, target, data), so it folds into it;
that file's coverage check counts these URLs as attacked here (`ATTACKED_HERE`).

What must hold: an expert sees nothing not assigned to them (and an assigned application only after
declaring no conflict); applicants and units never see experts' names or scores; the public page shows
only what 公示 shows, only while it is open."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from shenbao.accounts.models import User
from shenbao.evaluation import services
from shenbao.evaluation.models import Assignment, ExpertImport, Group, ScoreSheet

from .conftest import DURING_ACCEPTANCE, SCORING_CLOSES

NOW = DURING_ACCEPTANCE
GOOD = {c: "8" for c in ("innovation", "cooperation", "feasibility", "outcomes", "budget")}
EXPERT_NAMES = ("评审专家甲", "评审专家乙")


@pytest.fixture
def world(make_recommended, make_unit, make_user, make_expert, applicant, staff, unit):
    """Two accepted applications in one group: 甲 reviews A only (declared, scored), 乙 reviews B
    only (not yet declared). Their applicants, units and a recommender look on."""
    theirs = make_unit(division="150203", recommender_code="150200")
    their_applicant = make_user(User.Role.APPLICANT, unit=theirs, id_number="150105199007160025")
    mine = make_recommended(applicant)
    other = make_recommended(their_applicant, title="他人的申报书")
    for application in (mine, other):
        services.accept(application, staff, NOW, reason="测试")
    group = Group.objects.create(call=mine.call, name="一组", category="1001", scoring_closes=SCORING_CLOSES)
    group.applications.add(mine, other)
    jia = make_expert(EXPERT_NAMES[0], unit_name="甲大学")
    yi = make_expert(EXPERT_NAMES[1], unit_name="乙大学")
    jia_on_mine = Assignment.objects.create(group=group, application=mine, expert=jia, created_by=staff)
    yi_on_other = Assignment.objects.create(group=group, application=other, expert=yi, created_by=staff)
    services.declare(jia_on_mine, jia.user, False, "", NOW)
    sheet = services.submit_sheet(jia_on_mine, jia.user, {**GOOD, "budget": "7"}, {}, "意见甲", NOW)
    batch = ExpertImport.objects.create(uploaded_by=staff, file_name="x.xlsx", rows=[], errors=[])
    return {
        "mine": mine,
        "other": other,
        "group": group,
        "jia": jia.user,
        "yi": yi.user,
        "jia_on_mine": jia_on_mine,
        "yi_on_other": yi_on_other,
        "jia_expert": jia,
        "sheet": sheet,
        "batch": batch,
        "applicant": applicant,
        "their_applicant": their_applicant,
        "my_admin": make_user(User.Role.UNIT_ADMIN, unit=unit),
        "their_admin": make_user(User.Role.UNIT_ADMIN, unit=theirs),
        "recommender_staff": make_user(User.Role.RECOMMENDER, recommender=unit.recommender),
        "staff": staff,
    }


# url name → [(method, attacker, target, data)]
ATTACKS = {
    "evaluation:decide": [
        ("post", "applicant", "mine", {"action": "accept"}),
        ("post", "recommender_staff", "mine", {"action": "reject", "reason": "x", "clause": "一"}),
        ("post", "jia", "mine", {"action": "accept"}),
    ],
    "evaluation:status": [("get", "their_applicant", "mine", None), ("get", "jia", "mine", None)],
    "evaluation:appeal": [("post", "their_applicant", "mine", {"reason": "x"}), ("post", "jia", "mine", {})],
    "evaluation:avoid": [
        ("get", "their_applicant", "mine", None),
        ("post", "their_applicant", "mine", {"name-0": "王五"}),
        ("get", "my_admin", "mine", None),
        ("get", "jia", "mine", None),
    ],
    "evaluation:snapshots": [
        ("get", "their_applicant", "mine", None),
        ("get", "their_admin", "mine", None),
        ("get", "jia", "mine", None),
    ],
    "evaluation:expert_import_confirm": [("post", "applicant", "batch", {}), ("post", "jia", "batch", {})],
    "evaluation:expert_edit": [("get", "jia", "jia_expert", None), ("post", "applicant", "jia_expert", {"name": "x"})],
    "evaluation:group": [("get", "jia", "group", None), ("post", "my_admin", "group", {"action": "assign"})],
    "evaluation:reopen": [("post", "jia", "sheet", {"reason": "x"}), ("post", "applicant", "sheet", {"reason": "x"})],
    "evaluation:funding_file": [("get", "jia", "pdf", None), ("get", "applicant", "xlsx", None)],
    "evaluation:assignment": [
        ("get", "jia", "yi_on_other", None),
        ("post", "jia", "yi_on_other", {"action": "no_conflict"}),
        ("get", "applicant", "jia_on_mine", None),
        ("get", "staff", "jia_on_mine", None),
    ],
    "evaluation:assignment_pdf": [("get", "jia", "yi_on_other", None), ("get", "yi", "yi_on_other", None)],
    "evaluation:autosave": [("post", "jia", "yi_on_other", {"score-innovation": "1"})],
}
ATTACKED_HERE = {*ATTACKS, "publicity:page"}


def _args(url_name, target):
    if isinstance(target, str):
        return [target]
    if hasattr(target, "public_id"):
        return [target.public_id]
    return [target.pk]


def _state(obj):
    if isinstance(obj, str):
        return obj
    obj.refresh_from_db()
    return {
        f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields if f.name not in ("last_login", "updated_at")
    }


@pytest.mark.parametrize(
    ("url_name", "method", "attacker", "target", "data"),
    [(name, *attack) for name, attacks in ATTACKS.items() for attack in attacks],
)
def test_the_department_stages_objects_are_never_shown_or_changed_to_others(
    client, world, url_name, method, attacker, target, data
):
    target_object = world[target] if target in world else target
    before = _state(target_object)
    with time_machine.travel(NOW, tick=False):
        client.force_login(world[attacker])
        response = getattr(client, method)(reverse(url_name, args=_args(url_name, target_object)), data)
    assert response.status_code in (403, 404)
    assert _state(target_object) == before
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "他人的申报书" not in body.decode(errors="replace")


DEPARTMENT_PAGES = [
    "evaluation:acceptance",
    "evaluation:experts",
    "evaluation:expert_template",
    "evaluation:expert_import",
    "evaluation:groups",
    "evaluation:ranking",
]


@pytest.mark.parametrize("url_name", DEPARTMENT_PAGES)
@pytest.mark.parametrize("role", ["applicant", "my_admin", "recommender_staff", "jia"])
def test_the_department_pages_are_forbidden_to_every_other_role(client, world, url_name, role):
    client.force_login(world[role])
    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("url_name", ["evaluation:expert_home", "evaluation:expert_profile"])
@pytest.mark.parametrize("role", ["applicant", "staff", "recommender_staff"])
def test_the_expert_pages_are_for_experts_only(client, world, url_name, role):
    client.force_login(world[role])
    assert client.get(reverse(url_name)).status_code == 403


def test_an_expert_lists_only_their_own_assignments(client, world):
    client.force_login(world["jia"])
    body = client.get(reverse("evaluation:expert_home")).content.decode()
    assert world["mine"].title in body and "他人的申报书" not in body


def test_an_expert_sees_the_application_only_after_declaring_no_conflict(client, world):
    url = reverse("evaluation:assignment", args=[world["yi_on_other"].public_id])
    with time_machine.travel(NOW, tick=False):
        client.force_login(world["yi"])
        before = client.get(url).content.decode()
        assert world["other"].data["abstract"] not in before and "利益冲突声明" in before
        assert (
            client.get(reverse("evaluation:assignment_pdf", args=[world["yi_on_other"].public_id])).status_code == 403
        )
        client.post(url, {"action": "no_conflict"})
        after = client.get(url).content.decode()
    assert world["other"].data["abstract"] in after


@pytest.mark.parametrize("who", ["applicant", "my_admin"])
def test_applicants_and_their_unit_never_see_experts_names_or_scores(client, world, who):
    client.force_login(world[who])
    mine = world["mine"]
    pages = [
        reverse("evaluation:status", args=[mine.public_id]),
        reverse("evaluation:snapshots", args=[mine.public_id]),
        reverse("applications:review", args=[mine.public_id]),
        reverse("web:home"),
        reverse("review:inbox"),
    ]
    total = str(world["sheet"].total)
    for url in pages:
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        for secret in (*EXPERT_NAMES, total, "意见甲"):
            assert secret not in body, (url, secret)


@pytest.fixture
def published(world):
    world["staff"].refresh_from_db()
    services.decide_funding(world["mine"], world["staff"], True, 600_000, NOW)
    funding_list = services.confirm_funding_list(world["mine"].call, world["staff"], NOW)
    return services.open_publicity(funding_list, world["staff"], NOW)


def test_the_public_page_shows_only_title_lead_unit_and_pi_while_publicity_is_open(client, world, published):
    mine = world["mine"]
    url = reverse("publicity:page", args=[mine.call.code])
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        body = client.get(url).content.decode()
    assert mine.title in body and mine.unit.name in body and mine.data["pi"]["name"] in body
    assert "0471-6328633" in body  # the objection contact of the call file
    for secret in (
        *EXPERT_NAMES,
        "他人的申报书",
        "600000",
        str(world["sheet"].total),
        mine.receipt_no,
        mine.pi_id_number,
    ):
        assert secret not in body, secret


def test_the_public_page_shows_nothing_before_publicity_or_after_it_closes(client, world, published):
    url = reverse("publicity:page", args=[world["mine"].call.code])
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        assert world["mine"].title not in client.get(url).content.decode()
    with time_machine.travel(NOW + dt.timedelta(days=6), tick=False):
        body = client.get(url).content.decode()
    assert world["mine"].title not in body and "公示已结束" in body


def test_a_submitted_sheet_cannot_be_changed_by_its_expert_through_the_page(client, world):
    url = reverse("evaluation:assignment", args=[world["jia_on_mine"].public_id])
    with time_machine.travel(NOW, tick=False):
        client.force_login(world["jia"])
        client.post(url, {"action": "submit", **{f"score-{k}": "1" for k in GOOD}})
        response = client.post(
            reverse("evaluation:autosave", args=[world["jia_on_mine"].public_id]), {"score-innovation": "1"}
        )
    assert response.status_code == 409
    assert ScoreSheet.objects.get(pk=world["sheet"].pk).scores["innovation"] == "8"
