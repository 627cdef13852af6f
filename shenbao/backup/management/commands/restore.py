from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shenbao.backup.archive import BackupError, restore_backup

from .backup import passphrase


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this host's database and storage; the signing "
        "keys are opened with BACKUP_PASSPHRASE and re-encrypted with this host's SEAL_KEY_PASSPHRASE."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--replace", action="store_true", help="empty a database that holds data first")

    def handle(self, *args, directory, replace, **options):
        try:
            summary = restore_backup(directory, passphrase(confirm=False), replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"恢复完成：{summary.rows}行数据，{summary.files}个文件，{summary.keys}个签章密钥已按本机口令重新加密。"
        )
