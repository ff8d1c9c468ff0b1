"""What changed in this edition, for referring physicians: new studies, changed GRADE grades
and changed key numbers (a study's n, its response and remission rates) since the previous
edition.

The baseline is content, not git history: when an edition is signed, `approve` keeps what the
physician documents printed (every study's label, n and rates, every outcome's certainty) in
content/editions/<edition>.yaml. The report and the referral letter compare today's records
with the latest snapshot of an earlier edition than documents.yaml's `edition`. A snapshot
carries the digest of its values: one edited by hand is an error (`edition.snapshot`), so every
number the section prints was read from a study record, today or when an edition was signed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import model as m
from ..citations import first_author_year
from ..diagnostics import Diagnostics, Location, relative
from ..files import beneath
from ..read.fields import Fields
from ..read.yamlsource import Node, load
from . import certainty

FOLDER = Path("content") / "editions"
HEADER = """\
# What the physician documents printed when this edition was signed: each study's label, n and
# rates, each outcome's certainty (GRADE). Written by `ketabrochure approve`; do not edit it by
# hand (its digest would no longer match). The next edition's "What changed in this edition"
# compares today's records with it.
"""


def snapshot(project: m.Project) -> m.Edition:
    """The current edition as today's records print it."""
    studies = {s.id: m.EditionStudy(first_author_year(s), s.n.value,
                                    {o.measure: (o.rates.treatment, o.rates.control)
                                     for o in s.outcomes if o.rates is not None})
               for s in sorted(project.studies.values(), key=lambda s: s.id)}
    grades = {c.id: {r.outcome.name: r.certainty.word
                     for r in certainty.rows(c, project.studies)}
              for c in sorted(project.conditions.values(), key=lambda c: c.id)}
    return m.Edition(project.edition, Location(path_of(project.edition)), studies, grades)


def path_of(name: str) -> str:
    return (FOLDER / f"{name}.yaml").as_posix()


def _values(edition: m.Edition) -> dict[str, object]:
    """The snapshot's values as written (and as its digest covers them)."""
    studies: dict[str, object] = {}
    for sid, s in edition.studies.items():
        entry: dict[str, object] = {"label": s.label}
        if s.n is not None:
            entry["n"] = s.n
        if s.rates:
            entry["rates"] = {measure: {"treatment": t} | ({} if c is None else {"control": c})
                              for measure, (t, c) in s.rates.items()}
        studies[sid] = entry
    return {"studies": studies, "grades": {c: dict(g) for c, g in edition.grades.items()}}


