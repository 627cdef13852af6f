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

from _django import EXAMPLE, call_with_a_unit, median_seconds
from django.utils import timezone

from shenbao.applications.models import Application
from shenbao.documents import sealing
from shenbao.documents.render import render_application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    call, unit, applicant = call_with_a_unit()
    recommender = unit.recommender
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    application = Application.objects.create(
        call=call, unit=unit, applicant=applicant, data=data, receipt_no="NMG-2026-KJHZ-1001-000001"
    )
    rows = [application] * 100

    baseline = median_seconds(lambda: render_application(application, draft=True), args.repeat, warm_up=True)
    sealed = median_seconds(lambda: sealing.sealed_application_pdf(application), args.repeat, warm_up=True)
    list_pdf = median_seconds(
        lambda: sealing.list_pdf(recommender, call, rows, timezone.now()), args.repeat, warm_up=True
    )
    list_xlsx = median_seconds(lambda: sealing.list_xlsx(recommender, call, rows), args.repeat, warm_up=True)
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
