"""`ketabrochure new study|condition|handout ID`: a new content file with every required
field, a comment saying what goes in each, and TODO placeholders.

A placeholder is text starting with the word TODO (Spanish ones read "TODO: traducir"): the
reader reports each one still there as `error[content.todo]` at its line and reads the field
as missing (`read.fields.is_placeholder`), so `check` fails, at the placeholders only, until
every one is written. Optional fields are shown as comments.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from string import Template

from .. import model as m
from ..diagnostics import Diagnostics, UsageError, relative
from ..files import beneath
from ..read.fields import ID_RE, is_placeholder, suggestion
from ..read.yamlsource import Node, load

FOLDERS = {"study": "studies", "condition": "conditions", "handout": "handouts"}
EXAMPLES = {"study": "smith2024", "condition": "insomnia", "handout": "insomnia"}

STUDY = """\
# Study $id, made by `ketabrochure new study $id`.
# Replace every TODO with what the paper says; `ketabrochure check` reports each one left
# (error content.todo) at its line. Write a fact only once it is confirmed against the DOI
# or PubMed, and leave out what is not.
citation:
  title: "TODO: the article's title, as PubMed gives it"
  authors: ["TODO: the first author, as Surname AB"]  # confirmed names only, in order
  et_al: true                   # true: the paper has more authors than listed here
  journal: "TODO: the journal's NLM abbreviation, e.g. N Engl J Med"
  year: TODO                    # the year of publication, e.g. 2023
  # Only once confirmed (delete the # to use them):
  # volume: "388"
  # issue: "25"
  # pages: "2315-2325"
  # doi: "10.1056/NEJMoa2302399"  # without the https://doi.org/ prefix
  # pmid: "37224232"              # digits only
# role: preclinical is animal work; only efficacy studies in people are patient evidence
role: TODO                      # $roles
design:
  type: TODO                    # $designs
  blinding: TODO                # $blinding
  controlled: true              # false: no control group (the evidence table says so)
  summary: "TODO: the design in one line, e.g. Double-blind parallel trial vs midazolam"
population:
  species: TODO                 # $species
  diagnosis: "TODO: who took part, e.g. Chronic PTSD, ages 18-70"
n:
  # value: how many took part, a whole number (delete the line if the paper does not say);
  # fewer than 50 is labelled Small n
  value: TODO
  unit: TODO                    # $units
  # note: "403 randomized; 365 began treatment"
intervention:
  drug: TODO                    # $drugs
  route: TODO                   # $routes
  dose: "TODO: the dose, e.g. 0.5 mg/kg over 40 min"
  schedule: "TODO: how often and how long, e.g. twice weekly for 3 weeks"
comparator: "TODO: what the control group had, e.g. midazolam (active placebo), or none"
outcomes:                       # one entry per outcome, the primary one first
  - measure: "TODO: what was measured, e.g. Response: at least 50% drop on MADRS (primary)"
    result: "TODO: what was found, with its numbers"
    # what it measures ($measures): needed where a chart draws the study, or its condition's
    # (a chart lists every study on file that measures what it draws, or says why not)
    # measures: [depression]
    # optional, % of people ($rate_kinds): draws the chart, gives patient text its numbers
    # rates: {kind: response, treatment: 55.4, control: 41.2}
key_result: "TODO: the main result in one line, as the evidence table prints it"
follow_up: "TODO: how long people were followed, e.g. 6 months"
limitations:                    # one short item each
  - "TODO: a limitation, e.g. Open-label: patients and raters knew the treatment"
sources:                        # where each fact was confirmed (not printed)
  - "TODO: e.g. PubMed 37224232: design, n, dosing, response"
"""

CONDITION = """\
# Condition $id, made by `ketabrochure new condition $id`.
# The subject of an evidence sheet and of a chapter of the research report. Replace every
# TODO; `ketabrochure check` reports each one left (error content.todo) at its line.
name: "TODO: the condition's short name, e.g. PTSD"
title: "TODO: the sheet's title, e.g. IV ketamine for chronic posttraumatic stress disorder"
# bottom_line: in the words of its certainty (probably, may, very uncertain)
bottom_line: "TODO: what the evidence shows, in two or three sentences"
key_points:                     # each finding with the studies it rests on
  - text: "TODO: one finding, with its numbers"
    # cites: study ids (file names in content/studies/); say so when one is an animal study
    cites: [TODO]
