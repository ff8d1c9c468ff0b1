"""Claim words and numbers from the record, over every patient text in both languages.

- `claims.*` (see wording.claims): approval, proof and superlatives, safety absolutes,
  guarantees and permanence, testimonials, selling words; `allow: {<key>: "<reason>"}` for the
  rare text that must say one ("Ketamine is not a cure");
- `numbers.typed`: a rate ("60%", "7 in 10", "siete de cada diez", "half", "twice") typed
  instead of a placeholder bound to a study field ({study.response});
- `numbers.quantifier`: "most", "nearly all", "up to", "la mayoría", "hasta"...
  (the "up to" of a number the record holds is the record's own);
- `numbers.record`: a typed count (people, studies, doses, mg, points, times) that no record
  the text cites holds;
- `numbers.parity`: the Spanish text carries exactly the placeholders of its English text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import model as m
from ..diagnostics import Diagnostics
from ..wording import claims, record
from . import numbers

_FIX = {
    "rate": "a number that states a result comes from the record: write a placeholder "
            "({study.response}, {study.remission}, with .control for the comparison group) "
            "or leave the number out",
    "quantifier": "say how many from the record instead ({study.response}, and how long from "
                  "the study's timepoint), or leave the quantifier out",
    "count": "no study or fact this text cites holds this number: take it from the record "
             "({study.n} for a size) or cite the study that holds it",
}
_CODES = {"rate": "numbers.typed", "quantifier": "numbers.quantifier", "count": "numbers.record"}


def claim_rules(project: m.Project, texts: Iterable[m.Text], diags: Diagnostics) -> None:
    """Claim words, record numbers and placeholder parity over every text given."""
    clinic = [*project.clinic.address, project.clinic.phone, project.clinic.referral_line]
    for text in texts:
        if broken(text, project):
            continue  # its numbers are read from a study that is already an error
        studies = _studies(text, project)
        facts = [project.regulatory[f].statement for f in text.facts if f in project.regulatory]
        held = record.known(studies, [*facts, *clinic])
        cited = len(text.cites)

        def sized(sentence: str, studies: list[m.Study] = studies, cited: int = cited) -> bool:
            return _sized(sentence, studies, cited)

        for lang in text.languages:
            raw = text.raw(lang)
            where, loc = f"{text.path}.{lang}", text.where(lang)
            for claim in claims.find(raw, lang, sized):
                if claim.key not in text.allow:
                    diags.error(loc, claim.code, where, claim.message)
            for found in record.claims(raw, lang, held):
                diags.error(loc, _CODES[found.kind], where,
                            f"types '{found.said}': {_FIX[found.kind]}")
        _parity(text, diags)


def broken(text: m.Text, project: m.Project) -> bool:
    """Whether a text cites or takes a number from a study whose file is broken."""
    named = {*text.cites, *numbers.studies_named(text.en), *numbers.studies_named(text.es or "")}
    return bool(named & project.broken)


def _studies(text: m.Text, project: m.Project) -> list[m.Study]:
    ids = dict.fromkeys([*text.cites, *numbers.studies_named(text.en),
                         *numbers.studies_named(text.es or "")])
    return [project.studies[s] for s in ids if s in project.studies]


def _sized(sentence: str, studies: list[m.Study], cited: int) -> bool:
    """Whether a sentence names its one study's size ('The study of {x.n} people')."""
    if cited != 1 or len(studies) != 1:
        return False
    study = studies[0]
    if f"{{{study.id}.n}}" in sentence:
        return True
    typed = {int(d) for d in re.findall(r"\d+", record.PLACEHOLDER.sub(" ", sentence))}
    return bool(typed & {x for x in (study.n.value, *study.n.arms) if x is not None})


def _parity(text: m.Text, diags: Diagnostics) -> None:
    if "es" not in text.languages or text.es is None:
        return
    if _unfillable(text.en) or _unfillable(text.es):
        return  # a placeholder no study field fills: its own error (content.placeholder) first
    en, es = record.placeholders(text.en), record.placeholders(text.es)
    if en == es:
        return
    missing = [p for p in dict.fromkeys(en) if en.count(p) > es.count(p)]
    extra = [p for p in dict.fromkeys(es) if es.count(p) > en.count(p)]
    said = "; ".join(x for x in (f"leaves out {', '.join(missing)}" if missing else "",
                                 f"adds {', '.join(extra)}" if extra else "") if x)
    diags.error(text.where("es"), "numbers.parity", f"{text.path}.es",
                f"the Spanish text must carry exactly the placeholders of the English text "
                f"(so a translation cannot change or drop a number or a study size): it {said}")


def _unfillable(text: str) -> bool:
    """Whether a text has a placeholder whose field no study has (`{x.m}`)."""
    return any(field not in numbers.FIELDS or (control and field not in numbers.RATE_FIELDS)
               for _, field, control in numbers.placeholders(text))
