"""Numbers patients use: `{study.response}` placeholders filled from study YAML as
'about 6 in 10', a study's own conclusion (`{study.comparison}`) in plain words, and the one
document placeholder, `{indication}`."""

from __future__ import annotations

import math
import re

from .. import model as m

PLACEHOLDER = re.compile(r"\{([a-z0-9][a-z0-9-]*)\.([a-z]+)(?:\.(control))?\}")
FIELDS = ("response", "remission", "n", "comparison")
RATE_FIELDS = ("response", "remission")
INDICATION = "{indication}"  # filled per document: what ketamine is not approved for
# A study's conclusion about ketamine against its comparator: "Ketamine {x.comparison} ECT."
COMPARISON_WORDS = {
    "superior": {"en": "worked better than", "es": "funcionó mejor que"},
    "noninferior": {"en": "was not worse than", "es": "no fue peor que"},
    "no-difference": {"en": "worked about the same as", "es": "funcionó más o menos igual que"},
    "inferior": {"en": "did not work as well as", "es": "funcionó peor que"},
}


class PlaceholderError(ValueError):
    """A placeholder names a study or a number the study YAML does not have."""


def in_ten(percent: float, lang: str) -> str:
    """Percent of people in tenths, rounded honestly.

    Within 0.3 of a whole tenth (e.g. 70.8%): 'about 7 in 10 people'. Otherwise both
    neighbours are named (55.4%: '5 or 6 in 10 people'), so the reader never gets a number
    rounded further than the data allow. 0%, under 7% and over 97% have words of their own.
    """
    tenths = percent / 10
    nearest = round(tenths)
    if percent == 0:
        return "no one" if lang == "en" else "ninguna persona"
    if tenths < 0.7:
        return "fewer than 1 in 10 people" if lang == "en" else "menos de 1 de cada 10 personas"
    if tenths > 9.7:
        return "nearly everyone" if lang == "en" else "casi todas las personas"
    if abs(tenths - nearest) <= 0.3:
        return (f"about {nearest} in 10 people" if lang == "en"
                else f"unas {nearest} de cada 10 personas")
    low = math.floor(tenths)
    return (f"{low} or {low + 1} in 10 people" if lang == "en"
            else f"{low} o {low + 1} de cada 10 personas")


def outcome_of(study: m.Study, field: str) -> m.Outcome | None:
    """The outcome a placeholder reads: the first with a rate of that kind (.response,
    .remission) or the first with the study's conclusion (.comparison)."""
    for outcome in study.outcomes:
        if field == "comparison" and outcome.comparison is not None:
            return outcome
        if outcome.rates is not None and outcome.rates.kind == field:
            return outcome
    return None


def value(study: m.Study, field: str, control: bool, lang: str) -> str:
    """The plain-language number (or conclusion) a placeholder stands for."""
    if field == "n":
        if study.n.value is None:
            raise PlaceholderError(f"study '{study.id}' has no confirmed sample size")
        return f"{study.n.value:,}" if lang == "en" else f"{study.n.value:,}".replace(",", "\u202f")
    outcome = outcome_of(study, field)
    if field == "comparison":
        if outcome is None or outcome.comparison is None:
            raise PlaceholderError(f"study '{study.id}' has no outcome with a comparison "
                                   "(the study's own conclusion: comparison: superior | "
                                   "noninferior | no-difference | inferior)")
        return COMPARISON_WORDS[outcome.comparison][lang]
    if outcome is None or outcome.rates is None:
        raise PlaceholderError(f"study '{study.id}' has no {field} rate in its outcomes")
    percent = outcome.rates.control if control else outcome.rates.treatment
    if percent is None:
        raise PlaceholderError(f"study '{study.id}' has no control-group {field} rate")
    return in_ten(percent, lang)


def fill(text: str, studies: dict[str, m.Study], lang: str, indication: str | None = None) -> str:
    """Replace every placeholder; raises PlaceholderError for one the data cannot fill.
    `indication` fills `{indication}` (left as it is without one)."""
    def one(match: re.Match[str]) -> str:
        study_id, field, control = match.groups()
        if study_id not in studies:
            raise PlaceholderError(f"no study '{study_id}' for {match.group(0)}")
        if field not in FIELDS or (control and field not in RATE_FIELDS):
            raise PlaceholderError(f"{match.group(0)}: use .response, .remission "
                                   "(optionally .control), .n or .comparison")
        return value(studies[study_id], field, bool(control), lang)

    if indication is not None:
        text = text.replace(INDICATION, indication)
    return PLACEHOLDER.sub(one, text)


def placeholders(text: str) -> list[tuple[str, str, bool]]:
    """(study id, field, control arm) of every study placeholder in a text."""
    return [(g[0], g[1], bool(g[2])) for g in (x.groups() for x in PLACEHOLDER.finditer(text))]


def studies_named(text: str) -> set[str]:
    return {match.group(1) for match in PLACEHOLDER.finditer(text)}
