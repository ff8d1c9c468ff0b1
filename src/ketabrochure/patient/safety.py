"""Safety completeness of patient documents, in every language.

- `safety.coverage`: a document's side effects (a handout's `side_effects`, a brochure's block
  marked `section: side-effects`) name every adverse event recorded (`adverse_events` in the
  study YAML) for the studies the document cites, in the words `side_effect_words` in
  patient.yaml gives each one. An event the study calls rare may be left out when the section
  says that rare side effects are not listed.
- `safety.duration`: a text says how long a side effect lasts ("for a short time") only when a
  study it cites records how long that event lasted (`{id: ..., lasted: ...}`).
- `safety.section`: a brochure marks the block that lists side effects, where the shared
  long-term safety statement is printed.
- `safety.regulatory`: a document's side effects name every risk the regulatory record lists
  for this use (`risks` in regulatory.yaml: the label, the REMS, FDA's 2023 warning) and cite
  one of the facts that state it, whatever studies the document cites, so deleting a side
  effect together with its citation is refused; a risk recorded as `left_out` (not confirmed)
  is not printed, and the side effects then say plainly that some risks are not listed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from .. import model as m
from ..diagnostics import Diagnostics, Location
from . import numbers
from .framing import SENTENCE, WORDS, spans

LANGS = m.LANGUAGES
RARE = {"en": r"\brare\b", "es": r"\braros?\b|\braras?\b|poco comunes"}
# the side effects say that some risks are left out (the record's `left_out`, not printed)
LEFT_OUT = {"en": r"\bnot (?:all )?listed\b|\bleaves? (?:some|others) out\b",
            "es": r"\bno (?:todos )?están (?:aquí|en esta lista)\b"}
LASTS = {"en": r"\blast(?:s|ed)?\b", "es": r"\bdur(?:a|ó|an|aron)\b"}


def safety_rules(project: m.Project, patient: m.PatientContent, diags: Diagnostics) -> None:
    common = patient.common
    if common is None:
        return
    for record in patient.records():
        printed = record.printed(common)
        if not record.side_effects and any(t.cites for t in printed):
            diags.error(record.loc, "safety.section", record.label,
                        "it cites studies but lists no side effects: mark the block that lists "
                        "them (a brochure: section: side-effects; the long-term safety "
                        "statement is printed at its end, and `check` makes sure it covers "
                        "the studies' adverse events)")
            continue
        _coverage(record.label, record.side_effects, printed, record.loc, project, common,
                  diags)
        if record.side_effects:
            _regulatory(record.label, record.side_effects, record.loc, project, common, diags)
    texts = [*common.texts, *(t for r in patient.records() for t in r.texts)]
    for text in texts:
        _durations(text, project, common.side_effect_words, diags)


def named(text: str, lang: str, words: dict[str, dict[str, tuple[str, ...]]]) -> set[str]:
    """The adverse-event ids a text names, by the words patient.yaml gives each."""
    return set(_named(text.lower(), tuple((ident, by_lang.get(lang, ()))
                                          for ident, by_lang in words.items())))


# a function of the text and the word lists alone: watch, serve and a test process ask it of
# the same side effects at every load
@functools.lru_cache(maxsize=4096)
def _named(low: str, words: tuple[tuple[str, tuple[str, ...]], ...]) -> frozenset[str]:
    return frozenset(ident for ident, listed in words
                     if (pattern := _any_word(listed)) and pattern.search(low))


@functools.lru_cache(maxsize=512)
def _any_word(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for 'any of these words starts a word here' (compiled once per word list:
    the coverage rule asks it of every side-effects text for every adverse event)."""
    if not words:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(w)}" for w in words))


