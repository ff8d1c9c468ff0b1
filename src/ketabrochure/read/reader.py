"""Reading one project's content folder: files by id, empty-file and glyph checks, broken ids.

File names: content is read from files ending in exactly `.yaml` or `.yml`. One id (or one
fixed name such as clinic) in two files is an error naming both; the `.yaml` one is read. A
name that was meant as YAML but would not be read (`x.YAML`, `x.ymal`, `clinic.yml` for
clinic.yaml) is an error; a backup such as `x.yaml~` or `x.yaml.bak` a warning; hidden files
(editors' swap and lock files) and other files (README.md) are passed over.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..diagnostics import Diagnostics, Location, relative
from . import glyphs
from .fields import ID_RE, Fields
from .yamlsource import load_counted

T = TypeVar("T")
# characters of text all content files of one run may stand for, aliases written out (the
# default content: about 120,000); counted per run, i.e. per Diagnostics
MAX_PROJECT_TEXT = 5_000_000
_TEXT_READ: dict[int, tuple[weakref.ref[Diagnostics], int]] = {}


def _text_read(diags: Diagnostics) -> int:
    """Characters of content text this run (this Diagnostics) has read so far."""
    for key in [k for k, (ref, _) in _TEXT_READ.items() if ref() is None]:
        del _TEXT_READ[key]
    ref, chars = _TEXT_READ.get(id(diags), (None, 0))
    return chars if ref is not None and ref() is diags else 0
SUFFIXES = (".yaml", ".yml")
# a suffix meant as YAML: any case of .yaml or .yml, typos such as .ymal, .yamll, .ymml
_MEANT_AS_YAML = re.compile(r"\.(y\w{0,2}ml|ym\w{0,2}|ya\w{0,3}l)", re.IGNORECASE)


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
        if _text_read(self.diags) > MAX_PROJECT_TEXT:
            self.diags.error(Location(self.shown(path)), "content.too-large", path.name,
                             f"not read: the project's content already holds more than "
                             f"{MAX_PROJECT_TEXT:,} characters of text (aliases written out), "
                             "the most one run reads; split the project, or remove what is "
                             "no longer printed")
            return None
        node, chars = load_counted(path, self.shown(path), self.diags, self.root)
        _TEXT_READ[id(self.diags)] = (weakref.ref(self.diags), _text_read(self.diags) + chars)
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
        """The YAML files of a content folder, each named by a valid id, each id once."""
        folder = self.content / name
        found: dict[str, Path] = {}
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if not self._is_content(path):
                continue
            if not ID_RE.match(path.stem):
                self.diags.error(Location(self.shown(path)), "content.id", path.name,
                                 "file names must be lower-case letters, digits and hyphens")
                continue
            if path.stem in found:
                first, second = sorted((found[path.stem], path), key=_yaml_first)
                self._twice(path.stem, first, second)
                path = first
            found[path.stem] = path
        return list(found.values())

    def named(self, name: str) -> Path | None:
        """content/<name> (e.g. clinic.yaml), a file of fixed name; None when only a misnamed
        one (clinic.yml) is there, which is reported."""
        path = self.content / name
        entries = sorted(self.content.iterdir()) if self.content.is_dir() else []
        misnamed = [p for p in entries if p.name != name and p.stem == path.stem
                    and _MEANT_AS_YAML.fullmatch(p.suffix)]
        for other in misnamed:
            if self.exists(path):
                self._twice(path.stem, path, other)
            else:
                self.diags.error(Location(self.shown(other)), "content.file-name", other.name,
                                 f"is not read: rename it to {name}")
        return None if misnamed and not self.exists(path) else path

    @staticmethod
    def exists(path: Path) -> bool:
        """Whether there is a file to read (a broken symlink too: it is reported, not skipped)."""
        return path.is_file() or path.is_symlink()

    def _is_content(self, path: Path) -> bool:
        """Whether a folder's entry is content; names meant as YAML but not read are reported."""
        if path.name.startswith("."):
            return False
        if path.suffix in SUFFIXES:
            return True
        if _MEANT_AS_YAML.fullmatch(path.suffix):
            self.diags.error(Location(self.shown(path)), "content.file-name", path.name,
                             f"is not read: content files end in .yaml or .yml (rename it to "
                             f"{path.stem}.yaml)")
        elif any(s in path.name.lower() for s in SUFFIXES):
            self.diags.warning(Location(self.shown(path)), "content.file-name", path.name,
                               "is not read: content files end in .yaml or .yml (a backup? "
                               "delete it or move it out of content/)")
        return False

    def _twice(self, name: str, read: Path, other: Path) -> None:
        self.diags.error(Location(self.shown(other)), "content.duplicate-id", other.name,
                         f"the id '{name}' is also {self.shown(read)} (that one is read); "
                         "delete one of the two files")


def _yaml_first(path: Path) -> int:
    """.yaml before .yml: of two files for one id, the .yaml one is read."""
    return SUFFIXES.index(path.suffix)
