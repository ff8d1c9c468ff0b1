"""Honest framing of what studies found, for any study and in every language.

Five rules over patient text, each a located error that says how to fix it:

- `framing.small-study`: a rate or count from a study with an arm of fewer than 50 people
  carries the study's size in the same sentence (`{study.n}`, or its number typed);
- `framing.timepoint`, `framing.duration`: a result measured at hours or days names its time
  point and says how long it lasted (the time the study reports, that it was short-lived, or
  that no one knows);
- `framing.comparison`: ketamine against another active treatment only as the study's own
  conclusion (`{study.comparison}`), never as two rates side by side or in words of our own;
- `framing.open-label`: an open-label or uncontrolled result says so, or comes with its
  comparator;
- `framing.not-significant`: a number from an outcome that was not significantly different
  from its comparator is not printed as a benefit.

"A result" is a text in a handout's findings, in a brochure block marked `section: findings`,
or any text with a `{study.response}`, `{study.remission}` or `{study.comparison}` placeholder.
Words are matched per language (WORDS below); times in either language's words (TIME).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .. import model as m
from ..diagnostics import Diagnostics
from . import numbers

LANGS = m.LANGUAGES
SENTENCE = re.compile(r"(?<=[.!?])\s+")
TOLERANCE = 0.15  # "about 4 weeks" names a median of 27.5 days
RESULT_FIELDS = ("response", "remission", "comparison")

_NUMBER_WORDS = {
    "en": {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12},
    "es": {"un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
           "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "doce": 12, "al": 1},
}
_UNIT_WORDS = {
    "en": {"minute": r"minutes?|mins?", "hour": r"hours?", "day": r"days?", "week": r"weeks?",
           "month": r"months?", "year": r"years?"},
    "es": {"minute": r"minutos?", "hour": r"horas?", "day": r"días?", "week": r"semanas?",
           "month": r"mes(?:es)?", "year": r"años?"},
}
_JOIN = {"en": r"or|to|and|-|–", "es": r"o|a|y|-|–"}
_DAY_N = {"en": r"\bday (\d+)\b", "es": r"\bd[ií]a (\d+)\b"}


def _time_re(lang: str) -> re.Pattern[str]:
    num = rf"(\d+(?:[.,]\d+)?|{'|'.join(_NUMBER_WORDS[lang])})"
    units = "|".join(f"(?P<{u}>{w})" for u, w in _UNIT_WORDS[lang].items())
    return re.compile(rf"(?<![\w.]){num}(?:\s*(?:{_JOIN[lang]})\s*{num})?\s+(?:{units})\b",
                      re.IGNORECASE)


TIME = {lang: _time_re(lang) for lang in LANGS}

# Words per language. Each is a regular expression, matched case-insensitively.
WORDS: dict[str, dict[str, str]] = {
    "open_label": {
        "en": r"open[- ]label|knew (?:which|what|that they|they were)|"
              r"(?:no|without an?) (?:placebo|fake drug|comparison group|control group)|"
              r"everyone (?:got|knew)|not compared with|no one got a placebo",
        "es": r"abiert[oa]|sabían (?:qué|cuál|que)|"
              r"sin (?:placebo|medicamento falso|grupo de comparación|grupo de control)|"
              r"tod[oa]s (?:recibieron|sabían)|no se compar|nadie recibió (?:un )?placebo",
    },
    "unknown_duration": {
        "en": r"(?:do|does|did) not know how long|not known how long|no one knows how long|"
              r"(?:were|was) not compared|not (?:checked|measured|followed) (?:after|past|later)",
        "es": r"no (?:se )?sab(?:e|emos) (?:por )?cuánto|no se compar|"
              r"no se (?:midió|revisó|siguió) (?:después|más)",
    },
    "short_lived": {
        "en": r"did not last(?: long)?|didn'?t last|short[- ]lived|short time|wore off|"
              r"faded|fades|brief",
        "es": r"duró poco|no duró|poco tiempo|un rato|se pasó|se pasa|se perdió|breve|"
              r"pasajer[oa]",
    },
    "no_difference": {
        "en": r"no (?:clear |real )?difference|not (?:clearly )?(?:more|better) than|"
              r"did not (?:help|work)\b[^.]* (?:more|better) than|no better than|"
              r"about the same|not different",
        "es": r"no hubo (?:una )?diferencia|sin diferencia|ninguna diferencia|"
              r"no (?:alivió|ayudó|funcionó|mejoró)\b[^.]* más que|no (?:fue )?mejor que|"
              r"más o menos igual|no fue diferente",
    },
    "comparative": {
        "en": r"\b(?:better|worse|more|less|fewer|faster|slower|stronger|weaker) than\b|"
              r"\bas (?:well|good|much|fast) as\b|\bthe same as\b|\bsuperior\b|\binferior\b",
        "es": r"\b(?:mejor|peor|más|menos) que\b|\btan (?:bien|bueno|rápido) como\b|"
              r"\bigual que\b|\bsuperior\b|\binferior\b",
    },
}
# Numbers that are not counts of people: times, doses, scale points, years.
NOT_PEOPLE = {
    "en": r"\b\d+(?:[.,]\d+)?\s*(?:doses?|infusions?|sessions?|times|points?|mg|reports?|"
          r"studies|trials)\b|\b0 to 10\b",
    "es": r"\b\d+(?:[.,]\d+)?\s*(?:dosis|infusiones|infusión|sesiones|sesión|veces|puntos?|mg|"
          r"informes?|estudios|ensayos)\b|\b0 a 10\b",
}
YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def says(kind: str, text: str, lang: str) -> bool:
    return re.search(WORDS[kind][lang], text, re.IGNORECASE) is not None


def spans(text: str, lang: str) -> list[tuple[float, tuple[int, int]]]:
    """Every time named in a text, in hours, with where it stands ('1 or 2 weeks' gives both)."""
    found = []
    for match in TIME[lang].finditer(text):
        unit = next(u for u in m.TIME_UNITS if match.group(u))
        for number in (match.group(1), match.group(2)):
            if number is None:
                continue
            word = number.lower()
            if word == "al" and unit != "day":
                continue
            amount = _NUMBER_WORDS[lang].get(word)
            value = float(number.replace(",", ".")) if amount is None else float(amount)
            found.append((value * m.HOURS_PER_UNIT[unit], match.span()))
    found += [(float(d.group(1)) * 24, d.span()) for d in
              re.finditer(_DAY_N[lang], text, re.IGNORECASE)]
    if lang == "en":
        found += [(24.0, n.span()) for n in re.finditer(r"\bthe next day\b", text, re.I)]
    else:
        found += [(24.0, n.span()) for n in re.finditer(r"\bd[ií]a siguiente\b", text, re.I)]
    return found


def names(text: str, lang: str, span: m.TimeSpan) -> bool:
    """Whether a text names a time (within TOLERANCE: '24 hours' names '1 day')."""
    return any(abs(hours - span.hours) <= TOLERANCE * span.hours for hours, _ in spans(text, lang))


@dataclass(frozen=True)
class Said:
    """One patient text in one language: raw (with placeholders) and filled."""

    text: m.Text
    lang: str
    raw: str
    filled: str

    @property
    def where(self) -> str:
        return f"{self.text.path}.{self.lang}"


def framing_rules(project: m.Project, patient: m.PatientContent, diags: Diagnostics) -> None:
    """Every framing rule over every patient text that cites studies, in both languages."""
    for said, result in texts_said(project, patient):
        studies = studies_of(said.text, said.raw, project)
        _small_study(said, studies, diags)
        _comparison(said, studies, diags)
        _not_significant(said, project, diags)
        if result or _result_placeholders(said.raw):
            _time_point(said, studies, diags)
            _open_label(said, studies, diags)


def texts_said(project: m.Project, patient: m.PatientContent) -> Iterator[tuple[Said, bool]]:
    """Each text that can cite a study, in each of its languages, filled from the records,
    and whether it reports results (a text whose placeholder fails is content.placeholder's)."""
    for text, result in result_texts(patient):
        for lang in text.languages:
            raw = text.raw(lang)
            try:
                filled = numbers.fill(raw, project.studies, lang)
            except numbers.PlaceholderError:
                continue
            yield Said(text, lang, raw, filled), result


def result_texts(patient: m.PatientContent) -> Iterator[tuple[m.Text, bool]]:
    """Every text that can cite a study, and whether it reports results."""
    if patient.common is not None:
        yield from ((t, False) for t in patient.common.texts)
    for record in patient.records():
        results = {id(t) for t in record.results}
        yield from ((t, id(t) in results) for t in record.texts)


def studies_of(text: m.Text, raw: str, project: m.Project) -> list[m.Study]:
    """The studies in people a text cites or takes numbers from."""
    ids = dict.fromkeys([*text.cites, *(s for s, _, _ in numbers.placeholders(raw))])
    return [project.studies[s] for s in ids if s in project.studies
            and project.studies[s].population.species == "human"]


def _result_placeholders(raw: str) -> list[tuple[str, str, bool]]:
    return [p for p in numbers.placeholders(raw) if p[1] in RESULT_FIELDS]


def _error(diags: Diagnostics, said: Said, code: str, message: str) -> None:
    diags.error(said.text.where(said.lang), code, said.where, message)


# -- small studies -----------------------------------------------------------------------
def _small_study(said: Said, studies: list[m.Study], diags: Diagnostics) -> None:
    small = [s for s in studies if s.small_arm]
    if not small:
        return
    for sentence in SENTENCE.split(said.raw):
        used = numbers.placeholders(sentence)
        rated = [s for s in small if any(p[0] == s.id and p[1] in numbers.RATE_FIELDS
                                         for p in used)]
        if rated:
            for study in rated:
                if not _sized(sentence, [study]):
                    _error(diags, said, "framing.small-study", _small_message(study, sentence))
        elif _counts(sentence, said.lang) and not _sized(sentence, studies):
            # a bare number in a text citing a small study: it may be any cited study's size
            _error(diags, said, "framing.small-study", _small_message(small[0], sentence))


def _counts(sentence: str, lang: str) -> bool:
    """Whether a sentence gives a number of people or a rate ('7 in 10', '88%', '9 people')."""
    bare = numbers.PLACEHOLDER.sub(" ", sentence)
    for _, (start, end) in sorted(spans(bare, lang), reverse=True):
        bare = bare[:start] + " " + bare[end:]
    bare = re.sub(NOT_PEOPLE[lang], " ", bare, flags=re.IGNORECASE)
    return re.search(r"\d", YEAR.sub(" ", bare)) is not None


def _sized(sentence: str, studies: list[m.Study]) -> bool:
    """Whether a sentence says how many people the study had (one of them, or all together)."""
    if any(f"{{{s.id}.n}}" in sentence for s in studies):
        return True
    typed = {int(d.replace(",", "").replace(".", "").replace("\u202f", "")) for d in
             re.findall(r"\d[\d,.\u202f]*\d|\d", numbers.PLACEHOLDER.sub(" ", sentence))}
    sizes = {x for s in studies for x in (s.n.value, *s.n.arms) if x is not None}
    total = sum(s.n.value or 0 for s in studies)
    return bool(typed & (sizes | {total}))


def _small_message(study: m.Study, sentence: str) -> str:
    size = (f"{study.n.value} people" if study.n.value is not None
            else "a size that is not confirmed")
    arm = study.smallest_arm
    arms = f" (its smallest arm had {arm})" if study.n.arms and arm is not None else ""
    fix = (f"say in the same sentence how many people it had: write {{{study.id}.n}} "
           f"(e.g. 'in a small study of {{{study.id}.n}} people')" if study.n.value is not None
           else "its size is not confirmed, so leave the number out")
    return (f"gives a rate or count from '{study.id}', a small study of {size}{arms}, in "
            f"\u201c{sentence.strip()}\u201d: {fix}")


# -- time points and how long results lasted -----------------------------------------------
def _time_point(said: Said, studies: list[m.Study], diags: Diagnostics) -> None:
    """A result from a placeholder names its outcome's time point; any result text that
    speaks of a short-term outcome's time (its number, or just 'hours' / 'días') says how
    long the effect lasted."""
    placed = _result_placeholders(said.raw)
    for study in studies:
        used = [o for s, f, _ in placed if s == study.id
                for o in [numbers.outcome_of(study, f)] if o is not None]
        if used:
            scope = [o for o in dict.fromkeys(used) if o.short_term]
        else:
            scope = [o for o in study.outcomes if o.short_term and o.timepoint
                     and _speaks_of(said, o.timepoint)]
        for outcome in scope:
            assert outcome.timepoint is not None
            if used and not names(said.filled, said.lang, outcome.timepoint):
                _error(diags, said, "framing.timepoint",
                       f"gives a result of '{study.id}' measured at {outcome.timepoint} "
                       f"({outcome.measure}): name that time point in the same text "
                       f"(e.g. '{example_time(outcome.timepoint, said.lang)}')")
            _lasted(said, study, outcome, diags)


def _speaks_of(said: Said, span: m.TimeSpan) -> bool:
    """Whether a text names a time point, or speaks of its unit ('within hours')."""
    if names(said.filled, said.lang, span):
        return True
    unit = _UNIT_WORDS[said.lang][span.unit]
    return re.search(rf"\b(?:{unit})\b", said.filled, re.IGNORECASE) is not None


def _lasted(said: Said, study: m.Study, outcome: m.Outcome, diags: Diagnostics) -> None:
    lasted, text, lang = outcome.lasted, said.filled, said.lang
    faded = _named_later_null(study, outcome, said)
    if isinstance(lasted, m.TimeSpan):
        if names(text, lang, lasted) or faded:
            return
        need = f"the study reports it lasted {lasted}: say so ('{example_time(lasted, lang)}')"
    elif lasted == "short-lived":
        if says("short_lived", text, lang) or faded:
            return
        need = ("the study reports it was short-lived: say so (e.g. 'it did not last long' / "
                "'duró poco')")
    else:  # not-reported, or not given (the study reader already asked for it)
        if says("unknown_duration", text, lang) or faded:
            return
        later = [o.timepoint for o in study.outcomes if o.significant is False and o.timepoint
                 and o.timepoint.hours > (outcome.timepoint.hours if outcome.timepoint else 0)]
        need = (f"the study found no clear difference at {later[0]}: say so" if later else
                "the study does not report how long it lasted: say so (e.g. 'We do not know "
                "how long it lasted' / 'No sabemos cuánto duró')")
    _error(diags, said, "framing.duration",
           f"gives a result of '{study.id}' at {outcome.timepoint} without saying how long it "
           f"lasted; {need}")


def _named_later_null(study: m.Study, outcome: m.Outcome, said: Said) -> bool:
    """Whether the text names a later time point at which the study found no difference
    ('By day 25, there was no clear difference'): that says how long the effect lasted."""
    assert outcome.timepoint is not None
    return any(o.significant is False and o.timepoint is not None
               and o.timepoint.hours > outcome.timepoint.hours
               and names(said.filled, said.lang, o.timepoint) for o in study.outcomes)


def example_time(span: m.TimeSpan, lang: str) -> str:
    if lang == "en":
        return str(span)
    words = {"minute": "minuto", "hour": "hora", "day": "día", "week": "semana", "month": "mes",
             "year": "año"}
    word = words[span.unit]
    plural = "es" if word == "mes" else "s"
    return f"{span.amount:g} {word}{'' if span.amount == 1 else plural}"


# -- comparisons with another treatment ----------------------------------------------------
def _comparison(said: Said, studies: Iterable[m.Study], diags: Diagnostics) -> None:
    used = numbers.placeholders(said.raw)
    for study in studies:
        own = [(f, c) for s, f, c in used if s == study.id]
        if study.comparator_kind is None and study.design.controlled and \
                any(c or f == "comparison" for f, c in own):
            _error(diags, said, "framing.comparison",
                   f"compares ketamine with the comparator of '{study.id}', but the study does "
                   f"not say what kind it was: add comparator_kind: placebo | active-placebo | "
                   f"active-treatment to content/studies/{study.id}.yaml")
            continue
        if study.comparator_kind != "active-treatment":
            continue
        conclusion = f"{{{study.id}.comparison}}"
        if any(c for _, c in own):
            _error(diags, said, "framing.comparison",
                   f"prints the rate of the comparator of '{study.id}' ({study.comparator}), "
                   f"an active treatment, beside ketamine's: two rates side by side read as a "
                   f"verdict the study did not give; print its own conclusion with "
                   f"{conclusion} (e.g. 'Ketamine {conclusion} ECT.') and leave the "
                   f"comparator's rate out")
        elif any(f in numbers.RATE_FIELDS for f, _ in own) and conclusion not in said.raw:
            _error(diags, said, "framing.comparison",
                   f"prints a rate from '{study.id}', whose comparator ({study.comparator}) is "
                   f"an active treatment, without the study's conclusion: add {conclusion}")
        words = re.search(WORDS["comparative"][said.lang],
                          numbers.PLACEHOLDER.sub(" ", said.raw), re.IGNORECASE)
        if words:
            _error(diags, said, "framing.comparison",
                   f"compares ketamine with the comparator of '{study.id}' "
                   f"({study.comparator}), an active treatment, in its own words "
                   f"('{words.group(0)}'): print the study's conclusion with {conclusion} "
                   f"instead (e.g. 'Ketamine {conclusion} ECT.')")


# -- open-label and uncontrolled results ---------------------------------------------------
def _open_label(said: Said, studies: Iterable[m.Study], diags: Diagnostics) -> None:
    used = numbers.placeholders(said.raw)
    for study in studies:
        design = study.design
        open_label = design.blinding == "open-label"
        uncontrolled = not design.controlled and design.type in ("single-arm", "cohort")
        if not (open_label or uncontrolled) or says("open_label", said.filled, said.lang):
            continue
        compared = any(s == study.id and (c or f == "comparison") for s, f, c in used)
        if design.controlled and compared:
            continue  # comes with its comparator
        kind = "open-label" if open_label else "uncontrolled (no comparison group)"
        example = ("'The people knew which treatment they got.' / 'Las personas sabían qué "
                   "tratamiento recibían.'" if design.controlled else
                   "'Everyone knew they got ketamine; there was no placebo.' / 'Todos sabían "
                   "que recibían ketamina; no hubo placebo.'")
        alternative = (f", or give its comparator's result ({{{study.id}.comparison}})"
                       if design.controlled else "")
        _error(diags, said, "framing.open-label",
               f"reports a result of '{study.id}', an {kind} study, without saying so: say "
               f"that people knew what they got, e.g. {example}{alternative}")


# -- outcomes with no significant difference -----------------------------------------------
def _not_significant(said: Said, project: m.Project, diags: Diagnostics) -> None:
    for study_id, field, _ in _result_placeholders(said.raw):
        study = project.studies.get(study_id)
        outcome = numbers.outcome_of(study, field) if study else None
        if outcome is None or outcome.significant is not False:
            continue
        if says("no_difference", said.filled, said.lang):
            continue
        _error(diags, said, "framing.not-significant",
               f"prints a number from '{study_id}' ({outcome.measure}), where the study found "
               f"no significant difference from its comparator (significant: false): say "
               f"there was no clear difference (e.g. 'no clear difference from the placebo' / "
               f"'no hubo una diferencia clara'), or leave the number out")
