from django.core.management.base import BaseCommand
from django.utils import timezone

from shenbao.audit.anchors import make_anchor, write_anchor


class Command(BaseCommand):
    help = (
        "Append the audit chain's head, signed with the department's seal, to storage outside the database "
        "(AUDIT_ANCHOR_FILE or AUDIT_ANCHOR_STORAGE=storage). Run it from cron, e.g. hourly."
    )

    def handle(self, *args, **options):
        anchor = make_anchor(timezone.now())
        if anchor is None:
            self.stdout.write("审计日志为空，无需锚定。")
            return
        where = write_anchor(anchor)
        self.stdout.write(f"已锚定第{anchor.entry_id}条记录（共{anchor.count}条）：{where}")
