"""The edition diff a medical director reviews: per document and language, every printed
sentence added, removed or changed, numbers highlighted, each at its YAML file:line and the
study it came from; as text, JSON or one self-contained HTML page."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import model as m
from ..diagnostics import Diagnostics, Location
from . import ledger
from .gate import NUMBER, Change, changes, distinct, moved
from .printed import Sources, printed, units
from .text import Sentence

Locate = Callable[[str, Sentence | str, tuple[str, ...]], Location]


@dataclass(frozen=True)
class Line:
    kind: str  # added | removed | changed
    before: str | None
    after: str | None
    where: Location
    gone: tuple[str, ...]  # numbers no longer printed
    came: tuple[str, ...]  # numbers newly printed

    @property
    def study(self) -> str | None:
        """The study record the sentence came from, when it is one."""
        path = self.where.path
        if path.startswith("content/studies/"):
            return path.rsplit("/", 1)[-1].removesuffix(".yaml")
        return None


@dataclass(frozen=True)
class DocumentDiff:
    document: str  # the signed name, e.g. handout-ptsd-es
    language: str
    lines: tuple[Line, ...]
    new: bool = False  # no earlier text at all


def compare(name: str, language: str, before: list[str] | None, after: list[Sentence],
            locate: Locate) -> DocumentDiff:
    found = distinct(changes(before or [], after))
    return DocumentDiff(name, language, tuple(_line(name, c, locate) for c in found),
                        new=before is None)


def _line(name: str, change: Change, locate: Locate) -> Line:
    gone, came = moved(change)
    kind = "changed" if change.before and change.after else "added" if change.after else "removed"
    where = locate(name, change.after or change.before or "", tuple(came))
    return Line(kind, change.before, change.after.text if change.after else None, where,
                tuple(gone), tuple(came))


def as_text(diffs: list[DocumentDiff]) -> str:
    out = []
    for d in diffs:
        if not d.lines:
            continue
        counts = {k: sum(1 for x in d.lines if x.kind == k) for k in ("changed", "added",
                                                                       "removed")}
        out.append(f"{d.document} ({d.language}){' (new)' if d.new else ''}: "
                   + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
        for x in d.lines:
            study = f" [study {x.study}]" if x.study else ""
            out.append(f"  {x.where}{study}")
            if x.before is not None:
                out.append(f"    - {x.before}")
            if x.after is not None:
                out.append(f"    + {x.after}")
            if x.gone or x.came:
                out.append(f"    numbers: {', '.join(x.gone) or '-'} -> {', '.join(x.came) or '-'}")
    return "\n".join(out) + ("\n" if out else "no printed text changed\n")


def as_json(diffs: list[DocumentDiff]) -> str:
    return json.dumps({"documents": [
        {"document": d.document, "language": d.language, "new": d.new,
         "sentences": [{"kind": x.kind, "before": x.before, "after": x.after,
                        "path": x.where.path, "line": x.where.line, "col": x.where.col,
                        "study": x.study, "numbers_before": list(x.gone),
                        "numbers_after": list(x.came)} for x in d.lines]}
        for d in diffs if d.lines]}, ensure_ascii=False, indent=2) + "\n"


STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
h2{border-bottom:2px solid #1f4e6b;color:#1f4e6b}.where{color:#555;font-size:.85em}
del{background:#fde2e2;text-decoration:line-through}ins{background:#dff5e1;text-decoration:none}
mark{background:#ffe58a;font-weight:600}li{margin:.6em 0;list-style:none}"""


def _marked(text: str, numbers: tuple[str, ...]) -> str:
    """A sentence, escaped, its changed numbers in <mark>."""
    out, last = [], 0
    for match in NUMBER.finditer(text):
        if match.group().strip() in numbers:
            out += [html.escape(text[last:match.start()]),
                    f"<mark>{html.escape(match.group())}</mark>"]
            last = match.end()
    return "".join(out) + html.escape(text[last:])


def as_html(diffs: list[DocumentDiff], title: str) -> str:
    body = []
    for d in diffs:
        if not d.lines:
            continue
        body.append(f"<section><h2>{html.escape(d.document)} ({d.language})</h2><ul>")
        for x in d.lines:
            study = f" · study {html.escape(x.study)}" if x.study else ""
            parts = [f'<li><div class="where">{html.escape(str(x.where))}{study}</div>']
            if x.before is not None:
                parts.append(f"<div><del>{_marked(x.before, x.gone)}</del></div>")
            if x.after is not None:
                parts.append(f"<div><ins>{_marked(x.after, x.came)}</ins></div>")
            body.append("".join(parts) + "</li>")
        body.append("</ul></section>")
    shown = "".join(body) or "<p>No printed text changed.</p>"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{shown}</body></html>\n")


def against_signed(root: Path, project: m.Project, env: jinja2.Environment,
                   documents: list[m.Document]) -> list[DocumentDiff]:
    """Each document's printed text against its signed text (unsigned: all of it is new)."""
    sources = Sources(root, project)
    found = []
    for name, document in sorted(units(documents).items()):
        now = printed(document, project, env, Diagnostics())
        if now is None:
            continue
        before = ledger.approved(root, name) if name in project.signoffs else None

        def locate(_: str, sentence: Sentence | str, numbers: tuple[str, ...],
                   document: m.Document = document) -> Location:
            return sources.locate(document, sentence, numbers)

        found.append(compare(name, document.language, before, now, locate))
    return found


def review_page(root: Path, project: m.Project, env: jinja2.Environment,
                documents: list[m.Document]) -> bytes:
    """out/review.html: what a reviewer has to sign, as `serve` shows it at /review.html."""
    return as_html(against_signed(root, project, env, documents),
                   "Printed text not yet signed off").encode()
