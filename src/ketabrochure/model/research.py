"""The research on file, shared by both audiences: studies, conditions, regulatory facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from ..diagnostics import Location

Role = Literal["efficacy", "mechanism", "preclinical"]
ROLES: tuple[str, ...] = ("efficacy", "mechanism", "preclinical")
DESIGN_TYPES: tuple[str, ...] = (
    "rct", "crossover-rct", "meta-analysis", "systematic-review", "single-arm", "cohort", "animal",
)
BLINDING: tuple[str, ...] = ("double-blind", "open-label", "not-applicable")
SPECIES: tuple[str, ...] = ("human", "mouse", "rat")
N_UNITS: tuple[str, ...] = ("participants", "studies", "animals")
DRUGS: tuple[str, ...] = ("ketamine", "esketamine", "arketamine")
ROUTES: tuple[str, ...] = ("IV", "intranasal", "subcutaneous", "intramuscular", "oral", "various")
RATE_KINDS: tuple[str, ...] = ("response", "remission")
GRADES: tuple[str, ...] = ("high", "moderate", "low", "very-low")

Locs = dict[str, Location]


def _locs() -> Locs:
    return {}


@dataclass(frozen=True)
class Citation:
    title: str
    authors: tuple[str, ...]
    et_al: bool
    journal: str
    year: int
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None


@dataclass(frozen=True)
class Design:
    type: str
    blinding: str
    controlled: bool
    summary: str


@dataclass(frozen=True)
class Population:
    species: str
    diagnosis: str


@dataclass(frozen=True)
class SampleSize:
    value: int | None
    unit: str
    note: str | None = None


@dataclass(frozen=True)
class Intervention:
    drug: str
    route: str
    dose: str
    schedule: str


@dataclass(frozen=True)
class Rates:
    """Percentages of people, for charts: treatment arm vs control arm."""

    kind: str
    treatment: float
    control: float | None = None


@dataclass(frozen=True)
class Outcome:
    measure: str
    result: str
    rates: Rates | None = None
    significant: bool | None = None


@dataclass(frozen=True)
class Study:
    id: str
    citation: Citation
    role: str
    design: Design
    population: Population
    n: SampleSize
    intervention: Intervention
    comparator: str
    outcomes: tuple[Outcome, ...]
    key_result: str
    follow_up: str
    limitations: tuple[str, ...]
    sources: tuple[str, ...]
    loc: Location
    locs: Locs = field(default_factory=_locs, compare=False)

    @property
    def is_efficacy(self) -> bool:
        return self.role == "efficacy"

    @property
    def is_small(self) -> bool:
        """A human study with fewer than 50 participants (shown as 'small n')."""
        return self.n.unit == "participants" and self.n.value is not None and self.n.value < 50


@dataclass(frozen=True)
class KeyPoint:
    text: str
    cites: tuple[str, ...]
    loc: Location
    cite_locs: tuple[Location, ...] = ()


# a condition's outcomes and the GRADE judgements on them (GRADES: certainty, best first)
IMPORTANCE: tuple[str, ...] = ("critical", "important")
DOWNGRADES: tuple[str, ...] = (
    "risk-of-bias", "inconsistency", "indirectness", "imprecision", "publication-bias",
)
UPGRADES: tuple[str, ...] = ("large-effect", "dose-response", "plausible-confounding")


@dataclass(frozen=True)
class Rating:
    """One GRADE judgement on a body of evidence: a downgrade (-1 or -2) or an upgrade (+1 or
    +2) in one domain, always with its reason."""

    domain: str  # one of DOWNGRADES or UPGRADES
    by: int
    reason: str
    loc: Location


@dataclass(frozen=True)
class StartLevel:
    """An exception to the starting level the study designs give (randomised trials start
    high, observational studies low), with its reason."""

    grade: str
    reason: str
    loc: Location


@dataclass(frozen=True)
class GradedOutcome:
    """One outcome of a condition, as in a GRADE Summary-of-Findings table: the studies behind
    it and the judgements on them. Its certainty is computed (physician/certainty.py)."""

    name: str
    importance: str  # critical | important
    studies: tuple[str, ...]
    ratings: tuple[Rating, ...]
    loc: Location
    start: StartLevel | None = None
    chart: bool = True  # draw the response and remission rates of its studies
    study_locs: tuple[Location, ...] = ()

    @property
    def critical(self) -> bool:
        return self.importance == "critical"


@dataclass(frozen=True)
class Certainty:
    """A computed certainty: where the evidence started, each judgement, where it ended.
    Never typed by hand."""

    grade: str  # high | moderate | low | very-low
    start: str
    start_reason: str
    ratings: tuple[Rating, ...] = ()

    @property
    def points(self) -> int:
        """4 for high down to 1 for very low (the filled symbols of GRADE's four)."""
        return len(GRADES) - GRADES.index(self.grade)

    @property
    def word(self) -> str:
        return self.grade.replace("-", " ")


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    title: str
    bottom_line: str
    key_points: tuple[KeyPoint, ...]
    evidence: tuple[str, ...]
    outcomes: tuple[GradedOutcome, ...]
    regulatory: tuple[str, ...]
    safety: tuple[str, ...]
    reviewed_on: dt.date
    loc: Location
    locs: Locs = field(default_factory=_locs, compare=False)
    evidence_locs: tuple[Location, ...] = ()
    regulatory_locs: tuple[Location, ...] = ()


@dataclass(frozen=True)
class RegulatoryFact:
    id: str
    statement: str
    date: dt.date | None
    year: int | None
    off_label: bool
    loc: Location
