"""Stage 6, generic: the page budget every document keeps. Pure: it only reports."""

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
