"""Reading the registries into the plain structure the rules are handed: a fixed number of queries
whatever the number of applications."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from shenbao import normalise

from .context import OngoingProject, Registries
from .models import DishonestyRecord, OngoingProjectRecord


def load_registries(
    today: dt.date,
    id_numbers: list[str] | None = None,
    usccs: list[str] | None = None,
    unit_names: list[str] | None = None,
) -> Registries:
    """The registries in force on `today`. For one application (a form save, a submit) pass the ID
    numbers of its people, its units' `usccs` and the names of units it names without a code, so only
    their rows are read; None reads everything (a batch). Rows are stored normalised (models.py)."""
    ongoing = OngoingProjectRecord.objects.filter(Q(until__isnull=True) | Q(until__gte=today))
    if id_numbers is not None:
        ongoing = ongoing.filter(id_number__in=[normalise.code(n) for n in id_numbers])
    by_id: dict[str, list[OngoingProject]] = defaultdict(list)
    for row in ongoing.values_list("id_number", "plan", "project_type", "code", "until"):
        by_id[normalise.code(row[0])].append(OngoingProject(*row[1:]))
    active = DishonestyRecord.objects.filter(Q(until__isnull=True) | Q(until__gte=today))
    if id_numbers is not None or usccs is not None or unit_names is not None:
        codes = [normalise.code(c) for c in (*(id_numbers or ()), *(usccs or ()))]
        names = [normalise.text(n) for n in unit_names or ()]
        active = active.filter(Q(identifier__in=codes) | Q(kind=DishonestyRecord.Kind.UNIT, name_key__in=names))
    people, units, names = set(), set(), set()
    for kind, identifier, name_key in active.values_list("kind", "identifier", "name_key"):
        if kind == DishonestyRecord.Kind.PERSON:
            people.add(normalise.code(identifier))
        else:
            units.add(normalise.code(identifier))
            if name_key:
                names.add(name_key)
    return Registries(dict(by_id), frozenset(people), frozenset(units), frozenset(names))
