"""What each role must do next, for its home page. One function per role."""

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.organisations.models import Unit


def _applicant(user: User) -> dict:
    applications = Application.objects.filter(applicant=user).select_related("call").order_by("-updated_at")[:20]
    return {"template": "web/home_applicant.html", "applications": applications}


def _unit_admin(user: User) -> dict:
    unit = user.unit
    return {
        "template": "web/home_unit_admin.html",
        "unit": unit,
        "applicant_count": User.objects.filter(unit=unit, role=User.Role.APPLICANT, is_active=True).count(),
        "waiting_count": Application.objects.filter(unit=unit, state=Application.State.SUBMITTED).count(),
    }


def _recommender(user: User) -> dict:
    recommender = user.recommender
    return {
        "template": "web/home_recommender.html",
        "recommender": recommender,
        "pending_units": Unit.objects.filter(recommender=recommender, status=Unit.Status.PENDING).count(),
        "waiting_count": Application.objects.filter(
            unit__recommender=recommender, state=Application.State.SUBMITTED_TO_RECOMMENDER
        ).count(),
    }


def _department(user: User) -> dict:
    return {
        "template": "web/home_department.html",
        "pending_direct_units": Unit.objects.filter(route=Unit.Route.DIRECT, status=Unit.Status.PENDING).count(),
        "unit_count": Unit.objects.filter(status=Unit.Status.APPROVED).count(),
        "application_count": Application.objects.exclude(state=Application.State.DRAFT).count(),
    }


def _expert(user: User) -> dict:
    from shenbao.evaluation.models import Assignment

    waiting = Assignment.objects.filter(expert__user=user).exclude(status=Assignment.Status.RELEASED)
    return {
        "template": "evaluation/home_expert.html",
        "waiting_count": waiting.exclude(sheet__submitted_at__isnull=False).count(),
    }


_BY_ROLE = {
    User.Role.APPLICANT: _applicant,
    User.Role.UNIT_ADMIN: _unit_admin,
    User.Role.RECOMMENDER: _recommender,
    User.Role.DEPARTMENT: _department,
    User.Role.EXPERT: _expert,
}


def home_context(user) -> dict:
    if not user.is_authenticated:
        return {"template": "web/home_public.html"}
    return _BY_ROLE[user.role](user)
