"""A document's page budget, and the parts of HTML laid out to it.

Shared by the plan (model re-exports both) and the typesetting worker. Not in typeset/, so
that `list` loads no typesetting code; not in model/, whose package imports the content model
and the diagnostics: this module imports nothing of ketabrochure, so the render cache's key
(typeset.options, which hashes every module the worker imports) covers the budget's code and
not the content model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PageBudget:
    exactly: int | None = None
    maximum: int | None = None

    def allows(self, pages: int) -> bool:
        if self.exactly is not None:
            return pages == self.exactly
        return self.maximum is None or pages <= self.maximum

    @property
    def last(self) -> int | None:
        """The last page the budget allows (None: no upper limit)."""
        return self.exactly if self.exactly is not None else self.maximum

    def __str__(self) -> str:
        if self.exactly is not None:
            return f"exactly {self.exactly}"
        return f"at most {self.maximum}"


@dataclass(frozen=True)
class Known:
    """An alternative's page count from an earlier layout of the same HTML, with the same
    files, options and code (build.fits), and the files that layout read."""

    pages: int
    served: tuple[tuple[Path, str], ...]


@dataclass(frozen=True)
class Part:
    """HTML to lay out: its alternatives are tried in order until one fits the budget (the
    last one is kept)."""

    htmls: tuple[str, ...]
    budget: PageBudget
    base_dir: Path  # relative URLs resolve from here (the layout's folder)
    known: tuple[Known | None, ...] = ()  # what is known of each alternative (build.fits)
