"""One spelling for every code, ID, type and name that arrives from forms, files and the API.

A 身份证号 in full-width digits, a 统一社会信用代码 in full-width letters or written with a hyphen, a
课题 leader's ID with a trailing space, a unit type in traditional characters (政府機關) or a
cooperation form with a trailing space are the same values as their plain spellings (SPEC §3).
Every comparison of such values goes through `code` or `text`; nothing compares raw input.

- `code`: Unicode NFKC (full-width → ASCII), no whitespace, no dashes, upper case — 身份证号, 统一社会信用代码,
  division codes, registry project codes.
- `text`: NFKC, traditional → simplified characters (OpenCC), trimmed, inner runs of whitespace as
  one space, case-folded — unit types, names, plan and project types, forms, categories.

Both are pure and remembered in plain dictionaries: the review of a whole call meets the same few
thousand values a million times, and a dictionary hit is the cheapest thing Python does.
"""

import functools
import re
import unicodedata
from typing import Any

import opencc

_SPACE = re.compile(r"\s+")
# Every dash of Unicode's "Pd" category that NFKC leaves as itself (hyphen, en dash, em dash …).
_DASHES = re.compile(r"[\-\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d]")
_TO_SIMPLIFIED = opencc.OpenCC("t2s")


@functools.cache
def _traditional() -> re.Pattern:
    """The characters OpenCC's t2s changes (3,761 in the BMP's CJK blocks), worked out from OpenCC
    itself once: a regular expression finds them far faster than a conversion that changes nothing."""
    ranges = [(0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20)]
    block = "".join(chr(i) for start, stop in ranges for i in range(start, stop))
    changed = sorted({a for a, b in zip(block, _TO_SIMPLIFIED.convert(block), strict=False) if a != b})
    return re.compile(f"[{re.escape(''.join(changed))}]")


MAX_REMEMBERED = 200_000  # values per kind; past it the memory is emptied and refilled
_codes: dict[str, str] = {}
_texts: dict[str, str] = {}


def _code(value: str) -> str:
    if value.isascii() and value.isalnum():  # the usual case: nothing to fold but the case
        return value.upper()
    return _DASHES.sub("", _SPACE.sub("", unicodedata.normalize("NFKC", value))).upper()


def _text(value: str) -> str:
    if value.isascii():  # NFKC leaves ASCII as it is, and it has no traditional characters
        return _SPACE.sub(" ", value).strip().casefold()
    folded = unicodedata.normalize("NFKC", value)
    if _traditional().search(folded):  # OpenCC only where there is something to convert: 20 times cheaper
        folded = _TO_SIMPLIFIED.convert(folded)
    return _SPACE.sub(" ", folded).strip().casefold()


def _remember(memory: dict[str, str], value: str, result: str) -> str:
    if len(memory) >= MAX_REMEMBERED:
        memory.clear()
    memory[value] = result
    return result


def code(value: Any) -> str:
    """A code as the registries hold it: `code(" １５０１０５１９９００７１６００２ｘ ")` == "15010519900716002X"."""
    if value.__class__ is str:
        found = _codes.get(value)
        return found if found is not None else _remember(_codes, value, _code(value))
    if value is None or isinstance(value, bool):
        return ""
    return _code(str(value))


def text(value: Any) -> str:
    """A type or name as a comparison key: `text("政府機關 ")` == `text("政府机关")`."""
    if value.__class__ is str:
        found = _texts.get(value)
        return found if found is not None else _remember(_texts, value, _text(value))
    if value is None or isinstance(value, bool):
        return ""
    return _text(str(value))


def prepare() -> None:
    """Build what the first non-ASCII name would build, e.g. before forking workers that would each
    build it again."""
    _traditional()


def forget() -> None:
    """Empty the memory (benchmarks measure a cold run)."""
    _codes.clear()
    _texts.clear()
