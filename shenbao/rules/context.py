"""What the rules are handed besides the application: the call, the registries, the other
applications of the call. Built once per batch, so the rules never query the database."""

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

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
    key: str = ""  # the other application's key ("" or "funded-…" for an earlier funded project)
    unit: str | None = None  # the other application's unit; None for a funded project


# Who reads the findings decides what they may say about other units' applications (issue #8):
# department staff see everything; a unit (its admin, its recommender) sees that a case exists but
# never another unit's title, category or state; an applicant sees nothing of other units at all.
DEPARTMENT, UNIT, APPLICANT = "department", "unit", "applicant"

# Which other applications of the call the cross-application rules count (一(二)3 one category per
# PI, 一(三)7 no multiple submission). A draft belongs to its author, and so does an application sent
# back to it: neither counts. Within the application's own unit, what was submitted to the unit counts
# (the unit sees it anyway); from another unit only what that unit has submitted onward to its
# recommender (已报送, 已推荐). 不予推荐 is out of the running and counts no more.
PEER_STATES_SAME_UNIT = frozenset({"submitted", "unit_approved", "sealed", "to_recommender", "recommended"})
PEER_STATES_OTHER_UNIT = frozenset({"to_recommender", "recommended"})


def counts_as_peer(state: str, *, same_unit: bool) -> bool:
    return state in (PEER_STATES_SAME_UNIT if same_unit else PEER_STATES_OTHER_UNIT)


class Peer(NamedTuple):
    """Another application of the call by the same PI."""

    key: str
    category: str
    unit: str
    state: str
    title: str = ""  # shown to department staff only
    unit_name: str = ""
    state_label: str = ""


@dataclass
class Registries:
    """The regional registries the rules consult (一(二)3, 一(四)1)."""

    ongoing_by_id_number: dict[str, list[OngoingProject]] = field(default_factory=dict)
    dishonest_id_numbers: frozenset[str] = frozenset()  # normalised (shenbao.normalise.code)
    dishonest_usccs: frozenset[str] = frozenset()  # normalised
    dishonest_unit_names: frozenset[str] = frozenset()  # normalise.text: for units a document names without a code


@dataclass
class ReviewContext:
    spec: CallSpec
    registries: Registries = field(default_factory=Registries)
    # PI id number → the applications of the call with that PI (the reviewed ones included); the
    # rules count only those `counts_as_peer` admits.
    applications_by_pi: dict[str, list[Peer]] = field(default_factory=dict)
    # Application key → near-duplicates found for it (一(三)7), already limited to those that count.
    similar: dict[str, list[Similar]] = field(default_factory=dict)
    # Application key → its unit, for the applications reviewed.
    units: dict[str, str] = field(default_factory=dict)
    audience: str = UNIT
