import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from shenbao.calls.models import Call
from shenbao.review.reminders import remind


class Command(BaseCommand):
    help = "提醒即将截止：有未提交、未审核或未推荐事项的人员（站内消息和邮件，每天至多一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=72, help="截止前多少小时开始提醒（默认72）")

    def handle(self, *args, hours, **options):
        now, total = timezone.now(), 0
        for call in Call.objects.filter(is_active=True):
            total += remind(call, now, dt.timedelta(hours=hours))
        self.stdout.write(f"已提醒{total}人。")
