"""The [review] table of the call file: every number of the department's stage, validated."""

import tomllib

import pytest

from conftest import CALL_FILE
from shenbao.calls.spec import CallFileError, parse_call, read_call_file


def _data():
    return tomllib.loads(CALL_FILE.read_text(encoding="utf-8"))


def test_the_2026_call_file_holds_the_numbers_of_the_department_stage():
    review = read_call_file(CALL_FILE)[0].review
    assert review.avoid_experts_max == 3
    assert review.experts_per_application == 5 and review.max_applications_per_expert == 20
    assert review.appeal_days == 15 and review.publicity_days == 5 and review.acceptance_days == 30
    assert review.trimmed_mean_min_scores == 5
    assert [c.name for c in review.criteria] == ["创新性", "合作基础", "技术路线可行性", "预期成果与效益", "经费合理性"]
    assert sum(c.weight for c in review.criteria) == 1
    assert review.objection_phone


def test_a_call_file_without_a_review_table_still_loads_without_the_department_stage():
    data = _data()
    del data["review"]
    assert parse_call(data).review is None


@pytest.mark.parametrize(
    "change, key",
    [
        (lambda r: r["criteria"][0].update(weight=0.5), "review.criteria"),
        (lambda r: r["criteria"][0].update(max=0), "review.criteria[0].max"),
        (lambda r: r["criteria"][0].update(comment_below=11), "review.criteria[0].comment_below"),
        (lambda r: r["criteria"][1].update(code="innovation"), "review.criteria"),
        (lambda r: r.update(experts_per_application=0), "review.experts_per_application"),
        (lambda r: r.update(spread_flag="20"), "review.spread_flag"),
        (lambda r: r.pop("publicity_days"), "review.publicity_days"),
        (lambda r: r.update(trimmed_mean_min_scores=2), "review.trimmed_mean_min_scores"),
    ],
)
def test_a_bad_review_table_is_reported_with_its_key(change, key):
    data = _data()
    change(data["review"])
    with pytest.raises(CallFileError) as error:
        parse_call(data, "test.toml")
    assert error.value.key == key
