"""What a message needs besides `gettext` to read well in the language a person chose: the guide's
clause numbers, dates and amounts of money.

Chinese (zh-hans) is the source language and the default; English is the one translation
(`locale/en/LC_MESSAGES/django.po`, docs/i18n.md). A message is built in the language active when it
is built, so the rules, the services and the pages call these as they call `gettext`.
"""

import datetime as dt
import re
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import translation
from django.utils.functional import lazy

_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMBER = re.compile("[一二三四五六七八九十]+")
# 一, 二(二), 一(三)8, 二(一)3: a part, a section in brackets, an item; several joined by 、
_CLAUSE = re.compile(
    r"^[一二三四五六七八九十]+(\([一二三四五六七八九十]+\)\d*)?(、[一二三四五六七八九十]+(\([一二三四五六七八九十]+\)\d*)?)*$"
)


# Inside `steady()`: whether the language is Chinese, read once. Django's get_language and gettext look
# the active language up in a thread/async-local on every call; the formal review builds some twenty
# messages and labels per application, and over a whole call those look-ups were a third of its time.
_steady_chinese: ContextVar[bool | None] = ContextVar("steady_chinese", default=None)


def _active_is_chinese() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def chinese() -> bool:
    """Whether the active language is Chinese (also when no language is active: the default)."""
    steady = _steady_chinese.get()
    return _active_is_chinese() if steady is None else steady


def memo_key() -> str:
    """The active language as part of a memo's key, for messages remembered per language."""
    return "zh-hans" if chinese() else translation.get_language()


@contextmanager
def steady():
    """For code that builds many messages and does not switch language midway (one formal review): the
    active language is read once at the start. Nested blocks keep the outer reading."""
    if _steady_chinese.get() is not None:
        yield
        return
    token = _steady_chinese.set(_active_is_chinese())
    try:
        yield
    finally:
        _steady_chinese.reset(token)


def gettext(message: str) -> str:
    """Django's gettext, except that Chinese, the source language, returns the message as it is
    without a catalogue look-up (shenbao has no zh-hans catalogue: its messages are written in Chinese;
    a test checks that Django's own zh-hans catalogue translates none of them)."""
    if chinese():
        return message
    return translation.gettext(message)


# Lazy, for labels defined at import time (makemessages reads `gettext_lazy` as Django's).
gettext_lazy = lazy(gettext, str)


def _arabic(numeral: str) -> str:
    """一 → 1, 十二 → 12, 二十 → 20 (the guide's parts and sections never go further)."""
    if numeral.startswith("十"):
        return str(10 + _NUMERALS.get(numeral[1:], 0))
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return str(_NUMERALS[tens] * 10 + _NUMERALS.get(ones, 0))
    return str(_NUMERALS[numeral])


def cite(clause: str) -> str:
    """A clause of the guide as a reader of the active language finds it: 一(三)8 in Chinese,
    "guide 1(3)8" in English (part 1, section (3), item 8 of the call's guide)."""
    if chinese() or not clause or not _CLAUSE.match(clause):
        return clause  # not a clause of the guide (e.g. a regulation's number): as it is
    return "guide " + _NUMBER.sub(lambda m: _arabic(m.group()), clause.replace("、", ", "))


def day(value: dt.date) -> str:
    """2025年11月14日, or 2025-11-14."""
    return f"{value:%Y年%m月%d日}" if chinese() else value.isoformat()


def moment(value: dt.datetime) -> str:
    """2025年11月14日 16:00, or 2025-11-14 16:00 (the caller gives the time in the call's zone)."""
    return f"{value:%Y年%m月%d日 %H:%M}" if chinese() else f"{value:%Y-%m-%d %H:%M}"


def yuan(amount: int | float | Decimal) -> str:
    """Money with thousands separators, always (never 1e+06): 1,000,000元 / 1,000,000.50元, or
    CNY 1,000,000 in English."""
    if amount.__class__ is int:  # the usual case
        number = f"{amount:,}"
    else:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        number = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{number}元" if chinese() else f"CNY {number}"


def join(items) -> str:
    """A list in a sentence: 甲、乙、丙, or "a, b, c"."""
    return ("、" if chinese() else ", ").join(str(item) for item in items)


@contextmanager
def system_language():
    """What is stored or sent for someone else to read (an inbox note, an e-mail) is written in the
    system's language, Chinese, whoever's click sends it: the reader's choice is not known then."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
