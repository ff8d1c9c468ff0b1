"""The patient-content model: bilingual texts, handouts, brochures, glossary; no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..diagnostics import Location

PANELS: tuple[str, ...] = ("flap", "back", "front", "left", "middle", "right")
# What a brochure block is, for the rules: what studies found, or the side effects (the shared
# long-term safety statement is printed at the end of the side-effects block).
SECTIONS: tuple[str, ...] = ("findings", "side-effects")


@dataclass(frozen=True)
class Text:
    """One patient-facing text, English and Spanish side by side, with what backs it."""

    path: str  # the YAML field, e.g. "findings[2]"
    en: str
    es: str | None
    loc: Location
    lang_locs: dict[str, Location] = field(default_factory=dict, compare=False)
    cites: tuple[str, ...] = ()
    cite_locs: tuple[Location, ...] = ()
    facts: tuple[str, ...] = ()
    fact_locs: tuple[Location, ...] = ()
    english_only: bool = False
    # forbidden phrases this one text may say (casefolded) -> the reason the editor gave
    allow: dict[str, str] = field(default_factory=dict, compare=False)
    allow_locs: dict[str, Location] = field(default_factory=dict, compare=False)

    def raw(self, lang: str) -> str:
        """The text in a language (English where the field is marked English-only)."""
        return self.es if lang == "es" and self.es is not None else self.en

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the text is printed in (English only where it is marked so)."""
        return ("en",) if self.english_only or self.es is None else ("en", "es")

    def where(self, lang: str) -> Location:
        return self.lang_locs.get(lang, self.loc)


@dataclass(frozen=True)
class Block:
    """A heading, then paragraphs, then bullet points (each optional)."""

    heading: Text | None
    text: tuple[Text, ...]
    bullets: tuple[Text, ...]
    section: str | None = None  # one of SECTIONS

    @property
    def texts(self) -> tuple[Text, ...]:
        return ((self.heading,) if self.heading else ()) + self.text + self.bullets


@dataclass(frozen=True)
class Panel:
    name: str
    blocks: tuple[Block, ...]
    loc: Location

    @property
    def texts(self) -> tuple[Text, ...]:
        return tuple(t for block in self.blocks for t in block.texts)


@dataclass(frozen=True)
class Brochure:
    id: str
    title: Text
    indication: Text  # what the off-label statement says ketamine is not approved for
    panels: dict[str, Panel]
    reviewed_on: dt.date
    loc: Location

    @property
    def texts(self) -> tuple[Text, ...]:
        return (self.title, *tuple(t for p in self.panels.values() for t in p.texts))

    def section(self, name: str) -> tuple[Text, ...]:
        """The texts of every block marked `section: <name>`."""
        return tuple(t for p in self.panels.values() for b in p.blocks if b.section == name
                     for t in b.text + b.bullets)


@dataclass(frozen=True)
class Handout:
    id: str  # a condition id
    title: Text
    indication: Text  # what the off-label statement says ketamine is not approved for
    crisis: bool  # print the crisis line (patients with this condition may be in danger)
    condition: Text
    treatment: Text
    findings: tuple[Text, ...]
    strength: Text
    side_effects: tuple[Text, ...]
    questions: tuple[Text, ...]
    reviewed_on: dt.date
    loc: Location

    @property
    def texts(self) -> tuple[Text, ...]:
        return (self.title, self.condition, self.treatment, *self.findings, self.strength,
                *self.side_effects, *self.questions)


@dataclass(frozen=True)
class Term:
    term: Text
    definition: Text


@dataclass(frozen=True)
class Common:
    """Text every patient document shares (content/patient.yaml)."""

    off_label: Text
    crisis: Text  # the crisis line: on the tri-fold and every handout marked crisis: true
    long_term_safety: Text  # on every patient document, after its side effects
    visit: tuple[Text, ...]
    not_for: tuple[Text, ...]
    questions: tuple[Text, ...]
    labels: dict[str, Text]
    forbidden: tuple[tuple[str, Location], ...]
    loc: Location
    # adverse-event id -> language -> the words that name it in patient text
    side_effect_words: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def texts(self) -> tuple[Text, ...]:
        """What every handout prints (the crisis line only on some: see `crisis`)."""
        return (self.off_label, *self.visit, *self.not_for, *self.questions,
                self.long_term_safety)


@dataclass(frozen=True)
class PatientContent:
    """All patient content; a project without content/patient.yaml has none."""

    common: Common | None = None
    handouts: dict[str, Handout] = field(default_factory=dict)
    brochures: dict[str, Brochure] = field(default_factory=dict)
    glossary: tuple[Term, ...] = ()
    broken: frozenset[str] = frozenset()
