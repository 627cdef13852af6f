"""A world with an application in every state of the flow, for test_standards.py: what each role can
reach, so that the standards checks see every page in every state a person can meet.

Built in phases, each at its moment of the 2026 call: the filing window (drafts to a confirmed
recommendation list), the department's stage (受理, expert review, ranking) and the published list (公示).
Transitions go through the services, as the pages would make them, so the pages see real states.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from shenbao.accounts.models import User
from shenbao.api.models import ApiToken
from shenbao.applications.models import Application
from shenbao.calls.models import WindowExtension
from shenbao.documents.sealing import confirm_list, seal_application
from shenbao.evaluation import services as evaluation
from shenbao.evaluation.models import Assignment, Group
from shenbao.evaluation.tests.conftest import SCORING_CLOSES
from shenbao.organisations.models import Unit
from shenbao.review import services as review

GOOD_SCORES = {c: "8" for c in ("innovation", "cooperation", "feasibility", "outcomes", "budget")}


@dataclass
class World:
    call: object
    people: dict[str, User]  # who → user; the crawl logs in as these
    applications: dict[str, Application] = field(default_factory=dict)  # state label → application
    secret_links: list[str] = field(default_factory=list)  # pages only a link in an e-mail leads to
    group: Group | None = None
    funding_list: object = None


def _submitted_chain(make_submitted, applicant, admin, staff, now, until: str) -> Application:
    """One application of the example taken through the flow up to `until`."""
    application = make_submitted(applicant)
    if until == "submitted":
        return application
    if until == "returned_by_unit":
        return review.return_to_applicant(application, admin, "请补充合作协议", now)
    application = review.approve(application, admin, now)
    if until == "unit_approved":
        return application
    seal_application(application, admin, now)
    application.refresh_from_db()
    if until == "sealed":
        return application
    application = review.submit_to_recommender(application, admin, now)
    if until == "to_recommender":
        return application
    if until == "returned_by_recommender":
        return review.return_to_unit(application, staff, "预算说明不清", now)
    if until == "not_recommended":
        return review.not_recommend(application, staff, "超出限额", now)
    return review.recommend(application, staff, now)


def filing_phase(call, unit, make_unit, make_user, make_submitted, make_complete) -> World:
    """During filing: every state from a blank draft to a confirmed recommendation list, a unit under a
    second bureau whose list is still open, registrations waiting, an extension granted."""
    now = timezone.now()
    admin = make_user(User.Role.UNIT_ADMIN, unit=unit, real_name="单位管理员", email="admin@example.org")
    staff = make_user(User.Role.RECOMMENDER, recommender=unit.recommender, real_name="推荐部门")
    department = make_user(User.Role.DEPARTMENT, real_name="科技厅", is_staff=True, is_superuser=True)
    applicant = make_user(User.Role.APPLICANT, unit=unit, real_name="乌云其其格", id_number="150105199007160025")
    make_user(User.Role.APPLICANT, unit=unit, real_name="停用的申报人", is_active=False)
    world = World(call, {"applicant": applicant, "unit_admin": admin, "recommender": staff, "department": department})

    apps = world.applications
    apps["blank draft"] = Application.objects.create(call=call, unit=unit, applicant=applicant, data={})
    apps["complete draft"] = make_complete(applicant)
    for state in (
        "submitted",
        "returned_by_unit",
        "unit_approved",
        "sealed",
        "returned_by_recommender",
        "not_recommended",
        "recommended",
        "recommended, then not accepted",
    ):
        until = "recommended" if state.startswith("recommended") else state
        apps[state] = _submitted_chain(make_submitted, applicant, admin, staff, now, until)
    confirm_list(unit.recommender, call, staff, now)  # nothing may wait at the bureau: see the second one

    # A second bureau whose list is not confirmed yet: its queue still offers 推荐 and 确认.
    other_unit = make_unit(name="满洲里口岸研究所", division="150781", recommender_code="150781")
    other_admin = make_user(User.Role.UNIT_ADMIN, unit=other_unit, real_name="口岸单位管理员")
    other_applicant = make_user(
        User.Role.APPLICANT, unit=other_unit, real_name="巴特尔", id_number="150102198501010010"
    )
    other_staff = make_user(User.Role.RECOMMENDER, recommender=other_unit.recommender, real_name="满洲里科技局")
    world.people["recommender, list open"] = other_staff
    apps["to_recommender, list open"] = _submitted_chain(
        make_submitted, other_applicant, other_admin, other_staff, now, "to_recommender"
    )
    apps["recommended, list open"] = _submitted_chain(
        make_submitted, other_applicant, other_admin, other_staff, now, "recommended"
    )

    # Registrations: one waiting at the bureau, one direct-report at the department, one rejected.
    pending = make_unit(name="待审核的注册单位", status=Unit.Status.PENDING)
    make_unit(name="直报待审核单位", status=Unit.Status.PENDING, route=Unit.Route.DIRECT)
    rejected = make_unit(name="被退回的注册单位", status=Unit.Status.REJECTED, rejection_reason="营业执照不清晰")
    world.secret_links += [f"/units/register/{pending.tracking_token}/", f"/units/register/{rejected.tracking_token}/"]
    from shenbao.organisations.services import set_password_path

    newcomer = make_user(User.Role.UNIT_ADMIN, unit=make_unit(name="新通过的单位"))
    newcomer.set_unusable_password()
    newcomer.save()
    world.secret_links.append(set_password_path(newcomer))

    WindowExtension.objects.create(
        call=call,
        which=WindowExtension.Which.FILING,
        unit=unit,
        closes=now + dt.timedelta(days=40),
        reason="系统故障",
        granted_by=department,
        granted_at=now,
    )
    for person in (applicant, admin, staff, department):
        ApiToken.issue(person, "对接系统")
    return world


def department_phase(world: World, make_expert) -> World:
    """During 受理: one application accepted and under review by two experts (one sheet submitted, one
    in draft), one not accepted and appealed."""
    now = timezone.now()
    staff, applicant = world.people["department"], world.people["applicant"]
    accepted = world.applications["recommended"]
    refused = world.applications["recommended, then not accepted"]
    evaluation.accept(accepted, staff, now)
    evaluation.reject(refused, staff, "缺少联合申报协议", "一(三)9", now)
    evaluation.appeal(refused, applicant, "协议已补充", now)
    first = make_expert("评审专家甲", unit_name="甲大学")
    second = make_expert("评审专家乙", unit_name="乙大学")
    make_expert("待确认的专家", unit_name="丙大学", confirmed_at=None)
    world.people["expert"], world.people["expert, sheet in draft"] = first.user, second.user
    group = Group.objects.create(
        call=world.call, name="国内科技合作一组", category="1001", scoring_closes=SCORING_CLOSES
    )
    group.applications.add(accepted)
    now = timezone.now()  # the scoring window opens when the group is made
    evaluation.assign(group, staff, now)
    for expert in (first, second):
        assignment = Assignment.objects.get(expert=expert)
        evaluation.declare(assignment, expert.user, False, "", now)
        evaluation.save_draft(assignment, expert.user, {"innovation": "7"}, {}, "", now)
    evaluation.submit_sheet(Assignment.objects.get(expert=first), first.user, GOOD_SCORES, {}, "总体良好", now)
    evaluation.decide_funding(accepted, staff, True, None, now)
    world.group = group
    return world


def published_phase(world: World) -> World:
    """The 拟立项 list confirmed and under 公示."""
    now = timezone.now()
    staff = world.people["department"]
    world.funding_list = evaluation.open_publicity(evaluation.confirm_funding_list(world.call, staff, now), staff, now)
    return world
