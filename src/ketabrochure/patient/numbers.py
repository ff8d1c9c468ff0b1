"""Numbers patients use: `{study.response}` placeholders filled from study YAML as
'about 6 in 10'."""

from __future__ import annotations

import math
import re

from .. import model as m

PLACEHOLDER = re.compile(r"\{([a-z0-9][a-z0-9-]*)\.([a-z]+)(?:\.(control))?\}")
FIELDS = ("response", "remission", "n")


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


def value(study: m.Study, field: str, control: bool, lang: str) -> str:
    """The plain-language number a placeholder stands for."""
    if field == "n":
        if study.n.value is None:
            raise PlaceholderError(f"study '{study.id}' has no confirmed sample size")
        return f"{study.n.value:,}" if lang == "en" else f"{study.n.value:,}".replace(",", "\u202f")
    rates = [o.rates for o in study.outcomes if o.rates is not None and o.rates.kind == field]
    if not rates:
        raise PlaceholderError(f"study '{study.id}' has no {field} rate in its outcomes")
    percent = rates[0].control if control else rates[0].treatment
    if percent is None:
        raise PlaceholderError(f"study '{study.id}' has no control-group {field} rate")
    return in_ten(percent, lang)


def fill(text: str, studies: dict[str, m.Study], lang: str) -> str:
    """Replace every placeholder; raises PlaceholderError for one the data cannot fill."""
    def one(match: re.Match[str]) -> str:
        study_id, field, control = match.groups()
        if study_id not in studies:
            raise PlaceholderError(f"no study '{study_id}' for {match.group(0)}")
        if field not in FIELDS or (control and field == "n"):
            raise PlaceholderError(f"{match.group(0)}: use .response, .remission "
                                   "(optionally .control) or .n")
        return value(studies[study_id], field, bool(control), lang)

    return PLACEHOLDER.sub(one, text)


def studies_named(text: str) -> set[str]:
    return {match.group(1) for match in PLACEHOLDER.finditer(text)}
