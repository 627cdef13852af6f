"""Registration of units: register, correct after a rejection, approve, reject.

Each operation is one function running the whole change inside `transaction.atomic`:
check permission → check the state → write → audit entry → notification on commit.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from shenbao.accounts.models import User
from shenbao.audit import log
from shenbao.calls.spec import CallSpec
from shenbao.language import system_language
from shenbao.web.tasks import email_on_commit

from .models import Unit
from .routing import direct_recommender_for, route_unit

# The fields a registrant fills; everything else on Unit belongs to the review.
REGISTRATION_FIELDS = (
    "name",
    "uscc",
    "unit_type",
    "independent_legal_person",
    "registered_on",
    "division_code",
    "route",
    "competent_department",
    "legal_representative",
    "contact_name",
    "phone",
    "email",
    "address",
)


class RegistrationStateError(Exception):
    """The registration is not in a state that allows the operation; the message is for people."""


@dataclass(frozen=True)
class Contact:
    """Who a person should call about a unit that is already registered."""

    recommender: str
    topic: str
    department: str
    phone: str


def contact_for(unit: Unit, spec: CallSpec | None) -> Contact:
    recommender = unit.recommender.display_name if unit.recommender else _("科技厅（直报单位注册审核）")
    row = next((c for c in spec.consultation if c.topic == "组织推荐"), None) if spec else None
    return Contact(recommender, row.topic if row else "", row.department if row else "", row.phone if row else "")


def _snapshot(unit: Unit) -> dict:
    values = {name: getattr(unit, name) for name in REGISTRATION_FIELDS if name != "competent_department"}
    values["competent_department"] = unit.competent_department.code if unit.competent_department else None
    values["recommender"] = unit.recommender.code if unit.recommender else None
    values["status"] = unit.status
    return log.jsonable(values)


def status_url(unit: Unit) -> str:
    return settings.SITE_URL + reverse("organisations:registration_status", args=[unit.tracking_token])


def _notify(unit: Unit, subject: str, body: str) -> None:
    email_on_commit(subject, body, [unit.email])


@transaction.atomic
def register_unit(values: dict, *, request=None, existing: Unit | None = None) -> Unit:
    """A public registration, new or corrected after a rejection.

    1. an existing record may only be corrected while it is rejected;
    2. route it to its recommender (二(一)1, 二(二)2);
    3. save as pending, audit, e-mail the private status link.
    """
    if existing is not None and existing.status != Unit.Status.REJECTED:
        raise RegistrationStateError(_("该单位注册已在审核中或已通过，不能重复提交。"))
    unit = existing or Unit()
    before = _snapshot(unit) if existing else None
    for name in REGISTRATION_FIELDS:
        setattr(unit, name, values[name])
    if unit.route != Unit.Route.COMPETENT_DEPARTMENT:
        unit.competent_department = None
    unit.recommender = route_unit(unit)
    unit.status = Unit.Status.PENDING
    unit.rejection_reason = ""
    unit.reviewed_by, unit.reviewed_at = None, None
    unit.save()
    log.record(
        "unit.reregistered" if existing else "unit.registered",
        obj=unit,
        before=before,
        after=_snapshot(unit),
        request=request,
    )
    with system_language():
        reviewer = unit.recommender.name if unit.recommender else _("科技厅")
        _notify(
            unit,
            _("单位注册已提交"),
            _("%(name)s的注册信息已提交，由%(reviewer)s审核。\n查看审核进度：%(status_url)s\n请妥善保存此链接。")
            % {"name": unit.name, "reviewer": reviewer, "status_url": status_url(unit)},
        )
    return unit


def can_review(user: User, unit: Unit) -> bool:
    """Recommender staff review their own units; department staff review direct-report units."""
    if user.is_recommender_staff:
        return user.recommender_id is not None and unit.recommender_id == user.recommender_id
    if user.is_department_staff:
        return unit.route == Unit.Route.DIRECT
    return False


def registrations_for(user: User):
    """The registrations a reviewer may see."""
    if user.is_recommender_staff and user.recommender_id:
        return Unit.objects.filter(recommender_id=user.recommender_id)
    if user.is_department_staff:
        return Unit.objects.filter(route=Unit.Route.DIRECT)
    return Unit.objects.none()


def set_password_path(user: User) -> str:
    """The one-time link with which a new unit admin sets the first password (valid until used)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:set_password", args=[uid, token])


