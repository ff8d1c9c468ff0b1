"""The sign-off ledger: content/approvals.yaml (who approved which printed text, when, for which
edition) and content/approved/<document>.txt (that text, one sentence a line).

Both are content, reviewed in a pull request like any other: the .txt files show, sentence by
sentence, what a reviewer approved. `approve` and `translated` write them; nobody edits them
by hand, and a text file that no longer matches its hash is an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import yaml

from .. import model as m
from ..diagnostics import Diagnostics, Location, relative
from ..files import beneath
from ..read.fields import Fields
from ..read.yamlsource import load
from .text import digest

LEDGER = Path("content") / "approvals.yaml"
TEXTS = Path("content") / "approved"
FIELDS = ("text", "by", "role", "date", "edition", "source", "translator")
HEADER = """\
# Sign-offs of each document's printed text, written by `ketabrochure approve` and
# `ketabrochure translated`: review changes to it in a pull request; do not edit it by hand.
# content/approved/<document>.txt holds the text each hash stands for, one sentence a line.
# A document is its layout, subject and language: one sign-off covers every paper and variant.
"""


def text_path(root: Path, name: str, source: bool = False) -> Path:
    """Where a document's approved text is kept; `source`: the English a translation was
    made from."""
    return root / TEXTS / f"{name}{'.source' if source else ''}.txt"


def read(root: Path, diags: Diagnostics) -> dict[str, m.SignOff]:
    """Every sign-off of the ledger (none when the project has no ledger yet)."""
    path = root / LEDGER
    if not path.is_file():
        return {}
    node = load(path, relative(path, root), diags, root)
    if node is None or node.value is None:
        return {}
    f = Fields(node, "", diags, ("documents",))
    if not f.ok:
        return {}
    documents = f.get("documents", required=False)
    if documents is None or not documents.is_map:
        return {}
    found: dict[str, m.SignOff] = {}
    for name, entry in documents.value.items():
        signoff = _entry(root, name, Fields(entry, name, diags, FIELDS), diags)
        if signoff is not None:
            found[name] = signoff
    return found


def _entry(root: Path, name: str, f: Fields, diags: Diagnostics) -> m.SignOff | None:
    if not f.ok:
        return None
    text, by, role = f.text("text"), f.text("by"), f.text("role")
    on, edition = f.date("date"), f.text("edition", allow_number=True)
    if text is None or by is None or role is None or on is None or edition is None:
        return None
    stored = text_path(root, name)
    if not stored.is_file():
        diags.error(f.loc("text"), "review.ledger", name, f"no {relative(stored, root)}: the "
                    "approved text is missing; sign the document off again (ketabrochure "
                    "approve)")
        return None
    if digest(_read(root, stored)) != text:
        diags.error(f.loc("text"), "review.ledger", name, f"{relative(stored, root)} is not "
                    "the text that was signed (it was edited by hand); sign the document off "
                    "again (ketabrochure approve)")
        return None
    return m.SignOff(name, text, by, role, on, str(edition), f.node.loc,
                     source=f.text("source", required=False),
                     translator=f.text("translator", required=False))


def approved(root: Path, name: str, source: bool = False) -> list[str]:
    """The approved sentences of a document (or the English its translation was made from)."""
    path = text_path(root, name, source)
    return _read(root, path).splitlines() if path.is_file() else []


def _read(root: Path, path: Path) -> str:
    """An approved text, with no link followed out of the project (files.beneath)."""
    return beneath.read(root, path.relative_to(root).as_posix()).decode("utf-8")


def write(root: Path, signoffs: dict[str, m.SignOff], texts: dict[str, str],
          sources: dict[str, str] | None = None) -> None:
    """Write the ledger, and the texts of the documents just signed (`texts`, by name) and the
    English they were translated from (`sources`)."""
    for name, text in texts.items():
        beneath.write(root, text_path(root, name).relative_to(root).as_posix(),
                      text.encode("utf-8"))
    for name, text in (sources or {}).items():
        beneath.write(root, text_path(root, name, source=True).relative_to(root).as_posix(),
                      text.encode("utf-8"))
    entries = {name: _as_yaml(s) for name, s in sorted(signoffs.items())}
    body = yaml.dump({"documents": entries}, Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=100)
    beneath.write(root, Path(LEDGER).as_posix(), (HEADER + body).encode("utf-8"))


def remove_texts(root: Path, names: list[str]) -> None:
    """Delete the approved texts of sign-offs taken out of the ledger (`approve --prune`)."""
    for name in names:
        for source in (False, True):
            path = text_path(root, name, source)
            if path.is_file():
                beneath.unlink(root, path.relative_to(root).as_posix())


class _Dumper(yaml.SafeDumper):
    """Every entry written out in full: no &anchors for equal dates or names."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _as_yaml(s: m.SignOff) -> dict[str, object]:
    entry: dict[str, object] = {"text": s.text, "by": s.by, "role": s.role,
                                "date": s.on.isoformat(), "edition": s.edition}
    if s.source:
        entry["source"] = s.source
    if s.translator:
        entry["translator"] = s.translator
    return entry


def signed(document: str, text: str, reviewer: m.Reviewer, on: dt.date, edition: str,
           before: m.SignOff | None = None) -> m.SignOff:
    """A new sign-off of `text`; a translation keeps what it was translated from."""
    return m.SignOff(document, digest(text), reviewer.name, reviewer.role, on, edition,
                     Location(LEDGER.as_posix()),
                     source=before.source if before else None,
                     translator=before.translator if before else None)


def with_source(signoff: m.SignOff, source: str, translator: str | None) -> m.SignOff:
    return dataclasses.replace(signoff, source=source,
                               translator=translator or signoff.translator)


def review_of(project: m.Project, document: m.Document) -> tuple[str, str, dt.date] | None:
    """(reviewer's name, role, date) of the sign-off that covers a document, or None: what the
    printed "Reviewed ... by ..." line says (the web edition shows the same)."""
    s = project.signoffs.get(document.signed_name)
    return None if s is None else (s.by, s.role, s.on)