def _coverage(label: str, own: tuple[m.Text, ...], printed: Iterable[m.Text],
              fallback: Location, project: m.Project, common: m.Common,
              diags: Diagnostics) -> None:
    """Every adverse event of every cited study is named in the side effects (the document's
    own, then the shared long-term statement printed after them), per language."""
    cited = dict.fromkeys(s for t in printed for s in t.cites if s in project.studies)
    events: dict[str, list[tuple[str, bool]]] = {}
    for study_id in cited:
        for event in project.studies[study_id].adverse_events:
            events.setdefault(event.id, []).append((study_id, event.rare))
    if not events:
        return
    words = common.side_effect_words
    section = (*own, common.long_term_safety)
    for lang in LANGS:
        body = " ".join(_filled(t, lang, project) for t in section)
        covered = named(body, lang, words)
        says_rare = re.search(RARE[lang], body, re.IGNORECASE) is not None
        for ident, sources in events.items():
            if ident in covered or (says_rare and all(rare for _, rare in sources)):
                continue
            studies = ", ".join(sorted({s for s, _ in sources}))
            examples = ", ".join(f"'{w}'" for w in words.get(ident, {}).get(lang, ())[:2])
            diags.error(own[0].where(lang) if own else fallback, "safety.coverage",
                        f"{label} ({lang})",
                        f"its side effects do not mention {ident} ({examples}), which {studies} "
                        f"report{'s' if ', ' not in studies else ''}: add it to the side "
                        f"effects, citing {studies}")


def _regulatory(label: str, own: tuple[m.Text, ...], fallback: Location, project: m.Project,
                common: m.Common, diags: Diagnostics) -> None:
    """The regulatory record's risks for this use, named and cited in the side effects (the
    document's own, then the shared long-term statement), per language."""
    section = (*own, common.long_term_safety)
    cited = {f for t in section for f in t.facts}
    at = own[0] if own else None
    for lang in LANGS:
        body = " ".join(_filled(t, lang, project) for t in section)
        covered = named(body, lang, common.side_effect_words)
        where = at.where(lang) if at else fallback
        for risk in project.risks.values():
            facts = ", ".join(risk.facts)
            if risk.left_out is not None:
                if not re.search(LEFT_OUT[lang], body, re.IGNORECASE):
                    diags.error(where, "safety.regulatory", f"{label} ({lang})",
                                f"the regulatory record leaves {risk.id} out ({risk.left_out}), "
                                "but the side effects do not say that some risks are not "
                                "listed: say so (e.g. 'Some risks are not listed here; ask "
                                "us.' / 'Algunos riesgos no están aquí; pregúntenos.')")
            elif risk.id not in covered:
                words = ", ".join(f"'{w}'" for w in
                                  common.side_effect_words.get(risk.id, {}).get(lang, ())[:2])
                diags.error(where, "safety.regulatory", f"{label} ({lang})",
                            f"its side effects do not name {risk.id} ({words}), a risk the "
                            f"regulatory record gives for this use ({facts}): add it, citing "
                            f"`facts: [{risk.facts[0]}]`")
            elif not cited & set(risk.facts):
                diags.error(where, "safety.regulatory", f"{label} ({lang})",
                            f"its side effects name {risk.id} but cite none of the facts that "
                            f"state it ({facts}): add `facts: [{risk.facts[0]}]` to the text "
                            "that names it")


def _durations(text: m.Text, project: m.Project,
               words: dict[str, dict[str, tuple[str, ...]]], diags: Diagnostics) -> None:
    """A side effect's duration only from a study that records one."""
    for lang in text.languages:
        filled = _filled(text, lang, project)
        previous: set[str] = set()
        for sentence in SENTENCE.split(filled):
            here = named(sentence, lang, words)
            short = re.search(WORDS["short_lived"][lang], sentence, re.IGNORECASE)
            timed = here and (spans(sentence, lang) or re.search(LASTS[lang], sentence, re.I))
            events = here if here else (previous if short else set())
            if (short or timed) and events:
                for ident in sorted(events):
                    recorded = [s for s in text.cites if s in project.studies and any(
                        e.id == ident and e.lasted for e in project.studies[s].adverse_events)]
                    if not recorded:
                        diags.error(text.where(lang), "safety.duration", f"{text.path}.{lang}",
                                    f"says how long {ident} lasts, but no study it cites "
                                    f"records that (adverse_events: {{id: {ident}, lasted: "
                                    f"...}} in the study YAML, only where the study reports "
                                    f"it): cite such a study or leave the duration out")
            previous = here or previous


def _filled(text: m.Text, lang: str, project: m.Project) -> str:
    try:
        return numbers.fill(text.raw(lang), project.studies, lang)
    except numbers.PlaceholderError:
        return text.raw(lang)  # already reported
