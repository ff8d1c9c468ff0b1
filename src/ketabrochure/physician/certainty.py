"""GRADE certainty per outcome, computed as in a Summary-of-Findings table: the study designs
give the starting level (randomised trials high, non-randomised studies low), GRADE's rules
read from the records (grade.py) set the least each domain is rated down, a judgement the
content records may only be stricter, and the result is clamped to high .. very low. An
outcome with no estimate on file is not graded ("no estimate (narrative)"). A condition's
certainty is the lowest of its graded critical outcomes. Nothing here is typed by hand."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import model as m
from ..citations import Citations, first_author_year
from ..diagnostics import Diagnostics
from ..read.fields import suggestion
from . import grade
from .grade import RANDOMISED

DOMAIN_NAMES = {
    "risk-of-bias": "Risk of bias", "inconsistency": "Inconsistency",
    "indirectness": "Indirectness", "imprecision": "Imprecision",
    "publication-bias": "Publication bias", "large-effect": "Large effect",
    "dose-response": "Dose-response", "plausible-confounding": "Plausible confounding",
}
# design names for the design mix, singular and plural
DESIGNS = {
    "rct": ("RCT", "RCTs"), "crossover-rct": ("crossover RCT", "crossover RCTs"),
    "nonrandomised-crossover": ("non-randomised crossover study",
                                "non-randomised crossover studies"),
    "meta-analysis": ("meta-analysis", "meta-analyses"),
    "systematic-review": ("systematic review", "systematic reviews"),
    "single-arm": ("single-arm study", "single-arm studies"),
    "cohort": ("cohort study", "cohort studies"), "animal": ("animal study", "animal studies"),
}
# GRADE's plain-language statements (Santesso 2020): the word each certainty puts in a claim
VERBS = {"moderate": ("'Ketamine probably reduces ...'", r"\bprobabl[ey]\b|\blikely\b"),
         "low": ("'Ketamine may reduce ...'", r"\bmay\b"),
         "very-low": ("'It is very uncertain whether ketamine reduces ...'",
                      r"\bvery uncertain\b")}
# a present-tense claim of benefit: stated flat only at high certainty
CLAIM = re.compile(r"\b(reduces|relieves|improves|lowers|eases|works|helps|prevents)\b", re.I)
HEDGE = re.compile("|".join(p for _, p in VERBS.values()) + r"|\bnot\b", re.I)
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def starting_level(outcome: m.GradedOutcome, studies: list[m.Study]) -> tuple[str, str]:
    """The level the designs give, or the content's recorded start when it is lower."""
    start, reason = grade.starting_level(studies)
    if outcome.start is not None and m.GRADES.index(outcome.start.grade) > m.GRADES.index(start):
        return outcome.start.grade, outcome.start.reason
    return start, reason


def effective(outcome: m.GradedOutcome, studies: list[m.Study], start: str) -> tuple[m.Rating, ...]:
    """The judgements that count: each recorded one, made as strict as GRADE's rules require
    (the rule's words stand in for a missing one); upgrades the rules do not allow dropped."""
    ratings = [r for r in outcome.ratings if r.domain in m.DOWNGRADES
               or not grade.upgrade_problem(r, outcome, studies, start)]
    for need in grade.required(outcome, studies):
        recorded = next((r for r in ratings if r.domain == need.domain), None)
        if recorded is None:
            ratings.append(m.Rating(need.domain, need.by, need.rule, outcome.loc))
        elif recorded.by > need.by:
            ratings[ratings.index(recorded)] = m.Rating(need.domain, need.by, need.rule,
                                                        recorded.loc)
    return tuple(ratings)


def compute(outcome: m.GradedOutcome, studies: list[m.Study]) -> m.Certainty:
    start, reason = starting_level(outcome, studies)
    if not grade.has_estimate(outcome, studies):
        return m.Certainty(grade=start, start=start, start_reason=reason, narrative=True)
    ratings = effective(outcome, studies, start)
    points = len(m.GRADES) - m.GRADES.index(start) + sum(r.by for r in ratings)
    points = max(1, min(len(m.GRADES), points))
    return m.Certainty(grade=m.GRADES[len(m.GRADES) - points], start=start,
                       start_reason=reason, ratings=ratings)


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
    counted = sum(s.people or 0 for s in studies)
    uncounted = tuple(first_author_year(s) for s in studies if s.people is None)
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


def grade_words(level: str) -> str:
    """GRADE's four circles in words a fax cannot blur: 'LOW (2 of 4)'."""
    points = len(m.GRADES) - m.GRADES.index(level)
    return f"{level.replace('-', ' ').upper()} ({points} of {len(m.GRADES)})"


def circles(level: str) -> Markup:
    """GRADE's four circles, filled with a plus up to the grade (the vendored font has no
    U+2295), drawn in black as inline SVG; the words beside them say the same."""
    points = len(m.GRADES) - m.GRADES.index(level)
    r, step = 3.3, 8.6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="grade-circles" role="img" '
           f'width="{step * 4 - 1:g}" height="8" viewBox="0 0 {step * 4 - 1:g} 8">'
           f'<title>GRADE certainty: {points} of {len(m.GRADES)} circles filled</title>']
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
        return m.NARRATIVE.upper() if self.certainty.narrative else grade_words(
            self.certainty.grade)

    @property
    def circles(self) -> Markup:
        return Markup("") if self.certainty.narrative else circles(self.certainty.grade)

    @property
    def reasons(self) -> list[str]:
        return [judgement(r) for r in self.certainty.ratings]

    @property
    def start_note(self) -> str:
        """Where the rating started, when not at high from randomised trials."""
        c = self.certainty
        if c.narrative:
            return "No estimate on file (rates, an effect or a count of events): not graded"
        if self.outcome.start is not None and c.start_reason == self.outcome.start.reason:
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
    """The condition's certainty: the lowest of its graded critical outcomes (None: none is
    graded)."""
    critical = [r.certainty for r in rows(condition, studies)
                if r.outcome.critical and not r.certainty.narrative]
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
    _check_verbs(condition, project, diags)
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
    _check_results(outcome, where, studies, diags)
    if backed:
        _check_lenient(outcome, where, backed, diags)


