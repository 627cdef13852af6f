"""Rendering and sealing documents.

    .venv/bin/python bench/documents.py [--repeat 7]

Prints medians of --repeat runs for:
- baseline: rendering the example 申报书 as a draft (WeasyPrint, embedded Chinese font), no seal;
- render and seal one 申报书 (two PAdES signatures with visible seals): the work of one "seal" click;
- a 100-row recommendation list: PDF with the recommender's seal, and the Excel file.
Target (issue #4): one 申报书 rendered and sealed in under 1 s on this machine. Debian's
libharfbuzz-subset0 matters: without it font subsetting takes seconds.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenbao.settings")
os.environ["DATABASE_URL"] = "sqlite:///:memory:"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from shenbao.accounts.models import User  # noqa: E402
from shenbao.applications.models import Application  # noqa: E402
from shenbao.calls.loading import load_call  # noqa: E402
from shenbao.documents import sealing  # noqa: E402
from shenbao.documents.render import render_application  # noqa: E402
from shenbao.organisations.models import Recommender, Unit  # noqa: E402

EXAMPLE = REPO / "docs" / "examples" / "application-1001.json"


def median_seconds(function, repeat: int) -> float:
    function()  # the first run loads fonts and keys; what a busy server pays is the rest
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call = load_call(REPO / "calls" / "nmg-2026-kjhz.toml")[0]
    recommender = Recommender.objects.get(code="150100")
    unit = Unit.objects.create(
        name="内蒙古草原生态研究院",
        uscc="12150000460012345Q",
        unit_type="科研院所",
        independent_legal_person=True,
        registered_on="2003-06-18",
        division_code="150102",
        route="local",
        recommender=recommender,
        legal_representative="巴特尔",
        contact_name="其木格",
        phone="0471-6000000",
        email="a@example.org",
        address="呼和浩特",
        status="approved",
    )
    applicant = User.objects.create(username="wuyun", unit=unit, real_name="乌云其其格")
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    application = Application.objects.create(
        call=call, unit=unit, applicant=applicant, data=data, receipt_no="NMG-2026-KJHZ-1001-000001"
    )
    rows = [application] * 100

    baseline = median_seconds(lambda: render_application(application, draft=True), args.repeat)
    sealed = median_seconds(lambda: sealing.sealed_application_pdf(application), args.repeat)
    list_pdf = median_seconds(lambda: sealing.list_pdf(recommender, call, rows, timezone.now()), args.repeat)
    list_xlsx = median_seconds(lambda: sealing.list_xlsx(recommender, call, rows), args.repeat)
    size = len(sealing.sealed_application_pdf(application))

    print(f"median of {args.repeat} runs (after one warm-up run)")
    print(f"{'what':<44}{'seconds':>10}{'× baseline':>12}")
    for label, seconds in [
        ("baseline: render the 申报书 (draft, no seal)", baseline),
        ("render and seal one 申报书 (2 signatures)", sealed),
        ("100-row list: PDF with the recommender seal", list_pdf),
        ("100-row list: Excel", list_xlsx),
    ]:
        print(f"{label:<44}{seconds:>10.3f}{seconds / baseline:>12.2f}")
    print(f"sealed 申报书 size: {size / 1024:.0f} KiB")
    print(f"goal: render and seal < 1 s — {'met' if sealed < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
