from django.core.management.base import BaseCommand, CommandError

from shenbao.calls.loading import load_call
from shenbao.calls.spec import CallFileError


class Command(BaseCommand):
    help = "Load or update a call from its call file (TOML), with the recommenders it lists."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="call files, e.g. calls/nmg-2026-kjhz.toml")

    def handle(self, *args, paths, **options):
        for path in paths:
            try:
                call, created = load_call(path)
            except CallFileError as error:
                raise CommandError(f"调用文件有误 / bad call file: {error}") from None
            verb = "载入" if created else "更新"
            self.stdout.write(f"{verb} {call.code}: {call.title}")
