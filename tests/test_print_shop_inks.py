"""The print-shop copies' inks, read back: small text on one plate, and black overprinting
(Ghostscript's tiffsep device renders each plate, simulating overprint as a press does)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

SMALL = 12.5  # pt: text of 12 pt and under (a 12 pt kicker is 12.0)
TINT = (0.05, 0.02, 0.02, 0.0)  # --tint in print-shop-cmyk.css: the "How sure are we?" box
DPI = 100


def cmyk(value: object) -> tuple[float, ...]:
    try:
        return tuple(round(float(v), 3) for v in value)  # type: ignore[attr-defined]
    except TypeError:
        return ()


def grey_levels(plate: Image.Image) -> list[tuple[int, int]]:
    """(pixels, value) of each grey level of one of tiffsep's plates (8-bit grey)."""
    colours = plate.getcolors(1 << 16)
    assert colours is not None
    levels = [(count, value) for count, value in colours if isinstance(value, int)]
    assert len(levels) == len(colours), "a plate is grey"
    return levels


def test_small_text_is_on_the_black_plate_alone(built: Path) -> None:
    """Citation numbers, the sources' heading, the kicker, the booking address: K only."""
    pdfs = sorted((built / "out").glob("*-print-shop.pdf"))
    assert len(pdfs) >= 14
    found = set()
    for path in pdfs:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                for char in page.chars:
                    colour = cmyk(char["non_stroking_color"])
                    if char["text"].strip() and char["size"] < SMALL and colour[:3] != (0, 0, 0):
                        found.add(f"{path.name} p{number}: {char['size']:.1f} pt in {colour}")
    assert not found, sorted(found)[:20]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_black_text_overprints_a_tint(built: Path, tmp_path: Path, lang: str) -> None:
    """Under the black text of the tinted box, the cyan plate keeps its tint (overprint): no
    letter-shaped hole that a plate a little off would show as a white rim."""
    path = built / "out" / f"handout-ptsd-letter-{lang}-print-shop.pdf"
    with pdfplumber.open(path) as pdf:
        boxes = [(number, rect) for number, page in enumerate(pdf.pages, 1) for rect in page.rects
                 if rect.get("fill") and cmyk(rect.get("non_stroking_color")) == TINT]
        assert boxes, "no tinted box"
        number, rect = boxes[0]
        left, top_edge = pdf.pages[number - 1].bbox[:2]  # the media box starts past the bleed
        inside = [c for c in pdf.pages[number - 1].chars if c["text"].strip()
                  and rect["x0"] < c["x0"] < rect["x1"] and rect["top"] < c["top"] < rect["bottom"]]
        black = [c for c in inside if cmyk(c["non_stroking_color"]) == (0, 0, 0, 1)]
        assert len(black) > 50
        top = min(c["top"] for c in black)  # below the box's heading (brand blue, 14 pt)
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=tiffsep", f"-r{DPI}",
                    f"-dFirstPage={number}", f"-dLastPage={number}",
                    "-o", str(tmp_path / "page.tif"), str(path)], check=True)
    scale, inset = DPI / 72, 8  # clear of the box's accent border on the left
    area = tuple(round(v * scale) for v in (
        rect["x0"] + inset - left, top - top_edge, rect["x1"] - 2 - left,
        rect["bottom"] - 2 - top_edge))
    plate = Image.open(tmp_path / "page(Black).tif").crop(area)
    inked = sum(count for count, value in grey_levels(plate) if value < 128)
    assert inked > 1000  # the area holds the text (0 is full ink in tiffsep's plates)
    cyan = Image.open(tmp_path / "page(Cyan).tif").crop(area)
    values = {value for _, value in grey_levels(cyan)}
    assert len(values) == 1 and 240 <= values.pop() <= 245, values  # 5% cyan, text or not
