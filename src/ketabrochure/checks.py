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