def _digest(edition: m.Edition) -> str:
    canonical = json.dumps(_values(edition), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def write(root: Path, edition: m.Edition) -> bool:
    """Write content/editions/<edition>.yaml; False when it already holds exactly this."""
    existing = read(root, Diagnostics()).get(edition.name)
    if existing is not None and _digest(existing) == _digest(edition):
        return False
    body = {"edition": edition.name, "digest": _digest(edition)} | _values(edition)
    text = HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    beneath.write(root, path_of(edition.name), text.encode("utf-8"))
    return True


def read(root: Path, diags: Diagnostics) -> dict[str, m.Edition]:
    """Every edition snapshot of content/editions/, by edition name."""
    folder = root / FOLDER
    found: dict[str, m.Edition] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        node = load(path, relative(path, root), diags, root)
        edition = _edition(path, node, diags) if node is not None else None
        if edition is not None:
            found[edition.name] = edition
    return found


def _edition(path: Path, node: Node, diags: Diagnostics) -> m.Edition | None:
    f = Fields(node, path.name, diags, ("edition", "digest", "studies", "grades"))
    name, stored = f.text("edition", allow_number=True), f.text("digest")
    if not f.ok or name is None or stored is None:
        return None
    if path.stem != name:
        f.error(f.loc("edition"), f"is edition {name}, but the file is named {path.name}: "
                f"it must be {name}.yaml", code="edition.snapshot")
        return None
    studies = {sid: _study(Fields(entry, f"studies.{sid}", diags, ("label", "n", "rates")))
               for sid, entry in _mapping(f.get("studies", required=False)).items()}
    grades = {cid: {outcome: str(word.value) for outcome, word in _mapping(entry).items()}
              for cid, entry in _mapping(f.get("grades", required=False)).items()}
    if any(s is None for s in studies.values()):
        return None
    edition = m.Edition(name, node.loc, {k: v for k, v in studies.items() if v}, grades)
    if _digest(edition) != stored:
        f.error(f.loc("digest"), "the snapshot was edited by hand: its values no longer match "
                "their digest, so the numbers it would print cannot be trusted; restore it "
                "from version control, or delete it and sign the edition again (ketabrochure "
                "approve)", code="edition.snapshot")
        return None
    return edition


def _mapping(node: Node | None) -> dict[str, Node]:
    return node.value if node is not None and node.is_map else {}


def _study(f: Fields) -> m.EditionStudy | None:
    label = f.text("label")
    if label is None:
        return None
    n = f.integer("n", required=False)
    rates: dict[str, tuple[float, float | None]] = {}
    for measure, entry in _mapping(f.get("rates", required=False)).items():
        r = Fields(entry, f"rates.{measure}", f.diags, ("treatment", "control"))
        treatment = r.number("treatment")
        if treatment is None:
            return None
        rates[measure] = (treatment, r.number("control", required=False))
    return m.EditionStudy(label, n, rates)


def _order(name: str) -> tuple[tuple[int, int | str], ...]:
    """'2026.11' < '2027.5' < '2027.11': numbers compare as numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-_ ]", name))


def previous(project: m.Project) -> m.Edition | None:
    """The latest snapshot of an edition before the current one (None: the first edition)."""
    now = _order(project.edition)
    earlier = [e for name, e in project.editions.items() if _order(name) < now]
    return max(earlier, key=lambda e: _order(e.name), default=None)


@dataclass(frozen=True)
class Figure:
    """One changed key number of a study."""

    study: str  # its label
    what: str  # "n", or "<measure>, ketamine or esketamine arm" (or "control arm")
    before: str
    after: str


@dataclass(frozen=True)
class Grade:
    condition: str  # its name
    outcome: str
    before: str
    after: str


@dataclass(frozen=True)
class Changes:
    """What changed since edition `since`, as the section prints it."""

    since: str
    new: list[tuple[str, str]] = field(default_factory=list)  # (label, "n = 44") per study
    gone: list[str] = field(default_factory=list)  # labels of studies no longer on file
    grades: list[Grade] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new or self.gone or self.grades or self.figures)

    @property
    def counted(self) -> str:
        """'1 new study, 2 changed certainties, 1 changed key number': where a list has no room."""
        kinds = ((len(self.new), "new study", "new studies"),
                 (len(self.grades), "changed certainty", "changed certainties"),
                 (len(self.figures), "changed key number", "changed key numbers"),
                 (len(self.gone), "study no longer on file", "studies no longer on file"))
        return ", ".join(f"{n} {one if n == 1 else more}" for n, one, more in kinds if n)


def changes(project: m.Project, conditions: list[str] | None = None,
            studies: set[str] | None = None) -> Changes | None:
    """What changed since the previous edition (None: there is none), over every study and
    condition, or only over the conditions and studies named (a referral letter's)."""
    before = previous(project)
    if before is None:
        return None
    now = snapshot(project)
    chosen = [c for c in (conditions if conditions is not None else sorted(now.grades))
              if c in project.conditions]
    known = now.studies | {k: v for k, v in before.studies.items() if k not in now.studies}
    ids = [s for s in known if studies is None or s in studies]
    found = Changes(before.name)
    for sid in sorted(ids, key=lambda s: (known[s].label, s)):
        old, new = before.studies.get(sid), now.studies.get(sid)
        if new is not None and old is None:
            found.new.append((new.label, "" if new.n is None else f"n = {new.n:,}"))
        elif new is None and old is not None:
            found.gone.append(old.label)
        elif new is not None and old is not None:
            found.figures.extend(_figures(old, new))
    for cid in chosen:
        old_grades, new_grades = before.grades.get(cid, {}), now.grades.get(cid, {})
        found.grades.extend(Grade(project.conditions[cid].name, outcome, old_grades[outcome],
                                  word) for outcome, word in new_grades.items()
                            if outcome in old_grades and old_grades[outcome] != word)
    return found


def _figures(old: m.EditionStudy, new: m.EditionStudy) -> list[Figure]:
    found = []
    if old.n is not None and new.n is not None and old.n != new.n:
        found.append(Figure(new.label, "n", f"{old.n:,}", f"{new.n:,}"))
    for measure, (treatment, control) in new.rates.items():
        if measure not in old.rates:
            continue
        was_treatment, was_control = old.rates[measure]
        if treatment != was_treatment:
            found.append(Figure(new.label, f"{measure}, ketamine or esketamine arm",
                                _rate(was_treatment), _rate(treatment)))
        if control is not None and was_control is not None and control != was_control:
            found.append(Figure(new.label, f"{measure}, control arm", _rate(was_control),
                                _rate(control)))
    return found


def _rate(value: float) -> str:
    return f"{value:g}%"
