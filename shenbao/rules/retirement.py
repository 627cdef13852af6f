"""Statutory retirement dates under China's gradual-retirement reform (全国人民代表大会常务委员会关于实施
渐进式延迟法定退休年龄的决定, 2024-09-13, in force 2025-01-01, and its annexed tables).

- men: 60, delayed by one month for every four months of birth from January 1965, up to 63;
- women in cadre or professional-technical posts: 55, one month per four months from January 1970, up to 58;
- women workers: 50, one month per two months from January 1975, up to 55.
People born before the reform's first month keep the original age.
"""

import datetime as dt
from dataclasses import dataclass

MALE, FEMALE = "male", "female"
# Position types of the application form; only women's retirement age depends on them.
CADRE_OR_TECHNICAL = ("professional_technical", "cadre")
WORKER = "worker"


@dataclass(frozen=True)
class Schedule:
    base_years: int
    first_birth_year: int  # the reform starts with people born in January of this year
    months_per_step: int  # every this many birth months, one more month of delay
    max_delay_months: int


SCHEDULES = {
    "male": Schedule(60, 1965, 4, 36),
    "female_cadre": Schedule(55, 1970, 4, 36),
    "female_worker": Schedule(50, 1975, 2, 60),
}


def schedule_for(sex: str, position_type: str) -> Schedule:
    if sex == MALE:
        return SCHEDULES["male"]
    return SCHEDULES["female_worker" if position_type == WORKER else "female_cadre"]


def delay_months(birth: dt.date, schedule: Schedule) -> int:
    months_since_start = (birth.year - schedule.first_birth_year) * 12 + birth.month - 1
    if months_since_start < 0:
        return 0
    return min(schedule.max_delay_months, months_since_start // schedule.months_per_step + 1)


def retirement_age_months(birth: dt.date, sex: str, position_type: str = "") -> int:
    schedule = schedule_for(sex, position_type)
    return schedule.base_years * 12 + delay_months(birth, schedule)


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    if day.day <= 28:
        return dt.date(year, month, day.day)
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (first_of_next - dt.timedelta(days=1)).day))


def retirement_date(birth: dt.date, sex: str, position_type: str = "") -> dt.date:
    """The day the person reaches statutory retirement age."""
    return _add_months(birth, retirement_age_months(birth, sex, position_type))
