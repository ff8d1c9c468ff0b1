"""The claims ledger, out/claims.json: every number each document prints, with the sentence it
is in, the page of each PDF that prints it, and where it comes from (the YAML file:line, and the
study record and field for a study's own number). A physician's "where does this 26% come
from?" is one lookup."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from .. import model as m
from ..diagnostics import Diagnostics
from ..read.yamlsource import Node, load
from .gate import NUMBER
from .printed import Sources, printed, units
from .text import Sentence

_SPACE = re.compile(r"[\s\u00ad]+")  # whitespace and soft hyphens: PDF text breaks lines


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, whitespace removed (so a sentence broken over lines still matches)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        found = []
        for page in document:
            text = page.get_textpage()
            found.append(_SPACE.sub("", text.get_text_range()))
            text.close()
            page.close()
        return found
    finally:
        document.close()


def page_of(sentence: str, number: str, pages: list[str]) -> int | None:
    """The first page printing the number inside its sentence (or at least in its context)."""
    flat = _SPACE.sub("", sentence)
    at = _SPACE.sub("", sentence[: sentence.find(number)]) if number in sentence else ""
    around = flat[max(0, len(at) - 8): len(at) + len(_SPACE.sub("", number))]
    for probe in (flat, around):
        for i, text in enumerate(pages, 1):
            if probe and probe in text:
                return i
    return None


class Ledger:
    def __init__(self, root: Path, project: m.Project) -> None:
        self.root, self.project = root, project
        self.sources = Sources(root, project)
        self.fields: dict[str, list[tuple[str, float, int, int]]] = {}

    def claims(self, document: m.Document, sentences: list[Sentence],
               pdfs: dict[str, Callable[[], bytes]]) -> list[dict[str, Any]]:
        """Every number the document prints; `pdfs`: how to read each of its PDF files, by
        name, for the pages (one at a time: a text prints in every location's copies)."""
        pages = {name: page_texts(read()) for name, read in pdfs.items()}
        found = []
        for sentence in sentences:
            for match in NUMBER.finditer(sentence.text):
                number = match.group().strip()
                where = self.sources.locate(document, sentence, (number,))
                study, field = self.field(where.path, where.line, where.col)
                found.append({
                    "number": number, "document": document.signed_name,
                    "language": document.language, "sentence": sentence.text,
                    "path": where.path, "line": where.line, "col": where.col,
                    "study": study, "field": field,
                    "pages": {name: page_of(sentence.text, number, texts)
                              for name, texts in sorted(pages.items())}})
        return found

    def field(self, path: str, line: int, col: int) -> tuple[str | None, str | None]:
        """The study and its field a location points at, for a study record's number."""
        if not path.startswith("content/studies/"):
            return None, None
        study = path.rsplit("/", 1)[-1].removesuffix(".yaml")
        if path not in self.fields:
            node = load(self.root / path, path, Diagnostics(), self.root)
            self.fields[path] = _paths(node, "")
        name = next((f for f, _, ln, c in self.fields[path] if (ln, c) == (line, col)), None)
        return study, name


def _paths(node: Node | None, prefix: str) -> list[tuple[str, float, int, int]]:
    """Every number of a YAML file: (its field path, value, line, column)."""
    if node is None:
        return []
    if node.is_map:
        return [x for k, v in node.value.items()
                for x in _paths(v, f"{prefix}.{k}".lstrip("."))]
    if node.is_list:
        return [x for i, v in enumerate(node.value) for x in _paths(v, f"{prefix}[{i + 1}]")]
    if isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return [(prefix, float(node.value), node.loc.line, node.loc.col)]
    return []


def ledger_json(root: Path, project: m.Project, env: jinja2.Environment,
                built: list[tuple[m.Document, Callable[[], bytes]]]) -> bytes:
    """out/claims.json for the documents just built (with how to read each one's PDF, for its
    pages: read when its pages are searched, never all at once)."""
    pdfs: dict[str, dict[str, Callable[[], bytes]]] = {}
    for document, read in built:
        pdfs.setdefault(document.signed_name, {})[document.file] = read
    ledger, claims = Ledger(root, project), []
    for name, document in units([d for d, _ in built]).items():
        sentences = printed(document, project, env, Diagnostics())
        if sentences is not None:
            claims += ledger.claims(document, sentences, pdfs[name])
    return encoded(claims)


def encoded(claims: list[dict[str, Any]]) -> bytes:
    """`json.dumps({"claims": claims}, ensure_ascii=False, indent=1)` and a newline, byte for
    byte, made one claim at a time: with an indent, json encodes in Python, and the pieces of
    a 50-location ledger (15 MB) came to 140 MB at once in the main process."""
    if not claims:
        return (json.dumps({"claims": claims}, ensure_ascii=False, indent=1) + "\n").encode()
    # a JSON string holds no raw newline: each line of a claim is indented two levels deeper
    parts = [("  " + json.dumps(claim, ensure_ascii=False, indent=1).replace("\n", "\n  ")
              ).encode() for claim in claims]
    return b'{\n "claims": [\n' + b",\n".join(parts) + b"\n ]\n}\n"
