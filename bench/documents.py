"""Rendering and sealing documents: Typst (what shenbao uses) against WeasyPrint (what it used), same run.

    .venv/bin/python bench/documents.py [--repeat 7]

Prints the median of --repeat runs, WeasyPrint and Typst interleaved run by run, for:
- rendering the example 申报书 (final, no seal): WeasyPrint as before, WeasyPrint's PDF/A-2b variant
  with tags (what WeasyPrint would need to meet the archival requirement), Typst (tagged PDF/A-2b);
- render and seal one 申报书 (two PAdES signatures with visible seals): the work of one 签章 click;
- a 100-row recommendation list: PDF with the recommender's seal; and its Excel file.
Every run renders a different document (the texts carry the run's number), so no renderer is timed
on a document it has already typeset. Each Typst figure is also given as a ratio to the same job
done by WeasyPrint in this run. Targets (issue #12 item 5): render + two seals < 0.3 s, a 100-row
list < 0.5 s.
"""

import argparse
import copy
import json
import os
import re
import statistics
import time
from contextlib import contextmanager

from _django import EXAMPLE, call_with_a_unit
from django.utils import timezone
from weasyprint import __version__ as weasyprint_version
from weasyprint_baseline import render_application as weasy_application
from weasyprint_baseline import render_list as weasy_list

from shenbao.applications.models import Application
from shenbao.documents import render as typst_render
from shenbao.documents import sealing

CJK = re.compile(r"[\u4e00-\u9fff]")


def variant(value, run: int):
    """The example with every Chinese text marked with the run's number: a new document each run."""
    if isinstance(value, dict):
        return {k: variant(v, run) for k, v in value.items()}
    if isinstance(value, list):
        return [variant(v, run) for v in value]
    if isinstance(value, str) and CJK.search(value):
        return f"{value}（{run}）"
    return value


@contextmanager
def renderer(application_function, list_function):
    """Sealing with another renderer: the same sealing code, only the PDF underneath changes."""
    saved = sealing.render_application, sealing.render_list
    sealing.render_application, sealing.render_list = application_function, list_function
    try:
        yield
    finally:
        sealing.render_application, sealing.render_list = saved


def timed(function, *args) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of this process) of one call: on a busy machine the
    wall clock waits for other processes, the CPU time is what the job itself costs."""
    started, started_cpu = time.perf_counter(), time.process_time()
    function(*args)
    return time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    call, unit, applicant = call_with_a_unit()
    recommender = unit.recommender
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    runs = args.repeat + 1  # run 0 warms up (fonts, signing keys, caches) and is not counted
    applications = [
        Application.objects.create(
            call=call,
            unit=unit,
            applicant=applicant,
            data=variant(copy.deepcopy(example), run),
            receipt_no=f"NMG-2026-KJHZ-1001-{run:06d}",
        )
        for run in range(runs)
    ]
    lists = [
        [
            Application(
                call=call,
                unit=unit,
                data=variant(example, run * 1000 + i),
                receipt_no=f"R{run}-{i}",
                category="1001",
                title=f"{example['title']}（{run}-{i}）",
            )
            for i in range(100)
        ]
        for run in range(runs)
    ]

    jobs = {
        "weasyprint render": lambda a: weasy_application(a, draft=False),
        "weasyprint render (PDF/A-2b, tagged)": lambda a: weasy_application(a, draft=False, pdfa=True),
        "typst render (PDF/A-2b, tagged)": lambda a: typst_render.render_application(a, draft=False),
    }
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
    extra = {
        "weasyprint render + 2 seals": [],
        "typst render + 2 seals": [],
        "weasyprint 100-row list + seal": [],
        "typst 100-row list + seal": [],
        "100-row list: Excel": [],
    }
    timings.update(extra)
    now = timezone.now()
    for run in range(runs):
        application, rows = applications[run], lists[run]
        figures = {name: timed(job, application) for name, job in jobs.items()}
        with renderer(weasy_application, weasy_list):
            figures["weasyprint render + 2 seals"] = timed(sealing.sealed_application_pdf, application)
            figures["weasyprint 100-row list + seal"] = timed(sealing.list_pdf, recommender, call, rows, now)
        figures["typst render + 2 seals"] = timed(sealing.sealed_application_pdf, application)
        figures["typst 100-row list + seal"] = timed(sealing.list_pdf, recommender, call, rows, now)
        figures["100-row list: Excel"] = timed(sealing.list_xlsx, recommender, call, rows)
        if run:
            for name, seconds in figures.items():
                timings[name].append(seconds)
    median = {name: statistics.median(wall for wall, _ in values) for name, values in timings.items()}
    cpu = {name: statistics.median(seconds for _, seconds in values) for name, values in timings.items()}
    sealed = sealing.sealed_application_pdf(applications[-1])

    baseline_of = {
        "typst render (PDF/A-2b, tagged)": "weasyprint render",
        "weasyprint render (PDF/A-2b, tagged)": "weasyprint render",
        "typst render + 2 seals": "weasyprint render + 2 seals",
        "typst 100-row list + seal": "weasyprint 100-row list + seal",
    }
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"median of {args.repeat} runs (after one warm-up run), WeasyPrint {weasyprint_version}, Typst (PyPI typst)")
    print(f"load average at the end: {load} ({os.cpu_count()} cores; figures are for a quiet machine only when low)")
    print(f"{'what':<40}{'seconds':>10}{'× WeasyPrint':>14}{'CPU s':>8}{'× WeasyPrint':>14}")
    for name, seconds in median.items():
        ratio = f"{seconds / median[baseline_of[name]]:.2f}" if name in baseline_of else ""
        cpu_ratio = f"{cpu[name] / cpu[baseline_of[name]]:.2f}" if name in baseline_of else ""
        print(f"{name:<40}{seconds:>10.3f}{ratio:>14}{cpu[name]:>8.3f}{cpu_ratio:>14}")
    print(f"sealed 申报书 size: {len(sealed) / 1024:.0f} KiB (Typst)")
    seal, list_seconds = median["typst render + 2 seals"], median["typst 100-row list + seal"]
    met = seal < 0.3 and list_seconds < 0.5
    print(
        f"documents: seal_s={seal:.3f} list_s={list_seconds:.3f} "
        f"seal_cpu_s={cpu['typst render + 2 seals']:.3f} ratio={seal / median['weasyprint render + 2 seals']:.2f} "
        f"targets(seal<0.3, list<0.5)={'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
