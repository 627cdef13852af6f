"""Extensions of a window (issue 12 item 4): the department moves a close for one unit, one
recommender or the whole call, with a reason; audited, shown to those concerned, and honoured by every
window check (`calls.windows`)."""

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from shenbao.accounts.models import User
from shenbao.audit import log
from shenbao.calls.models import Call, WindowExtension
from shenbao.language import system_language
from shenbao.organisations.models import Recommender, Unit

from .notify import tell
from .services import TransitionRefused


@transaction.atomic
def grant_extension(
    call: Call,
    staff: User,
    which: str,
    closes: dt.datetime,
    reason: str,
    now: dt.datetime,
    *,
    unit: Unit | None = None,
    recommender: Recommender | None = None,
    request=None,
) -> WindowExtension:
    """1. department staff only; 2. a known window, for a unit, a recommender or the whole call (not
    both); 3. the new close is later than the call file's and than now; 4. a reason; 5. write;
    6. audit; 7. tell the unit's admin and applicants, or the recommender's staff."""
    if not staff.is_department_staff:
        raise PermissionDenied
    if which not in WindowExtension.Which.values:
        raise TransitionRefused(_("请选择要延长的时间段（申报受理或推荐确认）。"))
    if unit is not None and recommender is not None:
        raise TransitionRefused(_("延期对象只能是一个单位、一个归口管理部门或全部单位。"))
    window = getattr(call.spec, which)
    tz = call.spec.tz
    if closes <= window.closes:
        raise TransitionRefused(
            _("延长至：须晚于原截止时间%(closes)s（北京时间）。")
            % {"closes": f"{window.closes.astimezone(tz):%Y-%m-%d %H:%M}"}
        )
    if closes <= now:
        raise TransitionRefused(_("延长至：须晚于当前时间。"))
    if not (reason or "").strip():
        raise TransitionRefused(_("延期原因：须填写，申报单位将看到该原因。"))
    extension = WindowExtension.objects.create(
        call=call,
        which=which,
        unit=unit,
        recommender=recommender,
        closes=closes,
        reason=reason.strip(),
        granted_by=staff,
        granted_at=now,
    )
    cache.delete(f"window-extensions:{call.pk}")
    log.record(
        "call.window_extended",
        actor=staff,
        obj=extension,
        before={"closes": window.closes.isoformat()},
        after={"which": which, "closes": closes.isoformat(), "target": extension.target},
        reason=extension.reason,
        request=request,
    )
    with system_language():
        subject = _("截止时间已延长")
        message = _("科技厅已将%(target)s的%(which)s截止时间延长至%(closes)s（北京时间）。原因：%(reason)s") % {
            "target": extension.target,
            "which": extension.get_which_display(),
            "closes": f"{closes.astimezone(tz):%Y-%m-%d %H:%M}",
            "reason": extension.reason,
        }
    if unit is not None:
        tell(unit.users.filter(is_active=True), subject, message, reverse("web:home"))
    elif recommender is not None:
        staff_of = User.objects.filter(recommender=recommender, role=User.Role.RECOMMENDER, is_active=True)
        tell(staff_of, subject, message, reverse("review:recommender_queue"))
    return extension
