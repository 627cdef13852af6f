"""Reviewing many applications at once, and building the context the rules are handed.

`review_call` reads a whole call with a fixed number of queries, then runs the rules with no
database access at all; `context_for` does the same for one application (the form and the submit).
"""

import copy
import gc
import json
import multiprocessing
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections
from django.db.models import TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from shenbao import normalise
from shenbao.applications.models import Application
from shenbao.attachments.rows import attachment_rows
from shenbao.calls.models import Call

from .checks.project import near_duplicates
from .context import APPLICANT, DEPARTMENT, UNIT, Peer, ReviewContext, Similar, counts_as_peer
from .duplicates import Document, find_similar
from .findings import Finding
from .models import FundedProject
from .registries import load_registries
from .ruleset import review
from .snapshot import Snapshot

# Stored in the similarity index as written; checks.project._source shows it in the reader's language.
CALL_SOURCE = "本批次申报书"


STATE_LABELS = dict(Application.State.choices)


def peers_by_pi(applications: list[Snapshot], unit: str = "", state: str = "submitted") -> dict[str, list[Peer]]:
    """Snapshots of one unit and state as each other's peers (the bench and tests)."""
    by_pi: dict[str, list[Peer]] = defaultdict(list)
    for app in applications:
        if app.pi_id.number:
            by_pi[app.pi_id.number].append(Peer(app.key, app.category, unit, state))
    return dict(by_pi)


def audience_of(viewer) -> str:
    """What a viewer may be told about other units' applications (see context.DEPARTMENT)."""
    if viewer is None or getattr(viewer, "is_applicant", False):
        return APPLICANT
    return DEPARTMENT if getattr(viewer, "is_department_staff", False) else UNIT


def counted_similar(
    similar: dict[str, list[Similar]], units: dict[str, str], states: dict[str, str]
) -> dict[str, list[Similar]]:
    """Near-duplicates limited to what counts (context.counts_as_peer), each tagged with its unit."""
    kept: dict[str, list[Similar]] = {}
    for key, found in similar.items():
        for other in found:
            if other.key in units:
                same = units[other.key] == units.get(key)
                if not counts_as_peer(states.get(other.key, ""), same_unit=same):
                    continue
                other = Similar(other.title, other.source, other.score, other.key, units[other.key])
            kept.setdefault(key, []).append(other)
    return kept


def document(app: Snapshot, source: str = CALL_SOURCE) -> Document:
    return Document(app.key, str(app.data.get("title") or ""), str(app.data.get("abstract") or ""), source)


def earlier_projects() -> list[Document]:
    return [
        Document(f"funded-{pk}", title, abstract, f"{year}年已立项项目")
        for pk, year, title, abstract in FundedProject.objects.values_list("pk", "year", "title", "abstract")
    ]


@dataclass
class CallReview:
    call: Call
    findings: dict[str, list[Finding]]
    titles: dict[str, str]
    states: dict[str, str]


# Below this many applications one process is faster than starting others.
PARALLEL_FROM = 2000


# Set before the worker processes fork, so they inherit it instead of receiving it through a pipe.
_shared: tuple[list[tuple[str, str]], ReviewContext] | None = None


