"""Snapshots of every hand-over (to the unit, to the recommender), taken where the state changes.

The flow's transitions live in `applications.services` and `review.services`; rather than touch each,
one receiver keeps a snapshot whenever an application is saved in a handed-over state and none exists
yet for its current version. A resubmission without edits keeps the version and so the snapshot."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from shenbao.applications.models import Application

from .models import Snapshot

HANDOVERS = {
    Application.State.SUBMITTED: Snapshot.Kind.TO_UNIT,
    Application.State.SUBMITTED_TO_RECOMMENDER: Snapshot.Kind.TO_RECOMMENDER,
}


@receiver(post_save, sender=Application, dispatch_uid="evaluation.snapshot_on_handover")
def snapshot_on_handover(sender, instance: Application, raw=False, **kwargs):
    kind = HANDOVERS.get(instance.state)
    if raw or kind is None:
        return
    if not Snapshot.objects.filter(application=instance, kind=kind, version=instance.version).exists():
        Snapshot.objects.create(
            application=instance,
            kind=kind,
            version=instance.version,
            data=instance.data,
            sealed_pdf=instance.sealed_pdf.name if instance.sealed_pdf else "",
        )
