"""`manage.py check_tasks`: what background work is late (from cron or a monitor). Prints one line per
late or failed job and a summary; exits 1 when something is late, so a monitor can alert."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from shenbao.jobs.models import Job

State = Job.State


class Command(BaseCommand):
    help = "Report background jobs that are late: queued too long, held by a dead worker, or failed."

    def add_arguments(self, parser):
        parser.add_argument("--late-after", type=int, default=None, help="seconds (default JOB_LATE_SECONDS)")
        parser.add_argument("--failed-since", type=int, default=24, help="hours of failed jobs to list")

    def handle(self, *, late_after, failed_since, **options):
        now = timezone.now()
        late_after = dt.timedelta(seconds=late_after if late_after is not None else settings.JOB_LATE_SECONDS)
        waiting = Job.objects.filter(state=State.QUEUED, run_after__lt=now - late_after)
        abandoned = Job.objects.filter(state=State.RUNNING, lease_until__lt=now)
        failed = Job.objects.filter(state=State.FAILED, finished_at__gte=now - dt.timedelta(hours=failed_since)).filter(
            ~Q(error="")
        )
        for label, jobs in (("late", waiting), ("abandoned", abandoned), ("failed", failed)):
            for job in jobs.order_by("run_after"):
                since = job.finished_at if label == "failed" else job.run_after
                self.stdout.write(
                    f"{label}\t{job.queue}\t{job.key}\t{job.what}\tsince {since:%Y-%m-%d %H:%M:%S}\t"
                    f"attempts {job.attempts}/{job.max_attempts}\t{job.error}"
                )
        late = waiting.count() + abandoned.count()
        queued, running = (Job.objects.filter(state=s).count() for s in (State.QUEUED, State.RUNNING))
        self.stdout.write(f"check_tasks: late={late} failed={failed.count()} queued={queued} running={running}")
        if late:
            raise SystemExit(1)