@contextmanager
def _without_garbage_collection():
    """Reviewing thousands of documents creates millions of small objects and no cycles; the cyclic
    collector would walk them again and again (a third of the time, measured)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _review_rows(rows: list[tuple[str, str, list]], context: ReviewContext) -> list[tuple[str, list[Finding]]]:
    """Decode the JSON text of some applications, put in their uploaded attachments, review them."""
    with _without_garbage_collection():
        return [
            (key, review(Snapshot(with_attachments(json.loads(text), files), key), context))
            for key, text, files in rows
        ]


def with_attachments(data: dict, files: list[dict]) -> dict:
    """The document as the rules see it: its attachments are the files actually uploaded, never a claim."""
    if isinstance(data, dict):
        data["attachments"] = files
    return data


def _review_slice(start: int, stop: int) -> list[tuple[str, list[tuple]]]:
    """In a forked worker: review part of the inherited rows (findings are tuples: cheap to send back)."""
    rows, context = _shared
    return _review_rows(rows[start:stop], context)


@_without_garbage_collection()
def review_call(call: Call, *, include_drafts: bool = False, workers: int | None = None) -> CallReview:
    """Every application of a call (drafts only when asked), in five queries whatever their number.

    One query reads each application's columns, the abstract (the database's own JSON extraction)
    and the document as JSON text. Large calls are decoded and reviewed in forked worker processes
    (default: one per core) while this process finds the near-duplicates, whose rule then runs here:
    every rule of the set still runs on every application.
    """
    rows = Application.objects.filter(call=call)
    if not include_drafts:
        rows = rows.exclude(state=Application.State.DRAFT)
    fields = ("public_id", "title", "state", "category", "pi_id_number")
    heads = list(
        rows.values_list(*fields, KT("data__abstract"), Cast("data", TextField()), "id", "unit_id", "unit__name")
    )
    files = attachment_rows(rows)
    keys = [str(h[0]) for h in heads]
    units = {key: str(h[8]) for key, h in zip(keys, heads, strict=True)}
    states = {key: h[2] for key, h in zip(keys, heads, strict=True)}
    by_pi: dict[str, list[Peer]] = defaultdict(list)
    for key, (_, title, state, category, pi_id_number, *_, unit_id, unit_name) in zip(keys, heads, strict=True):
        if pi_id_number:
            by_pi[pi_id_number].append(Peer(key, category, str(unit_id), state, title, unit_name, STATE_LABELS[state]))
    spec = call.spec
    context = ReviewContext(
        spec,
        load_registries(spec.filing.opens.date()),
        applications_by_pi=dict(by_pi),
        units=units,
        audience=DEPARTMENT,  # the whole-call review is the department's
    )
    texts = [(key, h[6], files.get(h[7], [])) for key, h in zip(keys, heads, strict=True)]
    documents = [Document(key, h[1], h[5] or "", CALL_SOURCE) for key, h in zip(keys, heads, strict=True)]
    workers = workers or (os.cpu_count() or 1)
    if workers == 1 or len(texts) < PARALLEL_FROM:
        context.similar = counted_similar(find_similar(documents, earlier_projects()), units, states)
        findings = dict(_review_rows(texts, context))
    else:
        with _WorkerReview(texts, context, workers) as running:
            context.similar = counted_similar(find_similar(documents, earlier_projects()), units, states)
            findings = dict(running.results())
        for key in context.similar:
            findings[key].extend(near_duplicates(Snapshot({}, key), context))
    titles = {key: h[1] for key, h in zip(keys, heads, strict=True)}
    return CallReview(call, findings, titles, states)


# The share of the rows this process reviews itself once it has found the near-duplicates, which
# take about a fifth of the rules' time, while a worker's findings then take a fifth of its time to
# come back through the pipe: on 2 cores, one worker and this process then finish together (measured
# with bench/review.py).
OWN_SHARE_PER_CORE = 0.9


class _WorkerReview:
    """Reviews rows in forked processes, which inherit the rows instead of receiving them by pipe.
    One core per process: `workers - 1` forked workers, and this process, which finds the
    near-duplicates first and then reviews its own (smaller) share of the rows."""

    def __init__(self, texts, context, workers):
        self.texts, self.context, self.workers = texts, context, workers

    def __enter__(self):
        global _shared
        connections.close_all()  # a forked worker must never share the parent's database socket
        normalise.prepare()  # built once here, inherited by every worker
        _shared = (self.texts, ReviewContext(**{**vars(self.context), "similar": {}}))
        total = len(self.texts)
        self.own = (total - int(total * OWN_SHARE_PER_CORE / self.workers), total)
        forked = self.workers - 1
        size = -(-self.own[0] // forked)
        bounds = [(i, min(i + size, self.own[0])) for i in range(0, self.own[0], size)]
        self.pool = ProcessPoolExecutor(forked, mp_context=multiprocessing.get_context("fork"))
        self.futures = [self.pool.submit(_review_slice, start, stop) for start, stop in bounds]
        return self

    def results(self) -> list[tuple[str, list[Finding]]]:
        """This process's share (without near-duplicates, added for all rows afterwards), then the workers'."""
        own = _review_slice(*self.own)
        return [pair for future in self.futures for pair in future.result()] + own

    def __exit__(self, *exc):
        global _shared
        self.pool.shutdown(cancel_futures=True)
        _shared = None


def _peers(call, numbers) -> dict[str, list[Peer]]:
    """The applications of the call by these PIs, with what the rules need to decide whether they count."""
    by_pi: dict[str, list[Peer]] = defaultdict(list)
    rows = Application.objects.filter(call=call, pi_id_number__in=numbers).exclude(state=Application.State.DRAFT)
    for public_id, number, category, unit_id, state, title, unit_name in rows.values_list(
        "public_id", "pi_id_number", "category", "unit_id", "state", "title", "unit__name"
    ):
        by_pi[number].append(Peer(str(public_id), category, str(unit_id), state, title, unit_name, STATE_LABELS[state]))
    return dict(by_pi)


def context_for(application: Application, *, with_similar: bool = False, viewer=None) -> tuple[Snapshot, ReviewContext]:
    """One application's snapshot and context: its PI's other applications of the call, the
    registries for its people and units, and (when asked) the near-duplicates among the call and
    funded projects. `viewer` decides what findings may say about other units (audience_of); without
    one, nothing of other units is said."""
    spec = application.call.spec
    files = attachment_rows([application.pk]).get(application.pk, [])
    snapshot = Snapshot(with_attachments(copy.deepcopy(application.data), files), str(application.public_id))
    number = snapshot.pi_id.number
    units = {snapshot.key: str(application.unit_id)}
    applications_by_pi = _peers(application.call, [number]) if number else {}
    similar = {}
    if with_similar:
        others = (
            Application.objects.filter(call=application.call)
            .exclude(pk=application.pk)
            .exclude(state=Application.State.DRAFT)
        )
        earlier, states = [], {}
        for public_id, title, abstract, unit_id, state in others.values_list(
            "public_id", "title", KT("data__abstract"), "unit_id", "state"
        ):
            if counts_as_peer(state, same_unit=unit_id == application.unit_id):
                earlier.append(Document(str(public_id), title, abstract or "", CALL_SOURCE))
                units[str(public_id)], states[str(public_id)] = str(unit_id), state
        found = find_similar([document(snapshot)], earlier + earlier_projects())
        similar = counted_similar(found, units, states)
    registries = load_registries(
        spec.filing.opens.date(),
        [person.id_number for person in snapshot.people],
        snapshot.usccs,
        [partner.name for partner in snapshot.implied_partners],
    )
    context = ReviewContext(
        spec,
        registries,
        applications_by_pi=applications_by_pi,
        similar=similar,
        units=units,
        audience=audience_of(viewer),
    )
    return snapshot, context


def review_applications(applications: list[Application], *, audience: str = UNIT) -> dict[int, list[Finding]]:
    """The findings of some applications (a unit's or a recommender's queue), in a fixed number of
    queries: their PIs' other applications, the registries and the attachments are read once."""
    if not applications:
        return {}
    call = applications[0].call
    files = attachment_rows([a.pk for a in applications])
    snapshots = {
        a.pk: Snapshot(with_attachments(copy.deepcopy(a.data), files.get(a.pk, [])), str(a.public_id))
        for a in applications
    }
    numbers = {a.pi_id_number for a in applications if a.pi_id_number}
    people = {person.id_number for snapshot in snapshots.values() for person in snapshot.people}
    usccs = {code for snapshot in snapshots.values() for code in snapshot.usccs}
    names = {p.name for snapshot in snapshots.values() for p in snapshot.implied_partners}
    registries = load_registries(call.spec.filing.opens.date(), list(people), list(usccs), list(names))
    units = {str(a.public_id): str(a.unit_id) for a in applications}
    context = ReviewContext(
        call.spec, registries, applications_by_pi=_peers(call, numbers), units=units, audience=audience
    )
    return {pk: review(snapshot, context) for pk, snapshot in snapshots.items()}
