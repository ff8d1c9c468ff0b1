"""Physician texts (a condition's bottom line, key points, outcome names, safety lines) under
the patient texts' wording rules, in the clinician's terms:

- `claims.*`: the claim words of wording.claims;
- `numbers.quantifier`: "most patients", "nearly all", an "up to" the record does not hold;
- `physician.number`: a typed number that no cited study record (or regulatory fact) holds;
- `physician.rate-size`: a rate without the size of the study it comes from;
- `physician.relative`: a relative effect ("cut by 60%", "halved", "twice as likely", an odds
  ratio) with no absolute numbers (two rates, or events out of a total) beside it;
- `physician.duration`: a rate from an outcome whose effect did not last, or was not compared
  later, without saying how long it lasted;
- `physician.verdict`: a comparative verdict against an active treatment that is not the
  study's own conclusion (its `comparison`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from .. import model as m
from ..diagnostics import Diagnostics, Location
from ..wording import claims, record

SENTENCE = re.compile(r"(?<=[.!?])\s+")
CI = re.compile(r"\b\d+(?:\.\d+)?\s?% (?:CI|confidence)\b", re.IGNORECASE)
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
SIZE = re.compile(r"\bn\s?=\s?(\d[\d,]*)|(\d[\d,]*)(?:[- ][\w-]+){0,3}?[- ](?:people|patients|"
                  r"participants|adults|veterans|subjects|patient|person)\b|\bof (\d[\d,]*)\b",
                  re.IGNORECASE)
RELATIVE = re.compile(
    r"\b(?:cut|cuts|reduced?|reduces|lowered|lowers|decreased?|increased?|raised?|improved?)"
    r"\b[^.;]*?\bby \d+(?:\.\d+)?\s?%|\d+(?:\.\d+)?\s?% (?:reduction|lower|fewer|less|more|"
    r"higher|increase|decrease|relative)|\b(?:halved|doubled|tripled|twice as|"
    r"\d+(?:\.\d+)?-fold|\d+ times (?:more|less|as)|odds ratio|risk ratio|relative risk|"
    r"hazard ratio|(?-i:OR|RR|HR) \d)", re.IGNORECASE)
ABSOLUTE = re.compile(r"\d+(?:\.\d+)?\s?% (?:with [^.;]*?)?(?:vs\.?|versus|compared with|and) "
                      r"\d+(?:\.\d+)?\s?%|\b\d+ of \d+\b|\b\d+/\d+\b", re.IGNORECASE)
LASTED = re.compile(r"relaps|lasted|lasting|faded|wore off|short-lived|transient|not sustained|"
                    r"no (?:significant )?difference|not significant|\d+ (?:days?|weeks?|months?)"
                    r"|day \d+", re.IGNORECASE)
VERDICTS = {  # the words of each conclusion a study can reach against an active treatment
    "superior": r"superior|better than|more effective|outperform\w*|beats?",
    "noninferior": r"non-?inferior\w*|not worse than|no worse than",
    "no-difference": r"no (?:significant |clear )?difference|similar to|comparable to|"
                     r"as (?:effective|good|well) as|equivalent",
    "inferior": r"inferior|worse than|less effective",
}


def physician_claims(condition: m.Condition, project: m.Project, diags: Diagnostics) -> None:
    """Every wording rule over a condition's texts."""
    for where, loc, text, cites, facts in _texts(condition):
        if set(cites) & project.broken:
            continue  # its numbers are read from a study that is already an error
        studies = [project.studies[s] for s in cites if s in project.studies]
        statements = [project.regulatory[f].statement for f in facts if f in project.regulatory]
        held = record.known(studies, statements)
        for claim in claims.find(text, "en", partial(_one_sized, studies=studies)):
            diags.error(loc, claim.code, where, claim.message)
        for found in record.claims(text, "en", held):
            if found.kind == "quantifier":
                diags.error(loc, "numbers.quantifier", where,
                            f"says '{found.said}': give the rate and its n from the record "
                            "instead, or leave the quantifier out")
            elif found.kind == "count" or (found.kind == "rate" and _unheld_rate(found, held)):
                diags.error(loc, "physician.number", where,
                            f"types {found.said}, which no study it cites ({', '.join(cites)}) "
                            "or regulatory fact holds: take the number from the study record")
        for sentence in SENTENCE.split(text):
            _sentence_rules(sentence, studies, where, loc, diags)


def _unheld_rate(found: record.Found, held: set[float]) -> bool:
    """A rate in digits ('60%') that no cited record holds ('halved' is the relative rule's)."""
    digits = re.match(r"\d+(?:\.\d+)?", found.said)
    return digits is not None and not record.holds(held, float(digits.group(0)))


