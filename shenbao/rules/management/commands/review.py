"""Formal review from the command line.

manage.py review FILE.json      findings as JSON; exit 0 nothing blocks, 1 a bar or an unanswered
                                question (未填写), 2 unreadable/not an application
manage.py review --call CODE    every submitted application of a call; writes a report
"""

import json
import sys
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shenbao.applications.interchange import InterchangeError, read_file
from shenbao.calls.models import Call
from shenbao.rules.batch import review_call
from shenbao.rules.documents import review_document
from shenbao.rules.ruleset import has_bar

EXIT_BAR, EXIT_UNREADABLE = 1, 2


class Command(BaseCommand):
    help = "形式审查：审查一个申报书JSON文件，或一个申报批次的全部申报书。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="申报书JSON文件（shenbao.application/2；/1 读入时自动升级）")
        parser.add_argument("--call", help="审查该批次（代码）全部已提交的申报书并写出报告")
        parser.add_argument("--include-drafts", action="store_true", help="批次审查时包括草稿")
        parser.add_argument("--report", help="报告文件路径（默认 var/reports/review-<批次>.json）")

    def handle(self, *args, **options):
        if bool(options["file"]) == bool(options["call"]):
            raise CommandError(
                "请给出一个申报书JSON文件，或用 --call 指定申报批次（二者选一）。", returncode=EXIT_UNREADABLE
            )
        if options["call"]:
            return self._review_call(options)
        try:
            data = read_file(options["file"])  # a shenbao.application/1 file is upgraded on read
            findings = review_document(data, key=str(options["file"]))
        except InterchangeError as error:
            self.stderr.write(f"无法审查 {options['file']}：{error}")
            sys.exit(EXIT_UNREADABLE)
        self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        if has_bar(findings):
            sys.exit(EXIT_BAR)

    def _review_call(self, options):
        call = Call.objects.filter(code=options["call"]).first()
        if call is None:
            raise CommandError(f"没有代码为“{options['call']}”的申报批次。", returncode=EXIT_UNREADABLE)
        result = review_call(call, include_drafts=options["include_drafts"])
        counts = Counter(f.severity for findings in result.findings.values() for f in findings)
        barred = sum(1 for findings in result.findings.values() if has_bar(findings))
        report = {
            "call": call.code,
            "reviewed_at": timezone.now().isoformat(),
            "applications": len(result.findings),
            "with_bar": barred,
            "findings": {str(k): v for k, v in counts.items()},
            "results": [
                {
                    "application": key,
                    "title": result.titles[key],
                    "state": result.states[key],
                    "findings": [f.as_dict() for f in findings],
                }
                for key, findings in result.findings.items()
            ],
        }
        path = Path(options["report"] or Path(settings.DATA_DIR) / "reports" / f"review-{call.code}.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(
            f"{call.title}：审查{len(result.findings)}份申报书，{barred}份有不符合项；"
            f"不符合{counts['bar']}条、请核实{counts['warning']}条、提示{counts['info']}条。报告：{path}"
        )