$known_studies
evidence: [TODO]                # the studies for the sheet's table, at most about 7
# outcomes: what the evidence is about, each with its studies; certainty is computed by
# GRADE's rules from the study records (randomised: starts high; else low; risk of bias from
# blinding and comparator; imprecision under about 400 people), and a recorded downgrade may
# only be stricter than the rules; `measures: {study: N}` names the study outcomes it rests on
outcomes:
  - outcome: "TODO: e.g. Symptoms 1 day to 2 weeks after one infusion, vs placebo"
    importance: critical        # critical or important; overall certainty = lowest critical
    studies: [TODO]             # efficacy studies in people
    # downgrade: {risk-of-bias, inconsistency, indirectness, imprecision, publication-bias}:
    #   each {by: -1 or -2, reason: "..."}
    downgrade:
      imprecision: {by: -1, reason: "TODO: e.g. 41 people in one trial"}
# regulatory: fact ids from content/regulatory.yaml; must include the off-label fact
regulatory: [$off_label]
safety:                         # short items
  - "TODO: a safety point, e.g. Transient dissociation and blood-pressure rises"
"""

HANDOUT = """\
# Patient handout on $name, made by `ketabrochure new handout $id`.
# Every text is bilingual: English (en) and Spanish (es) side by side. Replace every TODO;
# "TODO: traducir" is where the Spanish of the English beside it goes. `ketabrochure check`
# reports each one left (error content.todo) at its line, and scores every text's reading
# grade (6 or below). Numbers come from the study YAML, never typed: {study.n},
# {study.response}, {study.remission}, {study.response.control}; a text using one cites it.
title:
  en: "TODO: the handout's title, e.g. Ketamine for PTSD"
  es: "TODO: traducir"
indication:                     # the condition in words the off-label statement names
  en: "TODO: e.g. PTSD"
  es: "TODO: traducir"
crisis: true                    # print the 988 crisis line (true unless there is a reason)
condition:                      # what the condition is, in plain words
  en: "TODO: what it is and how it feels"
  es: "TODO: traducir"
treatment:                      # what the treatment is, and that it is not approved for this
  en: "TODO: what the treatment is"
  es: "TODO: traducir"
  facts: [$off_label]           # the regulatory facts it rests on
findings:                       # what studies found; each cites efficacy studies in people
  - en: "TODO: what one study found"
    es: "TODO: traducir"
    cites: [TODO]               # study ids, e.g. [feder2021]
strength:                       # how sure we are
  en: "TODO: how sure we are"
  es: "TODO: traducir"
  cites: [TODO]
side_effects:
  - en: "TODO: a side effect, and what we do about it"
    es: "TODO: traducir"
    cites: [TODO]               # the studies that report it
  # the risks regulatory.yaml lists under `risks` (label, REMS), named and cited with `facts`
  - en: "TODO: e.g. The nasal spray can make you very sleepy. Ketamine can be misused."
    es: "TODO: traducir"
    facts: [TODO]               # e.g. spravato-rems, spravato-label-blood-pressure
questions:                      # optional: questions to ask us (delete the list if none)
  - en: "TODO: a question a patient could ask"
    es: "TODO: traducir"
