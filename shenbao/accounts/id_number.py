"""居民身份证号码 (GB 11643-1999): the check digit and the birth date decide validity.

Never reject a number for its address code: codes are renamed and abolished and old numbers stay
valid, so python-stdnum's full `validate` (which looks the place up) would refuse real people.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from stdnum.cn.ric import calc_check_digit

from shenbao import language, normalise
from shenbao.parsing import is_index


@dataclass(frozen=True)
class IdNumberCheck:
    number: str
    error: str = ""
    birth_date: dt.date | None = None
    sex: str = ""  # "male" / "female", from the 17th digit (odd = male)

    @property
    def is_valid(self) -> bool:
        return not self.error


def check_digit(body: str) -> str:
    """The 18th character for 17 digits. stdnum's helper takes a whole number and ignores its last
    character, so it is handed the body with a placeholder."""
    return calc_check_digit(body + "0")


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years of age on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_id_number(raw: str, today: dt.date | None = None) -> IdNumberCheck:
    """The number's check, its error in the active language (remembered per language)."""
    return _check(raw, today, language.memo_key())


@lru_cache(maxsize=65536)
def _check(raw: str, today: dt.date | None, language: str | None) -> IdNumberCheck:
    number = normalise.code(raw)  # full-width digits, spaces, a lower-case x: the same number
    if len(number) != 18:
        return IdNumberCheck(number, _("身份证号应为18位，当前为%(count)s位（GB 11643-1999）") % {"count": len(number)})
    if not is_index(number[:17]) or not (is_index(number[17]) or number[17] == "X"):  # ASCII, not ² or １
        return IdNumberCheck(number, _("身份证号前17位应为数字，第18位为数字或X（GB 11643-1999）"))
    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return IdNumberCheck(
            number, _("身份证号第7-14位出生日期“%(number)s”不是有效日期（GB 11643-1999）") % {"number": number[6:14]}
        )
    if birth_date.year < 1900 or (today is not None and birth_date > today):
        return IdNumberCheck(
            number,
            _("身份证号中的出生日期%(isoformat)s不合理（GB 11643-1999）") % {"isoformat": birth_date.isoformat()},
        )
    expected = check_digit(number[:17])
    if number[17] != expected:
        return IdNumberCheck(
            number,
            _("身份证号校验码不正确：第18位应为“%(expected)s”，当前为“%(number)s”（GB 11643-1999）")
            % {"expected": expected, "number": number[17]},
        )
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return IdNumberCheck(number, birth_date=birth_date, sex=sex)


check_id_number.cache_clear = _check.cache_clear  # for benchmarks that measure a cold cache
