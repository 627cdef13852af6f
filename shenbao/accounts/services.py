"""Applicant accounts, managed by their unit admin (二(一)2): create, disable/enable, reset password.

Each operation checks that the admin's unit owns the account, writes, and records an audit entry.
A temporary password is returned once for the admin to hand over; the account must replace it at
first login.
"""

import secrets

from axes.utils import reset as reset_login_failures
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shenbao.audit import log
from shenbao.organisations.uscc import shaped_like_uscc

from .models import User

# No 0/O, 1/l/I: the admin reads it out or writes it down.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_PASSWORD_LENGTH = 12


def temporary_password() -> str:
    return "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(TEMPORARY_PASSWORD_LENGTH))


def applicants_of(admin: User):
    """The applicant accounts a unit admin manages: those of their own unit, nobody else's."""
    if not admin.is_unit_admin or admin.unit_id is None:
        raise PermissionDenied
    return User.objects.filter(unit_id=admin.unit_id, role=User.Role.APPLICANT)


def _snapshot(user: User) -> dict:
    return log.jsonable(
        {
            "username": user.username,
            "real_name": user.real_name,
            "id_number": user.id_number,
            "phone": user.phone,
            "email": user.email,
            "is_active": user.is_active,
        }
    )


@transaction.atomic
def create_applicant(admin: User, values: dict, *, request=None) -> tuple[User, str]:
    """1. the admin manages a unit; 2. create the account in it with a temporary password it must
    change; 3. audit. Returns the account and the temporary password."""
    applicants_of(admin)
    if shaped_like_uscc(values.get("username", "")):
        raise ValidationError(_("形如统一社会信用代码的用户名留给单位管理员。"))
    password = temporary_password()
    user = User(role=User.Role.APPLICANT, unit_id=admin.unit_id, must_change_password=True, **values)
    user.set_password(password)
    user.save()
    log.record("account.created", actor=admin, obj=user, after=_snapshot(user), request=request)
    return user, password


@transaction.atomic
def set_active(admin: User, applicant: User, active: bool, *, request=None) -> User:
    """Disable (or enable again) an applicant account of the admin's unit; its drafts stay."""
    applicant = applicants_of(admin).select_for_update().get(pk=applicant.pk)
    before = _snapshot(applicant)
    applicant.is_active = active
    applicant.save(update_fields=["is_active"])
    log.record(
        "account.enabled" if active else "account.disabled",
        actor=admin,
        obj=applicant,
        before=before,
        after=_snapshot(applicant),
        request=request,
    )
    return applicant


@transaction.atomic
def reset_password(admin: User, applicant: User, *, request=None) -> str:
    """A new temporary password, to be changed at next login; login lock-outs are lifted."""
    applicant = applicants_of(admin).select_for_update().get(pk=applicant.pk)
    password = temporary_password()
    applicant.set_password(password)
    applicant.must_change_password = True
    applicant.save(update_fields=["password", "must_change_password"])
    reset_login_failures(username=applicant.username)
    log.record("account.password_reset", actor=admin, obj=applicant, request=request)
    return password
