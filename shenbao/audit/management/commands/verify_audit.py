from django.core.management.base import BaseCommand, CommandError

from shenbao.audit.anchors import read_anchors, verify_anchors
from shenbao.audit.log import verify_chain
from shenbao.audit.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Verify the audit log: its keyed hash chain, and every anchor written by anchor_audit; exit status 1 "
        "when an entry was edited, deleted or the chain recomputed."
    )

    def handle(self, *args, **options):
        problems = verify_chain() + verify_anchors()
        if problems:
            for problem in problems:
                self.stderr.write(problem.message)
            raise CommandError(f"审计日志校验失败：{len(problems)}处问题")
        self.stdout.write(
            f"审计日志完整：{AuditEntry.objects.count()}条记录，哈希链校验通过，与{len(read_anchors())}个锚点一致。"
        )
