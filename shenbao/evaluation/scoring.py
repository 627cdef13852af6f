"""Scores as pure functions of the call file's criteria: checking a sheet, its weighted total, and
the aggregation of an application's sheets (mean, trimmed mean, spread)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from shenbao.calls.spec import Criterion, ReviewSpec

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def parse_score(value) -> Decimal | None:
    """A posted score, or None when it is blank or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def sheet_problems(criteria: Sequence[Criterion], scores: dict, comments: dict) -> list[tuple[str, str]]:
    """Why a sheet cannot be submitted, as (field, Chinese message) pairs; empty when it can."""
    problems = []
    for criterion in criteria:
        score = parse_score(scores.get(criterion.code))
        field = f"scores.{criterion.code}"
        if score is None:
            problems.append(
                (
                    field,
                    _("“%(name)s”：请填写%(min)s-%(max)s分的分数。")
                    % {"name": criterion.name, "min": criterion.min, "max": criterion.max},
                )
            )
        elif not criterion.min <= score <= criterion.max:
            problems.append(
                (
                    field,
                    _("“%(name)s”：分数须在%(min)s-%(max)s之间，现为%(score)s。")
                    % {"name": criterion.name, "min": criterion.min, "max": criterion.max, "score": score},
                )
            )
        elif score < criterion.comment_below and not str(comments.get(criterion.code) or "").strip():
            problems.append(
                (
                    f"comments.{criterion.code}",
                    _("“%(name)s”：低于%(comment_below)s分须填写评审意见。")
                    % {"name": criterion.name, "comment_below": criterion.comment_below},
                )
            )
    return problems


def weighted_total(criteria: Sequence[Criterion], scores: dict) -> Decimal | None:
    """The sheet's total on a 100-point scale: Σ weight × (score − min) / (max − min) × 100."""
    total = Decimal(0)
    for criterion in criteria:
        score = parse_score(scores.get(criterion.code))
        if score is None:
            return None
        total += criterion.weight * (score - criterion.min) / (criterion.max - criterion.min) * HUNDRED
    return total.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Aggregate:
    count: int
    mean: Decimal | None
    trimmed_mean: Decimal | None  # only with at least trimmed_mean_min_scores sheets
    spread: Decimal | None
    flagged: bool  # spread above the call's threshold

    @property
    def score(self) -> Decimal | None:
        """The score that ranks: the trimmed mean where there is one, else the mean."""
        return self.trimmed_mean if self.trimmed_mean is not None else self.mean


EMPTY = Aggregate(0, None, None, None, False)


def aggregate(totals: Iterable[Decimal], review: ReviewSpec) -> Aggregate:
    values = sorted(totals)
    if not values:
        return EMPTY
    mean = (sum(values) / len(values)).quantize(CENT, ROUND_HALF_UP)
    trimmed = None
    if len(values) >= review.trimmed_mean_min_scores:
        middle = values[1:-1]
        trimmed = (sum(middle) / len(middle)).quantize(CENT, ROUND_HALF_UP)
    spread = values[-1] - values[0]
    return Aggregate(len(values), mean, trimmed, spread, spread > review.spread_flag)