"""


MAX_ID = 64  # characters of a new id (it names a file: most systems allow 255 bytes)


def scaffold(root: Path, kind: str, ident: str) -> Path:
    """Write content/<folder>/<ident>.yaml for a new study, condition or handout; a bad or
    taken id, or a handout for no condition, is a UsageError (nothing is written)."""
    if kind not in FOLDERS:
        raise UsageError(f"cannot make a '{kind}'{suggestion(kind, FOLDERS)}; "
                         f"choose one of {', '.join(FOLDERS)}")
    content = root / "content"
    if len(ident) > MAX_ID:
        raise UsageError(f"the id is {len(ident)} characters long; an id names a file and "
                         f"appears in citations: keep it to {MAX_ID} or fewer "
                         "(e.g. author-year-topic)")
    if not ID_RE.match(ident):
        raise UsageError(f"'{ident}' is not an id: use lower-case letters, digits and hyphens, "
                         f"starting with a letter or digit (e.g. {EXAMPLES[kind]})")
    folder = content / FOLDERS[kind]
    taken = sorted(folder.glob(f"{ident}.y*ml"))
    if taken:
        raise UsageError(f"{relative(taken[0], root)} already exists: choose another id, "
                         "or edit that file")
    fields = {"id": ident, "off_label": _off_label(content),
              "known_studies": _known(content / "studies")}
    fields.update(_choices())
    if kind == "handout":
        conditions = [p.stem for p in sorted((content / "conditions").glob("*.y*ml"))]
        if ident not in conditions:
            hint = suggestion(ident, conditions) or \
                f" (make it first: ketabrochure new condition {ident})"
            raise UsageError(f"no condition '{ident}' in content/conditions/{hint}: a handout "
                             "is about one condition and has its id")
        name = _name(content / "conditions" / f"{ident}.yaml")
        fields["name"] = f"{name} ({ident})" if name else ident
    template = {"study": STUDY, "condition": CONDITION, "handout": HANDOUT}[kind]
    text = Template(template).substitute(fields)
    target = folder / f"{ident}.yaml"
    try:  # O_EXCL: never over another file; the walk: never through a link out of the project
        fd = beneath.open_fd(root, f"content/{FOLDERS[kind]}/{ident}.yaml",
                             os.O_WRONLY | os.O_CREAT | os.O_EXCL, links=True)
    except OSError as exc:
        raise UsageError(f"cannot write {relative(target, root)}: {exc.strerror}") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return target


def placeholders(path: Path) -> int:
    """How many TODO placeholders a content file holds (what `check` reports as content.todo)."""
    def count(value: object) -> int:
        if isinstance(value, dict):
            return sum(map(count, value.values()))
        if isinstance(value, list):
            return sum(map(count, value))
        return int(is_placeholder(value))

    return count(_mapping(path))


def _choices() -> dict[str, str]:
    """The allowed values of each choice field, for the comments (from the model: never stale)."""
    return {name: " | ".join(values) for name, values in (
        ("roles", m.ROLES), ("designs", m.DESIGN_TYPES), ("blinding", m.BLINDING),
        ("species", m.SPECIES), ("units", m.N_UNITS), ("drugs", m.DRUGS), ("routes", m.ROUTES),
        ("rate_kinds", m.RATE_KINDS), ("grades", m.GRADES), ("measures", m.MEASURES))}


def _known(folder: Path) -> str:
    """A comment naming the studies on file (the condition's `cites` and `evidence`)."""
    ids = [p.stem for p in sorted(folder.glob("*.y*ml"))]
    if not ids:
        return "    # no study is on file yet: make one with `ketabrochure new study ID`"
    return "\n".join(textwrap.wrap(", ".join(ids), 96, initial_indent="    # studies on file: ",
                                   subsequent_indent="    #   "))


def _off_label(content: Path) -> str:
    """The id of the regulatory fact marked off_label: true (else a placeholder)."""
    facts = _mapping(content / "regulatory.yaml").get("facts")
    if isinstance(facts, dict):
        for fact_id, fact in facts.items():
            if isinstance(fact, dict) and fact.get("off_label") is True:
                return str(fact_id)
    return "TODO"


def _name(path: Path) -> str | None:
    """The condition's name, unless it is still a placeholder."""
    name = _mapping(path).get("name")
    if not isinstance(name, str) or not name.strip() or is_placeholder(name):
        return None
    return name.strip()


def _mapping(path: Path) -> dict[object, object]:
    """A content file's top-level mapping, or {} when it is missing or broken (check says
    why); read as `check` reads it: bounded, never through a link out of the project."""
    parts = path.parts
    if "content" not in parts:
        return {}
    shown = "/".join(parts[len(parts) - 1 - parts[::-1].index("content"):])
    node = load(path, shown, Diagnostics())
    data = _plain(node) if node is not None else None
    return data if isinstance(data, dict) else {}


def _plain(node: Node) -> object:
    """A Node as plain values (at most yamlsource.MAX_NODES of them, aliases counted)."""
    if isinstance(node.value, dict):
        return {key: _plain(child) for key, child in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(child) for child in node.value]
    return node.value
