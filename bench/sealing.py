"""Sealing on its own queue, in parallel worker processes (issue 12 item 5).

    .venv/bin/python bench/sealing.py [--applications 20] [--workers 1,2]

Needs PostgreSQL (several worker processes share it): BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/shenbao_bench_sealing (made anew each run). Queues one seal per
application as a unit admin's click during the filing window would, then starts `manage.py work
--queues sealing` processes and times until every seal is recorded; the same batch again for each
worker count. The last line reads `sealing: n=N workers=W1:S1/s,W2:S2/s ratio=R` (documents per
second; ratio of the largest worker count to the first). On this 2-core machine shared with other
work, more than two workers cannot help.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shenbao_bench_sealing")
DURING_FILING = dt.datetime(2025, 10, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def ensure_database() -> bool:
    import psycopg

    server, name = DATABASE_URL.rsplit("/", 1)
    try:
        connection = psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return False
    with connection:
        # Anew each run: the installation's secrets (and with them its seal keys) are new each run too.
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    if not ensure_database():
        print(f"sealing: skipped (no PostgreSQL at {DATABASE_URL.rsplit('@', 1)[-1]})")
        return
    data_dir = tempfile.mkdtemp(prefix="shenbao-bench-sealing-")
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "DATA_DIR": data_dir, "TASKS_BACKEND": "database"}
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenbao.settings")
    from shenbao import installation_secrets

    # A throwaway installation: its secrets generated into its data folder, read by the workers too.
    installation_secrets.generate_file(Path(data_dir))
    import django

    django.setup()
    import time_machine
    from django.core.management import call_command

    from shenbao.accounts.models import User
    from shenbao.applications.models import Application
    from shenbao.calls.loading import load_call
    from shenbao.documents.tasks import queue_seal
    from shenbao.jobs.models import Job
    from shenbao.organisations.models import Recommender, Unit

    call_command("migrate", verbosity=0)
    call = load_call(REPO / "calls" / "nmg-2026-kjhz.toml")[0]
    unit, _ = Unit.objects.get_or_create(
        uscc="12150000460012345Q",
        defaults=dict(
            name="内蒙古草原生态研究院",
            unit_type="科研院所",
            independent_legal_person=True,
            registered_on="2003-06-18",
            division_code="150102",
            route="local",
            recommender=Recommender.objects.get(code="150100"),
            legal_representative="巴特尔",
            contact_name="其木格",
            phone="0471-6000000",
            email="office@example.org",
            address="呼和浩特",
            status="approved",
        ),
    )
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"unit": unit, "role": "unit_admin"})
    applicant, _ = User.objects.get_or_create(username="bench-applicant", defaults={"unit": unit})
    example = json.loads((REPO / "docs" / "examples" / "application-1001.json").read_text(encoding="utf-8"))
    Job.objects.all().delete()
    Application.objects.filter(call=call).delete()
    applications = [
        Application.objects.create(
            call=call,
            unit=unit,
            applicant=applicant,
            data={**example, "title": f"{example['title']}（{n}）"},
            state=Application.State.UNIT_APPROVED,
            receipt_no=f"NMG-2026-KJHZ-1001-{n:06d}",
        )
        for n in range(1, args.applications + 1)
    ]

    rates = []
    for workers in [int(w) for w in args.workers.split(",")]:
        Job.objects.all().delete()
        Application.objects.filter(pk__in=[a.pk for a in applications]).update(
            state=Application.State.UNIT_APPROVED, sealed_pdf="", sealed_at=None
        )
        with time_machine.travel(DURING_FILING, tick=False):  # the clicks, inside the window
            for application in applications:
                queue_seal(application, admin, DURING_FILING)
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [sys.executable, "manage.py", "work", "--queues", "sealing", "--interval", "0.1"],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            while Job.objects.exclude(state__in=[Job.State.DONE, Job.State.FAILED]).exists():
                time.sleep(0.2)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait()
        seconds = time.perf_counter() - started
        sealed = Application.objects.filter(pk__in=[a.pk for a in applications], state="sealed").count()
        rate = sealed / seconds
        rates.append((workers, rate))
        print(f"workers={workers}: {sealed}/{len(applications)} sealed in {seconds:.1f} s ({rate:.2f} documents/s)")
    summary = ",".join(f"{w}:{r:.2f}/s" for w, r in rates)
    print(f"sealing: n={args.applications} workers={summary} ratio={rates[-1][1] / rates[0][1]:.2f}")


if __name__ == "__main__":
    main()
