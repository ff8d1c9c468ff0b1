"""The content model: frozen dataclasses, no I/O. Each record keeps where its fields came from.

The research (`research`) is the one source both audiences print; `clinic`, `documents` and
`patient` hold the rest. Every record is re-exported here, so code reads `m.Study`, `m.Project`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..pages import PageBudget, Part
from .clinic import Clinic, ClinicLocation, contact
from .documents import (
    AUDIENCES,
    LANGUAGES,
    PAPERS,
    VARIANTS,
    Document,
    DocumentSpec,
    Layout,
    Recipient,
)
from .patient import (
    PANELS,
    SECTIONS,
    Block,
    Brochure,
    Common,
    Handout,
    Panel,
    PatientContent,
    PatientRecord,
    Term,
    Text,
)
from .research import (
    ADVERSE_EVENTS,
    BLINDING,
    COMPARATOR_KINDS,
    COMPARISONS,
    DESIGN_TYPES,
    DOWNGRADES,
    DRUGS,
    EFFECT_MEASURES,
    GRADES,
    HOURS_PER_UNIT,
    IMPORTANCE,
    LASTED,
    MEASURES,
    N_UNITS,
    NARRATIVE,
    RATE_KINDS,
    RATERS,
    RATIO_MEASURES,
    ROLES,
    ROUTES,
    SHORT_TERM_HOURS,
    SMALL_ARM,
    SPECIES,
    TIME_UNITS,
    UNSTATED,
    UPGRADES,
    AdverseEvent,
    Certainty,
    Citation,
    Condition,
    Design,
    Effect,
    GradedOutcome,
    Intervention,
    KeyPoint,
    Locs,
    Outcome,
    Population,
    Rates,
    Rating,
    RegulatoryFact,
    RegulatoryRisk,
    Role,
    SampleSize,
    StartLevel,
    Study,
    TimeSpan,
    unstated,
)
from .review import Edition, EditionStudy, Reviewer, SignOff

__all__ = [
    "ADVERSE_EVENTS", "AUDIENCES", "BLINDING", "COMPARATOR_KINDS", "COMPARISONS", "DESIGN_TYPES",
    "DRUGS", "GRADES", "HOURS_PER_UNIT", "LANGUAGES", "LASTED", "MEASURES", "N_UNITS", "PANELS",
    "PAPERS", "RATE_KINDS", "ROLES", "ROUTES", "SECTIONS", "SHORT_TERM_HOURS", "SMALL_ARM",
    "SPECIES", "TIME_UNITS", "UNSTATED", "VARIANTS", "AdverseEvent", "Block", "Brochure",
    "Certainty", "Citation", "Clinic", "ClinicLocation", "Common", "Condition", "Design",
    "Document", "DocumentSpec", "Handout", "Intervention", "KeyPoint", "Layout", "Locs", "Outcome",
    "PageBudget", "Panel", "PatientContent", "PatientRecord", "Population", "Project", "Rates",
    "Recipient", "RegulatoryFact", "Role", "SampleSize", "Study", "Term", "Text", "TimeSpan",
    "contact", "unstated",
]
# a condition's outcomes and their GRADE judgements
__all__ += ["Edition", "EditionStudy", "Reviewer", "SignOff"]
__all__ += ["Part"]  # HTML to lay out, to its page budget
__all__ += ["DOWNGRADES", "IMPORTANCE", "UPGRADES", "GradedOutcome", "Rating", "StartLevel"]
# what GRADE's rules read from a study's outcomes
__all__ += ["RegulatoryRisk"]
__all__ += ["EFFECT_MEASURES", "NARRATIVE", "RATERS", "RATIO_MEASURES", "Effect"]


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
    risks: dict[str, RegulatoryRisk] = field(default_factory=dict)  # regulatory.yaml `risks`
    signoffs: dict[str, SignOff] = field(default_factory=dict)  # by signed name (approvals.yaml)
    review_every_months: int | None = None  # documents.yaml: a sign-off expires after this
    editions: dict[str, Edition] = field(default_factory=dict)  # content/editions/, by name

    @property
    def off_label_fact(self) -> RegulatoryFact | None:
        """The regulatory fact marked off_label: true (the rules require exactly one)."""
        return next((f for f in self.regulatory.values() if f.off_label), None)
