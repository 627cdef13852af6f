"""The formal review's findings, stored with each application instead of recomputed on every view.

Findings are stored for a version of the document (`findings_version`). They go stale when
- the document changes: every save increments `version`;
- its attachments change, a registry row changes, or another application of the same PI is submitted
  (these mark them stale here: `findings_version = 0`). A registry imported in bulk sends no signals:
  `current` notices it by the registries' row counts.
Whoever reads findings (the queues, a page at a time; the formal-review page) calls `current`, which
reviews only the stale ones, in a fixed number of queries, and stores the result.
Submission stores the findings it has just computed.
"""

from django.core.cache import cache
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shenbao.attachments.models import Attachment
from shenbao.language import chinese, system_language
from shenbao.rules.batch import review_applications
from shenbao.rules.findings import BLOCKING, Finding, Severity
from shenbao.rules.models import DishonestyRecord, OngoingProjectRecord

from . import live_review
from .models import Application

STORED_FIELDS = ["findings", "bars", "warnings", "findings_version"]
_STAMP = "findings:registries-stamp"


def store(application: Application, findings: list[Finding]) -> None:
    """Put the findings of the application's current version on it (the caller saves)."""
    application.findings = [f.as_dict() for f in findings]
    application.bars = sum(f.severity in BLOCKING for f in findings)  # a breach, or still 未填写
    application.warnings = sum(f.severity == Severity.WARNING for f in findings)
    application.findings_version = application.version


def of(application: Application) -> list[Finding]:
    """The stored findings as the rules gave them (in the system's language, Chinese)."""
    return [
        Finding(f["code"], Severity(f["severity"]), f["field"], f["clause"], f["message"])
        for f in application.findings or []
    ]


def _registries_stamp() -> tuple:
    """What the registries hold, roughly: rows added or removed in bulk (an import sends no signals)
    change it."""
    return tuple(
        tuple(model.objects.aggregate(count=Count("id"), last=Max("id")).values())
        for model in (DishonestyRecord, OngoingProjectRecord)
    )


def _registries_imported() -> bool:
    """Whether the registries changed since the last look (then every stored finding is stale)."""
    stamp = _registries_stamp()
    known = cache.get(_STAMP)
    if known != stamp:
        cache.set(_STAMP, stamp, None)
    if known is not None and known != stamp:
        _registries_changed()
        return True
    return False


def current(applications: list[Application]) -> list[Application]:
    """The applications with findings for their current version: stale ones are reviewed and stored."""
    if not applications:
        return applications
    everything = _registries_imported()
    stale = [a.pk for a in applications if everything or a.findings_version != a.version]
    if not stale:
        return applications
    fresh = list(Application.objects.filter(pk__in=stale).select_related("call"))
    with system_language():  # stored: the same text for every reader, the API and the reports
        results = review_applications(fresh)
    for application in fresh:
        store(application, results[application.pk])
    Application.objects.bulk_update(fresh, STORED_FIELDS)
    by_pk = {a.pk: a for a in fresh}
    for application in applications:
        if application.pk in by_pk:
            for name in STORED_FIELDS:
                setattr(application, name, getattr(by_pk[application.pk], name))
    return applications


def for_reader(application: Application) -> list[Finding]:
    """The application's findings in the reader's language: the stored ones (reviewed only if stale)
    for a Chinese reader; the same review run afresh in another language, since stored messages are
    Chinese."""
    if chinese():
        return of(current([application])[0])
    return review_applications([application])[application.pk]


def mark_stale(applications) -> None:
    """A queryset of applications whose stored findings no longer hold."""
    applications.exclude(findings_version=0).update(findings_version=0)


def mark_peers_stale(application: Application) -> None:
    """The PI's other applications of the call count this one (一(二)1: one application per PI)."""
    if application.pi_id_number:
        mark_stale(
            Application.objects.filter(call_id=application.call_id, pi_id_number=application.pi_id_number).exclude(
                pk=application.pk
            )
        )


@receiver(post_save, sender=Attachment)
@receiver(post_delete, sender=Attachment)
def _attachments_changed(instance, **kwargs):
    mark_stale(Application.objects.filter(pk=instance.application_id))


@receiver(post_save, sender=DishonestyRecord)
@receiver(post_delete, sender=DishonestyRecord)
@receiver(post_save, sender=OngoingProjectRecord)
@receiver(post_delete, sender=OngoingProjectRecord)
def _registries_changed(**kwargs):
    mark_stale(Application.objects.all())
    live_review.registries_changed()
