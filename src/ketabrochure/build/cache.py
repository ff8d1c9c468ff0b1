"""The content-addressed render cache under out/.cache/: a document is typeset again only when
its HTML, a file WeasyPrint read for it (stylesheets, fonts, images), WeasyPrint's version or
the options change.

Layout: `entries/<key>.json`, where the key is the SHA-256 of the HTML, the base URL, the
WeasyPrint version and the options, records the files read (project-relative path and
SHA-256), the page count, WeasyPrint's warnings and the SHA-256 of the PDF and of its
thumbnail; `objects/<sha256>.pdf|.png` holds the bytes. A lookup re-hashes the recorded files,
so an entry is used only when every input is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ..files import atomic_write
from ..typeset.pdf import PDF_VARIANT, WEASYPRINT_VERSION

CACHE_DIR = ".cache"
FORMAT = 3  # bump when the entry format or the rendering code's output changes


@dataclass
class Entry:
    """What one typeset document produced, enough to skip typesetting it again."""

    pages: int
    warnings: list[str]
    files: dict[str, str]  # project-relative path -> SHA-256 of the bytes WeasyPrint read
    pdf: str | None = None  # SHA-256 of the PDF in objects/, None when only checked
    thumb: str | None = None  # SHA-256 of the first page's PNG thumbnail in objects/
    meta: dict[str, str] = field(default_factory=dict)
    regions: dict[str, Any] | None = None  # measured brochure panels: a hit is checked too
    part_pages: list[int] = field(default_factory=list)  # each part's pages (referral packets)


def key(html: str, base: str, *options: str) -> str:
    """The cache key of a document: its HTML, base folder, WeasyPrint version and options."""
    digest = hashlib.sha256()
    for part in (str(FORMAT), WEASYPRINT_VERSION, PDF_VARIANT, base, *options, html):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def has_entries(out: Path) -> bool:
    """Whether the cache in this out/ folder holds any document."""
    entries = out / CACHE_DIR / "entries"
    return entries.is_dir() and any(entries.iterdir())


class Cache:
    """One project's cache; `hashes` remembers file hashes for the lifetime of the object."""

    def __init__(self, root: Path, out: Path, read: bool = True) -> None:
        self.root = root.resolve()
        self.read = read  # False (--no-cache): typeset everything, but still store the results
        self.folder = out / CACHE_DIR
        self.hashes: dict[str, str | None] = {}
        self.used: set[str] = set()

    def file_hash(self, relative: str) -> str | None:
        if relative not in self.hashes:
            try:
                data = (self.root / relative).read_bytes()
                self.hashes[relative] = hashlib.sha256(data).hexdigest()
            except OSError:
                self.hashes[relative] = None
        return self.hashes[relative]

    def lookup(self, doc_key: str, need_pdf: bool) -> Entry | None:
        """The entry for this key if every file it read is unchanged (and its PDF is kept)."""
        if not self.read:
            return None
        try:
            data = json.loads((self.folder / "entries" / f"{doc_key}.json").read_text())
            entry = Entry(**data)
        except (OSError, ValueError, TypeError):
            return None
        if any(self.file_hash(p) != h for p, h in entry.files.items()):
            return None
        if need_pdf and not (self.intact(entry.pdf, "pdf") and self.intact(entry.thumb, "png")):
            return None
        self.used.add(doc_key)
        return entry

    def intact(self, digest: str | None, suffix: str) -> bool:
        """The object exists and still has the bytes its name promises."""
        if digest is None:
            return False
        try:
            data = self.object_path(digest, suffix).read_bytes()
        except OSError:
            return False
        return hashlib.sha256(data).hexdigest() == digest

    def relative(self, served: dict[Path, str]) -> dict[str, str]:
        """Served files as project-relative paths (files outside the project keep their path)."""
        files = {}
        for path, digest in served.items():
            shown = path.relative_to(self.root) if path.is_relative_to(self.root) else path
            files[shown.as_posix()] = digest
        return dict(sorted(files.items()))

    def store(self, doc_key: str, entry: Entry) -> None:
        self.used.add(doc_key)
        atomic_write(self.folder / "entries" / f"{doc_key}.json",
                     json.dumps(entry.__dict__, indent=1, sort_keys=True).encode())

    def template_cache(self) -> jinja2.BytecodeCache:
        """Jinja's compiled templates, kept in jinja/ (keyed by each template's source)."""
        folder = self.folder / "jinja"
        folder.mkdir(parents=True, exist_ok=True)
        return jinja2.FileSystemBytecodeCache(str(folder))

    def object_path(self, digest: str, suffix: str) -> Path:
        return self.folder / "objects" / f"{digest}.{suffix}"

    def prune(self) -> None:
        """Drop entries this run did not use and objects no kept entry names."""
        entries = self.folder / "entries"
        if not entries.is_dir():
            return
        kept: set[str] = set()
        for path in entries.glob("*.json"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
                continue
            try:
                data = json.loads(path.read_text())
                kept |= {data.get("pdf"), data.get("thumb")}
            except (OSError, ValueError):
                path.unlink(missing_ok=True)
        for path in (self.folder / "objects").glob("*.*"):
            if path.stem not in kept and not path.name.startswith("."):
                path.unlink(missing_ok=True)
