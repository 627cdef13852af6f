from django.core.management.base import BaseCommand, CommandError

from shenbao.audit.log import verify_chain
from shenbao.audit.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit status 1 when an entry was edited or deleted."

    def handle(self, *args, **options):
        problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(problem.message)
            raise CommandError(f"审计日志校验失败：{len(problems)}处问题")
        self.stdout.write(f"审计日志完整：{AuditEntry.objects.count()}条记录，哈希链校验通过。")
