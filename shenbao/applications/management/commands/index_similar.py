"""Rebuild the near-duplicate index: after a bulk import of funded projects, or a restore."""

from django.core.management.base import BaseCommand

from shenbao.applications import similarity


class Command(BaseCommand):
    help = "重建相似申报索引（已提交的申报书和已立项项目）"

    def handle(self, *args, **options):
        count = similarity.rebuild()
        self.stdout.write(f"相似申报索引：{count}份")
