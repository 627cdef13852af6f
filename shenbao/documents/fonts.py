"""The Chinese font every generated document embeds: Noto Sans CJK SC from a PyPI package, so a
fresh machine needs no font from Debian and every PDF looks the same everywhere."""

from functools import cache
from pathlib import Path

import noto_cjk_sans_otc

FAMILY = "Noto Sans CJK SC"
FONT_FILE = Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc"
# Index of the Simplified Chinese face inside the collection (JP, KR, SC, TC, HK).
SC_INDEX = 2


@cache
def font_face_css() -> str:
    return f'@font-face {{ font-family: "{FAMILY}"; src: url("{FONT_FILE.as_uri()}"); }}'
