"""Reminders of approaching deadlines: whoever still has something to do before a window closes.

Run `manage.py remind_deadlines` from cron or any scheduler (hourly is fine): a person is reminded at
most once a day for the same thing. The windows themselves need no scheduler: they close by time.
"""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.calls.models import Call
from shenbao.language import cite

from .models import Notification, RecommendationList
from .notify import tell

State = Application.State


def _not_told_today(users, message: str, now: dt.datetime):
    recent = set(
        Notification.objects.filter(message=message, created_at__gte=now - dt.timedelta(hours=20)).values_list(
            "user_id", flat=True
        )
    )
    return [u for u in users if u.pk not in recent]


def remind(call: Call, now: dt.datetime, within: dt.timedelta) -> int:
    spec, count = call.spec, 0
    filing, recommendation = spec.filing, spec.recommendation
    if filing.is_open(now) and filing.closes - now <= within:
        closes = f"{filing.closes.astimezone(spec.tz):%m月%d日 %H:%M}"
        drafts = Application.objects.filter(call=call, state__in=State.editable_by_applicant())
        applicants = User.objects.filter(pk__in=drafts.values("applicant_id"), is_active=True)
        message = _("申报受理将于%(closes)s截止，您还有未提交的申报书（%(clause)s）。") % {
            "closes": closes,
            "clause": cite(filing.clause),
        }
        targets = _not_told_today(applicants, message, now)
        tell(targets, _("申报即将截止"), message, reverse("applications:list"))
        count += len(targets)
        waiting = Application.objects.filter(call=call, state__in=[State.SUBMITTED, State.UNIT_APPROVED, State.SEALED])
        admins = User.objects.filter(unit__in=waiting.values("unit_id"), role=User.Role.UNIT_ADMIN, is_active=True)
        message = _("申报受理将于%(closes)s截止，本单位还有申报书未审核、签章或报送（%(clause)s）。") % {
            "closes": closes,
            "clause": cite(filing.clause),
        }
        targets = _not_told_today(admins, message, now)
        tell(targets, _("申报即将截止"), message, reverse("review:unit_queue"))
        count += len(targets)
    if recommendation.is_open(now) and recommendation.closes - now <= within:
        closes = f"{recommendation.closes.astimezone(spec.tz):%m月%d日 %H:%M}"
        confirmed = RecommendationList.objects.confirmed().filter(call=call).values("recommender_id")
        pending = Application.objects.filter(call=call, state=State.SUBMITTED_TO_RECOMMENDER)
        staff = (
            User.objects.filter(role=User.Role.RECOMMENDER, is_active=True)
            .filter(recommender_id__in=pending.values("unit__recommender_id"))
            .exclude(recommender_id__in=confirmed)
        )
        message = _("推荐项目须于%(closes)s前逐项确认，尚有申报书未处理或清单未确认（%(clause)s）。") % {
            "closes": closes,
            "clause": cite(recommendation.clause),
        }
        targets = _not_told_today(staff, message, now)
        tell(targets, _("推荐即将截止"), message, reverse("review:recommender_queue"))
        count += len(targets)
    return count
