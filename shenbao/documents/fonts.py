"""The Chinese font every generated document embeds: Noto Sans CJK SC from a PyPI package, so a
fresh machine needs no font from Debian and every PDF looks the same everywhere.

The font is also the judge of what can be printed: a character it has no glyph for (an emoji, a
CJK Extension B character, Mongolian script) would print as an empty box, so the form refuses it
(`unprintable`) and the renderer marks any that slipped in earlier with 〓 (`printable`).
"""

import re
import unicodedata
from functools import cache
from pathlib import Path

import noto_cjk_sans_otc
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont

FAMILY = "Noto Sans CJK SC"
FONT_FILE = Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc"
# Index of the Simplified Chinese face inside the collection (JP, KR, SC, TC, HK).
SC_INDEX = 2
# The typesetter's sign for a character the font lacks (the geta mark of CJK typesetting).
MISSING = "〓"


@cache
def font_face_css() -> str:
    return f'@font-face {{ font-family: "{FAMILY}"; src: url("{FONT_FILE.as_uri()}"); }}'


@cache
def _code_points() -> frozenset[str]:
    """The characters the embedded face has glyphs for (its cmap)."""
    return frozenset(map(chr, TTFont(str(FONT_FILE), fontNumber=SC_INDEX, lazy=True).getBestCmap()))


_LAYOUT = frozenset("\t\n\r")  # tabs and line breaks are layout, not glyphs


def _invisible(character: str) -> bool:
    # Layout, and format characters (zero-width space and joiner, variation selectors) print as nothing.
    return character in _LAYOUT or unicodedata.category(character) == "Cf" or 0xFE00 <= ord(character) <= 0xFE0F


@cache
def _outside_font() -> re.Pattern:
    """A pattern that finds the first character neither in the face nor layout: one class of ranges."""
    ranges: list[list[int]] = []
    for point in sorted({ord(c) for c in _code_points() | _LAYOUT}):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    inside = "".join(
        re.escape(chr(first)) + ("-" + re.escape(chr(last)) if last > first else "") for first, last in ranges
    )
    return re.compile(f"[^{inside}]")


def unprintable(text: str) -> list[str]:
    """The distinct characters of `text` the embedded font cannot print, in order of appearance."""
    # Every autosave checks every field, and almost every text passes: that test is one regular
    # expression search, in C (a set operation cost 17 µs for 700 characters, the search 2 µs).
    if _outside_font().search(text) is None:
        return []
    covered = _code_points()
    return [c for c in dict.fromkeys(text) if c not in covered and not _invisible(c)]


def printable(text: str) -> str:
    """`text` as the PDF can print it: invisible characters dropped, missing glyphs shown as 〓."""
    if not text:
        return ""
    covered = _code_points()
    if all(c in covered or c in "\n\t" for c in text):
        return text
    return "".join(c if c in covered or c in "\n\t" else ("" if _invisible(c) else MISSING) for c in text)


def describe(characters: list[str]) -> str:
    """The characters for a message: “😀”（U+1F600）、…"""
    return "、".join(f"“{c}”（U+{ord(c):04X}）" for c in characters[:5]) + (_("等") if len(characters) > 5 else "")


def printable_validator(label: str):
    """A form field validator refusing what the PDFs cannot print, naming the field (`label`)."""
    from django.core.exceptions import ValidationError

    def validate(value) -> None:
        if missing := unprintable(str(value or "")):
            raise ValidationError(
                _(
                    "“%(label)s”含申报书PDF无法打印的字符%(describe)s（如表情符号、生僻字），打印出来会是空框，请删除或改用文字。"
                )
                % {"label": label, "describe": describe(missing)}
            )

    return validate
