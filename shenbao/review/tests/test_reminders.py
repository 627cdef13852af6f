"""Reminders before the filing close reach whoever still has a draft, once a day."""

import datetime as dt
import io

from django.core.management import call_command

from shenbao.applications import services
from shenbao.review.models import Notification

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_an_applicant_with_a_draft_is_reminded_once_in_the_last_three_days(
    applicant, call, during_filing, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    services.start_application(applicant, call, timezone.now())
    during_filing.move_to(dt.datetime(2025, 11, 12, 9, 0, tzinfo=SHANGHAI))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("remind_deadlines", stdout=io.StringIO())
    reminders = Notification.objects.filter(user=applicant)
    assert reminders.count() == 1 and "11月14日 16:00" in reminders.get().message


def test_nobody_is_reminded_a_month_before_the_close(applicant, call, during_filing):
    from django.utils import timezone

    services.start_application(applicant, call, timezone.now())
    call_command("remind_deadlines", stdout=io.StringIO())
    assert not Notification.objects.exists()
