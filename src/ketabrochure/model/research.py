"""The research on file, shared by both audiences: studies, conditions, regulatory facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from ..diagnostics import Location

Role = Literal["efficacy", "mechanism", "preclinical"]
ROLES: tuple[str, ...] = ("efficacy", "mechanism", "preclinical")
DESIGN_TYPES: tuple[str, ...] = (
    "rct", "crossover-rct", "nonrandomised-crossover", "meta-analysis", "systematic-review",
    "single-arm", "cohort", "animal",
)
# A fact the sources do not give is written as one of these tokens, never as free text:
# `not-reported` (the paper or abstract does not say), `not-confirmed` (a value is quoted
# somewhere, but was not checked against the article). Printed as "dose not confirmed".
UNSTATED: tuple[str, ...] = ("not-reported", "not-confirmed")
BLINDING: tuple[str, ...] = ("double-blind", "open-label", "not-applicable", *UNSTATED)
SPECIES: tuple[str, ...] = ("human", "mouse", "rat")
N_UNITS: tuple[str, ...] = ("participants", "studies", "animals")
DRUGS: tuple[str, ...] = ("ketamine", "esketamine", "arketamine")
ROUTES: tuple[str, ...] = ("IV", "intranasal", "subcutaneous", "intramuscular", "oral", "various",
                           *UNSTATED)
RATE_KINDS: tuple[str, ...] = ("response", "remission")
# What a study's outcome measures (outcomes[].measures): a chart of a condition's outcome lists
# every study on file for the condition that measures what it draws, or says why not.
MEASURES: tuple[str, ...] = ("depression", "suicidal-ideation", "anxiety", "ptsd", "pain",
                             "substance-use", "adverse-effects", "other")
# Who rated an outcome (outcomes[].rater): the patient, a clinician, or an objective measure.
RATERS: tuple[str, ...] = ("self", "clinician", "objective")
# An effect estimate's measure (outcomes[].effect): odds or risk ratio, a mean difference (in
# the scale's points), a standardised mean difference, a difference in percentage points.
EFFECT_MEASURES: tuple[str, ...] = ("OR", "RR", "MD", "SMD", "difference")
RATIO_MEASURES: tuple[str, ...] = ("OR", "RR")
# What the study itself concluded about ketamine against its comparator (outcomes[].comparison).
COMPARISONS: tuple[str, ...] = ("superior", "noninferior", "no-difference", "inferior")
# What the comparator was: an inert placebo, a drug that only mimics ketamine's felt effects
# (midazolam, remifentanil), another treatment for the condition (ECT, a medicine), or none.
COMPARATOR_KINDS: tuple[str, ...] = ("placebo", "active-placebo", "active-treatment", "none")
# How long an effect lasted (outcomes[].lasted): a time span ("1 week") or one of these.
LASTED: tuple[str, ...] = ("not-reported", "short-lived")
TIME_UNITS: tuple[str, ...] = ("minute", "hour", "day", "week", "month", "year")
HOURS_PER_UNIT: dict[str, float] = {"minute": 1 / 60, "hour": 1, "day": 24, "week": 168,
                                    "month": 730, "year": 8760}
SHORT_TERM_HOURS = 7 * 24  # a result measured before a week is out is "measured at hours or days"
# The controlled vocabulary of adverse events (studies' adverse_events; patient.yaml gives each
# one's words in every language).
ADVERSE_EVENTS: tuple[str, ...] = ("dissociation", "nausea", "blood-pressure", "sedation",
                                   "perceptual-changes", "misuse", "dependence", "bladder")
SMALL_ARM = 50  # an arm with fewer people than this is small: its numbers carry the study's size
GRADES: tuple[str, ...] = ("high", "moderate", "low", "very-low")
NARRATIVE = "no estimate (narrative)"  # an outcome with no estimate on file is not graded

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


def unstated(value: str, what: str) -> str:
    """A value as printed: 'dose not confirmed' for `not-confirmed`, else the value itself."""
    if value in UNSTATED:
        return f"{what} {value.replace('-', ' ')}"
    return value


@dataclass(frozen=True)
class Design:
    type: str
    blinding: str
    controlled: bool
    summary: str

    @property
    def blinding_words(self) -> str:
        """'double-blind', 'open-label', 'blinding not reported', ... as printed."""
        return unstated(self.blinding, "blinding")


@dataclass(frozen=True)
class Population:
    species: str
    diagnosis: str


@dataclass(frozen=True)
class SampleSize:
    value: int | None
    unit: str
    note: str | None = None
    arms: tuple[int, ...] = ()  # people per arm, where the sources give them
    started: tuple[int, ...] = ()  # of them, people who began treatment (per arm, as arms)
    participants: int | None = None  # a synthesis (unit: studies): the people it pooled


@dataclass(frozen=True)
class Intervention:
    drug: str
    route: str
    dose: str
    schedule: str

    @property
    def route_words(self) -> str:
        return unstated(self.route, "route")

    @property
    def dose_words(self) -> str:
        return unstated(self.dose, "dose")

    @property
    def schedule_words(self) -> str:
        return unstated(self.schedule, "schedule")


@dataclass(frozen=True)
class Rates:
    """Percentages of people, for charts: treatment arm vs control arm."""

    kind: str
    treatment: float
    control: float | None = None


@dataclass(frozen=True)
class TimeSpan:
    """'90 minutes', '1 week': when a result was measured, or how long an effect lasted."""

    amount: float
    unit: str  # one of TIME_UNITS

    @property
    def hours(self) -> float:
        return self.amount * HOURS_PER_UNIT[self.unit]

    def __str__(self) -> str:
        return f"{self.amount:g} {self.unit}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True)
class AdverseEvent:
    """An adverse event a study reports, by its id in ADVERSE_EVENTS."""

    id: str
    lasted: str | None = None  # how long it lasted, where the study says ("transient")
    rare: bool = False  # the study calls it rare: a patient list may leave it out, saying so


@dataclass(frozen=True)
class Effect:
    """An effect estimate with its 95% interval (low, high: both or neither)."""

    measure: str  # one of EFFECT_MEASURES
    value: float
    low: float | None = None
    high: float | None = None

    @property
    def ratio(self) -> bool:
        return self.measure in RATIO_MEASURES


@dataclass(frozen=True)
class Outcome:
    measure: str
    result: str
    timepoint: TimeSpan | None = None  # when it was measured
    lasted: TimeSpan | str | None = None  # how long the effect lasted, or one of LASTED
    comparison: str | None = None  # the study's own conclusion vs its comparator (COMPARISONS)
    rates: Rates | None = None
    significant: bool | None = None  # vs the comparator: true, false, or None (not reported)
    measures: tuple[str, ...] = ()  # what it measures, of MEASURES (none: not said)
    loc: Location | None = field(default=None, compare=False)  # where it is written
    rater: str | None = None  # one of RATERS; None: not said (read as subjective)
    effect: Effect | None = None
    events: int | None = None  # events counted (0: none happened), for harms

    @property
    def has_estimate(self) -> bool:
        """An estimate GRADE can rate: rates, an effect, or a count of events."""
        return self.rates is not None or self.effect is not None or self.events is not None

    @property
    def short_term(self) -> bool:
        """Measured at hours or days (before a week is out)."""
        return self.timepoint is not None and self.timepoint.hours < SHORT_TERM_HOURS


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
    comparator_kind: str | None = None  # one of COMPARATOR_KINDS; None: not said
    adverse_events: tuple[AdverseEvent, ...] = ()

    @property
    def is_efficacy(self) -> bool:
        return self.role == "efficacy"

    @property
    def people(self) -> int | None:
        """The people behind the study's result: n.value for a study of people, the pooled
        participants of a synthesis; None when not on file (or not people)."""
        if self.n.unit == "participants":
            return self.n.value
        return self.n.participants if self.n.unit == "studies" else None

    @property
    def smallest_arm(self) -> int | None:
        """People in the study's smallest arm (the whole study when arms are not given); None
        when the size is not confirmed."""
        return min(self.n.arms) if self.n.arms else self.n.value

    @property
    def small_arm(self) -> bool:
        """A study in people with an arm of fewer than SMALL_ARM (or of unknown size): its rates
        and counts must say how many people the study had."""
        if self.n.unit != "participants":
            return False
        arm = self.smallest_arm
        return arm is None or arm < SMALL_ARM

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
    # studies on file that measure what its chart draws but are not charted: (study id, the
    # reason the chart's caption prints, where it is written)
    left_out: tuple[tuple[str, str, Location], ...] = ()
    # the study results it rests on: (study id, outcome number from 1); a study not named
    # here contributes all its outcomes
    results: tuple[tuple[str, int], ...] = ()

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
    narrative: bool = False  # no estimate on file: not graded (grade is then meaningless)

    @property
    def points(self) -> int:
        """4 for high down to 1 for very low (the filled symbols of GRADE's four); 0: narrative."""
        return 0 if self.narrative else len(GRADES) - GRADES.index(self.grade)

    @property
    def word(self) -> str:
        return NARRATIVE if self.narrative else self.grade.replace("-", " ")


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
    loc: Location
    locs: Locs = field(default_factory=_locs, compare=False)
    evidence_locs: tuple[Location, ...] = ()
    regulatory_locs: tuple[Location, ...] = ()
    safety_locs: tuple[Location, ...] = ()


@dataclass(frozen=True)
class RegulatoryRisk:
    """A risk the label, the REMS or FDA's warnings give for this use (an ADVERSE_EVENTS id):
    backed by the confirmed regulatory facts that state it, or left out with the reason."""

    id: str
    facts: tuple[str, ...]
    left_out: str | None
    loc: Location


@dataclass(frozen=True)
class RegulatoryFact:
    id: str
    statement: str
    date: dt.date | None
    year: int | None
    off_label: bool
    loc: Location
    source: str | None = None  # where it was checked (a URL or a citation; not printed)
    verified_on: dt.date | None = None  # when it was last checked against that source
