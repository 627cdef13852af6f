"""What the rules are handed besides the application: the call, the registries, the other
applications of the call. Built once per batch, so the rules never query the database."""

import datetime as dt
from dataclasses import dataclass, field

from shenbao.calls.spec import CallSpec


@dataclass(frozen=True)
class OngoingProject:
    plan: str
    type: str
    code: str
    until: dt.date | None


@dataclass(frozen=True)
class Similar:
    """An application or funded project whose title and abstract are close to this one's."""

    title: str
    source: str  # "本批次申报书" or "已立项项目（2024）"
    score: float


@dataclass
class Registries:
    """The regional registries the rules consult (一(二)3, 一(四)1)."""

    ongoing_by_id_number: dict[str, list[OngoingProject]] = field(default_factory=dict)
    dishonest_id_numbers: frozenset[str] = frozenset()
    dishonest_usccs: frozenset[str] = frozenset()


@dataclass
class ReviewContext:
    spec: CallSpec
    registries: Registries = field(default_factory=Registries)
    # PI id number → [(application key, category)] of every application of the call.
    applications_by_pi: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Application key → near-duplicates found for it (一(三)7).
    similar: dict[str, list[Similar]] = field(default_factory=dict)
