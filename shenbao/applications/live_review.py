"""The live findings panel of the section pages, without a database round-trip per keystroke.

The rules are pure: they need the document (which the autosave has just written and got back) and a
context — the uploaded attachments, the PI's other applications of the call, the registry rows for
the PI and the units. That context changes far less often than the document, so it is cached per
application and forgotten when what it holds changes:
- an attachment is added or removed (signals on Attachment);
- a registry row is saved or deleted (signals: every cached context is forgotten at once);
- another application of the same PI is created or submitted (`forget_peers`); while its applicant
  can edit it (a draft, or sent back) it counts for nobody (rules/context.py), so its saves need not;
- the document's PI or its units' codes differ from those the context was read for (checked here).
A bounded lifetime covers what the signals cannot see (bulk registry imports in another process).
The submit and the staff's pages never use this cache: they read the database.
"""

import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shenbao.attachments.models import Attachment
from shenbao.attachments.rows import attachment_rows
from shenbao.rules.context import APPLICANT, Peer, Registries, ReviewContext
from shenbao.rules.findings import Finding
from shenbao.rules.models import DishonestyRecord, OngoingProjectRecord
from shenbao.rules.registries import load_registries
from shenbao.rules.ruleset import review
from shenbao.rules.snapshot import Snapshot

from .models import Application

LIFETIME_SECONDS = 300
_GENERATION = "live-review:generation"


@dataclass(frozen=True)
class CachedContext:
    generation: str  # of the registries' contents it was read under
    people: tuple[str, ...]  # the ID numbers and unit codes the registries were read for
    usccs: tuple[str, ...]
    files: list[dict]
    peers: list[tuple[int, Peer]]  # (pk, peer) of the PI's other applications
    registries: Registries


def _current_generation(found: dict) -> str:
    """The generation of the registries' contents: a random token, so that a generation evicted from
    the cache comes back as a new one (which every stored context fails), never as an old one."""
    generation = found.get(_GENERATION)
    if generation is None:
        cache.add(_GENERATION, uuid.uuid4().hex, None)
        generation = cache.get(_GENERATION)
    return generation


def _key(pk: int) -> str:
    return f"live-review:{pk}"


def _load(
    application: Application, snapshot: Snapshot, generation: str, people: tuple[str, ...], usccs: tuple[str, ...]
) -> CachedContext:
    pi_number = snapshot.pi_id.number
    peers = []
    if pi_number:
        rows = (
            Application.objects.filter(call_id=application.call_id, pi_id_number=pi_number)
            .exclude(pk=application.pk)
            .exclude(state=Application.State.DRAFT)  # a draft belongs to its author (context.counts_as_peer)
            .values_list("pk", "public_id", "category", "unit_id", "state")
        )
        peers = [
            (pk, Peer(str(public_id), category, str(unit_id), state))
            for pk, public_id, category, unit_id, state in rows
        ]
    return CachedContext(
        generation,
        people,
        usccs,
        attachment_rows([application.pk]).get(application.pk, []),
        peers,
        load_registries(
            application.call.spec.filing.opens.date(),
            list(people),
            list(usccs),
            [partner.name for partner in snapshot.implied_partners],
        ),
    )


def context(application: Application, snapshot: Snapshot) -> tuple[CachedContext, ReviewContext]:
    key = _key(application.pk)
    people = tuple(sorted({person.id_number for person in snapshot.people if person.id_number}))
    usccs = tuple(sorted(snapshot.usccs))
    found = cache.get_many([_GENERATION, key])  # one round trip: the generation and the context
    generation = _current_generation(found)
    cached = found.get(key)
    if cached is None or (cached.generation, cached.people, cached.usccs) != (generation, people, usccs):
        cached = _load(application, snapshot, generation, people, usccs)
        cache.set(key, cached, LIFETIME_SECONDS)
    by_pi = {}
    if snapshot.pi_id.number:
        by_pi[snapshot.pi_id.number] = [peer for _, peer in cached.peers]
    review_context = ReviewContext(
        application.call.spec,
        cached.registries,
        applications_by_pi=by_pi,
        units={snapshot.key: str(application.unit_id)},
        audience=APPLICANT,  # the live panel is the applicant's: nothing of other units
    )
    return cached, review_context


def findings(application: Application) -> list[Finding]:
    """The findings of the document as it is now; usually without a query (see the module's note)."""
    snapshot = Snapshot(application.data, str(application.public_id))
    cached, review_context = context(application, snapshot)
    return review(snapshot.with_attachments(cached.files), review_context)


def forget(*pks: int) -> None:
    cache.delete_many([_key(pk) for pk in pks])


def forget_peers(application: Application) -> None:
    """The PI's other applications read this one's category: make them read it again."""
    cached = cache.get(_key(application.pk))
    if cached is not None:
        forget(*(pk for pk, _ in cached.peers))
    elif application.pi_id_number:
        forget(
            *Application.objects.filter(call_id=application.call_id, pi_id_number=application.pi_id_number)
            .exclude(pk=application.pk)
            .values_list("pk", flat=True)
        )


@receiver(post_save, sender=Attachment)
@receiver(post_delete, sender=Attachment)
def _attachments_changed(instance, **kwargs):
    forget(instance.application_id)


@receiver(post_save, sender=DishonestyRecord)
@receiver(post_delete, sender=DishonestyRecord)
@receiver(post_save, sender=OngoingProjectRecord)
@receiver(post_delete, sender=OngoingProjectRecord)
def registries_changed(**kwargs):
    """Every cached context is forgotten at once (a new generation)."""
    cache.set(_GENERATION, uuid.uuid4().hex, None)


@receiver(post_save, sender=Application)
def _application_saved(instance, created, **kwargs):
    forget(instance.pk)
    if created:
        forget_peers(instance)