def _texts(condition: m.Condition) -> Iterator[
        tuple[str, Location, str, tuple[str, ...], tuple[str, ...]]]:
    """Each text with the studies and facts it speaks for: the bottom line and the safety lines
    sum up every study the sheet names."""
    where = f"condition {condition.id}"
    named = tuple(dict.fromkeys([*condition.evidence, *(s for o in condition.outcomes
                                                        for s in o.studies),
                                 *(s for p in condition.key_points for s in p.cites)]))
    yield (f"{where}: bottom_line", condition.locs.get("bottom_line", condition.loc),
           condition.bottom_line, named, condition.regulatory)
    for i, point in enumerate(condition.key_points):
        yield f"{where}: key_points[{i + 1}]", point.loc, point.text, point.cites, ()
    for i, outcome in enumerate(condition.outcomes):
        yield f"{where}: outcomes[{i + 1}]", outcome.loc, outcome.name, outcome.studies, ()
    for i, line in enumerate(condition.safety):
        loc = condition.safety_locs[i] if i < len(condition.safety_locs) else condition.loc
        yield f"{where}: safety[{i + 1}]", loc, line, named, condition.regulatory


def _one_sized(sentence: str, studies: list[m.Study]) -> bool:
    sizes = {x for s in studies for x in (s.n.value, *s.n.arms) if x is not None}
    return any(int(n.replace(",", "")) in sizes for n in re.findall(r"\d[\d,]*", sentence))


def _sentence_rules(sentence: str, studies: list[m.Study], where: str, loc: Location,
                    diags: Diagnostics) -> None:
    for match in PERCENT.finditer(CI.sub(" ", sentence)):
        rate = float(match.group(1))
        owner = next((s for s in studies if _holds_rate(s, rate)), None)
        if owner is None:
            continue  # not a recorded rate: physician.number says so
        if not _sized(sentence, owner):
            diags.error(loc, "physician.rate-size", where,
                        f"gives {match.group(0)} from '{owner.id}' without its size: write "
                        f"n={owner.n.value} (or its arms) in the same sentence")
        outcome = _outcome_of(owner, rate)
        if outcome is not None and _faded(owner, outcome) and not LASTED.search(sentence):
            diags.error(loc, "physician.duration", where,
                        f"gives {match.group(0)} from '{owner.id}' ({outcome.measure}) without "
                        f"how long it lasted ({_lasted_words(owner, outcome)}): say it in the "
                        "same sentence")
    relative = RELATIVE.search(sentence)
    if relative and not ABSOLUTE.search(sentence):
        diags.error(loc, "physician.relative", where,
                    f"gives a relative effect ('{relative.group(0)}') without absolute numbers "
                    "beside it: give both groups' rates (e.g. '55% vs 30%') or events out of "
                    "the total, with n")
    _verdict(sentence, studies, where, loc, diags)


def _holds_rate(study: m.Study, rate: float) -> bool:
    return _outcome_of(study, rate) is not None or record.holds(
        {float(x) for o in study.outcomes for x in PERCENT.findall(o.result)}, rate)


def _outcome_of(study: m.Study, rate: float) -> m.Outcome | None:
    for outcome in study.outcomes:
        values = {float(x) for x in PERCENT.findall(outcome.result)}
        if outcome.rates is not None:
            values |= {outcome.rates.treatment, outcome.rates.control or -1.0}
        if record.holds(values, rate):
            return outcome
    return None


def _sized(sentence: str, study: m.Study) -> bool:
    sizes = {x for x in (study.n.value, *study.n.arms) if x is not None}
    typed = {int(g.replace(",", "")) for mt in SIZE.finditer(sentence) for g in mt.groups() if g}
    return bool(typed & sizes)


def _faded(study: m.Study, outcome: m.Outcome) -> bool:
    """Whether the effect was short-lived, lasted a known time, or was gone at a later
    time point: a rate alone would read as lasting."""
    later_null = any(o.significant is False and o.timepoint and outcome.timepoint
                     and o.timepoint.hours > outcome.timepoint.hours for o in study.outcomes)
    lapse = any("relapse" in o.measure.lower() or "relapse" in o.result.lower()
                for o in study.outcomes)
    return later_null or lapse or outcome.lasted == "short-lived"


def _lasted_words(study: m.Study, outcome: m.Outcome) -> str:
    for o in study.outcomes:
        if "relapse" in o.result.lower():
            return o.result
    return f"lasted: {outcome.lasted}" if outcome.lasted else "a later time point showed none"


def _verdict(sentence: str, studies: list[m.Study], where: str, loc: Location,
             diags: Diagnostics) -> None:
    for study in studies:
        if study.comparator_kind != "active-treatment":
            continue
        own = {o.comparison for o in study.outcomes if o.comparison}
        for conclusion, words in VERDICTS.items():
            said = re.search(rf"(?<![\w-])(?:{words})\b", sentence, re.IGNORECASE)
            if said and conclusion not in own:
                diags.error(loc, "physician.verdict", where,
                            f"says '{said.group(0)}' of '{study.id}' against "
                            f"{study.comparator}: the study concluded "
                            f"{' / '.join(sorted(own)) or 'nothing comparative'}; say that")

