"""Deadline day against the production stack (issue 12 item 8).

Starts the production stack on PostgreSQL (deploy/stack.py: nginx in front of an autosave pool and a
main pool of gunicorn workers, rq workers, private PostgreSQL and Redis, SeaweedFS) and, in the same
run, a bare one-INSERT Django view on the same gunicorn configuration behind the same nginx front
(bench/_baseline.py). N simulated applicants (asyncio + httpx, each its own session)
log in once; then rounds interleave:

  1. saturation, baseline: C clients post to the bare view as fast as it answers;
  2. saturation, shenbao:  C applicants autosave as fast as shenbao answers (the ratio is 2 / 1),
     each asking for the live panels as its page does (application.js: with a save when they are
     PANELS_EVERY s old, in a request of their own after a pause): that load is in the run, the saves
     are counted alone;
  3. the deadline, shenbao: every applicant opens its section pages, autosaves every few seconds
     (the panels as above),
     uploads a 10 MB PDF, and in the last seconds before a simulated deadline submits — twice at
     once, as a double click. Afterwards: lost saves (the last acknowledged text vs the database),
     duplicate receipts (two submissions or one receipt number twice). The submissions are then
     withdrawn so that the next round starts from drafts.

Prints per round and the medians over rounds; the last line is exactly
`rush: ratio=R p99_ms=P lost=L duplicates=D errors=E`.

    .venv/bin/python bench/rush.py                       # 100 applicants, 2 rounds, under 5 minutes
    .venv/bin/python bench/rush.py --applicants 300 --duration 60 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from deploy import front  # noqa: E402
from deploy.client import forms_of  # noqa: E402
from deploy.stack import BIN, GUNICORN_CONFIG, Stack, free_block, log, wait_until  # noqa: E402

PASSWORD = "rush-demo-applicant-2026"  # the simulated applicants of a throwaway database
# Why requests failed in the current round ("autosave 409", "upload ReadTimeout", …), printed with it.
FAILURES: Counter[str] = Counter()
# Saves sent again after a dropped connection, as the page does; an error only if the second try fails too.
RETRIED: Counter[str] = Counter()
AUTOSAVE_FIELD = "content.background"  # a free-text field of the 项目内容 section
# application.js: a save asks for the live panels when they are PANELS_EVERY s old; after a save that
# did not bring them, a request of its own fetches them once the person pauses for PANELS_QUIET s (one
# at a time, given up after PANELS_TIMEOUT s).
PANELS_EVERY = 5.0
PANELS_QUIET = 4.0
PANELS_TIMEOUT = 10.0


@dataclass
class PanelRefreshes:
    """The live panels in the current run: their own requests, and the saves that brought them."""

    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    with_saves: int = 0  # saves that asked for the panels and brought them

    def clear(self) -> None:
        self.latencies.clear()
        self.failed = self.with_saves = 0


PANELS = PanelRefreshes()
SECTIONS = ("basic", "content", "units")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ten_megabyte_pdf() -> bytes:
    """A one-page PDF of about 10 MB (a colour scan's worth of incompressible pixels), under the limit."""
    import pikepdf

    side = 1820  # 1820 × 1820 × 3 bytes ≈ 9.9 MB
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    image = pikepdf.Stream(pdf, random.randbytes(side * side * 3))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width = image.Height = side
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pikepdf.Stream(pdf, b"q 500 0 0 500 40 200 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


# --- the stack's data, through Django in this process ------------------------------------------------


def seed(stack: Stack, count: int) -> list[dict]:
    """`count` applicants of one unit, each with a complete draft of the example in the open demo call."""
    os.environ.update(stack.env)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from shenbao.accounts.id_number import check_digit
    from shenbao.accounts.models import User
    from shenbao.applications.services import import_application
    from shenbao.attachments.services import add_attachment
    from shenbao.calls.loading import load_demo_copy
    from shenbao.calls.models import Call
    from shenbao.organisations.models import Recommender, Unit
    from shenbao.web.demo import _blank_pdf

    now = timezone.now()
    call = load_demo_copy(Call.objects.filter(is_demo=False).order_by("pk").first(), now)
    unit, _ = Unit.objects.get_or_create(
        uscc="12150000460012345Q",
        defaults=dict(
            name="内蒙古草原生态研究院",
            unit_type="科研院所",
            independent_legal_person=True,
            registered_on=dt.date(2003, 6, 18),
            division_code="150102",
            route=Unit.Route.LOCAL,
            recommender=Recommender.objects.get(code="150100"),
            legal_representative="巴特尔",
            contact_name="其木格",
            phone="0471-6000000",
            email="office@example.org",
            address="呼和浩特",
            status=Unit.Status.APPROVED,
        ),
    )
    example = json.loads((REPO / "docs" / "examples" / "application-1001.json").read_text(encoding="utf-8"))
    password = make_password(PASSWORD)  # one hash for all: seeding is not what is measured
    applicants = []
    for number in range(count):
        body = f"150105199007{1 + number // 1000:02d}{number % 1000:03d}"  # born July 1990, one a person
        id_number = body + check_digit(body)
        user = User.objects.create(
            username=f"rush{number:04d}",
            password=password,
            role=User.Role.APPLICANT,
            unit=unit,
            real_name=f"申报人{number:04d}",
            id_number=id_number,
        )
        data = json.loads(json.dumps(example))
        data["title"] = f"{example['title']}（{number:04d}）"
        data["subprojects"][0]["leader_id_number"] = id_number
        application = import_application(user, call, data, now)
        for kind, partner in (("joint_agreement", "北京草业科学研究中心"), ("integrity_commitment", "")):
            upload = SimpleUploadedFile(f"{kind}.pdf", _blank_pdf(kind), content_type="application/pdf")
            add_attachment(application, user, upload, kind=kind, partner=partner, year=None, now=now)
        if number == 0:
            _check_submittable(application)
        applicants.append({"username": user.username, "pk": application.pk, "public_id": str(application.public_id)})
    return applicants


def _check_submittable(application) -> None:
    """The seeded draft has no bar, so that a refused submission at the deadline means a fault."""
    from shenbao.rules.batch import context_for
    from shenbao.rules.findings import Severity
    from shenbao.rules.ruleset import review

    snapshot, context = context_for(application)
    bars = [f for f in review(snapshot, context) if f.severity == Severity.BAR]
    if bars:
        raise SystemExit("the seeded draft has bars: " + "; ".join(f"{f.field}: {f.message}" for f in bars))


def stored_texts(pks: list[int]) -> dict[int, str]:
    from shenbao.applications.models import Application

    texts = {}
    for pk, data in Application.objects.filter(pk__in=pks).values_list("pk", "data"):
        value = data
        for part in AUTOSAVE_FIELD.split("."):
            value = (value or {}).get(part, "")
        texts[pk] = value or ""
    return texts


def duplicates_since(pks: list[int], since) -> tuple[int, int]:
    """(extra submissions, receipt numbers shared by two applications) for this round."""
    from django.db.models import Count

    from shenbao.applications.models import Application
    from shenbao.audit.models import AuditEntry

    per_application = (
        AuditEntry.objects.filter(action="application.submitted", at__gte=since, object_id__in=[str(p) for p in pks])
        .values("object_id")
        .annotate(n=Count("id"))
    )
    extra = sum(row["n"] - 1 for row in per_application if row["n"] > 1)
    receipts = list(Application.objects.filter(pk__in=pks).exclude(receipt_no="").values_list("receipt_no", flat=True))
    return extra, len(receipts) - len(set(receipts))


def not_submitted(pks: list[int]) -> int:
    """Applications whose submit clicks did not end in a submission (refused, or an error)."""
    from shenbao.applications.models import Application

    return Application.objects.filter(pk__in=pks).exclude(state=Application.State.SUBMITTED).count()


def withdraw_all(pks: list[int]) -> int:
    from django.utils import timezone

    from shenbao.applications.models import Application
    from shenbao.review.services import withdraw

    count = 0
    for application in Application.objects.filter(pk__in=pks, state=Application.State.SUBMITTED):
        withdraw(application, application.applicant, timezone.now())
        count += 1
    return count


def now_utc():
    from django.utils import timezone

    return timezone.now()


# --- simulated people ----------------------------------------------------------------------------------


@dataclass
class Applicant:
    username: str
    pk: int
    public_id: str
    http: httpx.AsyncClient
    fields: list[tuple[str, str]] = field(default_factory=list)
    original: str = ""
    acknowledged: str | None = None
    panels: str = ""  # the digest of the live panels the page shows (application.js sends it back)
    panels_shown_at: float = 0.0  # when the page last showed fresh panels (time.monotonic)
    panels_timer: asyncio.Task | None = None  # the refresh waiting for a pause; a save restarts it
    panels_in_flight: asyncio.Task | None = None  # the page sends one refresh at a time
    panels_again: bool = False  # saves were acknowledged while a refresh was on its way
    saves: int = 0

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    async def log_in(self) -> float:
        page = await self.http.get("/accounts/login/")
        token = dict(next(f for f in forms_of(page.text) if "password" in f.names).fields)["csrfmiddlewaretoken"]
        started = time.perf_counter()
        response = await self.http.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD},
            headers={"Referer": str(page.url)},
        )
        if "sessionid" not in self.http.cookies:
            raise RuntimeError(f"{self.username} could not log in: {response.status_code}")
        return time.perf_counter() - started

    async def open_sections(self) -> None:
        for slug in SECTIONS:
            page = await self.http.get(f"/applications/{self.public_id}/{slug}/")
            page.raise_for_status()
            if slug == "content":
                form = next(f for f in forms_of(page.text) if AUTOSAVE_FIELD in f.names)
                self.fields = [(k, v) for k, v in form.fields if k != AUTOSAVE_FIELD]
                self.original = dict(form.fields)[AUTOSAVE_FIELD].split(" 〔rush")[0]
                shown = re.search(r'id="findings-panel"[^>]*data-panels="([0-9a-f]*)"', page.text)
                self.panels = shown.group(1) if shown else ""
                self.panels_shown_at = time.monotonic()

    async def autosave(self, marker: str) -> tuple[float, bool]:
        text = f"{self.original} 〔rush {marker}〕"
        # As the page sends it (application.js): the form's fields as JSON [name, value] pairs.
        body = json.dumps([*self.fields, (AUTOSAVE_FIELD, text)], ensure_ascii=False).encode()
        url = f"/applications/{self.public_id}/content/"
        headers = {
            "Content-Type": "application/json",
            "X-Autosave": "1",
            "X-CSRFToken": self.csrf,
            "Referer": url,
        }
        if time.monotonic() - self.panels_shown_at >= PANELS_EVERY:
            headers["X-Panels"] = self.panels
        started = time.perf_counter()
        try:
            try:
                response = await self.http.post(url, content=body, headers=headers)
            except httpx.TransportError as error:
                # The connection dropped without an answer (a web worker recycled under it): the page sends
                # the same save again at once (application.js), and so does this applicant, once.
                RETRIED[f"autosave {type(error).__name__}"] += 1
                response = await self.http.post(url, content=body, headers=headers)
            elapsed = time.perf_counter() - started
            result = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError) as error:
            FAILURES[f"autosave {type(error).__name__}"] += 1
            return time.perf_counter() - started, False
        if not result.get("ok"):
            FAILURES[f"autosave {response.status_code}"] += 1
            return elapsed, False
        self.acknowledged = text
        self.saves += 1
        if "panels" in result:
            self.panels, self.panels_shown_at = result["panels"], time.monotonic()
            PANELS.with_saves += 1
            self.panels_again = False
            if self.panels_timer is not None:
                self.panels_timer.cancel()
                self.panels_timer = None
        else:
            self.panels_after_pause()
        # The page keeps what the server answers (its version) for the next save.
        answered = {k: str(v) for k, v in result.items() if isinstance(v, (int, str))}
        self.fields = [(k, answered.get(k, v)) for k, v in self.fields]
        return elapsed, True

    def panels_after_pause(self) -> None:
        """After a save that did not bring the panels, as the page does: fetch them after a pause."""
        if self.panels_timer is not None:
            self.panels_timer.cancel()
        self.panels_timer = asyncio.create_task(self._refresh_panels_after(PANELS_QUIET))

    async def _refresh_panels_after(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self.panels_timer = None
        if self.panels_in_flight is not None:
            self.panels_again = True
            return
        # Sent now: the next save no longer cancels it (the page does not abort a fetch either).
        self.panels_in_flight = asyncio.current_task()
        try:
            await self.refresh_panels()
        finally:
            self.panels_in_flight = None
        if self.panels_again:
            self.panels_again = False
            self.panels_after_pause()

    async def refresh_panels(self) -> None:
        started = time.perf_counter()
        try:
            response = await self.http.get(
                f"/applications/{self.public_id}/content/panels/",
                headers={"X-Panels": self.panels},
                timeout=PANELS_TIMEOUT,
            )
            response.raise_for_status()
            self.panels, self.panels_shown_at = response.json()["panels"], time.monotonic()
        except (httpx.HTTPError, ValueError, KeyError) as error:
            FAILURES[f"panels {type(error).__name__}"] += 1
            PANELS.failed += 1
            return
        PANELS.latencies.append(time.perf_counter() - started)

    async def settle_panels(self) -> None:
        """At the end of a run: refreshes not sent yet are dropped, those on their way awaited."""
        if self.panels_timer is not None:
            self.panels_timer.cancel()
        self.panels_timer = None
        if self.panels_in_flight is not None:
            await asyncio.gather(self.panels_in_flight, return_exceptions=True)
        if self.panels_timer is not None:  # due again when the one on its way came back
            self.panels_timer.cancel()
        self.panels_timer, self.panels_again = None, False

    async def upload(self, pdf: bytes) -> tuple[float, bool]:
        url = f"/attachments/{self.public_id}/upload/"
        started = time.perf_counter()
        try:
            response = await self.http.post(
                url,
                data={"csrfmiddlewaretoken": self.csrf, "kind": "integrity_commitment", "partner": "", "year": ""},
                files={"file": ("诚信承诺书.pdf", pdf, "application/pdf")},
                headers={"X-CSRFToken": self.csrf, "Referer": f"/attachments/{self.public_id}/"},
            )
        except httpx.HTTPError as error:
            FAILURES[f"upload {type(error).__name__}"] += 1
            return time.perf_counter() - started, False
        # A stored upload redirects to the list; a refused one answers 4xx/5xx with the reason.
        stored = response.status_code in (302, 303)
        if not stored:
            FAILURES[f"upload {response.status_code}"] += 1
        return time.perf_counter() - started, stored

    async def submit(self) -> bool:
        url = f"/applications/{self.public_id}/submit/"
        try:
            response = await self.http.post(
                url,
                data={"csrfmiddlewaretoken": self.csrf},
                headers={"X-CSRFToken": self.csrf, "Referer": f"/applications/{self.public_id}/review/"},
            )
        except httpx.HTTPError as error:
            FAILURES[f"submit {type(error).__name__}"] += 1
            return False
        if response.status_code not in (200, 302):
            FAILURES[f"submit {response.status_code}"] += 1
        return response.status_code in (200, 302)


@dataclass
class Round:
    baseline_rps: float = 0.0
    shenbao_rps: float = 0.0
    latencies: list[float] = field(default_factory=list)
    uploads: list[float] = field(default_factory=list)
    errors: int = 0
    lost: int = 0
    duplicates: int = 0
    submits: int = 0
    refused: int = 0  # applications not submitted after their clicks (counted in errors too)
    saturation_panels: int = 0  # panel refreshes the pages sent during the shenbao saturation run
    saturation_panels_with_saves: int = 0  # saves of that run that brought the panels
    panels: list[float] = field(default_factory=list)  # the deadline run's panel refreshes
    panels_with_saves: int = 0

    @property
    def ratio(self) -> float:
        return self.shenbao_rps / self.baseline_rps if self.baseline_rps else 0.0


async def saturate(post, clients: int, seconds: float) -> float:
    """Requests acknowledged per second with `clients` each posting again as soon as answered."""
    done = 0
    stop = time.monotonic() + seconds

    async def client(number: int):
        nonlocal done
        while time.monotonic() < stop:
            if await post(number):
                done += 1

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return done / (time.monotonic() - started)


async def deadline(people: list[Applicant], seconds: float, interval: float, pdf: bytes, tag: str, result: Round):
    """Autosave every `interval` s (±⅓), upload once beside it, submit twice at once in the last 3 s."""
    start = time.monotonic()
    closes = start + seconds

    async def upload(applicant: Applicant):
        elapsed, ok = await applicant.upload(pdf)
        result.uploads.append(elapsed)
        result.errors += 0 if ok else 1

    async def person(applicant: Applicant):
        await asyncio.sleep(random.uniform(0, interval))
        try:
            await applicant.open_sections()
        except (httpx.HTTPError, StopIteration):
            result.errors += 1
            return
        # The upload runs beside the autosaves (another tab), spread over the run.
        upload_at = start + random.uniform(0.05, 0.7) * seconds
        submit_at = closes - random.uniform(0.5, 3.0)
        uploading = None
        number = 0
        while True:
            wait = random.uniform(interval * 2 / 3, interval * 4 / 3)
            if time.monotonic() + wait >= submit_at:
                break
            await asyncio.sleep(wait)
            if uploading is None and time.monotonic() >= upload_at:
                uploading = asyncio.create_task(upload(applicant))
            number += 1
            elapsed, ok = await applicant.autosave(f"{tag}-{number}")
            result.latencies.append(elapsed)
            result.errors += 0 if ok else 1
        await asyncio.sleep(max(0.0, submit_at - time.monotonic()))
        # A person submits once the upload they started has finished (the page shows it in progress);
        # a file sent after the submission is refused, rightly, as a change to a submitted application.
        await (uploading or upload(applicant))
        outcomes = await asyncio.gather(applicant.submit(), applicant.submit())
        result.submits += 2
        result.errors += outcomes.count(False)

    await asyncio.gather(*(person(a) for a in people))


async def rush(stack: Stack, baseline_url: str, seeded: list[dict], options) -> list[Round]:
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    people = [
        Applicant(
            s["username"], s["pk"], s["public_id"], httpx.AsyncClient(base_url=stack.url, timeout=120, limits=limits)
        )
        for s in seeded
    ]
    baseline_clients = [httpx.AsyncClient(base_url=baseline_url, timeout=120) for _ in range(options.concurrency)]
    pdf = ten_megabyte_pdf()
    try:
        started = time.perf_counter()
        gate = asyncio.Semaphore(8)

        async def log_in(applicant):
            async with gate:
                return await applicant.log_in()

        logins = await asyncio.gather(*(log_in(a) for a in people))
        print(
            f"logged in {len(people)} applicants in {time.perf_counter() - started:.1f} s "
            f"(login p50 {statistics.median(logins) * 1000:.0f} ms: password hashing)",
            flush=True,
        )
        for applicant in people[: options.concurrency]:
            await applicant.open_sections()

        async def baseline_post(number: int) -> bool:
            try:
                response = await baseline_clients[number].post("/save/", data={"body": f"〔rush baseline {number}〕"})
                return response.status_code == 200
            except httpx.HTTPError:
                return False

        async def shenbao_post(number: int) -> bool:
            return (await people[number].autosave(f"saturation-{time.monotonic_ns()}"))[1]

        # Both servers warm before anything counts: every worker thread's database connection open (a
        # new PostgreSQL backend compiles the merge function on its first call), every code path run.
        if options.warmup > 0:
            await saturate(baseline_post, options.concurrency, options.warmup)
            await saturate(shenbao_post, options.concurrency, options.warmup)
            await asyncio.gather(*(a.settle_panels() for a in people))
        rounds = []
        for number in range(1, options.rounds + 1):
            result = Round()
            result.baseline_rps = await saturate(baseline_post, options.concurrency, options.saturation)
            PANELS.clear()
            # The pages' panel refreshes are part of the load, and the saves are counted alone.
            result.shenbao_rps = await saturate(shenbao_post, options.concurrency, options.saturation)
            await asyncio.gather(*(a.settle_panels() for a in people))
            result.saturation_panels = len(PANELS.latencies) + PANELS.failed
            result.saturation_panels_with_saves = PANELS.with_saves
            since = await asyncio.to_thread(now_utc)
            FAILURES.clear()  # the deadline run's own
            RETRIED.clear()
            PANELS.clear()
            await deadline(people, options.duration, options.interval, pdf, f"r{number}", result)
            await asyncio.gather(*(a.settle_panels() for a in people))
            result.panels = list(PANELS.latencies)
            result.panels_with_saves = PANELS.with_saves
            result.errors += PANELS.failed
            stored = await asyncio.to_thread(stored_texts, [a.pk for a in people])
            result.lost = sum(1 for a in people if a.acknowledged is not None and stored.get(a.pk) != a.acknowledged)
            extra, shared = await asyncio.to_thread(duplicates_since, [a.pk for a in people], since)
            result.refused = await asyncio.to_thread(not_submitted, [a.pk for a in people])
            result.errors += result.refused
            result.duplicates = extra + shared
            await asyncio.to_thread(withdraw_all, [a.pk for a in people])
            report(number, result)
            rounds.append(result)
        return rounds
    finally:
        for client in [*(a.http for a in people), *baseline_clients]:
            await client.aclose()


def report(number: int, r: Round) -> None:
    ms = [v * 1000 for v in r.latencies]
    uploads = [v * 1000 for v in r.uploads]
    panels = [v * 1000 for v in r.panels]
    why = f" ({', '.join(f'{kind}: {n}' for kind, n in sorted(FAILURES.items()))})" if FAILURES else ""
    retried = sum(RETRIED.values())
    why += f", {retried} autosaves sent again after a dropped connection" if retried else ""
    print(
        f"round {number}: saturation baseline {r.baseline_rps:.1f}/s, shenbao autosave {r.shenbao_rps:.1f}/s "
        f"(ratio {r.ratio:.2f}; {r.saturation_panels_with_saves} of the saves brought the panels, "
        f"beside them {r.saturation_panels} panel refreshes); "
        f"deadline: {len(ms)} autosaves p50 {percentile(ms, 0.5):.0f} ms "
        f"p95 {percentile(ms, 0.95):.0f} ms p99 {percentile(ms, 0.99):.0f} ms; "
        f"{r.panels_with_saves} of them brought the panels, "
        f"{len(panels)} panel refreshes p50 {percentile(panels, 0.5):.0f} ms p99 {percentile(panels, 0.99):.0f} ms; "
        f"{len(uploads)} uploads of 10 MB "
        f"p50 {percentile(uploads, 0.5):.0f} ms p99 {percentile(uploads, 0.99):.0f} ms; "
        f"{r.submits} submit clicks, {r.refused} not submitted; "
        f"errors {r.errors}{why}, "
        f"lost {r.lost}, duplicates {r.duplicates}",
        flush=True,
    )


def baseline_front(stack: Stack) -> Path:
    return stack.data_dir / "nginx-baseline"


def start_baseline(stack: Stack) -> str:
    import psycopg

    # Made here, once, not by each worker of the baseline at start-up (bench/_baseline.py: TABLE).
    create = (
        "CREATE TABLE IF NOT EXISTS bench_baseline_save (id bigserial PRIMARY KEY, body text, saved_at timestamptz)"
    )
    with psycopg.connect(stack.env["DATABASE_URL"].replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(create)
    # Behind the same front as shenbao when the stack has one (an nginx of its own on port+1, the view's
    # workers on port+14): the ratio compares the applications, not a proxy hop one of them skips.
    port = stack.port + (14 if stack.front else 1)
    env = {**stack.env, "WEB_BIND": f"127.0.0.1:{port}"}
    if stack.web_workers:
        env["WEB_WORKERS"] = str(stack.web_workers)
    if stack.front:  # compared with the autosave pool: its workers and threads
        env.update(stack.autosave_pool(port))
    argv = [
        str(BIN / "gunicorn"),
        "-c",
        str(GUNICORN_CONFIG),
        "--pythonpath",
        str(REPO / "bench"),
        "_baseline:application",
    ]
    stack._supervise("baseline", argv, env=env)
    if stack.front:
        config = front.write_config(baseline_front(stack), port=stack.port + 1, pages_port=port, autosave_port=port)
        stack._supervise("baseline-front", front.nginx_argv(config), env=dict(os.environ))
    url = f"http://127.0.0.1:{stack.port + 1}"
    wait_until(lambda: httpx.post(url + "/save/", data={"body": "warm"}).status_code == 200, 60, "the baseline view")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=100, help="simulated applicants (default 100)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of each deadline run (default 30)")
    parser.add_argument("--interval", type=float, default=3, help="seconds between an applicant's autosaves")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved baseline/shenbao rounds (default 2)")
    parser.add_argument("--saturation", type=float, default=8, help="seconds of each saturation run (default 8)")
    parser.add_argument("--concurrency", type=int, default=20, help="clients in the saturation runs")
    parser.add_argument(
        "--warmup", type=float, default=4, help="seconds of uncounted saturation of each server first (default 4)"
    )
    parser.add_argument("--web-workers", type=int, default=None, help="gunicorn workers (default: its config)")
    parser.add_argument("--port", type=int, default=None, help="first of 15 ports (default: a free block)")
    options = parser.parse_args()
    options.concurrency = min(options.concurrency, options.applicants)

    began = time.monotonic()
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (other work on this machine counts)")
    port = options.port or free_block([8520, 8536, 8552, 8568, 8584], size=15)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TASKS_", "STORAGE_"))}
    with tempfile.TemporaryDirectory(prefix="shenbao-rush-") as directory:
        stack = Stack(
            data_dir=Path(directory),
            port=port,
            environ={**environ, "SECRET_KEY": "bench-rush-secret", "STATIC_MANIFEST": "false"},
            web_workers=options.web_workers,
            private_postgres=True,
            private_redis=True,
            database_name="shenbao_rush",
        )
        try:
            stack.start()
            baseline_url = start_baseline(stack)
            log(f"stack up in {time.monotonic() - began:.0f} s; seeding {options.applicants} applicants")
            seeding = time.monotonic()
            seeded = seed(stack, options.applicants)
            log(f"seeded {len(seeded)} complete drafts in {time.monotonic() - seeding:.0f} s")
            from django.db import connections

            connections.close_all()
            rounds = asyncio.run(rush(stack, baseline_url, seeded, options))
        finally:
            stack.stop()
            front.remove_scratch(baseline_front(stack))
    ratio = statistics.median(r.ratio for r in rounds)
    p99 = statistics.median(percentile(r.latencies, 0.99) * 1000 for r in rounds)
    lost = statistics.median(r.lost for r in rounds)
    duplicates = statistics.median(r.duplicates for r in rounds)
    errors = statistics.median(r.errors for r in rounds)
    print(
        f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
        f"{time.monotonic() - began:.0f} s in all; {len(rounds)} rounds, medians below"
    )
    print(f"rush: ratio={ratio:.2f} p99_ms={p99:.0f} lost={lost:g} duplicates={duplicates:g} errors={errors:g}")


if __name__ == "__main__":
    main()
