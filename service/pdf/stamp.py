"""The watermark as a picture: seen on every page, never part of the page's text.

A watermark drawn as text is copied out with the body (select a paragraph, paste, and the
exporter's name and serial are mixed into it) and pdftotext prints it. Drawn as an image it is
still on every page, at the same place and tint, but copying text leaves it behind. The stamp
is rendered once per export with Pillow from the same CJK font the PDF uses.
"""

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

DPI = 300
SIZE_PT = 12
# Black at 14 % opacity: the tint the text watermark had (luma 0 %, transparentised by 86 %).
ALPHA = round(255 * 0.14)
FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".otc")


@lru_cache(maxsize=8)
def _font_file(dirs: tuple[Path, ...], family: str) -> tuple[str, int]:
    """(file, face index) of `family` in the font directories, else the first face that loads."""
    fallback: tuple[str, int] | None = None
    for directory in dirs:
        for path in sorted(directory.rglob("*")):
            if path.suffix.lower() not in FONT_SUFFIXES:
                continue
            for index in range(16):
                try:
                    face = ImageFont.truetype(str(path), 12, index=index)
                except OSError:
                    break
                if face.getname()[0] == family:
                    return str(path), index
                fallback = fallback or (str(path), index)
    if fallback is None:
        raise OSError("no font file for the watermark")
    return fallback


def stamp(line: str, font_dirs: list[Path], family: str) -> dict[str, Any]:
    """The watermark line as a transparent PNG (bytes as a list) and its width in points."""
    path, index = _font_file(tuple(Path(d).resolve() for d in font_dirs), family)
    px = round(SIZE_PT * DPI / 72)
    font = ImageFont.truetype(path, px, index=index)
    left, top, right, bottom = (round(v) for v in font.getbbox(line))
    pad = px // 4
    image = Image.new("LA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0))
    ImageDraw.Draw(image).text((pad - left, pad - top), line, font=font, fill=(0, ALPHA))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return {"image": list(out.getvalue()), "width_pt": image.width * 72 / DPI}
