"""Stage 6, generic: the page budget every document keeps, and text that stays in its box.
Pure: they only report."""

from __future__ import annotations

from dataclasses import dataclass

from . import model as m
from .diagnostics import Diagnostics, Location

LONGEST = 3  # the longest texts a page-budget error names
SECTIONS = 4  # the sections it names, in the order they run over
FIELDS = 2  # the fields of a section it names
COSTS = 4  # the sections whose cost per item it names


@dataclass(frozen=True)
class Overrun:
    """What runs past a document's page budget, in the terms an editor acts on: how much
    (lines and words past the last allowed page), the sections it runs over in (each with
    the YAML fields of it there), the longest texts of the document (where each is written,
    its field, its words), and where the overflowing PDF was put to look at."""

    page: int = 0  # the first page past the budget (0: not measured)
    lines: float = 0.0
    words: int = 0
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    first: Location | None = None  # where the error points: a YAML text past the budget
    longest: tuple[tuple[Location, str, int], ...] = ()
    rejected: str | None = None  # the overflowing PDF, in out/.rejected/
    # the column that sets the height of a side-by-side row: (name, lines, beside, lines)
    columns: tuple[tuple[str, float, str, float], ...] = ()
    costs: tuple[tuple[str, str, int, float], ...] = ()  # (section, word, how many, lines each)
    saves: tuple[tuple[Location, str, float], ...] = ()  # laid out without it: lines saved


def page_budget(document: m.Document, pages: int, subject: Location, diags: Diagnostics,
                overrun: Overrun | None = None) -> None:
    """A document outside its page budget fails. One that runs over says by how much, where
    (its sections, in order) and which texts are longest, located at `overrun.first` (else
    at its subject's YAML file); and where its PDF is, to look at."""
    if document.budget.allows(pages):
        return
    noun = "page" if pages == 1 else "pages"
    message = f"runs to {pages} {noun}; its budget is {document.budget}"
    location = subject
    if overrun is not None and overrun.page:
        message += f": {_amount(overrun, pages)}{_sections(overrun)}{_advice(overrun)}"
        if overrun.longest:
            message += "; shorten the longest: " + ", ".join(
                f"{loc} {name} ({words} words)" for loc, name, words in overrun.longest)
        location = overrun.first or subject
    if overrun is not None and overrun.rejected:
        message += f"; see {overrun.rejected}"
    diags.error(location, "check.page-count", document.label, message)


def _amount(overrun: Overrun, pages: int) -> str:
    lines = max(1, round(overrun.lines))
    onto = (f"page {overrun.page}" if overrun.page == pages
            else f"pages {overrun.page}-{pages}")
    return (f"about {lines} {'line' if lines == 1 else 'lines'} ({overrun.words} "
            f"{'word' if overrun.words == 1 else 'words'}) over, onto {onto}")


def _advice(overrun: Overrun) -> str:
    """Which column sets the height before the break, what each item costs, and what leaving
    a candidate out was measured to save."""
    found = ""
    for name, lines, beside, beside_lines in overrun.columns[:2]:
        found += (f"; '{name}' is the taller column of its row ({lines:.0f} lines, beside "
                  f"'{beside}' {beside_lines:.0f}): it sets the height, so shorten it, not "
                  f"'{beside}'")
    costs = [f"'{section}' {lines:.1f} per {word}"
             for section, word, _, lines in overrun.costs[:COSTS]]
    if costs:
        found += "; each costs about (in lines): " + ", ".join(costs)
    for loc, name, lines in overrun.saves:
        result = "it would fit" if lines >= overrun.lines - 0.05 else \
            f"it would save about {max(lines, 0):.0f} of the {overrun.lines:.0f} lines over"
        found += f"; without {loc} {name}, {result}"
    return found


def _sections(overrun: Overrun) -> str:
    if not overrun.sections:
        return ""
    shown = []
    for name, fields in overrun.sections[:SECTIONS]:
        more = ", ..." if len(fields) > FIELDS else ""
        shown.append(f"{name} ({', '.join(fields[:FIELDS])}{more})" if fields else name)
    more = ", ..." if len(overrun.sections) > SECTIONS else ""
    return "; runs over in: " + ", then ".join(shown) + more


def no_overflow(document: m.Document, overflows: tuple[str, ...], subject: Location,
                diags: Diagnostics) -> None:
    """Text running past its box overprints the next column or runs off the page: an error,
    like a page too many, located at the subject's YAML file with the text to find there."""
    for overflow in overflows:
        diags.error(subject, "check.overflow", document.label,
                    f"{overflow}: shorten that word or let it break (a space, a hyphen, "
                    "or write it once in a note)")


def printable(document: m.Document, near_edge: tuple[str, ...], layout: Location,
              diags: Diagnostics) -> None:
    """Office printers leave out the outer ~0.25 in: an office or large-print layout that puts
    ink there fails, located at the layout (its CSS margins are the fix); one that declares a
    0.5 in hardware band (`data-hardware-band`) fails on ink in it, top or bottom. So does
    one that prints the clinic's phone, the crisis line or the referral address only within
    0.5 in of an edge, where some printers' hardware margin cuts it."""
    for problem in near_edge:
        diags.error(layout, "check.margin", document.label,
                    f"{problem}: widen the page margins in the layout's CSS")


def text_size(document: m.Document, small: tuple[str, ...], layout: Location,
              diags: Diagnostics) -> None:
    """Large print is 18 pt all through, and a faxed physician document loses type under
    7.5 pt: text set smaller fails, located at the layout (its CSS sets the size)."""
    for problem in small:
        diags.error(layout, "check.text-size", document.label,
                    f"{problem}: set it larger in the layout's CSS")


def enough_contrast(document: m.Document, contrasts: tuple[str, ...], subject: Location,
                    diags: Diagnostics) -> None:
    """Text too faint on its background (WCAG 2.x SC 1.4.3: 4.5:1, or 3:1 for 18 pt or
    14 pt bold text) is an error, one per pair of colours, located at the subject's YAML file
    with the text and page to find it by."""
    for found in contrasts:
        diags.error(subject, "check.contrast", document.label,
                    f"{found}: darken the text's colour or lighten its background "
                    "(the layout's CSS, or the clinic's colours)")


def accessible(document: m.Document, findings: tuple[tuple[int | None, str, str], ...],
               subject: Location, diags: Diagnostics) -> None:
    """What the accessibility audit of the tagged PDF found (typeset/tags/: what
    WeasyPrint 70 writes, once repaired): an error each, naming the page and the element."""
    for page, element, problem in findings:
        where = f"page {page}" if page is not None else "the whole document"
        diags.error(subject, "pdf.accessibility", document.label,
                    f"its tagged PDF, on {where}, element {element}: {problem} (mend the "
                    "layout's HTML: headings in order, list items inside a list; or report "
                    "it, if the HTML is right)")
