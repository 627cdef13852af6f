"""Views that must not recompute: a queue page and one application's staff view, on a full call.

    .venv/bin/python bench/views.py [--queue 300] [--applications 10000] [--repeat 7]

Prints medians of --repeat runs, each with its baseline measured in the same run (the way the view
worked before: every document reviewed on every queue view; the near-duplicate search hashing the
whole call on every staff view) and the ratio to it:
- queue: the unit admin's queue holding --queue applications, one page of all of them (per_page=300)
  and the default page of 50, findings read as stored;
- autosave: one section saved through the view by the lean path (one UPDATE), the careful path
  (row lock, document merged in Python) as its baseline, and the statements a save runs;
- staff view: the unit admin opens one application's formal review in a call of --applications,
  findings as stored, near-duplicates from the index.
Goal (issue #12): a 300-row queue page under 100 ms; one application's staff view under 100 ms at
10,000 applications in the call.
"""

import argparse
import copy
import json
import os
import random

import time_machine
from _django import EXAMPLE, call_with_a_unit, median_seconds
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shenbao.accounts.id_number import check_digit as id_check
from shenbao.accounts.models import User
from shenbao.applications import similarity
from shenbao.applications.models import Application
from shenbao.rules.batch import context_for, review_applications
from shenbao.rules.findings import Severity
from shenbao.rules.ruleset import review

DURING_FILING = "2025-10-15T10:00:00+08:00"
WORDS = "草原 牧草 稀土 氢能 煤化工 乳业 马铃薯 沙棘 风电 光伏 储能 荒漠化 黄河 盐碱地 肉羊 奶牛 蒙药".split()
ACTIONS = "种质创新 关键技术 示范应用 联合攻关 成果转化 平台建设 装备研制 工艺优化 生态修复 精深加工".split()


def _id_number(rng: random.Random) -> str:
    body = f"1501{rng.randint(1, 5):02d}{rng.randint(1966, 1998)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + id_check(body)


def _applications(call, unit, applicant, count: int, state: str, seed: int) -> list[Application]:
    rng = random.Random(seed)
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    rows = []
    for i in range(count):
        data = copy.deepcopy(example)
        data["title"] = f"{rng.choice(WORDS)}{rng.choice(ACTIONS)}研究（{seed}-{i}）"
        data["abstract"] = "".join(f"{rng.choice(WORDS)}{rng.choice(ACTIONS)}，" for _ in range(12))
        data["pi"]["id_number"] = _id_number(rng)  # every PI different, as in a real call
        rows.append(
            Application(
                call=call,
                unit=unit,
                applicant=applicant,
                data=data,
                title=data["title"],
                category=data["category"],
                pi_id_number=data["pi"]["id_number"],
                state=state,
                receipt_no=f"B-{seed}-{i:05d}",
            )
        )
    return Application.objects.bulk_create(rows, batch_size=500)


def _old_queue_page(unit, call) -> str:
    """The queue as it was: every application read whole and reviewed on every view."""
    applications = list(
        Application.objects.filter(call=call, unit=unit).exclude(state="draft").select_related("applicant", "call")
    )
    findings = review_applications(applications)
    rows = [
        (
            a,
            sum(f.severity == Severity.BAR for f in findings[a.pk]),
            sum(f.severity == Severity.WARNING for f in findings[a.pk]),
        )
        for a in applications
    ]
    return render_to_string("review/unit_queue.html", {"rows": rows, "call": call, "user": unit})


def _old_near_duplicates(application) -> None:
    """The staff view's near-duplicate search as it was: the whole call hashed on every request."""
    snapshot, context = context_for(application, with_similar=True)
    review(snapshot, context)


