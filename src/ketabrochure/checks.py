"""Stage 6, generic: the page budget every document keeps, and text that stays in its box.
Pure: they only report."""

from __future__ import annotations

from . import model as m
from .diagnostics import Diagnostics, Location


def page_budget(document: m.Document, pages: int, subject: Location, diags: Diagnostics) -> None:
    """A document outside its page budget fails, located at its subject's YAML file."""
    if document.budget.allows(pages):
        return
    noun = "page" if pages == 1 else "pages"
    diags.error(subject, "check.page-count", document.label,
                f"runs to {pages} {noun}; its budget is {document.budget}")


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
    ink there fails, located at the layout (its CSS margins are the fix)."""
    for problem in near_edge:
        diags.error(layout, "check.margin", document.label,
                    f"{problem}: widen the page margins in the layout's CSS")


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
    """What the accessibility audit of the tagged PDF found (typeset/pdf_tags.py: what
    WeasyPrint 70 writes, once repaired): an error each, naming the page and the element."""
    for page, element, problem in findings:
        where = f"page {page}" if page is not None else "the whole document"
        diags.error(subject, "pdf.accessibility", document.label,
                    f"its tagged PDF, on {where}, element {element}: {problem} (mend the "
                    "layout's HTML: headings in order, list items inside a list; or report "
                    "it, if the HTML is right)")
