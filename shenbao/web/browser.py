"""Debian's chromium, as the browser tests and `make screenshots` start it (through playwright; never a
downloaded browser).

A fresh Debian has no Chinese font, so chromium would draw every character as a box: widths measured
and pictures taken would not be what a person sees. The PDFs already embed Noto Sans CJK from a PyPI
package (documents/fonts.py); chromium gets the same file through a fontconfig file of its own, so
nothing needs installing from Debian.
"""

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


@cache
def fontconfig_file() -> Path:
    """The system's fontconfig plus the folder of shenbao's CJK font; its cache in a private folder."""
    from shenbao.documents.fonts import FONT_FILE

    # One folder per user, kept between runs, so that fontconfig's cache of the font is built once.
    folder = Path(tempfile.gettempdir()) / f"shenbao-fonts-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    system = f"<include ignore_missing='yes'>{SYSTEM_FONTCONFIG}</include>" if SYSTEM_FONTCONFIG.exists() else ""
    config = folder / "fonts.conf"
    config.write_text(
        "<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
        f"{system}<dir>{FONT_FILE.parent}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return config


def environment() -> dict[str, str]:
    return {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file())}


def launch(playwright):
    """Chromium with shenbao's CJK font, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=environment())
