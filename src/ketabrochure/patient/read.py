"""Read patient content (patient.yaml, handouts/, brochures/, glossary.yaml): bilingual, located."""

from __future__ import annotations

from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostics, Location
from ..read.fields import Fields, describe, suggestion
from ..read.reader import SUFFIXES, Reader
from ..read.yamlsource import Node

TEXT_KEYS = ("en", "es", "cites", "facts", "english_only", "allow")
PANEL_KEYS = ("heading", "text", "bullets", "section")
COMMON_KEYS = ("off_label", "crisis", "long_term_safety", "visit", "not_for", "questions",
               "labels", "side_effect_words", "forbidden")
HANDOUT_KEYS = ("title", "indication", "crisis", "condition", "treatment", "findings",
                "strength", "side_effects", "questions", "reviewed_on")


class PatientReader(Reader):
    """Reads the patient-facing YAML; every text must carry English and Spanish side by side."""

    # -- bilingual texts -------------------------------------------------------------------
    def text_node(self, node: Node, path: str) -> m.Text | None:
        if not node.is_map:
            self.diags.error(node.loc, "content.bilingual", path,
                             "must be a mapping {en: ..., es: ...}; got "
                             f"{describe(node.value, 'a mapping')}")
            return None
        t = Fields(node, path, self.diags, TEXT_KEYS)
        en = t.text("en")
        english_only = t.boolean("english_only", False)
        es_node = node.value.get("es")
        es = t.text("es", required=False)
        if (es_node is None or es_node.value is None) and not english_only:
            self.diags.error(node.loc, "content.translation", path,
                             "no Spanish translation: add 'es' beside 'en', or mark the field "
                             "english_only: true")
        cites, cite_locs = t.text_list("cites", required=False)
        facts, fact_locs = t.text_list("facts", required=False)
        allow, allow_locs = self.allowances(t)
        if en is None:
            return None
        lang_locs = {lang: node.value[lang].loc for lang in ("en", "es") if lang in node.value}
        return m.Text(path=path, en=en, es=es, loc=node.loc, lang_locs=lang_locs, cites=cites,
                       cite_locs=cite_locs, facts=facts, fact_locs=fact_locs,
                       english_only=english_only, allow=allow, allow_locs=allow_locs)

    def allowances(self, t: Fields) -> tuple[dict[str, str], dict[str, Location]]:
        """`allow: {cure: "says ketamine is not a cure"}`: forbidden phrases this text may
        say, each with the reason (which a reviewer reads in the diff)."""
        node = t.get("allow", required=False)
        if node is None:
            return {}, {}
        where = f"{t.where}.allow"
        if not node.is_map:
            t.error(node.loc, "must map each forbidden phrase to why this text may say it, "
                    "e.g. allow: {cure: \"says ketamine is not a cure\"}", where=where)
            return {}, {}
        reasons: dict[str, str] = {}
        locs: dict[str, Location] = {}
        for phrase, reason in node.value.items():
            if not isinstance(reason.value, str) or not reason.value.strip():
                t.error(node.key_locs[phrase], f"'{phrase}' needs a reason: write why this "
                        f"text may say it ({phrase}: \"...\")", code="content.allow",
                        where=f"{where}.{phrase}")
                continue
            reasons[phrase.casefold()] = reason.value.strip()
            locs[phrase.casefold()] = node.key_locs[phrase]
        return reasons, locs

    def text(self, f: Fields, key: str, required: bool = True) -> m.Text | None:
        node = f.get(key, required)
        return None if node is None else self.text_node(node, f"{f.where}.{key}".lstrip("."))

    def texts(self, f: Fields, key: str, required: bool = True) -> tuple[m.Text, ...]:
        prefix = f"{f.where}.{key}".lstrip(".")
        nodes = f.items(key, required)
        found = (self.text_node(n, f"{prefix}[{i + 1}]") for i, n in enumerate(nodes))
        return tuple(t for t in found if t is not None)

    # -- files -----------------------------------------------------------------------------
    def common(self, path: Path) -> m.Common | None:
        f = self.fields(path, COMMON_KEYS)
        if f is None:
            return None
        off_label = self.text(f, "off_label")
        crisis, long_term = self.text(f, "crisis"), self.text(f, "long_term_safety")
        words = self.side_effect_words(f)
        visit, not_for = self.texts(f, "visit"), self.texts(f, "not_for")
        questions = self.texts(f, "questions")
        labels: dict[str, m.Text] = {}
        labels_node = f.get("labels")
        if labels_node is not None and labels_node.is_map:
            for key, node in labels_node.value.items():
                label = self.text_node(node, f"labels.{key}")
                if label is not None:
                    labels[key] = label
        forbidden, forbidden_locs = f.text_list("forbidden")
        if off_label is None or crisis is None or long_term is None:
            return None
        return m.Common(off_label=off_label, crisis=crisis, long_term_safety=long_term,
                        visit=visit, not_for=not_for, questions=questions, labels=labels,
                        forbidden=tuple(zip(forbidden, forbidden_locs, strict=True)),
                        loc=Location(self.shown(path)), side_effect_words=words)

    def side_effect_words(self, f: Fields) -> dict[str, dict[str, tuple[str, ...]]]:
        """`side_effect_words: {nausea: {en: [nausea, sick to your stomach], es: [...]}}`: the
        words that name each adverse event of the vocabulary, in every language."""
        found: dict[str, dict[str, tuple[str, ...]]] = {}
        node = f.get("side_effect_words")
        if node is None:
            return found
        if not node.is_map:
            f.error(node.loc, "must map each adverse-event id to its words {en: [...], es: [...]}",
                    where="side_effect_words")
            return found
        for ident, entry in node.value.items():
            where = f"side_effect_words.{ident}"
            if ident not in m.ADVERSE_EVENTS:
                self.diags.error(node.key_locs[ident], "content.unknown-ref", where,
                                 f"'{ident}' is not an adverse-event id: use one of "
                                 f"{', '.join(m.ADVERSE_EVENTS)}"
                                 f"{suggestion(ident, m.ADVERSE_EVENTS)}")
                continue
            w = Fields(entry, where, self.diags, m.LANGUAGES)
            if w.ok:
                found[ident] = {lang: tuple(x.lower() for x in w.text_list(lang)[0])
                                for lang in m.LANGUAGES}
        for ident in m.ADVERSE_EVENTS:
            if ident not in found and ident not in node.value:
                f.error(node.loc, f"no words for '{ident}': give {{en: [...], es: [...]}} so "
                        "side-effect lists can be checked for it", code="content.missing-field",
                        where=f"side_effect_words.{ident}")
        return found

    def handout(self, path: Path) -> m.Handout | None:
        f = self.fields(path, HANDOUT_KEYS)
        if f is None:
            return None
        title, condition = self.text(f, "title"), self.text(f, "condition")
        indication = self.text(f, "indication")
        crisis = f.get("crisis", required=False)
        if crisis is None:
            f.error(f.node.loc, "missing required field 'crisis': write crisis: true if people "
                    "with this condition may be thinking of suicide (the handout then prints "
                    "the crisis line from patient.yaml), else crisis: false",
                    code="content.missing-field", where="crisis")
        elif not isinstance(crisis.value, bool):
            f.error(crisis.loc, f"must be true or false; got {describe(crisis.value)}",
                    code="content.type", where="crisis")
            crisis = None
        treatment, strength = self.text(f, "treatment"), self.text(f, "strength")
        f.retired_review_date()
        findings, side_effects = self.texts(f, "findings"), self.texts(f, "side_effects")
        questions = self.texts(f, "questions", required=False)
        if (title is None or condition is None or treatment is None or strength is None
                or indication is None or crisis is None):
            return None
        return m.Handout(id=path.stem, title=title, indication=indication,
                         crisis=bool(crisis.value), condition=condition, treatment=treatment,
                         findings=findings, strength=strength, side_effects=side_effects,
                         questions=questions,
                         loc=Location(self.shown(path)))

    def brochure(self, path: Path) -> m.Brochure | None:
        f = self.fields(path, ("title", "indication", "panels", "reviewed_on"))
        if f is None:
            return None
        title = self.text(f, "title")
        f.retired_review_date()
        indication = self.text(f, "indication")
        p = f.sub("panels", m.PANELS)
        panels: dict[str, m.Panel] = {}
        for name in m.PANELS:
            if p is None:
                break
            blocks = tuple(b for b in (self.block(node, f"panels.{name}[{i + 1}]")
                                       for i, node in enumerate(p.items(name))) if b)
            if blocks:
                panels[name] = m.Panel(name=name, blocks=blocks, loc=p.loc(name))
            elif p.get(name, required=False) is not None and p.items(name) == []:
                p.error(p.loc(name), f"panel '{name}' has no text: each of the six panels "
                        "of a tri-fold needs at least one block (heading, text or bullets)",
                        code="content.missing-field", where=f"panels.{name}")
        if (title is None or indication is None
                or len(panels) != len(m.PANELS)):
            return None
        return m.Brochure(id=path.stem, title=title, indication=indication, panels=panels,
                          loc=Location(self.shown(path)))

    def block(self, node: Node, path: str) -> m.Block | None:
        sub = Fields(node, path, self.diags, PANEL_KEYS)
        if not sub.ok:
            return None
        return m.Block(heading=self.text(sub, "heading", False),
                       text=self.texts(sub, "text", False),
                       bullets=self.texts(sub, "bullets", False),
                       section=sub.choice("section", m.SECTIONS, required=False))

    def glossary(self, path: Path | None) -> tuple[m.Term, ...]:
        f = self.fields(path, ("terms",)) if path else None
        terms: list[m.Term] = []
        first: dict[str, m.Text] = {}  # each term, English or Spanish, folded -> where it is
        for i, node in enumerate(f.items("terms") if f else []):
            t = Fields(node, f"terms[{i + 1}]", self.diags, ("term", "definition"))
            if not t.ok:
                continue
            term, definition = self.text(t, "term"), self.text(t, "definition")
            if term and definition and not self.defined_before(term, first):
                terms.append(m.Term(term, definition))
        return tuple(terms)

    def defined_before(self, term: m.Text, first: dict[str, m.Text]) -> bool:
        """Whether a glossary term is already defined (reported at this, the second one)."""
        words = [(lang, text) for lang, text in (("en", term.en), ("es", term.es)) if text]
        for lang, text in words:
            earlier = first.get(f"{lang}:{' '.join(text.casefold().split())}")
            if earlier is not None:
                self.diags.error(term.lang_locs.get(lang, term.loc), "content.duplicate",
                                 term.path, f"'{text}' is already defined at line "
                                 f"{earlier.lang_locs.get(lang, earlier.loc).line}; "
                                 "define each term once")
                return True
        for lang, text in words:
            first[f"{lang}:{' '.join(text.casefold().split())}"] = term
        return False


