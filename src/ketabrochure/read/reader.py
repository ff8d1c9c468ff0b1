"""Reading one project's content folder: files by id, empty-file and glyph checks, broken ids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..diagnostics import Diagnostics, Location, relative
from . import glyphs
from .fields import ID_RE, Fields
from .yamlsource import load

T = TypeVar("T")


class Reader:
    """Reads one project's content folder."""

    def __init__(self, root: Path, diags: Diagnostics) -> None:
        self.root = root
        self.content = root / "content"
        self.diags = diags
        self.broken: set[str] = set()
        self.charset = glyphs.coverage(root / "assets" / "fonts")

    def shown(self, path: Path) -> str:
        return relative(path, self.root)

    def fields(self, path: Path, known: tuple[str, ...]) -> Fields | None:
        node = load(path, self.shown(path), self.diags)
        if node is None:
            return None
        if node.value in ({}, None):
            self.diags.error(node.loc, "content.empty", path.name,
                             f"the file is empty; it needs the fields {', '.join(known)}")
            return None
        glyphs.check(node, self.charset, self.diags)
        fields = Fields(node, "", self.diags, known)
        return fields if fields.ok else None

    def each(self, folder: str, read: Callable[[Path], T | None]) -> dict[str, T]:
        """Read every file of a folder; ids of files with errors are remembered as broken."""
        found: dict[str, T] = {}
        for path in self.folder(folder):
            before = len(self.diags.errors)
            item = read(path)
            if item is None or len(self.diags.errors) > before:
                self.broken.add(path.stem)
            else:
                found[path.stem] = item
        return found

    def folder(self, name: str) -> list[Path]:
        """The YAML files of a content folder, each named by a valid id."""
        files = sorted((self.content / name).glob("*.y*ml"))
        good = []
        for path in files:
            if ID_RE.match(path.stem):
                good.append(path)
            else:
                self.diags.error(Location(self.shown(path)), "content.id", path.name,
                                 "file names must be lower-case letters, digits and hyphens")
        return good
