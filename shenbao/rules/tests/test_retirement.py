"""Statutory retirement under the 2025 gradual-retirement decision, against its annexed tables."""

import datetime as dt

import pytest

from shenbao.rules.retirement import retirement_age_months, retirement_date


def _ym(years, months=0):
    return years * 12 + months


@pytest.mark.parametrize(
    ("born", "age", "retires"),
    [
        ((1964, 12), _ym(60), (2024, 12)),  # before the reform: 60
        ((1965, 1), _ym(60, 1), (2025, 2)),  # first month of the reform
        ((1965, 4), _ym(60, 1), (2025, 5)),  # same four-month step
        ((1965, 5), _ym(60, 2), (2025, 7)),  # next step
        ((1966, 9), _ym(60, 6), (2027, 3)),
        ((1976, 8), _ym(62, 11), (2039, 7)),
        ((1976, 9), _ym(63), (2039, 9)),  # the cap is reached
        ((1990, 1), _ym(63), (2053, 1)),
    ],
)
def test_a_mans_retirement_follows_the_table(born, age, retires):
    birth = dt.date(*born, 15)
    assert retirement_age_months(birth, "male") == age
    day = retirement_date(birth, "male")
    assert (day.year, day.month) == retires


@pytest.mark.parametrize("position", ["professional_technical", "cadre"])
@pytest.mark.parametrize(
    ("born", "age", "retires"),
    [
        ((1969, 12), _ym(55), (2024, 12)),
        ((1970, 1), _ym(55, 1), (2025, 2)),
        ((1970, 5), _ym(55, 2), (2025, 7)),
        ((1981, 8), _ym(57, 11), (2039, 7)),
        ((1981, 9), _ym(58), (2039, 9)),
    ],
)
def test_a_woman_in_a_cadre_or_technical_post_retires_from_55_to_58(born, age, retires, position):
    birth = dt.date(*born, 1)
    assert retirement_age_months(birth, "female", position) == age
    day = retirement_date(birth, "female", position)
    assert (day.year, day.month) == retires


@pytest.mark.parametrize(
    ("born", "age", "retires"),
    [
        ((1974, 12), _ym(50), (2024, 12)),
        ((1975, 1), _ym(50, 1), (2025, 2)),
        ((1975, 2), _ym(50, 1), (2025, 3)),
        ((1975, 3), _ym(50, 2), (2025, 5)),
        ((1984, 10), _ym(54, 11), (2039, 9)),
        ((1984, 11), _ym(55), (2039, 11)),
    ],
)
def test_a_woman_worker_retires_from_50_to_55_one_month_per_two(born, age, retires):
    birth = dt.date(*born, 10)
    assert retirement_age_months(birth, "female", "worker") == age
    day = retirement_date(birth, "female", "worker")
    assert (day.year, day.month) == retires


def test_a_birthday_on_the_31st_retires_on_the_last_day_of_a_shorter_month():
    # 60 years and 1 month after 1965-01-31 is February 2025, which has 28 days.
    assert retirement_date(dt.date(1965, 1, 31), "male") == dt.date(2025, 2, 28)
