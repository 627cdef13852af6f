"""Looking into generated PDFs from tests: text with positions (poppler's pdftotext), the catalogue
(pikepdf). Not a test module."""

import html
import io
import re
import shutil
import subprocess
from dataclasses import dataclass

import pikepdf
import pytest

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) missing")


@dataclass(frozen=True)
class Word:
    page: int  # from 1
    text: str
    x_min: float  # PDF points from the left
    y_min: float  # from the top of the page
    x_max: float
    y_max: float
    page_height: float
    page_width: float = 0.0

    def inside(self, box: tuple[float, float, float, float]) -> bool:
        """Whether the word's centre lies in a box given in PDF points from the bottom left."""
        x1, y1, x2, y2 = box
        centre_x = (self.x_min + self.x_max) / 2
        centre_y = self.page_height - (self.y_min + self.y_max) / 2
        return x1 <= centre_x <= x2 and y1 <= centre_y <= y2


def words(pdf: bytes, tmp_path) -> list[Word]:
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found, page, height, width = [], 0, 0.0, 0.0
    for line in out.splitlines():
        if match := re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line):
            page, width, height = page + 1, float(match[1]), float(match[2])
        elif match := re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line
        ):
            x_min, y_min, x_max, y_max = (float(match[i]) for i in range(1, 5))
            found.append(Word(page, html.unescape(match[5]), x_min, y_min, x_max, y_max, height, width))
    return found


def catalogue(pdf: bytes) -> dict:
    """What PDF/A-2b and tagging put in a document's catalogue, read back as plain values."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        xmp = root.Metadata.read_bytes().decode("utf-8") if "/Metadata" in root else ""
        intents = [
            {
                "subtype": str(intent.get("/S")),
                "icc_profile": "/DestOutputProfile" in intent,
            }
            for intent in root.get("/OutputIntents", [])
        ]
        fonts = []
        for page in document.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                descendants = font.get("/DescendantFonts") or [font]
                for descendant in descendants:
                    descriptor = descendant.get("/FontDescriptor") or {}
                    fonts.append(
                        {
                            "name": str(descendant.get("/BaseFont")),
                            "embedded": any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                        }
                    )
        return {
            "xmp": xmp,
            "output_intents": intents,
            "marked": bool(root.get("/MarkInfo", {}).get("/Marked", False)),
            "struct_tree": "/StructTreeRoot" in root,
            "lang": str(root.get("/Lang", "")),
            "encrypted": document.is_encrypted,
            "fonts": fonts,
            "info": {str(k): str(v) for k, v in (document.trailer.get("/Info") or {}).items()},
        }
