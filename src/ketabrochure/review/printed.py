"""What each signed document prints, and where in the YAML each printed sentence comes from."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import jinja2

from .. import model as m
from ..citations import first_author_year
from ..diagnostics import Diagnostics, Location, relative
from ..kinds import ProjectMemo, kind_of, parts_of
from ..read.yamlsource import Node, load
from .text import Sentence, sentences

_WORD = re.compile(r"[^\W\d_]{4,}")
_YEAR = re.compile(r"(19|20)\d\d")


def units(documents: list[m.Document]) -> dict[str, m.Document]:
    """One document per signed name, in plan order: its office copy on the first paper (every
    paper and variant prints the same text)."""
    found: dict[str, m.Document] = {}
    for d in documents:
        if d.signed_name not in found or (found[d.signed_name].variant != "office"
                                          and d.variant == "office"):
            found[d.signed_name] = d
    return found


def counterpart(document: m.Document, language: str = "en") -> str:
    """The signed name of the same document in another language."""
    return dataclasses.replace(document, language=language).signed_name


def printed(document: m.Document, project: m.Project, env: jinja2.Environment,
            diags: Diagnostics) -> list[Sentence] | None:
    """The sentences a document prints (None: it cannot be rendered; that error is reported).
    A part with alternatives (a sheet with or without its charts) counts its fullest one.

    Kept for the project and environment last asked about: a build asks for each document's
    sentences three to five times (sign-off gate, claims ledger, review page, editorial
    checks), and each time rendered and parsed its HTML. Only a render that reported nothing
    is kept (a later caller's own diagnostics would miss what it reported)."""
    kept = _SENTENCES.of(project, env).values
    if document in kept:
        return list(kept[document])
    reported = len(diags.items)
    parts = parts_of(document, project, env, diags)
    if parts is None:
        return None
    found = [s for part in parts for s in sentences(part.htmls[0])]
    if len(diags.items) == reported:
        kept[document] = found
    return list(found)


_SENTENCES: ProjectMemo[list[Sentence]] = ProjectMemo()


class Sources:
    """Where a printed sentence was written: its `data-field`'s YAML line; else, for a sentence
    that names a study, the line of that study's record holding a number that changed (or the
    record); else the content text that shares the most words with it."""

    def __init__(self, root: Path, project: m.Project) -> None:
        self.root, self.project = root, project
        self.scalars: list[tuple[Location, set[str]]] | None = None
        self.having: dict[str, list[int]] = {}  # a word -> the scalars that have it, in order
        self.numbers: dict[str, list[tuple[Location, float]]] = {}  # a study's, read once
        self.labels = {s.id: first_author_year(s) for s in project.studies.values()}

    def locate(self, document: m.Document, sentence: Sentence | str,
               numbers: tuple[str, ...] = ()) -> Location:
        field = sentence.field if isinstance(sentence, Sentence) else None
        text = sentence.text if isinstance(sentence, Sentence) else sentence
        if field:
            known = kind_of(document).fields(document, self.project)
            if field in known:
                return known[field][0]
        named = [i for i, label in self.labels.items() if label in text]
        numbers = tuple(n for n in numbers if not _YEAR.fullmatch(n))  # "Feder 2014" is a name
        for study in named if numbers else ():
            found = self.number_in(study, numbers)
            if found is not None:
                return found
        if len(named) == 1:  # one study named, no changed number of its own: its record
            return self.project.studies[named[0]].loc
        return self.best(text) or kind_of(document).source(self.project, document.subject)

    def number_in(self, study: str, numbers: tuple[str, ...]) -> Location | None:
        """The line of a study's record whose value is one of `numbers` (26% matches 0.26)."""
        wanted = set()
        for n in numbers:
            value = float(n.rstrip("% ").replace(",", ""))
            wanted |= {value, value / 100} if n.endswith("%") else {value}
        if study not in self.numbers:
            path = self.root / self.project.studies[study].loc.path
            node = load(path, relative(path, self.root), Diagnostics(), self.root)
            self.numbers[study] = _numbers(node)
        return next((loc for loc, value in self.numbers[study] if value in wanted), None)

    def best(self, text: str) -> Location | None:
        """The content text most of whose words the sentence prints (a sentence filled in
        from a template, or a caption quoting a `left_out` reason), with the most in common;
        at least two words shared."""
        words = set(_WORD.findall(text.casefold()))
        scalars = self._scalars()  # only those sharing a word with it: counted by word
        shared = Counter(i for word in words for i in self.having.get(word, ()))
        scored = [(common, scalars[i][0]) for i, common in sorted(shared.items())
                  if common >= 2 and common >= 0.75 * min(len(scalars[i][1]), len(words))]
        return max(scored, default=(0, None), key=lambda pair: pair[0])[1]

    def _scalars(self) -> list[tuple[Location, set[str]]]:
        if self.scalars is None:
            self.scalars = []
            for path in sorted((self.root / "content").rglob("*.yaml")):
                if path.name == "approvals.yaml" or path.parent.name == "editions":
                    continue  # what was signed, not where a text is written
                node = load(path, relative(path, self.root), Diagnostics(), self.root)
                if node is not None:
                    self._walk(node)
        return self.scalars

    def _walk(self, node: Node) -> None:
        """Every text of a content file, as the set of its words."""
        assert self.scalars is not None
        if node.is_map:
            for child in node.value.values():
                self._walk(child)
        elif node.is_list:
            for child in node.value:
                self._walk(child)
        elif isinstance(node.value, str):
            words = set(_WORD.findall(node.value.casefold()))
            if words:
                for word in words:
                    self.having.setdefault(word, []).append(len(self.scalars))
                self.scalars.append((node.loc, words))


def _numbers(node: Node | None) -> list[tuple[Location, float]]:
    """Every number of a YAML file, with its place."""
    if node is None:
        return []
    if node.is_map or node.is_list:
        children = node.value.values() if node.is_map else node.value
        return [pair for child in children for pair in _numbers(child)]
    number = isinstance(node.value, int | float) and not isinstance(node.value, bool)
    return [(node.loc, float(node.value))] if number else []
