"""GRADE's own rules, read from the study records: where a body of evidence starts, the least
it must be rated down for risk of bias and imprecision, whether it has an estimate to grade at
all, and whether a rating up is allowed. Content may record a stricter judgement (with its
reason), never a more lenient one: certainty.py applies the stricter of the two, and `check`
names the rule a lenient record breaks."""

from __future__ import annotations

from dataclasses import dataclass

from .. import model as m
from ..citations import first_author_year

RANDOMISED = ("rct", "crossover-rct")
SYNTHESES = ("meta-analysis", "systematic-review")  # of controlled trials when controlled: true
OIS = 400  # GRADE's rule of thumb for an optimal information size (Guyatt 2011, GRADE 6)
TRIVIAL_RATIO, LARGE_RATIO, VERY_LARGE_RATIO = 1.25, 2.0, 5.0
UNEVEN_ATTRITION = 0.10  # arms whose shares never treated (or lost) differ by this much


def randomised(study: m.Study) -> bool:
    """A randomised trial, or a synthesis of controlled trials."""
    kind = study.design.type
    return kind in RANDOMISED or (kind in SYNTHESES and study.design.controlled)


def starting_level(studies: list[m.Study]) -> tuple[str, str]:
    """GRADE's start: randomised evidence high, any non-randomised evidence low."""
    kinds = {randomised(s) for s in studies}
    if kinds == {True}:
        return "high", "randomised trials"
    if kinds == {False}:
        return "low", "non-randomised or uncontrolled studies"
    return "low", "randomised and non-randomised studies mixed: the non-randomised level"


def data(outcome: m.GradedOutcome, studies: list[m.Study]) -> list[tuple[m.Study, m.Outcome]]:
    """The study outcomes that measure this outcome: those `results` names, else every outcome
    of a study it does not name."""
    named = {s for s, _ in outcome.results}
    found = []
    for study in studies:
        for i, result in enumerate(study.outcomes):
            if study.id not in named or (study.id, i + 1) in outcome.results:
                found.append((study, result))
    return found


def has_estimate(outcome: m.GradedOutcome, studies: list[m.Study]) -> bool:
    return any(o.has_estimate for _, o in data(outcome, studies))


def dichotomous(outcomes: list[tuple[m.Study, m.Outcome]]) -> bool:
    return any(o.rates is not None or o.events is not None or (o.effect and o.effect.ratio)
               for _, o in outcomes)


@dataclass(frozen=True)
class Required:
    """The least GRADE's rules demand in one domain (-1 or -2), and the rule, in words."""

    domain: str
    by: int
    rule: str


def uneven_attrition(study: m.Study) -> str:
    """'33 of 203 never started ECT, 5 of 200 ketamine' when the arms lost shares of their
    people differing by UNEVEN_ATTRITION or more; '' otherwise."""
    arms, started = study.n.arms, study.n.started
    if len(arms) < 2 or len(started) != len(arms):
        return ""
    lost = [(a - s) / a for a, s in zip(arms, started, strict=True)]
    if max(lost) - min(lost) < UNEVEN_ATTRITION:
        return ""
    return "; ".join(f"{a - s} of {a} in arm {i + 1} never began treatment"
                     for i, (a, s) in enumerate(zip(arms, started, strict=True)))


def at_risk(study: m.Study, outcomes: list[m.Outcome]) -> str:
    """Why a study's result for this outcome is at risk of bias by the record ('' if not)."""
    subjective = any(o.rater != "objective" for o in outcomes)
    if study.design.blinding == "open-label":
        return "open-label" + (" with a subjective outcome" if subjective else "")
    if study.comparator_kind == "placebo" and subjective:
        return "an inert placebo (easy to tell from ketamine) with a subjective outcome"
    return ""


