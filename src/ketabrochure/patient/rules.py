"""Rules over patient text: citations, numbers from the data, banned phrases, reading grade;
then honest framing (`framing`), safety completeness (`safety`) and the statements every
document carries (`statements`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import model as m
from ..diagnostics import Diagnostics
from ..read.project import REGULATORY
from ..wording import claims
from . import language, numbers, readability
from .claims import claim_rules
from .framing import framing_rules
from .safety import safety_rules
from .statements import statement_rules
from .times import later_null_rules, time_rules

# texts that are contacts or names, not claims: a number in them needs no source
UNCITED_PATHS = ("labels.", "crisis", "indication")


def walked(patient: m.PatientContent) -> Iterator[tuple[m.Text, m.Text | None]]:
    """Every patient text the rules read, of every kind (`PatientContent.texts`), with the
    indication its `{indication}` is filled with: its record's own; for a shared text, one
    record's as a stand-in (it is filled per document)."""
    own = {id(t): r.indication for r in patient.records() for t in (r.indication, *r.texts)}
    # with a record's file broken, another record would stand in than usual, and its
    # indication score the shared texts differently: that file's error comes first
    stand_in = None if patient.broken else next((r.indication for r in patient.records()), None)
    for text in patient.texts():
        yield text, own.get(id(text), stand_in)


def patient_rules(project: m.Project, patient: m.PatientContent, diags: Diagnostics) -> None:
    """Every rule over every patient text, in both languages."""
    forbidden = patient.common.forbidden if patient.common else ()
    banned = {phrase.casefold() for phrase, _ in forbidden}
    # a forbidden phrase that is a claim word is left to the claim rules, which say the fix:
    # decided once per language, not once per text (it was a third of reading the project)
    plain = {lang: tuple(phrase for phrase, _ in forbidden if not claims.find(phrase, lang))
             for lang in ("en", "es")}
    for text, indication in walked(patient):
        _sources(text, project, diags)
        _allowances(text, banned, diags)
        for lang in text.languages:
            filled_in = indication.raw(lang) if indication else None
            _language_rules(text, lang, project, plain[lang], filled_in, diags)
    record_ok = REGULATORY not in project.broken  # (else its own error is the one to read)
    if record_ok:  # the numbers and times a text may give come from the studies and facts
        claim_rules(project, patient.texts(), diags)
        time_rules(project, patient.texts(), diags)
    for record in patient.records():
        for item in record.claims:
            if not item.cites:
                diags.error(item.loc, "content.uncited", f"{record.label}: {item.path}",
                            "what studies found must cite at least one study (cites: [...])")
    common = patient.common
    if common is not None and record_ok and not any(
            project.regulatory[f].off_label for f in common.off_label.facts
            if f in project.regulatory):
        diags.error(common.off_label.loc, "content.off-label", "off_label",
                    "must cite the off-label regulatory fact (facts: [...])")
    cited = {s for text in patient.texts() for s in text.cites}
    if cited & project.broken or not record_ok:
        return  # framing and safety read the cited studies and facts: a broken one is an error
    framing_rules(project, patient, diags)
    later_null_rules(project, patient, diags)
    safety_rules(project, patient, diags)
    statement_rules(project, patient, diags)


def says(text: str, phrase: str) -> bool:
    """Whether a text says a phrase, as whole words, in any case."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def _allowances(text: m.Text, banned: set[str], diags: Diagnostics) -> None:
    """An `allow` names a forbidden phrase (casefolded in `banned`) that the text says (else
    it is a slip, or stale)."""
    for phrase, loc in text.allow_locs.items():
        where = f"{text.path}.allow.{phrase}"
        if phrase not in banned and not claims.is_key(phrase):
            diags.error(loc, "content.allow", where,
                        f"'{phrase}' is not a forbidden phrase (forbidden in patient.yaml) "
                        f"nor a claim word ({', '.join(sorted(claims.KEYS))}): "
                        "there is nothing to allow; remove it")
        elif not any(says(text.raw(lang), phrase) for lang in text.languages):
            diags.warning(loc, "content.allow", where,
                          f"the text no longer says '{phrase}': remove the allowance")


def _sources(text: m.Text, project: m.Project, diags: Diagnostics) -> None:
    for study_id, loc in zip(text.cites, text.cite_locs, strict=False):
        study = project.studies.get(study_id)
        if study is None:
            if study_id not in project.broken:
                diags.error(loc, "content.unknown-ref", f"{text.path}.cites",
                            f"no study '{study_id}'")
        elif study.role != "efficacy":
            diags.error(loc, "content.patient-evidence", f"{text.path}.cites",
                        f"'{study_id}' is a {study.role} study: patient text cites only "
                        "studies in people that test whether treatment works")
    for fact_id, loc in zip(text.facts, text.fact_locs, strict=False):
        if fact_id not in project.regulatory and REGULATORY not in project.broken:
            diags.error(loc, "content.unknown-ref", f"{text.path}.facts",
                        f"no regulatory fact '{fact_id}'")
    named = numbers.studies_named(text.en) | numbers.studies_named(text.es or "")
    for study_id in sorted(named - set(text.cites)):
        diags.error(text.loc, "content.uncited", text.path,
                    f"uses a number from '{study_id}' but does not cite it")
    if re.search(r"\d|\{", text.en) and not (text.cites or text.facts) and \
            not text.path.startswith(UNCITED_PATHS):
        diags.error(text.loc, "content.uncited", text.path,
                    "a statement with a number must cite studies (cites) or facts (facts)")


def _language_rules(text: m.Text, lang: str, project: m.Project,
                    forbidden: tuple[str, ...], indication: str | None,
                    diags: Diagnostics) -> None:
    where, loc = f"{text.path}.{lang}", text.where(lang)
    if numbers.studies_named(text.raw(lang)) & project.broken:
        return  # a study it quotes failed to read: that file's error is the one to fix
    try:
        filled = numbers.fill(text.raw(lang), project.studies, lang, indication)
    except numbers.PlaceholderError as exc:
        diags.error(loc, "content.placeholder", where, str(exc))
        return
    for phrase in forbidden:
        if says(filled, phrase) and phrase.casefold() not in text.allow:
            diags.error(loc, "content.forbidden", where,
                        f"patient text may not say '{phrase}' (see forbidden in patient.yaml); "
                        "if this text must, say why beside it: allow: {"
                        f"{phrase}: \"<the reason>\"}}")
    if lang == "es" and (english := language.english_words(filled)):
        shown = ", ".join(f"'{w}'" for w in dict.fromkeys(english))
        diags.warning(loc, "content.untranslated", where,
                      f"reads as English ({shown}): translate it, or mark the field "
                      "english_only: true if it must stay in English")
    if readability.scored(filled) and not text.path.startswith("indication"):
        # an indication is a list filled into the off-label statement, scored there
        score = readability.grade(filled, lang)
        formula = readability.FORMULAS[lang]
        if score > readability.ERROR_ABOVE:
            diags.error(loc, "check.readability", where,
                        f"reading grade {score:g} ({formula}) is above "
                        f"{readability.ERROR_ABOVE:g}: use shorter sentences and words")
        elif score > readability.WARN_ABOVE:
            diags.warning(loc, "check.readability", where,
                          f"reading grade {score:g} ({formula}); the target is "
                          f"{readability.WARN_ABOVE:g} or below")