def _check_results(outcome: m.GradedOutcome, where: str, studies: dict[str, m.Study],
                    diags: Diagnostics) -> None:
    for study_id, number in outcome.results:
        study = studies.get(study_id)
        if study is not None and number > len(study.outcomes):
            diags.error(outcome.loc, "content.unknown-ref", f"{where}.results.{study_id}",
                        f"'{study_id}' has {len(study.outcomes)} outcomes; there is no "
                        f"outcome {number}: give the number of the outcome (from 1) in "
                        f"content/studies/{study_id}.yaml that measures '{outcome.name}'")


def _check_lenient(outcome: m.GradedOutcome, where: str, backed: list[m.Study],
                   diags: Diagnostics) -> None:
    """A recorded judgement more lenient than GRADE's rules allow is an error naming the rule;
    a stricter one (with its reason) is the content's to make."""
    start, _ = grade.starting_level(backed)
    if outcome.start is not None and \
            m.GRADES.index(outcome.start.grade) < m.GRADES.index(start):
        diags.error(outcome.start.loc, "content.grade-lenient", f"{where}.start",
                    f"starts '{outcome.start.grade}', above the '{start}' GRADE gives "
                    f"{_studies(backed)}: a recorded start may only be lower; remove `start:`")
    if not grade.has_estimate(outcome, backed):
        return  # not graded: printed as no estimate (narrative)
    for rating in outcome.ratings:
        problem = (grade.upgrade_problem(rating, outcome, backed, starting_level(outcome,
                                                                                 backed)[0])
                   if rating.domain in m.UPGRADES else "")
        if problem:
            diags.error(rating.loc, "content.grade-lenient", f"{where}.upgrade.{rating.domain}",
                        f"'{outcome.name}' is rated up for {rating.domain.replace('-', ' ')}, "
                        f"but {problem}: remove the upgrade")
    for need in grade.required(outcome, backed):
        recorded = next((r for r in outcome.ratings if r.domain == need.domain), None)
        if recorded is not None and recorded.by <= need.by:
            continue
        said = f"records {recorded.by:+d}" if recorded else "records no downgrade"
        diags.error(recorded.loc if recorded else outcome.loc, "content.grade-lenient",
                    f"{where}.downgrade.{need.domain}",
                    f"'{outcome.name}' {said} for {need.domain.replace('-', ' ')}; {need.rule}: "
                    f"write `downgrade: {{{need.domain}: {{by: {need.by}, reason: ...}}}}` "
                    "(or stricter), saying what in these studies lowers the certainty")


def _studies(backed: list[m.Study]) -> str:
    return "its studies (" + ", ".join(
        f"{first_author_year(s)}: {s.design.type}" for s in backed) + ")"


def _check_verbs(condition: m.Condition, project: m.Project, diags: Diagnostics) -> None:
    """The bottom line's words follow the grades: the overall grade's word is there, no word
    of a grade no outcome reaches, and no flat claim of benefit below high certainty."""
    graded = [r.certainty.grade for r in rows(condition, project.studies)
              if not r.certainty.narrative]
    result = overall(condition, project.studies)
    if result is None or not graded:
        return
    text, where = condition.bottom_line, f"condition {condition.id}: bottom_line"
    loc = condition.locs.get("bottom_line", condition.loc)
    best = min(m.GRADES.index(g) for g in graded)
    word = VERBS.get(result.grade)
    lower = [p for level, (_, p) in VERBS.items()  # the grade's word, or a stricter one
             if m.GRADES.index(level) >= m.GRADES.index(result.grade)]
    if word and not any(re.search(p, text, re.IGNORECASE) for p in lower):
        diags.error(loc, "content.grade-verb", where,
                    f"the condition's certainty is {result.word.upper()}, but the bottom line "
                    f"does not say so: use GRADE's words, e.g. {word[0]}")
    for level, (_, pattern) in VERBS.items():
        found = re.search(pattern, text, re.IGNORECASE)
        if found and m.GRADES.index(level) < best:
            diags.error(loc, "content.grade-verb", where,
                        f"'{found.group(0)}' states {level.replace('-', ' ')} certainty, but no "
                        f"outcome is above {m.GRADES[best].replace('-', ' ')}: use the word of "
                        "the outcome's grade (moderate 'probably', low 'may', very low 'very "
                        "uncertain')")
    if best > 0:
        for sentence in re.split(r"(?<=[.;])\s+", text):
            claim = CLAIM.search(sentence)
            if claim and not HEDGE.search(sentence):
                diags.error(loc, "content.grade-verb", where,
                            f"'{claim.group(0)}' states a benefit flatly, as only HIGH "
                            f"certainty may, in \u201c{sentence}\u201d: say it with the "
                            "grade's word ('may reduce', 'probably reduces', 'it is very "
                            "uncertain whether ... reduces')")