def _locked_pending(unit: Unit, actor: User) -> Unit:
    if not can_review(actor, unit):
        raise PermissionDenied
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.status != Unit.Status.PENDING:
        raise RegistrationStateError(
            _("该注册申请当前状态为“%(status)s”，不能再次审核。") % {"status": unit.get_status_display()}
        )
    return unit


@transaction.atomic
def approve_registration(unit: Unit, actor: User, now: dt.datetime, *, quota_type: str, request=None) -> User:
    """Approve a pending registration and open the unit admin account.

    1. the actor reviews this unit (can_review) and it is pending;
    2. a direct-report unit becomes its own recommender (二(二)2) with the call's direct quota type;
    3. a new unit admin account is created: username = the USCC, no password until its holder sets
       one; if any account already has that username, the approval is refused (never handed over);
    4. audit; e-mail the set-password link.
    """
    unit = _locked_pending(unit, actor)
    before = _snapshot(unit)
    if unit.route == Unit.Route.DIRECT:
        unit.recommender = direct_recommender_for(unit, quota_type)
    unit.status = Unit.Status.APPROVED
    unit.reviewed_by, unit.reviewed_at = actor, now
    unit.save()
    if User.objects.filter(username__iexact=unit.uscc).exists():
        # Never hand an existing account (whoever holds it) to the registrant: refuse, and say why.
        raise RegistrationStateError(
            _(
                "用户名“%(uscc)s”已被其他账号占用，无法为该单位开设单位管理员账号。统一社会信用代码形式的用户名只用于单位管理员，请联系科技厅核查该账号后再审核。"
            )
            % {"uscc": unit.uscc}
        )
    # A new account, with no password until its holder sets one through the link: nobody else knows it.
    admin = User(
        username=unit.uscc, role=User.Role.UNIT_ADMIN, unit=unit, real_name=unit.contact_name, email=unit.email
    )
    admin.set_unusable_password()
    admin.save()
    log.record("unit.approved", actor=actor, obj=unit, before=before, after=_snapshot(unit), request=request)
    with system_language():
        _notify(
            unit,
            _("单位注册已通过"),
            _(
                "%(name)s的注册已审核通过。\n单位管理员用户名：%(username)s\n请通过以下链接设置密码后登录：%(site_url)s%(set_password_path)s\n链接失效后，可在审核进度页面重新获取：%(status_url)s"
            )
            % {
                "name": unit.name,
                "username": admin.username,
                "site_url": settings.SITE_URL,
                "set_password_path": set_password_path(admin),
                "status_url": status_url(unit),
            },
        )
    return admin


@transaction.atomic
def reject_registration(unit: Unit, actor: User, now: dt.datetime, *, reason: str, request=None) -> Unit:
    """Reject a pending registration with a reason the registrant will read.

    1. the actor reviews this unit and it is pending; 2. a reason is given;
    3. write, audit, e-mail the reason and the link to correct and resubmit.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationStateError(_("请填写不予通过的原因，申报单位将看到该原因并据此修改。"))
    unit = _locked_pending(unit, actor)
    before = _snapshot(unit)
    unit.status = Unit.Status.REJECTED
    unit.rejection_reason = reason
    unit.reviewed_by, unit.reviewed_at = actor, now
    unit.save()
    log.record(
        "unit.rejected", actor=actor, obj=unit, before=before, after=_snapshot(unit), reason=reason, request=request
    )
    with system_language():
        _notify(
            unit,
            _("单位注册未通过"),
            _("%(name)s的注册未通过审核。\n原因：%(reason)s\n修改后可重新提交：%(status_url)s")
            % {"name": unit.name, "reason": reason, "status_url": status_url(unit)},
        )
    return unit
