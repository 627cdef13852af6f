"""Load a registry from an Excel/CSV file, as the department's import page does.

manage.py import_registry KIND FILE [--dry-run] [--user NAME]   validate, preview, then import as one batch
manage.py import_registry KIND --template OUT.xlsx              write the template to fill
manage.py import_registry --rollback ID [--user NAME]           undo an imported batch as a whole

KIND: ongoing (在研项目库), dishonesty (科研失信记录), funded (已立项项目). Exit 0 done, 1 refused rows
(nothing written), 2 unusable request.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shenbao.accounts.models import User
from shenbao.rules import registry_import
from shenbao.rules.models import RegistryImport

EXIT_ROWS, EXIT_UNUSABLE = 1, 2
KIND_NAMES = {**{k: k for k in RegistryImport.Kind.values}, **{label: k for k, label in RegistryImport.Kind.choices}}
KIND_NAMES["失信记录"] = RegistryImport.Kind.DISHONESTY


class Command(BaseCommand):
    help = "从Excel/CSV导入登记库（在研项目库、科研失信记录、已立项项目）：逐行校验、预览、整批导入，可整批撤销。"

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", help="ongoing | dishonesty | funded（或中文名）")
        parser.add_argument("file", nargs="?", help="Excel（.xlsx）或CSV文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验和预览，不导入")
        parser.add_argument("--template", help="把模板写到该路径")
        parser.add_argument("--rollback", type=int, help="撤销该编号的导入批次")
        parser.add_argument("--user", help="科技厅工作人员的用户名（记入审计日志）；只有一位时可省略")

    def _fail(self, message: str, code: int = EXIT_UNUSABLE):
        raise CommandError(message, returncode=code)

    def _user(self, username: str | None) -> User:
        staff = User.objects.filter(role=User.Role.DEPARTMENT, is_active=True)
        if username:
            user = staff.filter(username=username).first()
            if user is None:
                self._fail(f"“{username}”不是启用的科技厅工作人员账号：只有科技厅工作人员可以导入登记库。")
            return user
        if staff.count() != 1:
            self._fail("请用 --user 指明执行导入的科技厅工作人员（记入审计日志）。")
        return staff.get()

    def handle(self, *args, **options):
        if options["rollback"] is not None:
            entry = RegistryImport.objects.filter(pk=options["rollback"]).first()
            if entry is None:
                self._fail(f"没有编号为{options['rollback']}的导入批次。")
            try:
                registry_import.rollback(entry, self._user(options["user"]))
            except registry_import.ImportRefused as error:
                self._fail(str(error))
            self.stdout.write(f"已撤销导入批次#{entry.pk}（{entry.get_kind_display()}，{entry.file_name}）。")
            return
        kind = KIND_NAMES.get(options["kind"] or "")
        if kind is None:
            self._fail(f"请给出登记库：{'、'.join(RegistryImport.Kind.values)}。")
        if options["template"]:
            Path(options["template"]).write_bytes(registry_import.template(kind))
            self.stdout.write(f"模板已写入 {options['template']}")
            return
        if not options["file"]:
            self._fail("请给出要导入的Excel或CSV文件。")
        path = Path(options["file"])
        if not path.is_file():
            self._fail(f"找不到文件：{path}")
        user = self._user(options["user"])
        try:
            entry, checked = registry_import.preview(
                user, kind, path.name, path.read_bytes(), registry_import.regional_plan_prefixes()
            )
        except registry_import.ImportRefused as error:
            self._fail(str(error))
        if entry is None:
            for error in checked.errors:
                self.stderr.write(error)
            self.stderr.write(f"共{len(checked.errors)}处问题，未导入任何行。")
            sys.exit(EXIT_ROWS)
        summary = f"{entry.get_kind_display()}：新增{entry.created}行、更新{entry.updated}行、不变{entry.unchanged}行"
        if options["dry_run"]:
            self.stdout.write(f"预览（未导入）——{summary}。")
            return
        registry_import.apply(entry, user)
        self.stdout.write(f"已导入批次#{entry.pk}——{summary}。撤销：manage.py import_registry --rollback {entry.pk}")
