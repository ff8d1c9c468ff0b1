"""GRADE certainty per outcome, computed as in a Summary-of-Findings table: the study designs
give the starting level (randomised trials high, observational studies low), each downgrade and
upgrade the content records moves it, and the result is clamped to high .. very low. A
condition's certainty is the lowest of its critical outcomes. Nothing here is typed by hand;
`check` enforces the rules that keep the judgements honest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import model as m
from ..citations import Citations, first_author_year
from ..diagnostics import Diagnostics
from ..read.fields import suggestion

RANDOMISED = ("rct", "crossover-rct")
SYNTHESES = ("meta-analysis", "systematic-review")  # of controlled trials when controlled: true
FEW_PARTICIPANTS = 100  # a critical outcome resting on fewer people should be rated imprecise
DOMAIN_NAMES = {
    "risk-of-bias": "Risk of bias", "inconsistency": "Inconsistency",
    "indirectness": "Indirectness", "imprecision": "Imprecision",
    "publication-bias": "Publication bias", "large-effect": "Large effect",
    "dose-response": "Dose-response", "plausible-confounding": "Plausible confounding",
}
# design names for the design mix, singular and plural
DESIGNS = {
    "rct": ("RCT", "RCTs"), "crossover-rct": ("crossover RCT", "crossover RCTs"),
    "meta-analysis": ("meta-analysis", "meta-analyses"),
    "systematic-review": ("systematic review", "systematic reviews"),
    "single-arm": ("single-arm study", "single-arm studies"),
    "cohort": ("cohort study", "cohort studies"), "animal": ("animal study", "animal studies"),
}
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def randomised(study: m.Study) -> bool:
    """A randomised trial, or a synthesis of controlled trials."""
    kind = study.design.type
    return kind in RANDOMISED or (kind in SYNTHESES and study.design.controlled)


def starting_level(outcome: m.GradedOutcome, studies: list[m.Study]) -> tuple[str, str]:
    """The level the designs give, unless the content records an exception (with its reason)."""
    if outcome.start is not None:
        return outcome.start.grade, outcome.start.reason
    kinds = {randomised(s) for s in studies}
    if kinds == {True}:
        return "high", "randomised trials"
    if kinds == {False}:
        return "low", "observational or uncontrolled studies"
    return "low", "randomised and observational studies mixed: the observational level"


def compute(outcome: m.GradedOutcome, studies: list[m.Study]) -> m.Certainty:
    start, reason = starting_level(outcome, studies)
    points = len(m.GRADES) - m.GRADES.index(start) + sum(r.by for r in outcome.ratings)
    points = max(1, min(len(m.GRADES), points))
    return m.Certainty(grade=m.GRADES[len(m.GRADES) - points], start=start,
                       start_reason=reason, ratings=outcome.ratings)


@dataclass(frozen=True)
class Participants:
    """The people behind an outcome: counted from the study records (n.value in participants);
    `uncounted` names the studies whose records give no count of people."""

    counted: int
    uncounted: tuple[str, ...]

    @property
    def text(self) -> str:
        """'25 people'; '211 people + 1 study without a count'; 'no count of people on file'."""
        if not self.uncounted:
            return f"{self.counted:,} {'person' if self.counted == 1 else 'people'}"
        rest = f"{len(self.uncounted)} {'study' if len(self.uncounted) == 1 else 'studies'}"
        if self.counted:
            return f"{self.counted:,} people + {rest} without a count"
        return "no count of people on file"


def participants(studies: list[m.Study]) -> Participants:
    counted = sum(s.n.value or 0 for s in studies if s.n.unit == "participants")
    uncounted = tuple(first_author_year(s) for s in studies
                      if s.n.unit != "participants" or s.n.value is None)
    return Participants(counted, uncounted)


def design_mix(studies: list[m.Study]) -> str:
    """'two crossover RCTs', 'one open-label RCT', 'one single-arm study, one cohort study'."""
    kinds = Counter((s.design.blinding == "open-label" and s.design.type in RANDOMISED,
                     s.design.type) for s in studies)
    parts = []
    for (open_label, kind), count in kinds.items():
        one, many = DESIGNS.get(kind, (kind, kind))
        name = one if count == 1 else many
        number = NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)
        parts.append(f"{number} {'open-label ' if open_label else ''}{name}")
    pooled = [s for s in studies if s.n.unit == "studies" and s.n.value]
    if len(pooled) == 1 and len(studies) == 1:  # 'one meta-analysis of 7 studies'
        parts[0] += f" of {pooled[0].n.value} studies"
    return ", ".join(parts)


def grade_words(grade: str) -> str:
    """GRADE's four circles in words a fax cannot blur: 'LOW (2 of 4)'."""
    points = len(m.GRADES) - m.GRADES.index(grade)
    return f"{grade.replace('-', ' ').upper()} ({points} of {len(m.GRADES)})"


