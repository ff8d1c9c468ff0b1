"""Time claims from the record (extends framing's time points and durations).

- `framing.time-claim`: a time a patient text names ("within about 2 hours", "for 3 weeks",
  "hasta 3 horas") must be one the texts' cited records hold: an outcome's timepoint or
  `lasted`, or a time the study's schedule, follow-up or results quote, or a cited regulatory
  fact; onset and duration words with no number ("within minutes", "for months") must be of a
  unit those times have; a text that cites nothing makes no time claim about ketamine.
- `framing.later-null`: where the record holds a later null result (e.g. no difference at
  day 25), a text reporting the earlier result says so; "we do not know how long it lasted"
  is refused there (it is not true: the study knows).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import model as m
from ..diagnostics import Diagnostics
from . import framing, numbers
from .claims import broken

# a time in a record: "2 h", "90 min", "27.5 days", "12-day", "6 months"
_RECORD_TIME = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*(min(?:utes?)?|h(?:ours?)?|d(?:ays?)?|"
                          r"weeks?|wk|months?|years?)\b", re.IGNORECASE)
_ABBREVIATION = {"min": "minute", "h": "hour", "d": "day", "wk": "week"}
_ONSET = {  # onset and duration words that need no number: "within minutes", "for months"
    "en": r"\b(?:within|in|for|over|after|lasting|lasted|lasts)\s+(?:a few |several |many )?"
          r"(?P<unit>minutes|hours|days|weeks|months|years)\b",
    "es": r"\b(?:en|durante|por|tras|después de)\s+(?:unos pocos |unas pocas |unos |unas |"
          r"varios |varias |muchos |muchas )?(?P<unit>minutos|horas|días|semanas|meses|años)\b",
}
_UNIT_OF = {"minutes": "minute", "hours": "hour", "days": "day", "weeks": "week",
            "months": "month", "years": "year", "minutos": "minute", "horas": "hour",
            "días": "day", "semanas": "week", "meses": "month", "años": "year"}
# "4 hours a day", "once a week": how often, not a time claim
_FREQUENCY = r"(?:hours?|horas?|minutes?|minutos?|once|twice|times|veces|vez)\s+$"
_HEDGE = {"en": r"do not know|does not know|not known|no one knows|unknown",
          "es": r"no sab|no se sabe|nadie sabe|se desconoce"}
_ABOUT_KETAMINE = {
    "en": r"\b(?:ketamine|esketamine|dose|infusion|spray|treatment|effect|relief|it works|"
          r"helps?)\b",
    "es": r"\b(?:ketamina|esketamina|dosis|infusión|aerosol|tratamiento|efecto|alivio|ayuda)\b",
}


def record_times(studies: Iterable[m.Study], facts: Iterable[str] = ()) -> list[float]:
    """Every time the records hold, in hours."""
    hours: list[float] = []
    texts = list(facts)
    for study in studies:
        texts += [study.intervention.schedule, study.intervention.dose, study.follow_up,
                  study.key_result, study.n.note or "", *study.limitations]
        for outcome in study.outcomes:
            texts += [outcome.measure, outcome.result]
            hours += [s.hours for s in (outcome.timepoint, outcome.lasted)
                      if isinstance(s, m.TimeSpan)]
    for text in texts:
        for amount, unit in _RECORD_TIME.findall(text):
            unit = unit.lower()
            unit = "minute" if unit.startswith("min") else _ABBREVIATION.get(unit,
                                                                              unit.rstrip("s"))
            if unit in m.HOURS_PER_UNIT:
                hours.append(float(amount) * m.HOURS_PER_UNIT[unit])
    return hours


def time_rules(project: m.Project, texts: Iterable[m.Text], diags: Diagnostics) -> None:
    for text in texts:
        if broken(text, project):
            continue  # its times are read from a study that is already an error
        studies = [project.studies[s] for s in dict.fromkeys(
            [*text.cites, *numbers.studies_named(text.en), *numbers.studies_named(text.es or "")])
            if s in project.studies]
        facts = [project.regulatory[f].statement for f in text.facts if f in project.regulatory]
        held = record_times(studies, facts)
        for lang in text.languages:
            try:
                filled = numbers.fill(text.raw(lang), project.studies, lang)
            except numbers.PlaceholderError:
                continue  # already an error (content.placeholder)
            for sentence in framing.SENTENCE.split(filled):
                _sentence(sentence, lang, held, (bool(studies), bool(facts)), text, diags)


def _sentence(sentence: str, lang: str, held: list[float], cited: tuple[bool, bool],
              text: m.Text, diags: Diagnostics) -> None:
    """`cited`: whether the text cites studies, and facts. A text citing studies reports them:
    every time it names is checked; elsewhere only a sentence about ketamine makes a claim."""
    if re.search(_HEDGE[lang], sentence, re.IGNORECASE):
        return  # "we do not know how well it works over months" claims no time
    about = re.search(_ABOUT_KETAMINE[lang], sentence, re.IGNORECASE)
    where, loc = f"{text.path}.{lang}", text.where(lang)
    named = [(h, s) for h, s in framing.spans(sentence, lang)
             if not re.search(_FREQUENCY, sentence[:s[0]], re.IGNORECASE)]
    if not any(cited):
        if about and (named or re.search(_ONSET[lang], sentence, re.IGNORECASE)):
            diags.error(loc, "framing.time-claim", where,
                        f"says how fast or how long ketamine works in \u201c{sentence}\u201d "
                        "but cites no study: cite the study whose timepoint or `lasted` it is")
        return
    for hours, (start, end) in (named if cited[0] or about else []):
        if not any(abs(hours - h) <= framing.TOLERANCE * h for h in held):
            diags.error(loc, "framing.time-claim", where,
                        f"names '{sentence[start:end]}', a time no record it cites holds "
                        f"(timepoints, `lasted`, schedule, follow-up): {_held(held)}")
    for match in re.finditer(_ONSET[lang], sentence, re.IGNORECASE):
        unit = _UNIT_OF[match.group("unit").lower()]
        if about and not any(_unit_of(h) == unit for h in held):
            diags.error(loc, "framing.time-claim", where,
                        f"says '{match.group(0)}', but no record it cites has a time in "
                        f"{match.group('unit')}: {_held(held)}")


def _unit_of(hours: float) -> str:
    """The largest unit a time is at least one of (36 hours: 'day')."""
    return next((u for u in reversed(m.TIME_UNITS) if hours >= m.HOURS_PER_UNIT[u] * 0.99),
                "minute")


def _held(held: list[float]) -> str:
    if not held:
        return "the records hold no time: leave the time out"
    shown = sorted({round(h, 2) for h in held})[:8]
    return "the records hold " + ", ".join(f"{h:g} h" for h in shown)


def later_null(study: m.Study, outcome: m.Outcome) -> m.Outcome | None:
    """A later outcome of the same study with no significant difference (day 25 after 4 h)."""
    assert outcome.timepoint is not None
    return next((o for o in study.outcomes if o.significant is False and o.timepoint is not None
                 and o.timepoint.hours > outcome.timepoint.hours), None)


def later_null_rules(project: m.Project, patient: m.PatientContent,
                     diags: Diagnostics) -> None:
    """Every result text whose study found no difference later names that later time, and
    does not say no one knows how long it lasted."""
    for said, result in framing.texts_said(project, patient):
        placed = {(s, f) for s, f, _ in numbers.placeholders(said.raw)}
        if not (result or any(f in framing.RESULT_FIELDS for _, f in placed)):
            continue
        for study in framing.studies_of(said.text, said.raw, project):
            reported = [o for o in study.outcomes if o.timepoint is not None
                        and _reported(said, study, o, placed)]
            for outcome in reported:
                if _later_null(said, study, outcome, diags):
                    break  # one error per study and text: the fix is the same


def _reported(said: framing.Said, study: m.Study, outcome: m.Outcome,
              placed: set[tuple[str, str]]) -> bool:
    """Whether a text reports an outcome: its placeholder, or its time point named."""
    assert outcome.timepoint is not None
    return any(s == study.id and numbers.outcome_of(study, f) is outcome for s, f in placed) \
        or framing.names(said.filled, said.lang, outcome.timepoint)


def _later_null(said: framing.Said, study: m.Study, outcome: m.Outcome,
                diags: Diagnostics) -> bool:
    """Report a later null the text hides; whether it did."""
    null = later_null(study, outcome)
    if null is None or null.timepoint is None:
        return False
    named = framing.names(said.filled, said.lang, null.timepoint)
    unknown = framing.says("unknown_duration", said.filled, said.lang)
    if named and not unknown:
        return False
    example = (f"'After {null.timepoint}, there was no clear difference.' / 'A los "
               f"{framing.example_time(null.timepoint, 'es')}, no hubo una diferencia clara.'")
    diags.error(said.text.where(said.lang), "framing.later-null", said.where,
                f"gives a result of '{study.id}' at {outcome.timepoint}, but the study found "
                f"no significant difference at {null.timepoint} ({null.measure}): say so "
                f"(e.g. {example})" + ("; 'we do not know how long it lasted' is not true "
                                       "here" if unknown else ""))
    return True
