"""Kind `brochures`: the tri-fold brochure; its geometry and the panel-overflow check (a panel
that does not fit names its YAML field)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import model as m
from ..diagnostics import Diagnostics
from ..document_kind import Laid
from .statements import position
from .text import PatientKind, cited, shared_context

if TYPE_CHECKING:  # `list` loads no typesetting code
    from ..typeset.measure import Region

PX_PER_IN = 96.0
PX_PER_MM = 96.0 / 25.4
# text starts this far below the sheet's top edge and ends this far above its bottom edge
# (the panels' padding in layouts/trifold/style.css): clear of a 0.5 in hardware margin
TOP_IN, BOTTOM_IN = 0.5, 0.5
SHEET_HEIGHT_PX = {"letter": 8.5 * PX_PER_IN, "a4": 210 * PX_PER_MM}
# Panels left to right on each side of the sheet; READING_ORDER is how a reader meets them.
OUTSIDE = ("flap", "back", "front")
INSIDE = ("left", "middle", "right")
READING_ORDER = ("front", "left", "middle", "right", "flap", "back")

# Laid out again on one very tall page, each panel shows its natural height.
MEASURE_CSS = """
@page { size: 320mm 3000mm !important; margin: 0 !important; bleed: 0 !important;
        marks: none !important; }
.side { height: auto !important; grid-template-rows: auto !important;
        break-after: auto !important; }
"""


def available_px(paper: str) -> float:
    """The height text may fill in a panel: the sheet less the margin top and bottom (the
    panels' padding in layouts/trifold/style.css)."""
    return SHEET_HEIGHT_PX[paper] - (TOP_IN + BOTTOM_IN) * PX_PER_IN


def overflows(brochure: m.Brochure, regions: dict[str, Region], paper: str, lang: str,
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


class Trifold(PatientKind):
    subjects = "brochures"
    about = "all"  # ketamine therapy in general
    measure_css = MEASURE_CSS
    duplex = "short-edge"  # the sheet turns about its short edge, panel behind panel

    def ids(self, project: m.Project) -> list[str]:
        return sorted(project.patient.brochures)

    def record(self, project: m.Project, subject: str) -> m.PatientRecord:
        return project.patient.brochures[subject]

    def title(self, project: m.Project, subject: str) -> str:
        return project.patient.brochures[subject].title.en

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        brochure = project.patient.brochures[document.subject]
        texts = [t for name in READING_ORDER for t in brochure.panels[name].texts]
        numbers, refs = cited(texts, project)
        ctx = shared_context(project)
        ctx.update(brochure=brochure, panels=brochure.panels, cites=numbers, references=refs,
                   indication=brochure.indication, show_crisis=True)
        return ctx

    def crisis_prominent(self, html: str, crisis: str, document: m.Document,
                         project: m.Project) -> bool:
        """On the front cover: between the start of the front panel and the next panel."""
        start = html.find('data-panel="front"')
        end = html.find("data-panel=", start + 1)
        if start < 0:
            return False
        at = position(html[start:end if end > 0 else len(html)], crisis)
        return at >= 0

    def check(self, document: m.Document, project: m.Project, laid: Laid,
              diags: Diagnostics) -> None:
        """The page budget, and every panel fits: an error per panel that spills."""
        super().check(document, project, laid, diags)
        if laid.findings.regions is not None:
            overflows(project.patient.brochures[document.subject], laid.findings.regions,
                      document.paper, document.language, document.label, diags)
