"""Faults injected into the production stack (issue 9): does what was acknowledged survive, and does the
system recover without a person?

Starts the production stack (deploy/stack.py) with a PostgreSQL and a Redis of its own, so that
restarting them touches nothing else on the machine, and replays:

  1. worker killed mid-seal: the unit admin clicks 电子签章 for three applications; when the first
     seal job has started, every task worker is killed (SIGKILL, work horse included). The supervisor
     restarts the workers. Acknowledged: the applications the click accepted; stored: those sealed
     (a sealed PDF in the object store) within the recovery time.
  2. PostgreSQL restarted under 50 autosaving clients: each saves every second and, like the page,
     retries a save that failed; PostgreSQL stops (fast: connections cut) and starts again.
     Acknowledged: each client's last acknowledged text; stored: the same text in the database.
  3. S3 stopped during uploads: five 10 MB uploads start, the object store stops under them and comes
     back five seconds later. Acknowledged: uploads the page said were stored; stored: their rows
     with a complete file. Recovered: a failed upload, retried after S3 is back, succeeds, and no
     row points at a missing file.

Prints one line per scenario; the last line is exactly `faults: scenarios=N lost=L unrecovered=U`.

    .venv/bin/python bench/faults.py          # under 10 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import httpx  # noqa: E402

# The simulated applicants and their seeding are rush.py's.
from rush import Applicant, seed, stored_texts, ten_megabyte_pdf  # noqa: E402

from deploy.client import Visitor  # noqa: E402
from deploy.stack import Stack, free_block, log, wait_until  # noqa: E402

RECOVERY_SECONDS = 200  # how long a fault may take to heal by itself before it counts as unrecovered
LEASE_SECONDS = "60"  # JOB_LEASE_SECONDS of the stack under test: a killed worker's job is taken up after it


@dataclass
class Outcome:
    scenario: str
    acknowledged: int
    stored: int
    recovered: bool
    note: str = ""

    @property
    def lost(self) -> int:
        return max(0, self.acknowledged - self.stored)

    def line(self) -> str:
        verdict = "recovered without a person" if self.recovered else "NOT recovered without a person"
        note = f" ({self.note})" if self.note else ""
        counts = f"acknowledged {self.acknowledged}, stored {self.stored}, lost {self.lost}"
        return f"{self.scenario}: {counts}; {verdict}{note}"


# --- sessions without password hashing (logging in is not what is measured here) -----------------------


def session_for(username: str) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from shenbao.accounts.backends import BACKEND
    from shenbao.accounts.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def unit_admin_session() -> tuple[str, list[int]]:
    """The unit admin of the seeded unit (made here), for the seal scenario."""
    from shenbao.accounts.models import User
    from shenbao.organisations.models import Unit

    unit = Unit.objects.get(uscc="12150000460012345Q")
    admin, _ = User.objects.get_or_create(
        username=unit.uscc, defaults=dict(role=User.Role.UNIT_ADMIN, unit=unit, real_name="其木格")
    )
    return session_for(admin.username), admin.pk


# --- 1. a worker killed mid-seal --------------------------------------------------------------------------


def submit_and_approve(seeded: list[dict], admin_pk: int) -> list[dict]:
    from django.utils import timezone

    from shenbao.accounts.models import User
    from shenbao.applications.models import Application
    from shenbao.applications.services import submit_application
    from shenbao.review import services

    admin = User.objects.get(pk=admin_pk)
    for entry in seeded:
        application = Application.objects.get(pk=entry["pk"])
        application = submit_application(application, application.applicant, timezone.now())
        services.approve(application, admin, timezone.now())
    return seeded


def sealed_count(pks: list[int]) -> int:
    from django.core.files.storage import default_storage

    from shenbao.applications.models import Application

    names = Application.objects.filter(pk__in=pks).exclude(sealed_pdf="").values_list("sealed_pdf", flat=True)
    return sum(1 for name in names if default_storage.exists(name))


def running_jobs() -> int:
    from shenbao.jobs.models import Job

    return Job.objects.filter(state=Job.State.RUNNING).count()


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_worker_mid_seal(stack: Stack, seeded: list[dict]) -> Outcome:
    session, admin_pk = unit_admin_session()
    chosen = submit_and_approve(seeded, admin_pk)
    admin = Visitor(stack.url)
    admin.http.cookies.set("sessionid", session)
    admin.get("/review/unit/")
    form = admin.form(button="电子签章")
    admin.submit(form, [("application", c["public_id"]) for c in chosen], button="电子签章")
    accepted = "已受理" in admin.text  # the click is judged and recorded at once; sealing follows
    admin.close()
    acknowledged = len(chosen) if accepted else 0
    pks = [c["pk"] for c in chosen]

    deadline = time.monotonic() + 60
    while running_jobs() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    killed_while_running = running_jobs() > 0 and sealed_count(pks) < len(pks)
    for name, service in stack.services.items():
        if name.startswith("worker-") and service.pid:
            # rq's work horse, which runs the job, has a process group of its own: kill it by descent.
            for pid in [*descendants(service.pid), service.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    deadline = time.monotonic() + RECOVERY_SECONDS
    while sealed_count(pks) < acknowledged and time.monotonic() < deadline:
        time.sleep(1)
    stored = sealed_count(pks)
    restarted = all(s.restarts >= 1 for n, s in stack.services.items() if n.startswith("worker-"))
    note = "workers restarted by the supervisor" if restarted else "a worker was not restarted"
    if not killed_while_running:
        note += "; the kill missed the seal (it had finished): rerun"
    return Outcome("worker killed mid-seal", acknowledged, stored, stored == acknowledged and restarted, note)


# --- 2. PostgreSQL restarted under 50 autosaving clients --------------------------------------------------


async def autosave_through_restart(stack: Stack, people: list[Applicant], seconds: float, restart_at: float):
    stop = time.monotonic() + seconds
    restarted = asyncio.Event()
    after_restart: set[str] = set()
    failures = 0

    async def open_sections(applicant: Applicant) -> None:
        nonlocal failures
        while time.monotonic() < stop + 30:
            try:
                return await applicant.open_sections()
            except httpx.HTTPError:  # a 500 or a cut connection while the database is away
                failures += 1
                await asyncio.sleep(1)

    async def client(applicant: Applicant):
        nonlocal failures
        await open_sections(applicant)
        number = 0
        while time.monotonic() < stop:
            await asyncio.sleep(random.uniform(0.7, 1.3))
            number += 1
            marker = f"pg-{number}"
            # The page retries a failed save with the same text until it is acknowledged.
            while time.monotonic() < stop + 30:
                _, ok = await applicant.autosave(marker)
                if ok:
                    if restarted.is_set():
                        after_restart.add(applicant.username)
                    break
                failures += 1
                await asyncio.sleep(1)
                await open_sections(applicant)  # after a conflict the page reloads the section and goes on

    async def restart():
        await asyncio.sleep(restart_at)
        await asyncio.to_thread(stack.postgres.restart, 3.0)
        restarted.set()

    await asyncio.gather(restart(), *(client(a) for a in people))
    return after_restart, failures


def restart_postgres_under_autosave(stack: Stack, seeded: list[dict], clients: int) -> Outcome:
    people = []
    for entry in seeded[:clients]:
        http = httpx.AsyncClient(base_url=stack.url, timeout=60)
        http.cookies.set("sessionid", session_for(entry["username"]))
        people.append(Applicant(entry["username"], entry["pk"], entry["public_id"], http))
    from django.db import connections

    connections.close_all()  # this process's own connection dies with the restart too

    async def run():
        try:
            return await autosave_through_restart(stack, people, seconds=30, restart_at=10)
        finally:
            for applicant in people:
                await applicant.http.aclose()

    after_restart, failures = asyncio.run(run())
    connections.close_all()
    wait_until(lambda: stored_texts([people[0].pk]) is not None, 30, "the database after its restart")
    stored = stored_texts([a.pk for a in people])
    acknowledged = [a for a in people if a.acknowledged is not None]
    kept = sum(1 for a in acknowledged if stored.get(a.pk) == a.acknowledged)
    recovered = len(after_restart) == len(people)
    note = (
        f"{failures} failed requests retried; {len(after_restart)}/{len(people)} clients saved again after the restart"
    )
    return Outcome(
        f"PostgreSQL restarted under {len(people)} autosaving clients", len(acknowledged), kept, recovered, note
    )


# --- 3. S3 stopped during uploads ----------------------------------------------------------------------


def attachments_of(pks: list[int]) -> tuple[int, int]:
    """(rows of the 10 MB uploads with a complete file, rows whose file is missing or short); the seeded
    one-page commitments are not counted."""
    from django.core.files.storage import default_storage

    from shenbao.attachments.models import Attachment

    complete = broken = 0
    big = Attachment.objects.filter(application_id__in=pks, kind="integrity_commitment", size__gt=1_000_000)
    for attachment in big:
        try:
            ok = (
                default_storage.exists(attachment.file.name)
                and default_storage.size(attachment.file.name) == attachment.size
            )
        except Exception:
            ok = False
        complete, broken = (complete + 1, broken) if ok else (complete, broken + 1)
    return complete, broken


def stop_s3_during_uploads(stack: Stack, seeded: list[dict]) -> Outcome:
    pdf = ten_megabyte_pdf()
    people = []
    for entry in seeded:
        http = httpx.AsyncClient(base_url=stack.url, timeout=180)
        http.cookies.set("sessionid", session_for(entry["username"]))
        people.append(Applicant(entry["username"], entry["pk"], entry["public_id"], http))
    s3 = stack.services["s3"]

    async def run():
        try:
            for applicant in people:
                await applicant.http.get(f"/attachments/{applicant.public_id}/")  # the CSRF cookie
            uploads = [asyncio.create_task(a.upload(pdf)) for a in people]
            await asyncio.sleep(0.3)
            await asyncio.to_thread(s3.pause)
            results = await asyncio.gather(*uploads)
            await asyncio.sleep(5)
            await asyncio.to_thread(s3.resume)
            await asyncio.to_thread(wait_until, lambda: _s3_answers(stack), 60, "S3 after its restart")
            retried = [await a.upload(pdf) for a, (_, ok) in zip(people, results, strict=True) if not ok]
            return results, retried
        finally:
            for applicant in people:
                await applicant.http.aclose()

    results, retried = asyncio.run(run())
    acknowledged = sum(1 for _, ok in results if ok) + sum(1 for _, ok in retried if ok)
    complete, broken = attachments_of([a.pk for a in people])
    failed_during = sum(1 for _, ok in results if not ok)
    recovered = all(ok for _, ok in retried) and broken == 0
    note = f"{failed_during} of {len(people)} uploads refused while S3 was down, {len(retried)} retried after"
    if broken:
        note += f"; {broken} rows point at a missing or short file"
    return Outcome(f"S3 stopped during {len(people)} uploads", acknowledged, complete, recovered, note)


def _s3_answers(stack: Stack) -> bool:
    from deploy.stack import s3_client

    s3_client(stack.env).list_buckets()
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="autosaving clients while PostgreSQL restarts")
    parser.add_argument("--port", type=int, default=None, help="first of 14 ports (default: a free block)")
    options = parser.parse_args()
    began = time.monotonic()
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (other work on this machine counts)")
    port = options.port or free_block([8536, 8552, 8568, 8584, 8520])
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TASKS_", "STORAGE_"))}
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="shenbao-faults-") as directory:
        stack = Stack(
            data_dir=Path(directory),
            port=port,
            environ={
                **environ,
                "SECRET_KEY": "bench-faults-secret",
                "STATIC_MANIFEST": "false",
                "JOB_LEASE_SECONDS": LEASE_SECONDS,
            },
            private_postgres=True,
            private_redis=True,
            database_name="shenbao_faults",
        )
        try:
            stack.start()
            log(f"stack up in {time.monotonic() - began:.0f} s")
            seeded = seed(stack, options.clients + 8)
            scenarios = (
                lambda: kill_worker_mid_seal(stack, seeded[:3]),
                lambda: restart_postgres_under_autosave(stack, seeded[8:], options.clients),
                lambda: stop_s3_during_uploads(stack, seeded[3:8]),
            )
            for scenario in scenarios:
                outcome = scenario()
                print(outcome.line(), flush=True)
                outcomes.append(outcome)
        finally:
            stack.stop()
    print(
        f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; {time.monotonic() - began:.0f} s in all"
    )
    lost = sum(o.lost for o in outcomes)
    unrecovered = sum(1 for o in outcomes if not o.recovered)
    print(f"faults: scenarios={len(outcomes)} lost={lost} unrecovered={unrecovered}")


if __name__ == "__main__":
    main()
