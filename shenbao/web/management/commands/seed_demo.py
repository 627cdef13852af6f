from django.core.management.base import BaseCommand
from django.utils import timezone

from shenbao.web.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the call files and demo data (one account per role); safe to run again."

    def handle(self, *args, **options):
        accounts = seed_demo(timezone.now())
        self.stdout.write(f"\n演示账号 / demo accounts (password for all: {DEMO_PASSWORD})\n")
        shown = [a for a in accounts if not a.username.startswith("rec-")] + [
            a for a in accounts if a.username in {"rec-150100", "rec-150781", "rec-dept-kjt"}
        ]
        for account in shown:
            self.stdout.write(f"  {account.username:<22} {account.role:<8} {account.who}")
        others = len(accounts) - len(shown)
        self.stdout.write(f"  … and {others} more recommender accounts: rec-<code>, e.g. rec-152501 (二连浩特)\n")
