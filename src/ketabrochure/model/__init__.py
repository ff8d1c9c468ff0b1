"""The content model: frozen dataclasses, no I/O. Each record keeps where its fields came from.

The research (`research`) is the one source both audiences print; `clinic`, `documents` and
`patient` hold the rest. Every record is re-exported here, so code reads `m.Study`, `m.Project`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .clinic import Clinic, ClinicLocation, contact
from .documents import (
    AUDIENCES,
    LANGUAGES,
    PAPERS,
    VARIANTS,
    Document,
    DocumentSpec,
    Layout,
    PageBudget,
    Recipient,
)
from .patient import PANELS, Block, Brochure, Common, Handout, Panel, PatientContent, Term, Text
from .research import (
    BLINDING,
    DESIGN_TYPES,
    DOWNGRADES,
    DRUGS,
    GRADES,
    IMPORTANCE,
    N_UNITS,
    RATE_KINDS,
    ROLES,
    ROUTES,
    SPECIES,
    UPGRADES,
    Certainty,
    Citation,
    Condition,
    Design,
    GradedOutcome,
    Intervention,
    KeyPoint,
    Locs,
    Outcome,
    Population,
    Rates,
    Rating,
    RegulatoryFact,
    Role,
    SampleSize,
    StartLevel,
    Study,
)

__all__ = [
    "AUDIENCES", "BLINDING", "DESIGN_TYPES", "DRUGS", "GRADES", "LANGUAGES", "N_UNITS", "PANELS",
    "PAPERS", "RATE_KINDS", "ROLES", "ROUTES", "SPECIES", "VARIANTS", "Block", "Brochure",
    "Certainty", "Citation", "Clinic", "ClinicLocation", "Common", "Condition", "Design",
    "Document", "DocumentSpec", "Handout", "Intervention", "KeyPoint", "Layout", "Locs", "Outcome",
    "PageBudget", "Panel", "PatientContent", "Population", "Project", "Rates", "Recipient",
    "RegulatoryFact", "Role", "SampleSize", "Study", "Term", "Text", "contact",
]
# a condition's outcomes and their GRADE judgements
__all__ += ["DOWNGRADES", "IMPORTANCE", "UPGRADES", "GradedOutcome", "Rating", "StartLevel"]


@dataclass(frozen=True)
class Project:
    """All content of a project, validated and cross-checked."""

    clinic: Clinic
    studies: dict[str, Study]
    conditions: dict[str, Condition]
    regulatory: dict[str, RegulatoryFact]
    edition: str
    documents: tuple[DocumentSpec, ...]
    broken: frozenset[str] = frozenset()  # ids of content files that had errors
    patient: PatientContent = field(default_factory=PatientContent)  # handouts, brochures, ...
    recipients: dict[str, Recipient] = field(default_factory=dict)  # referral packets

    @property
    def off_label_fact(self) -> RegulatoryFact | None:
        """The regulatory fact marked off_label: true (the rules require exactly one)."""
        return next((f for f in self.regulatory.values() if f.off_label), None)
