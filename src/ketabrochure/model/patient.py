"""The patient-content model: bilingual texts, handouts, brochures, glossary; no I/O."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

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


class PatientRecord(Protocol):
    """One patient document's content, of any kind: what every patient rule walks. A kind's
    record (a handout, a brochure, one registered from outside) gives its texts through this,
    so no rule names the kinds."""

    @property
    def id(self) -> str: ...
    @property
    def loc(self) -> Location: ...
    @property
    def label(self) -> str:
        """How messages name it: 'handout ptsd'."""
    @property
    def indication(self) -> Text:
        """What its off-label statement says ketamine is not approved for."""
    @property
    def texts(self) -> tuple[Text, ...]:
        """Every text of its own that it prints (not the indication: see `indication`)."""
    @property
    def results(self) -> tuple[Text, ...]:
        """The texts that report a study's result (the framing rules read them so)."""
    @property
    def claims(self) -> tuple[Text, ...]:
        """The texts that say what the studies show: each must cite a study."""
    @property
    def side_effects(self) -> tuple[Text, ...]:
        """The texts that list side effects (the shared long-term statement follows them)."""
    @property
    def about(self) -> tuple[str, ...] | None:
        """The conditions it is about; None: those its results speak of."""
    def printed(self, common: Common) -> tuple[Text, ...]:
        """Every text it prints: its own and the shared ones."""


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
    loc: Location

    @property
    def texts(self) -> tuple[Text, ...]:
        return (self.title, *tuple(t for p in self.panels.values() for t in p.texts))

    @property
    def label(self) -> str:
        return f"brochure {self.id}"

    @property
    def results(self) -> tuple[Text, ...]:
        return self.section("findings")

    @property
    def claims(self) -> tuple[Text, ...]:
        return self.results

    @property
    def side_effects(self) -> tuple[Text, ...]:
        return self.section("side-effects")

    @property
    def about(self) -> tuple[str, ...] | None:
        return None  # the conditions its findings speak of

    def printed(self, common: Common) -> tuple[Text, ...]:
        return (*self.texts, common.crisis, common.off_label, common.long_term_safety)

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
    loc: Location

    @property
    def texts(self) -> tuple[Text, ...]:
        return (self.title, self.condition, self.treatment, *self.findings, self.strength,
                *self.side_effects, *self.questions)

    @property
    def label(self) -> str:
        return f"handout {self.id}"

    @property
    def results(self) -> tuple[Text, ...]:
        return self.findings

    @property
    def claims(self) -> tuple[Text, ...]:
        return (*self.findings, self.strength)

    @property
    def about(self) -> tuple[str, ...] | None:
        return (self.id,)  # its own condition (the studies it cites may back others too)

    def printed(self, common: Common) -> tuple[Text, ...]:
        crisis = (common.crisis,) if self.crisis else ()
        return (*crisis, *self.texts, *common.texts)


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
    # the records of kinds registered from outside this package: kind (`subjects`) -> id ->
    # record (kinds.register; PatientKind.add_records)
    more: dict[str, dict[str, PatientRecord]] = field(default_factory=dict)

    def records(self) -> Iterator[PatientRecord]:
        """Every patient document's record, of every kind: the one walk the rules take."""
        yield from self.handouts.values()
        yield from self.brochures.values()
        for records in self.more.values():
            yield from records.values()

    def texts(self) -> Iterator[Text]:
        """Every patient text: the shared ones, each record's, the glossary's."""
        if self.common is not None:
            yield self.common.crisis
            yield from self.common.texts
            yield from self.common.labels.values()
        for record in self.records():
            yield record.indication
            yield from record.texts
        for term in self.glossary:
            yield from (term.term, term.definition)