def _autosave(client, applicant, call, repeat: int) -> None:
    """One section's autosave: the lean path (one UPDATE) against the careful one (row lock, the whole
    document merged in Python, then saved), both through the same view."""
    from shenbao.applications import autosave

    draft = _applications(call, applicant.unit, applicant, 1, Application.State.DRAFT, seed=3)[0]
    client.force_login(applicant)
    url = reverse("applications:section", args=[draft.public_id, "basic"])
    texts = iter(range(10**6))

    def lean():
        version = Application.objects.get(pk=draft.pk).section_version("basic")
        client.post(url, {"version": version, "title": f"标题{next(texts)}"}, HTTP_X_AUTOSAVE="1")

    def careful():
        version = Application.objects.get(pk=draft.pk).section_version("basic")
        with mock_lean_off(autosave):
            client.post(url, {"version": version, "title": f"标题{next(texts)}"}, HTTP_X_AUTOSAVE="1")

    lean()
    with CaptureQueriesContext(connection) as queries:
        version = Application.objects.get(pk=draft.pk).section_version("basic")
        client.post(url, {"version": version, "title": "计数"}, HTTP_X_AUTOSAVE="1")
    statements = len(queries) - 1  # less the version read above, which the page does not do
    fast = median_seconds(lean, repeat * 3)
    slow = median_seconds(careful, repeat * 3)
    print(f"autosave: {statements} SQL statements per save (session, user, one UPDATE)")
    print(_line("autosave of one section (lean / careful path)", fast, slow))


class mock_lean_off:
    """Within it, the lean autosave declines, so the view takes the careful path."""

    def __init__(self, module):
        self.module = module

    def __enter__(self):
        self.saved = self.module.save_lean
        self.module.save_lean = lambda *args, **kwargs: None

    def __exit__(self, *exc):
        self.module.save_lean = self.saved


def _line(name: str, seconds: float, baseline: float) -> str:
    return f"{name}: median {seconds * 1000:.1f} ms, baseline {baseline * 1000:.1f} ms, ratio {seconds / baseline:.3f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queue", type=int, default=300)
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with time_machine.travel(DURING_FILING, tick=False):
        call, unit, applicant = call_with_a_unit()
        admin = User.objects.create(username="admin", unit=unit, role=User.Role.UNIT_ADMIN, real_name="单位管理员")
        queue = _applications(call, unit, applicant, options.queue, Application.State.SUBMITTED, seed=1)
        client = Client()
        client.force_login(admin)

        url = reverse("review:unit_queue")
        client.get(url, {"per_page": 300})  # findings stored once (as submission stores them)
        full_page = median_seconds(lambda: client.get(url, {"per_page": 300}), options.repeat)
        first_page = median_seconds(lambda: client.get(url), options.repeat)
        with CaptureQueriesContext(connection) as queries:
            size = len(client.get(url, {"per_page": 300}).content)
        old = median_seconds(lambda: _old_queue_page(unit, call), options.repeat)
        print(f"queue of {options.queue}: one page of all, {len(queries)} queries, {size // 1024} KB")
        print(_line(f"queue page of {min(options.queue, 300)} rows", full_page, old))
        print(_line("queue page of 50 rows", first_page, old))

        _autosave(Client(), applicant, call, options.repeat)

        others = _applications(call, unit, applicant, options.applications - options.queue, "submitted", seed=2)
        similarity.rebuild()
        one = queue[0]
        staff_url = reverse("applications:review", args=[one.public_id])
        assert client.get(staff_url).status_code == 200
        staff = median_seconds(lambda: client.get(staff_url), options.repeat)
        baseline = median_seconds(lambda: _old_near_duplicates(one), max(3, options.repeat // 2))
        total = len(others) + len(queue)
        print(_line(f"staff view of one application among {total}", staff, baseline))
        queue_ok, staff_ok = full_page < 0.1, staff < 0.1
        # The targets hold on a quiet machine: the load average says how quiet this one was.
        print(
            f"views: queue300_ms={full_page * 1000:.1f} staff_ms={staff * 1000:.1f} "
            f"targets={'met' if queue_ok and staff_ok else 'missed'} load={os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