def risk_of_bias(outcome: m.GradedOutcome, studies: list[m.Study]) -> Required | None:
    """-1 when studies at risk (open-label, or placebo-controlled with a subjective outcome)
    hold most of the people; -2 when one of them is also self-rated with uneven attrition."""
    pairs = data(outcome, studies)
    risky = {s.id: at_risk(s, [o for t, o in pairs if t.id == s.id]) for s in studies}
    risky = {k: v for k, v in risky.items() if v}
    if not risky:
        return None
    people = {s.id: s.people or 0 for s in studies}
    total, at = sum(people.values()), sum(people[k] for k in risky)
    if (at * 2 <= total) if total else (len(risky) * 2 <= len(studies)):
        return None  # most of the evidence comes from studies not at risk
    named = ", ".join(f"{first_author_year(s)} ({risky[s.id]})" for s in studies if s.id in risky)
    for study in studies:
        self_rated = any(o.rater == "self" for t, o in pairs if t.id == study.id)
        attrition = uneven_attrition(study)
        if study.id in risky and self_rated and attrition:
            return Required("risk-of-bias", -2, f"GRADE risk of bias: {named}; self-rated, "
                            f"with uneven attrition ({attrition}): very serious, -2")
    return Required("risk-of-bias", -1, f"GRADE risk of bias: most of the people are in "
                    f"studies at risk: {named}: serious, at least -1")


def imprecision(outcome: m.GradedOutcome, studies: list[m.Study]) -> Required | None:
    """-2 for zero events or a ratio interval from trivial to large benefit; -1 for an
    interval that takes in no effect, or fewer people than the optimal information size."""
    pairs = data(outcome, studies)
    if any(o.events == 0 for _, o in pairs):
        return Required("imprecision", -2, "GRADE imprecision: zero events, far too few to "
                        "rule out an uncommon harm: very serious, -2")
    for study, o in pairs:
        e = o.effect
        if e and e.ratio and e.low is not None and e.high is not None and _wide(e.low, e.high):
            return Required("imprecision", -2, f"GRADE imprecision: the {e.measure} interval "
                            f"of {first_author_year(study)} ({e.low:g} to {e.high:g}) runs from "
                            "a trivial to a large effect: very serious, -2")
    for study, o in pairs:
        e = o.effect
        if e and e.low is not None and e.high is not None and \
                e.low <= (1 if e.ratio else 0) <= e.high:
            return Required("imprecision", -1, f"GRADE imprecision: the {e.measure} interval of "
                            f"{first_author_year(study)} ({e.low:g} to {e.high:g}) takes in no "
                            "effect: serious, at least -1")
    people = sum(s.people or 0 for s in studies)
    if people < OIS:
        kind = "a dichotomous" if dichotomous(pairs) else "an"
        return Required("imprecision", -1, f"GRADE imprecision: {people} people, fewer than the "
                        f"about {OIS} an optimal information size needs for {kind} outcome: "
                        "serious, at least -1")
    return None


def _wide(low: float, high: float) -> bool:
    """A ratio interval that takes in both a trivial (or no) effect and a large one."""
    if high > 1:  # benefit measured as a ratio above 1
        return low < TRIVIAL_RATIO and high >= LARGE_RATIO
    return high > 1 / TRIVIAL_RATIO and low <= 1 / LARGE_RATIO


def required(outcome: m.GradedOutcome, studies: list[m.Study]) -> list[Required]:
    return [r for r in (risk_of_bias(outcome, studies), imprecision(outcome, studies)) if r]


def upgrade_problem(rating: m.Rating, outcome: m.GradedOutcome, studies: list[m.Study],
                    start: str) -> str:
    """Why GRADE does not allow this rating up here ('' when it does)."""
    if start != "low":
        return ("GRADE rates up only non-randomised evidence: this outcome rests on randomised "
                "trials, which start high")
    if risk_of_bias(outcome, studies) is not None:
        return "GRADE rates up only evidence with no serious risk of bias"
    if rating.domain != "large-effect":
        return ""
    ratios = [abs(o.effect.value) for _, o in data(outcome, studies)
              if o.effect and o.effect.ratio and o.effect.low is not None]
    needed = VERY_LARGE_RATIO if rating.by >= 2 else LARGE_RATIO
    strong = [r for r in ratios if r >= needed or (0 < r <= 1 / needed)]
    if not strong:
        return (f"GRADE's large effect needs a ratio of at least {needed:g} (or at most "
                f"{1 / needed:g}) with its interval on file; none is")
    return ""
