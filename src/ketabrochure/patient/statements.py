"""The statements patient documents must carry, checked in the content and in the HTML the
templates make of it:

- the crisis line (`crisis` in patient.yaml: one text, every language) on the tri-fold and on
  every handout marked `crisis: true`, printed prominently (`content.crisis`);
- the off-label statement, naming what the document covers: `{indication}` in it is filled
  with the document's `indication`, which must name every condition the document reports
  findings on (`content.off-label-indication`);
- the long-term safety statement (`long_term_safety`) on every document;
- a template that drops one of them fails `check` (`check.template-slot`).
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterable

from .. import model as m
from ..diagnostics import Diagnostics, Location
from . import numbers

LANGS = m.LANGUAGES
CRISIS_NUMBER = "988"
TAG = re.compile(r"<[^>]+>")
HEAD = re.compile(r"<head>.*?</head>", re.DOTALL)
# the small words an indication list is joined with, and its articles (left out when matching)
JOINS = {"en": r",|\bor\b|\band\b|\bnor\b", "es": r",|\bo\b|\by\b|\bni\b|\bu\b"}
ARTICLES = {"en": r"^(?:the|other|any)\s+", "es": r"^(?:el|la|los|las|otros|otras)\s+"}


def statement_rules(project: m.Project, patient: m.PatientContent, diags: Diagnostics) -> None:
    common = patient.common
    if common is None:
        return
    _crisis(common, patient, diags)
    for record in patient.records():
        # a record not about given conditions covers each condition its results speak of that
        # has a record of its own to give the indication's words (a condition without one is
        # not promised to patients)
        about = record.about
        if about is None:
            about = tuple(c for c in covered(project, set(), record.results)
                          if c in _by_condition(patient))
        _indications(record.label, record.indication, list(about), common, patient, diags)


def _by_condition(patient: m.PatientContent) -> dict[str, m.PatientRecord]:
    """The record about each one condition (a handout): it words that condition's indication."""
    found: dict[str, m.PatientRecord] = {}
    for record in patient.records():  # handouts first: theirs wins
        if record.about and len(record.about) == 1:
            found.setdefault(record.about[0], record)
    return found


def _crisis(common: m.Common, patient: m.PatientContent, diags: Diagnostics) -> None:
    crisis = common.crisis
    for lang in LANGS:
        if crisis.english_only and lang == "es":
            diags.error(crisis.loc, "content.crisis", "crisis",
                        "the crisis line must be in every language: remove english_only and "
                        "write it in Spanish too")
        elif CRISIS_NUMBER not in crisis.raw(lang):
            diags.error(crisis.where(lang), "content.crisis", f"crisis.{lang}",
                        "the crisis text must give the 988 Suicide & Crisis Lifeline number "
                        "(988: call or text) and 911 for an emergency, in every language")
    others = [*common.texts, *common.labels.values(),
              *(t for r in patient.records() for t in r.texts)]
    for text in others:
        copied = [x for x in LANGS if re.search(rf"(?<!\d){CRISIS_NUMBER}(?!\d)", text.raw(x))]
        for lang in copied[:1]:
            diags.error(text.where(lang), "content.crisis", f"{text.path}.{lang}",
                        "gives the crisis line itself: it is one text, crisis in patient.yaml, "
                        "printed on every document that needs it; take it out here (for a "
                        "handout, write crisis: true)")


def covered(project: m.Project, own: set[str], findings: Iterable[m.Text]) -> list[str]:
    """The conditions a document speaks of: its own, and every condition whose evidence or key
    points cite a study its findings cite."""
    cited = {s for t in findings for s in t.cites}
    found = dict.fromkeys(sorted(own))
    for condition in project.conditions.values():
        studies = set(condition.evidence) | {s for p in condition.key_points for s in p.cites}
        if studies & cited:
            found[condition.id] = None
    return list(found)


def items(indication: str, lang: str) -> list[str]:
    """'long-term pain, depression or anxiety' -> ['long-term pain', 'depression', 'anxiety']."""
    parts = (re.sub(ARTICLES[lang], "", p.strip(), flags=re.IGNORECASE)
             for p in re.split(JOINS[lang], indication, flags=re.IGNORECASE))
    return [p.strip() for p in parts if p.strip()]


def _indications(label: str, indication: m.Text, conditions: list[str], common: m.Common,
                 patient: m.PatientContent, diags: Diagnostics) -> None:
    """The off-label statement as this document prints it names every condition it covers."""
    statement, own = common.off_label, _by_condition(patient)
    for lang in LANGS:
        printed = statement.raw(lang).replace(numbers.INDICATION, indication.raw(lang)).lower()
        for condition_id in conditions:
            record = own.get(condition_id)
            if record is None:
                continue  # the record's own errors say why it is missing
            missing = [w for w in items(record.indication.raw(lang), lang)
                       if not re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", printed)]
            if not missing:
                continue
            where = (statement.where(lang) if numbers.INDICATION not in statement.raw(lang)
                     else indication.where(lang))
            fix = (f"write {numbers.INDICATION} where off_label says what ketamine is not "
                   "approved for" if numbers.INDICATION not in statement.raw(lang) else
                   f"add {', '.join(repr(w) for w in missing)} to this document's indication")
            diags.error(where, "content.off-label-indication", f"{label} ({lang})",
                        f"the off-label statement printed on it does not say that use for "
                        f"{record.indication.raw(lang)} ('{condition_id}') is off-label "
                        f"(missing {', '.join(repr(w) for w in missing)}): {fix}")


def body_text(html: str) -> str:
    """What a reader sees of an HTML document: its body's text, unescaped, spaces collapsed."""
    text = htmllib.unescape(TAG.sub(" ", HEAD.sub(" ", html)))
    return " ".join(text.split())


def missing_slots(html: str, required: list[tuple[str, str]], template: str,
                  label: str, diags: Diagnostics) -> None:
    """Each required statement (its field, its text as printed) appears in the HTML."""
    body = body_text(html)
    for field, text in required:
        if " ".join(text.split()) not in body:
            diags.error(Location(f"layouts/{template}"), "check.template-slot", label,
                        f"the template does not print {field} from content/patient.yaml, "
                        f"which this document must carry: print it with "
                        f"{{{{ {field.split('.')[0]} | tr }}}} (see README, Patient documents)")


def position(html: str, text: str) -> int:
    """Where a statement stands in the body text (-1: not there)."""
    return body_text(html).find(" ".join(text.split()))
