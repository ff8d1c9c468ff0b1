"""Tri-fold geometry and the panel-overflow check: a panel that does not fit names its YAML field."""

from __future__ import annotations

from . import patient_model as pm
from .diagnostics import Diagnostics
from .pdf import Region

PX_PER_IN = 96.0
PX_PER_MM = 96.0 / 25.4
SAFE_IN = 0.25  # text stays this far from trim and folds
SHEET_HEIGHT_PX = {"letter": 8.5 * PX_PER_IN, "a4": 210 * PX_PER_MM}
# Panels left to right. Short-edge duplex turns the sheet about its vertical axis, so the
# outside flap (left) backs the inside right panel: both are the narrow fold-in panel.
WIDTHS = {"letter": ("3.6875in", "3.6875in", "3.625in"), "a4": ("100mm", "100mm", "97mm")}
OUTSIDE = ("flap", "back", "front")
INSIDE = ("left", "middle", "right")

# Laid out again on one very tall page, each panel shows its natural height.
MEASURE_CSS = """
@page { size: 320mm 3000mm !important; margin: 0 !important; bleed: 0 !important; marks: none !important; }
.side { height: auto !important; grid-template-rows: auto !important; break-after: auto !important; }
"""


def available_px(paper: str) -> float:
    """The height text may fill in a panel: the sheet less the safe margin top and bottom."""
    return SHEET_HEIGHT_PX[paper] - 2 * SAFE_IN * PX_PER_IN


def overflows(brochure: pm.Brochure, regions: dict[str, Region], paper: str, lang: str,
              label: str, diags: Diagnostics) -> int:
    """One error per panel whose content is taller than the panel; returns how many."""
    texts = {t.path: t for t in brochure.texts}
    limit, failed = available_px(paper), 0
    for name in (*OUTSIDE, *INSIDE):
        region = regions.get(name)
        if region is None or region.bottom - region.top <= limit + 0.5:
            continue
        failed += 1
        over = region.bottom - region.top - limit
        longest, crossing = _longest(region), _crossing(region, limit)
        text = texts.get(longest[0]) if longest else None
        loc = text.where(lang) if text else brochure.panels[name].loc
        if longest is None:
            advice = "shorten the panel's texts"
        else:
            advice = (f"its longest text is {longest[0]}: shorten it by about "
                      f"{_words_over(longest[1], over)} words")
        spill = f"; from {crossing[0]} on, text would spill past the fold" if crossing else ""
        diags.error(loc, "check.panel-overflow", f"{label}, panel '{name}'",
                    f"content is {_inches(over)} taller than the panel's "
                    f"{_inches(limit)} of text height; {advice}{spill}")
    return failed


def _crossing(region: Region, limit: float) -> tuple[str, tuple[float, float, int]] | None:
    """The first field, top to bottom, that crosses the panel's bottom edge."""
    ordered = sorted(region.fields.items(), key=lambda item: item[1][0])
    for path, box in ordered:
        if box[1] - region.top > limit + 0.5:
            return path, box
    return ordered[-1] if ordered else None


def _longest(region: Region) -> tuple[str, tuple[float, float, int]] | None:
    """The tallest field of a panel: the one whose shortening helps most."""
    if not region.fields:
        return None
    return max(region.fields.items(), key=lambda item: item[1][1] - item[1][0])


def _words_over(box: tuple[float, float, int], over: float) -> int:
    top, bottom, words = box
    height = max(bottom - top, 1.0)
    return max(1, min(words, round(words * over / height + 0.5)))


def _inches(px: float) -> str:
    return f"{px / PX_PER_IN:.2f} in ({px / PX_PER_MM:.0f} mm)"

