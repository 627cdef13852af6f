"""统一社会信用代码 (GB 32100-2015): the standard's checks, and no stricter.

python-stdnum's full `validate` refuses codes whose first characters are letters (registering
department Y 其他, A 中央军委 …), which the standard allows; we compute only the check character.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from shenbao import language
from shenbao import normalise as _normalise
from shenbao.parsing import is_index

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {character: value for value, character in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Character 1 (registering department) + character 2 (entity type) pairs that mean 机关:
# 1 机构编制 / 1 机关. The standard has no other 机关 pair.
GOVERNMENT_ORGAN_PREFIXES = ("11",)


@dataclass(frozen=True)
class UsccCheck:
    code: str
    error: str = ""  # a Chinese sentence when the code is not a valid USCC
    is_government_organ: bool = False
    division_code: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.error


def normalise(raw: str) -> str:
    """Full-width letters, spaces and hyphens are the same code (shenbao.normalise.code)."""
    return _normalise.code(raw)


def check_character(body: str) -> str:
    """The 18th character (GB 32100-2015 mod 31) of 17 valid characters.

    The same computation as python-stdnum's `calc_check_digit`, which re-cleans its input on every
    call and costs ten times as much; the formal review runs this for every unit of every
    application. A test holds the two equal."""
    return ALPHABET[(31 - sum(_VALUE[c] * w for c, w in zip(body, _WEIGHTS, strict=True))) % 31]


# Pure and often repeated (a unit appears in many applications of a call): worth remembering.
_WELL_FORMED = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def check_uscc(raw: str) -> UsccCheck:
    """The code's check, its error in the active language (remembered per language)."""
    return _check(raw, language.memo_key())


@lru_cache(maxsize=65536)
def _check(raw: str, language: str | None) -> UsccCheck:
    code = raw if _WELL_FORMED.fullmatch(raw or "") else normalise(raw or "")
    if len(code) != 18:
        return UsccCheck(code, _("统一社会信用代码应为18位，当前为%(count)s位（GB 32100-2015）") % {"count": len(code)})
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return UsccCheck(
            code,
            _("统一社会信用代码含有不允许的字符“%(bad)s”（只能是数字和除I、O、Z、S、V以外的大写字母，GB 32100-2015）")
            % {"bad": bad[0]},
        )
    if not is_index(code[2:8]):
        return UsccCheck(code, _("统一社会信用代码第3-8位应为登记管理机关行政区划码（6位数字，GB 32100-2015）"))
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccCheck(
            code,
            _("统一社会信用代码校验位不正确：第18位应为“%(expected)s”，当前为“%(code)s”（GB 32100-2015）")
            % {"expected": expected, "code": code[17]},
        )
    return UsccCheck(
        code,
        is_government_organ=code[:2] in GOVERNMENT_ORGAN_PREFIXES,
        division_code=code[2:8],
    )


check_uscc.cache_clear = _check.cache_clear  # for benchmarks that measure a cold cache


def shaped_like_uscc(text: str) -> bool:
    """18 characters of the code's alphabet, whatever the check character: such usernames are reserved
    for unit admins, whose username is their unit's code, so no other account can stand in for one."""
    text = (text or "").strip().upper()
    return len(text) == 18 and all(c in ALPHABET for c in text)