def circles(grade: str) -> Markup:
    """GRADE's four circles, filled with a plus up to the grade (the vendored font has no
    U+2295), drawn in black as inline SVG; the words beside them say the same."""
    points = len(m.GRADES) - m.GRADES.index(grade)
    r, step = 3.3, 8.6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="grade-circles" role="img" '
           f'width="{step * 4 - 1:g}" height="8" viewBox="0 0 {step * 4 - 1:g} 8">'
           f'<title>{points} of {len(m.GRADES)}</title>']
    for i in range(len(m.GRADES)):
        cx = r + 0.6 + i * step
        out.append(f'<circle cx="{cx:g}" cy="4" r="{r:g}" fill="#ffffff" stroke="#000000" '
                   'stroke-width="0.8"/>')
        if i < points:
            out.append(f'<path d="M{cx - r:g},4 H{cx + r:g} M{cx:g},{4 - r:g} V{4 + r:g}" '
                       'stroke="#000000" stroke-width="0.8"/>')
    out.append("</svg>")
    return Markup("".join(out))


def judgement(rating: m.Rating) -> str:
    """'Imprecision −2: 25 people in two crossover trials'."""
    sign = "\u2212" if rating.by < 0 else "+"
    return f"{DOMAIN_NAMES[rating.domain]} {sign}{abs(rating.by)}: {rating.reason}"


@dataclass(frozen=True)
class Row:
    """One outcome of a condition, assessed: a row of the Summary-of-Findings table."""

    outcome: m.GradedOutcome
    studies: tuple[m.Study, ...]
    certainty: m.Certainty
    participants: Participants
    design: str

    @property
    def label(self) -> str:
        return grade_words(self.certainty.grade)

    @property
    def circles(self) -> Markup:
        return circles(self.certainty.grade)

    @property
    def reasons(self) -> list[str]:
        return [judgement(r) for r in self.certainty.ratings]

    @property
    def start_note(self) -> str:
        """Where the rating started, when not at high from randomised trials."""
        c = self.certainty
        if self.outcome.start is not None:
            return f"Starts {c.start.replace('-', ' ')}: {c.start_reason}"
        if c.start != "high":
            return f"Starts {c.start.replace('-', ' ')} ({c.start_reason})"
        return ""

    @property
    def why(self) -> list[str]:
        """Every reason the certainty is where it is: the start, then each judgement."""
        return [x for x in (self.start_note, *self.reasons) if x]


def backing(outcome: m.GradedOutcome, studies: dict[str, m.Study]) -> list[m.Study]:
    """The outcome's studies that exist and may back it (efficacy studies with a result)."""
    return [studies[s] for s in outcome.studies
            if s in studies and studies[s].is_efficacy and studies[s].outcomes]


def rows(condition: m.Condition, studies: dict[str, m.Study]) -> list[Row]:
    found = []
    for outcome in condition.outcomes:
        backed = backing(outcome, studies)
        if not backed:
            continue  # an error in check; nothing to grade
        found.append(Row(outcome, tuple(backed), compute(outcome, backed), participants(backed),
                         design_mix(backed)))
    return found


