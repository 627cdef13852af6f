"""The near-duplicate index (一(三)7): one application's near-duplicates by an index lookup, not by
hashing the whole call on every staff view (0.6–0.9 s at 10,000 applications).

Each indexed document keeps the LSH band keys of its MinHash signature — the same signature, bands
and re-scoring as `rules.duplicates.find_similar`, so both find the same pairs: two documents are
candidates when they share a band key, and a candidate is reported when rapidfuzz scores it at or
above SIMILAR_SCORE.

Kept up to date:
- an application is indexed when it is submitted (drafts are not submissions, and are not compared),
  and again whenever a staff view finds its entry older than its version;
- a funded project is indexed when saved (signals) and leaves with it; projects imported in bulk are
  noticed by their row count at the next lookup; `manage.py index_similar` rebuilds everything.
"""

import hashlib

from datasketch.lsh import _optimal_param
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.fields.json import KT
from django.db.models.signals import post_save
from django.dispatch import receiver
from rapidfuzz import fuzz

from shenbao.rules.batch import CALL_SOURCE
from shenbao.rules.context import Similar, counts_as_peer
from shenbao.rules.duplicates import CANDIDATE_THRESHOLD, NUM_PERM, SIMILAR_SCORE, Document, normalise, signatures
from shenbao.rules.models import FundedProject

from .models import Application, SimilarityBand, SimilarityEntry

# The bands datasketch's MinHashLSH chooses for this threshold (equal weight to false hits and misses).
BANDS, ROWS = _optimal_param(CANDIDATE_THRESHOLD, NUM_PERM, 0.5, 0.5)
_FUNDED_STAMP = "similarity:funded-stamp"


def band_keys(texts: list[str]) -> list[list[int]]:
    """For each text, its BANDS band keys: a 64-bit hash of the band's number and its MinHash values."""
    keys = []
    for row in signatures(texts):
        keys.append(
            [
                int.from_bytes(
                    hashlib.blake2b(
                        bytes([band]) + row[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8
                    ).digest(),
                    "big",
                    signed=True,
                )
                for band in range(BANDS)
            ]
        )
    return keys


def _write(entries: list[SimilarityEntry]) -> None:
    if not entries:
        return
    keys = band_keys([entry.text for entry in entries])
    SimilarityEntry.objects.bulk_create(entries)
    SimilarityBand.objects.bulk_create(
        [
            SimilarityBand(entry=entry, key=key)
            for entry, entry_keys in zip(entries, keys, strict=True)
            for key in entry_keys
        ],
        batch_size=5000,
    )


@transaction.atomic
def index_applications(applications) -> None:
    """(Re)index some applications: a queryset or list of them (their call, title, abstract, version)."""
    rows = list(
        Application.objects.filter(pk__in=[a.pk for a in applications]).values_list(
            "pk", "call_id", "version", "title", KT("data__abstract")
        )
    )
    SimilarityEntry.objects.filter(application_id__in=[row[0] for row in rows]).delete()
    _write(
        [
            SimilarityEntry(
                application_id=pk,
                call_id=call_id,
                version=version,
                title=title,
                source=CALL_SOURCE,
                text=normalise(Document("", title, abstract or "", CALL_SOURCE)),
            )
            for pk, call_id, version, title, abstract in rows
        ]
    )


@transaction.atomic
def index_funded_projects(projects) -> None:
    projects = list(projects)
    SimilarityEntry.objects.filter(funded_project__in=projects).delete()
    _write(
        [
            SimilarityEntry(
                funded_project=project,
                title=project.title,
                source=f"{project.year}年已立项项目",
                text=normalise(Document("", project.title, project.abstract or "", "")),
            )
            for project in projects
        ]
    )


def rebuild() -> int:
    """Everything the index should hold: every submitted application and every funded project."""
    SimilarityEntry.objects.all().delete()
    submitted = Application.objects.exclude(state=Application.State.DRAFT).only("pk")
    index_applications(list(submitted))
    index_funded_projects(FundedProject.objects.all())
    return SimilarityEntry.objects.count()


def _notice_funded_imports() -> None:
    """Funded projects imported in bulk send no signals: index those not yet indexed."""
    stamp = tuple(FundedProject.objects.aggregate(count=Count("id"), last=Max("id")).values())
    if cache.get(_FUNDED_STAMP) != stamp:
        index_funded_projects(FundedProject.objects.filter(similarity__isnull=True))
        cache.set(_FUNDED_STAMP, stamp, None)


def similar_to(application: Application) -> list[Similar]:
    """The application's near-duplicates among its call's indexed applications and funded projects."""
    _notice_funded_imports()
    entry = SimilarityEntry.objects.filter(application_id=application.pk).only("version", "text").first()
    if entry is None or entry.version != application.version:
        index_applications([application])
        entry = SimilarityEntry.objects.only("text").get(application_id=application.pk)
    keys = band_keys([entry.text])[0]
    candidates = (
        SimilarityEntry.objects.filter(bands__key__in=keys)
        .filter(Q(call_id=application.call_id) | Q(call__isnull=True))
        .exclude(pk=entry.pk)
        .distinct()
        .values_list("title", "source", "text", "application__public_id", "application__unit_id", "application__state")
    )
    found = []
    for title, source, text, public_id, unit_id, state in candidates:
        if public_id is not None and not counts_as_peer(state, same_unit=unit_id == application.unit_id):
            continue  # a draft belongs to its author, and another unit's counts only once sent onward (一(三)7)
        score = fuzz.ratio(entry.text, text) / 100
        if score >= SIMILAR_SCORE:
            key = str(public_id) if public_id is not None else ""
            found.append(Similar(title, source, score, key, str(unit_id) if unit_id is not None else None))
    return found


@receiver(post_save, sender=FundedProject)
def _funded_project_saved(instance, **kwargs):
    index_funded_projects([instance])
