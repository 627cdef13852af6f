"""Scores from the call file's criteria: a sheet's checks and weighted total, and the aggregation
(mean, trimmed mean from 5 scores, spread flag)."""

from decimal import Decimal

import pytest

from conftest import CALL_FILE
from shenbao.calls.spec import read_call_file
from shenbao.evaluation.scoring import aggregate, sheet_problems, weighted_total

REVIEW = read_call_file(CALL_FILE)[0].review
CRITERIA = REVIEW.criteria
ALL_EIGHT = {c.code: "8" for c in CRITERIA}


def test_the_weighted_total_is_on_a_100_point_scale():
    assert weighted_total(CRITERIA, {c.code: "10" for c in CRITERIA}) == Decimal("100.00")
    assert weighted_total(CRITERIA, ALL_EIGHT) == Decimal("80.00")
    # 创新性 weighs 0.25: 10 there and 0 elsewhere is 25 points.
    assert weighted_total(CRITERIA, {**{c.code: "0" for c in CRITERIA}, "innovation": "10"}) == Decimal("25.00")


def test_a_complete_sheet_within_range_has_no_problem():
    assert sheet_problems(CRITERIA, ALL_EIGHT, {}) == []


def test_a_missing_score_names_the_criterion():
    problems = sheet_problems(CRITERIA, {**ALL_EIGHT, "feasibility": ""}, {})
    assert problems == [("scores.feasibility", "“技术路线可行性”：请填写0-10分的分数。")]


def test_a_score_out_of_range_is_refused_with_the_range():
    ((field, message),) = sheet_problems(CRITERIA, {**ALL_EIGHT, "innovation": "11"}, {})
    assert field == "scores.innovation" and "0-10" in message and "11" in message


def test_a_score_below_the_threshold_needs_a_comment():
    ((field, message),) = sheet_problems(CRITERIA, {**ALL_EIGHT, "budget": "5"}, {})
    assert field == "comments.budget" and "低于6分须填写评审意见" in message
    assert sheet_problems(CRITERIA, {**ALL_EIGHT, "budget": "5"}, {"budget": "预算偏高"}) == []


def test_text_that_is_not_a_number_is_not_a_score():
    assert sheet_problems(CRITERIA, {**ALL_EIGHT, "outcomes": "很好"}, {})[0][0] == "scores.outcomes"
    assert weighted_total(CRITERIA, {**ALL_EIGHT, "outcomes": "NaN"}) is None


def test_with_fewer_than_five_scores_there_is_no_trimmed_mean():
    result = aggregate([Decimal(80), Decimal(70), Decimal(90), Decimal(60)], REVIEW)
    assert result.mean == Decimal("75.00") and result.trimmed_mean is None and result.score == result.mean


def test_with_five_scores_the_highest_and_lowest_are_dropped():
    result = aggregate([Decimal(v) for v in (80, 70, 90, 60, 100)], REVIEW)
    assert result.mean == Decimal("80.00") and result.trimmed_mean == Decimal("80.00")
    result = aggregate([Decimal(v) for v in (80, 81, 82, 20, 99)], REVIEW)
    assert result.trimmed_mean == Decimal("81.00") and result.score == Decimal("81.00")


@pytest.mark.parametrize("values, flagged", [((80, 100), False), ((79, 100), True)])
def test_a_spread_above_the_call_files_threshold_is_flagged(values, flagged):
    result = aggregate([Decimal(v) for v in values], REVIEW)
    assert result.spread == Decimal(values[1] - values[0]) and result.flagged is flagged


def test_no_scores_aggregate_to_nothing():
    assert aggregate([], REVIEW).score is None
