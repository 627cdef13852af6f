"""Formal review from the command line.

manage.py review FILE.json      findings as JSON; exit 0 no bar, 1 a bar, 2 unreadable/not an application
manage.py review --call CODE    every submitted application of a call; writes a report
"""

import json
import sys
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from shenbao.applications.interchange import InterchangeError, read_file
from shenbao.calls.models import Call
from shenbao.calls.spec import CallFileError, CallSpec, read_call_file
from shenbao.rules.batch import review_call
from shenbao.rules.context import Registries, ReviewContext
from shenbao.rules.registries import load_registries
from shenbao.rules.ruleset import has_bar, review
from shenbao.rules.snapshot import Snapshot

EXIT_BAR, EXIT_UNREADABLE = 1, 2


def _spec_for(code: str) -> CallSpec:
    """The call from the database when it is loaded there, else from the calls folder."""
    try:
        call = Call.objects.filter(code=code).first()
    except DatabaseError:
        call = None
    if call is not None:
        return call.spec
    path = Path(settings.CALLS_DIR) / f"{code}.toml"
    if not path.exists():
        raise InterchangeError(f"申报书所属的申报批次“{code}”既未载入数据库，也不在{settings.CALLS_DIR}中。")
    try:
        return read_call_file(path)[0]
    except CallFileError as error:
        raise InterchangeError(str(error)) from None


def _registries(spec: CallSpec) -> Registries:
    try:
        return load_registries(spec.filing.opens.date())
    except DatabaseError:  # a machine without a migrated database still reviews files
        return Registries()


class Command(BaseCommand):
    help = "形式审查：审查一个申报书JSON文件，或一个申报批次的全部申报书。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="申报书JSON文件（shenbao.application/1）")
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
            data = read_file(options["file"])
            spec = _spec_for(str(data.get("call") or ""))
        except InterchangeError as error:
            self.stderr.write(f"无法审查 {options['file']}：{error}")
            sys.exit(EXIT_UNREADABLE)
        findings = review(Snapshot(data, key=str(options["file"])), ReviewContext(spec, _registries(spec)))
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
