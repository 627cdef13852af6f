import getpass
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shenbao.backup.archive import BackupError, make_backup


def passphrase(confirm: bool) -> str:
    """The operator's backup passphrase: BACKUP_PASSPHRASE, or asked for at the terminal."""
    value = os.environ.get("BACKUP_PASSPHRASE", "")
    if value or not sys.stdin.isatty():
        return value
    value = getpass.getpass("备份口令 / backup passphrase: ")
    if confirm and getpass.getpass("再输入一次 / again: ") != value:
        raise CommandError("两次输入的备份口令不一致。")
    return value


class Command(BaseCommand):
    help = (
        "Back up the database, the stored files and the signing keys (encrypted with the operator's "
        "passphrase, BACKUP_PASSPHRASE) into a new folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        try:
            summary = make_backup(directory, passphrase(confirm=True))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"备份完成：{summary.rows}行数据，{summary.files}个文件，{summary.keys}个签章密钥 → {directory}"
        )