def table(condition: m.Condition, studies: dict[str, m.Study],
          citations: Citations) -> list[dict[str, Any]]:
    """The Summary-of-Findings rows for a template: each outcome assessed, with its studies
    named and numbered as the document cites them."""
    return [{"row": row, "studies": [(first_author_year(s), citations.number(s.id))
                                     for s in row.studies]}
            for row in rows(condition, studies)]


def overall(condition: m.Condition, studies: dict[str, m.Study]) -> m.Certainty | None:
    """The condition's certainty: the lowest of its critical outcomes (None: none is graded)."""
    critical = [r.certainty for r in rows(condition, studies) if r.outcome.critical]
    return max(critical, key=lambda c: m.GRADES.index(c.grade)) if critical else None


def check(condition: m.Condition, project: m.Project, diags: Diagnostics) -> None:
    """Every rule as a located error, each message saying how to fix it."""
    where = f"condition {condition.id}"
    loc = condition.locs.get("outcomes", condition.loc)
    if "outcomes" in condition.locs and not any(o.critical for o in condition.outcomes):
        diags.error(loc, "content.no-critical", f"{where}: outcomes",
                    "no outcome is marked `importance: critical`, so the condition has no "
                    "certainty: mark the outcomes a referring physician decides on (e.g. "
                    "response, durability, harms) as critical")
    charted: dict[str, str] = {}  # study id -> the outcome whose chart draws its rates
    for i, outcome in enumerate(condition.outcomes):
        _check_outcome(outcome, f"{where}: outcomes[{i + 1}]", project, diags)
        rated = [s for s in backing(outcome, project.studies)
                 if outcome.chart and any(o.rates for o in s.outcomes)]
        for study in rated:
            if study.id in charted:
                diags.error(outcome.loc, "content.chart-twice", f"{where}: outcomes[{i + 1}]",
                            f"the rates of '{study.id}' are already charted under "
                            f"'{charted[study.id]}': write `chart: false` on the outcome they "
                            "do not measure, so one number never stands for two outcomes")
            else:
                charted[study.id] = outcome.name


def _check_outcome(outcome: m.GradedOutcome, where: str, project: m.Project,
                   diags: Diagnostics) -> None:
    studies = project.studies
    if not outcome.studies:
        diags.error(outcome.loc, "content.no-studies", where,
                    f"'{outcome.name}' lists no studies: add `studies: [id, ...]`, the "
                    "efficacy studies that measured it, or remove the outcome")
    for study_id, loc in zip(outcome.studies, outcome.study_locs, strict=False):
        study = studies.get(study_id)
        if study is None:
            if study_id not in project.broken:
                diags.error(loc, "content.unknown-ref", f"{where}.studies",
                            f"no study '{study_id}' in content/studies/"
                            f"{suggestion(study_id, studies)}")
        elif not study.is_efficacy:
            kind = "an animal study" if study.role == "preclinical" else "a mechanism study"
            diags.error(loc, "content.not-efficacy", f"{where}.studies",
                        f"'{study_id}' is {kind} (role: {study.role}); it cannot back a "
                        "clinical outcome: remove it from the outcome's studies (cite it in a "
                        "key point that says what it is)")
        elif not study.outcomes:
            diags.error(loc, "content.no-result", f"{where}.studies",
                        f"'{study_id}' has no confirmed outcome on file: remove it until its "
                        "results are checked against the article")
    backed = backing(outcome, studies)
    people = participants(backed)
    imprecise = any(r.domain == "imprecision" for r in outcome.ratings)
    if outcome.critical and backed and people.counted < FEW_PARTICIPANTS and not imprecise:
        counted = (f"{people.counted} counted participants ({', '.join(people.uncounted)}: "
                   "no count of people on file)" if people.uncounted
                   else f"{people.counted} participants")
        diags.warning(outcome.loc, "content.imprecision", where,
                      f"critical outcome '{outcome.name}' rests on {counted}, fewer than "
                      f"{FEW_PARTICIPANTS}, but has no imprecision downgrade: add "
                      "`downgrade: {imprecision: {by: -1, reason: ...}}` (or -2) "
                      "saying how few people the estimate rests on")

