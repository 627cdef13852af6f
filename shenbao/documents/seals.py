"""The visible part of an e-seal, drawn by shenbao: a round red seal with the organisation's name
around a star, and a square name seal for the legal representative. The signature behind the
picture is what counts; the picture is what people expect to see."""

import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from .fonts import FONT_FILE, SC_INDEX

RED = (204, 0, 0, 255)
SIZE = 480  # pixels; drawn large and scaled down in the PDF for a crisp edge


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), size, index=SC_INDEX)


def _star(draw: ImageDraw.ImageDraw, centre: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((centre + r * math.cos(angle), centre + r * math.sin(angle)))
    draw.polygon(points, fill=RED)


@lru_cache(maxsize=256)
def round_seal(name: str, label: str = "电子印章") -> Image.Image:
    """The unit's seal: a red ring, the name along the upper arc, a star, a label underneath."""
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    centre, ring = SIZE / 2, SIZE * 0.47
    draw.ellipse((centre - ring, centre - ring, centre + ring, centre + ring), outline=RED, width=int(SIZE * 0.03))
    _star(draw, centre, SIZE * 0.16)
    characters = list(name[:24])
    font_size = int(SIZE * (0.12 if len(characters) <= 12 else 0.09))
    font = _font(font_size)
    span = math.radians(min(240, 22 * len(characters) + 20))  # the arc the name covers, centred on top
    radius = ring - font_size * 0.85
    for i, character in enumerate(characters):
        angle = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(characters)
        glyph = Image.new("RGBA", (font_size * 2, font_size * 2), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((font_size, font_size), character, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = centre + radius * math.cos(angle) - font_size
        y = centre + radius * math.sin(angle) - font_size
        image.alpha_composite(glyph, (int(x), int(y)))
    draw.text((centre, centre + SIZE * 0.27), label, font=_font(int(SIZE * 0.07)), fill=RED, anchor="mm")
    return image


@lru_cache(maxsize=256)
def name_seal(name: str) -> Image.Image:
    """The legal representative's name seal: the name in a red square, two characters a column."""
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    margin = SIZE * 0.06
    draw.rectangle((margin, margin, SIZE - margin, SIZE - margin), outline=RED, width=int(SIZE * 0.045))
    text = {1: name + "之印信", 2: name + "之印", 3: name + "印"}.get(len(name), name[:4])
    font = _font(int(SIZE * 0.3))
    cells = [(0.68, 0.31), (0.68, 0.69), (0.32, 0.31), (0.32, 0.69)]  # right column first, top to bottom
    for character, (cx, cy) in zip(text, cells, strict=False):
        draw.text((SIZE * cx, SIZE * cy), character, font=font, fill=RED, anchor="mm")
    return image
