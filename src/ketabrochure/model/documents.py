"""What to make: documents.yaml's specs, layouts, and the documents they expand to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Location
from ..pages import PageBudget
from .research import Locs, _locs

PAPERS: tuple[str, ...] = ("letter", "a4")
LANGUAGES: tuple[str, ...] = ("en", "es")
VARIANTS: tuple[str, ...] = ("office", "print-shop", "large-print")
AUDIENCES: tuple[str, ...] = ("physician", "patient")
BLEED_PT = {"letter": 0.125 * 72, "a4": 3 / 25.4 * 72}  # print-shop bleed: 0.125 in; 3 mm
LARGE_PRINT_PT = 18.0  # every text of a large-print document, sources and citations too
PHYSICIAN_PT = 7.5  # physician documents go by fax: smaller type fills in


@dataclass(frozen=True)
class Recipient:
    """A physician a referral packet goes to (content/recipients.yaml or the command line)."""

    id: str
    name: str
    practice: str
    conditions: tuple[str, ...]
    date: dt.date
    loc: Location
    address: tuple[str, ...] = ()
    condition_locs: tuple[Location, ...] = ()


@dataclass(frozen=True)
class DocumentSpec:
    """One entry of documents.yaml; it expands to a document per subject x paper."""

    layout: str
    subjects: tuple[str, ...]
    papers: tuple[str, ...]
    language: str
    budget: PageBudget
    loc: Location
    locs: Locs = field(default_factory=_locs, compare=False)
    languages: tuple[str, ...] = ()  # several languages (`languages:`); empty: just `language`
    variants: tuple[str, ...] = ("office",)  # office | print-shop | large-print


@dataclass(frozen=True)
class Layout:
    """One folder of layouts/: a template for documents about one kind of subject."""

    name: str
    folder: Path
    template: str  # relative to layouts/, e.g. "evidence-sheet/sheet.html.j2"
    subjects: str  # the document kind: what a document's subject is an id of
    audience: str  # physician | patient
    loc: Location
    per_location: bool = False  # one document per clinic location (default: patient layouts)


@dataclass(frozen=True)
class Document:
    """One PDF to make: a layout applied to a subject, on one paper, in one language."""

    layout: Layout
    subject: str
    paper: str
    language: str
    budget: PageBudget
    spec: DocumentSpec
    variant: str = "office"
    location: str | None = None  # a clinic location's id, for per-location layouts

    @property
    def name(self) -> str:
        parts = [self.layout.name, self.subject, self.paper, self.language]
        if self.variant != "office":
            parts.append(self.variant)
        if self.location:
            parts.append(self.location)
        return "-".join(parts)

    @property
    def signed_name(self) -> str:
        """What a sign-off covers: the text of every paper and variant of this document."""
        parts = [self.layout.name, self.subject, self.language]
        if self.location:
            parts.append(self.location)
        return "-".join(parts)

    @property
    def file(self) -> str:
        return f"{self.name}.pdf"

    @property
    def label(self) -> str:
        details = ", ".join(p for p in (self.paper, self.language, self.variant, self.location)
                            if p and p != "office")
        return f"{self.layout.name} {self.subject} ({details})"

    @property
    def bleed_points(self) -> float | None:
        """The print-shop bleed in points (the PDF's BleedBox), or None for other variants."""
        return BLEED_PT[self.paper] if self.variant == "print-shop" else None

    @property
    def least_pt(self) -> float | None:
        """The smallest text size the document may set (None: no rule past the layout's)."""
        if self.variant == "large-print":
            return LARGE_PRINT_PT
        return PHYSICIAN_PT if self.layout.audience == "physician" else None