def read_patient(root: Path, conditions: dict[str, m.Condition],
                 diags: Diagnostics) -> m.PatientContent:
    """All patient content; a project without any (no content/patient.yaml) has none."""
    content = root / "content"
    reader = PatientReader(root, diags)
    patient = reader.named("patient.yaml")
    if patient is None:  # only a misnamed one (patient.yml): reported
        return m.PatientContent()
    if not reader.exists(patient):
        if (content / "handouts").is_dir() or (content / "brochures").is_dir():
            diags.error(Location("content/patient.yaml"), "content.missing-file", "patient",
                        "handouts and brochures need content/patient.yaml (shared patient text)")
        return m.PatientContent()
    common = reader.common(patient)
    handouts = reader.each("handouts", reader.handout)
    for handout_id, handout in handouts.items():
        written = (content / "conditions" / f"{handout_id}{s}" for s in SUFFIXES)
        if handout_id not in conditions and not any(map(reader.exists, written)):
            # (a condition file that is there but broken: its own errors are reported)
            diags.error(handout.loc, "content.unknown-ref", "handout",
                        f"no condition '{handout_id}' in content/conditions/"
                        f"{suggestion(handout_id, conditions)}")
    brochures = reader.each("brochures", reader.brochure)
    glossary = reader.glossary(reader.named("glossary.yaml"))
    return m.PatientContent(common, handouts, brochures, glossary,
                             broken=frozenset(reader.broken))
