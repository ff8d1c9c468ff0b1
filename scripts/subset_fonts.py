"""Cut the vendored fonts down to English and Spanish, as TrueType, for faster PDFs.

Source: the Latin WOFF2 files of the `@fontsource/atkinson-hyperlegible` npm package (5.3.0),
kept in assets/fonts/ beside their licence. Output: assets/fonts/atkinson-hyperlegible-
en-es-<weight>-<style>.ttf, which layouts/_shared/fonts.css uses. TrueType needs no WOFF2
(Brotli) decoding when WeasyPrint loads it, and the smaller font is quicker to lay out and to
subset again into each PDF (measured in benchmarks/README.md). The SIL Open Font License allows
modified versions; Atkinson Hyperlegible declares no Reserved Font Name.

Run: .venv/bin/python scripts/subset_fonts.py   (deterministic: same input, same bytes)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "assets" / "fonts"
STYLES = ("400-normal", "400-italic", "700-normal", "700-italic")
RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement: every Spanish letter and ¿ ¡ « » º ª
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x2030), (0x2032, 0x2033), (0x2039, 0x203A),
    (0x20AC, 0x20AC), (0x2122, 0x2122), (0x2190, 0x2193),
    (0x2212, 0x2212), (0x2264, 0x2265),  # minus, ≤ ≥
)


def wanted() -> set[int]:
    """The code points to keep: the ranges above plus every character the content uses."""
    points = {c for start, end in RANGES for c in range(start, end + 1)}
    for folder in ("content", "layouts"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".yaml", ".yml", ".j2", ".html", ".css"):
                points |= {ord(c) for c in path.read_text(encoding="utf-8") if c.isprintable()}
    return points


def cut(source: Path, points: set[int]) -> tuple[bytes, set[int]]:
    """The font as TrueType with only `points` (and what OpenType features need)."""
    font = TTFont(source)
    missing = points - set(font.getBestCmap())
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.hinting = False  # WeasyPrint drops hinting from PDFs by default anyway
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(points))
    subsetter.subset(font)
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), missing


def main() -> int:
    points = wanted()
    used_missing: set[int] = set()
    for style in STYLES:
        source = FONTS / f"atkinson-hyperlegible-latin-{style}.woff2"
        data, missing = cut(source, points)
        target = FONTS / f"atkinson-hyperlegible-en-es-{style}.ttf"
        target.write_bytes(data)
        used_missing |= missing
        print(f"{target.relative_to(ROOT)}: {len(data)} bytes (from {source.stat().st_size})")
    beyond = sorted(p for p in used_missing if not any(a <= p <= b for a, b in RANGES))
    if beyond:
        shown = " ".join(f"U+{p:04X} {chr(p)}" for p in beyond)
        print(f"the content uses characters the font does not have: {shown}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
