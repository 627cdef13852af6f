"""Reading the registries into the plain structure the rules are handed: a fixed number of queries
whatever the number of applications."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from .context import OngoingProject, Registries
from .models import DishonestyRecord, OngoingProjectRecord


def load_registries(today: dt.date, id_numbers: list[str] | None = None, usccs: list[str] | None = None) -> Registries:
    """The registries in force on `today`. For one application (a form save, a submit) pass the PIs'
    `id_numbers` and the units' `usccs`, so only their rows are read; None reads everything (a batch)."""
    ongoing = OngoingProjectRecord.objects.filter(Q(until__isnull=True) | Q(until__gte=today))
    if id_numbers is not None:
        ongoing = ongoing.filter(id_number__in=id_numbers)
    by_id: dict[str, list[OngoingProject]] = defaultdict(list)
    for row in ongoing.values_list("id_number", "plan", "project_type", "code", "until"):
        by_id[row[0]].append(OngoingProject(*row[1:]))
    active = DishonestyRecord.objects.filter(Q(until__isnull=True) | Q(until__gte=today))
    if id_numbers is not None or usccs is not None:
        active = active.filter(identifier__in=[*(id_numbers or ()), *(usccs or ())])
    people, units = set(), set()
    for kind, identifier in active.values_list("kind", "identifier"):
        (people if kind == DishonestyRecord.Kind.PERSON else units).add(identifier.upper())
    return Registries(dict(by_id), frozenset(people), frozenset(units))
