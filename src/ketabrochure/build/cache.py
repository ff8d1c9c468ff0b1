"""The content-addressed render cache under out/.cache/: a document is typeset again only when
its HTML, a file WeasyPrint read for it (stylesheets, fonts, images), how it is laid out
(typeset.options.PrintOptions: the options, the typesetting code, its libraries' versions) or
this module's entry format change.

Nothing in the cache is executed or unpickled, and nothing in it is trusted beyond what it can
prove (a cache may be restored from elsewhere): each entry carries a seal (`files.seal`, a MAC
over its key and its fields), so an entry moved to another document or edited is a miss;
entries are JSON checked field by field, every number bounded (a malformed entry of any shape
is a miss, which the next store replaces); the files they name must lie inside the project;
every object is verified by its hash before use (a damaged one is typeset and written again).

Layout: `entries/<key>.json`, where the key is the SHA-256 of the HTML, the base URL, the
page budget and PrintOptions.cache_key(), records the files read (project-relative path and
SHA-256), WeasyPrint's warnings, what laying out found (typeset.findings.Findings: pages,
text out of its box, too little contrast, the accessibility audit...) and the SHA-256 of the
PDF and of its thumbnail; `objects/<sha256>.pdf|.png` holds the bytes. A
lookup re-hashes the recorded files, so an entry is used only when every input is unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import beneath, seal
from ..typeset.findings import Findings
from ..typeset.options import PrintOptions

CACHE_DIR = ".cache"
# This module's own source is in every key too: a change to the entry format is a miss.
CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@dataclass
class Entry:
    """What one typeset document produced, enough to skip typesetting it again."""

    warnings: list[str]
    files: dict[str, str]  # project-relative path -> SHA-256 of the bytes WeasyPrint read
    findings: Findings  # what laying it out found: a hit is checked again with it
    pdf: str | None = None  # SHA-256 of the PDF in objects/, None when only checked
    thumb: str | None = None  # SHA-256 of the first page's PNG thumbnail in objects/

    def to_json(self) -> dict[str, Any]:
        return {"warnings": self.warnings, "files": self.files,
                "findings": self.findings.to_json(), "pdf": self.pdf, "thumb": self.thumb}


def key(options: PrintOptions, *parts: str) -> str:
    """The cache key of a document: how it is laid out (the options, the typesetting code and
    its libraries: PrintOptions.cache_key), this module's format, and its parts (HTML, base
    folder, budget)."""
    digest = hashlib.sha256()
    for part in (CODE, options.cache_key(), *parts):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def has_entries(out: Path) -> bool:
    """Whether the cache in this out/ folder holds any document."""
    try:
        return bool(beneath.listing(out.parent, f"{out.name}/{CACHE_DIR}/entries"))
    except OSError:
        return False


class Cache:
    """One project's cache; `hashes` remembers file hashes for the lifetime of the object.

    Every file of it is opened through `files.beneath` with no link allowed: a link anywhere
    under out/.cache/ makes that part of the cache a miss, and is never followed to read,
    write or delete."""

    def __init__(self, root: Path, out: Path, read: bool = True) -> None:
        self.root = Path(os.path.abspath(root))
        self.read = read  # False (--no-cache): typeset everything, but still store the results
        self.relative_folder = f"{out.name}/{CACHE_DIR}"  # out/ is the project's own
        self.folder = self.root / self.relative_folder
        self.hashes: dict[str, str | None] = {}
        self.used: set[str] = set()

    def file_hash(self, relative: str) -> str | None:
        """The SHA-256 of a project file; None if it is missing or lies outside the project
        (an entry naming such a file is never used, and the file is never read)."""
        if relative not in self.hashes:
            try:
                data: bytes | None = beneath.read(self.root, relative, links=True)
            except OSError:
                data = None
            self.hashes[relative] = hashlib.sha256(data).hexdigest() if data is not None else None
        return self.hashes[relative]

    def lookup(self, doc_key: str, need_pdf: bool) -> Entry | None:
        """The entry for this key if it is sealed for this key, every file it read is unchanged
        and (when asked) its PDF is kept; anything else is a miss, never an error."""
        if not self.read:
            return None
        entry = self._read_entry(doc_key)
        if entry is None:
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
            data = beneath.read(self.root, f"{self.relative_folder}/objects/{digest}.{suffix}")
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
        data = entry.to_json()
        body = json.dumps(data, sort_keys=True, separators=(",", ":"))
        sealed = {"seal": seal("entry", doc_key, body), "entry": data}
        beneath.write(self.root, self._entry(doc_key),
                      json.dumps(sealed, indent=1, sort_keys=True).encode(), fsync=False)

    def object_path(self, digest: str, suffix: str) -> Path:
        return self.folder / "objects" / f"{digest}.{suffix}"

    def prune(self) -> None:
        """Drop entries this run did not use and objects no kept entry names (a link in the
        way: nothing is deleted)."""
        try:
            names = beneath.listing(self.root, f"{self.relative_folder}/entries")
        except OSError:  # none yet, or a link: nothing is deleted through it
            return
        kept: set[str | None] = set()
        for name, regular in names:
            stem = name.removesuffix(".json")
            entry = self._read_entry(stem) if stem in self.used and regular else None
            if entry is None:
                beneath.unlink(self.root, f"{self.relative_folder}/entries/{name}")
            else:
                kept |= {entry.pdf, entry.thumb}
        objects = f"{self.relative_folder}/objects"
        with suppress(OSError):
            for name, _ in beneath.listing(self.root, objects):
                if name.split(".")[0] not in kept and not name.startswith("."):
                    beneath.unlink(self.root, f"{objects}/{name}")

    def entry(self, doc_key: str) -> Entry | None:
        """The sealed entry under this key, its inputs not re-hashed (`join` takes a shard's
        entries for this project, whose build then checks them as any lookup does)."""
        return self._read_entry(doc_key)

    def _entry(self, doc_key: str) -> str:
        return f"{self.relative_folder}/entries/{doc_key}.json"

    def _read_entry(self, doc_key: str) -> Entry | None:
        """The entry stored for this key, only if its seal is this key's (an entry copied
        from another document, or edited, is a miss)."""
        if not SHA256_RE.match(doc_key):
            return None
        try:
            data = json.loads(beneath.read(self.root, self._entry(doc_key), MAX_ENTRY))
            if not (isinstance(data, dict) and set(data) == {"seal", "entry"}):
                return None
            body = json.dumps(data["entry"], sort_keys=True, separators=(",", ":"))
            if not hmac.compare_digest(str(data["seal"]), seal("entry", doc_key, body)):
                return None
            return entry_from_json(data["entry"])
        except (OSError, ValueError, RecursionError):
            return None


MAX_ENTRY = 4_000_000  # bytes: an entry file larger than this is a miss
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def entry_from_json(data: object) -> Entry | None:
    """An entry from its JSON, or None unless it has exactly this format's fields, each of
    its type (a cache restored from elsewhere, damaged or of an older format is a miss)."""
    if not isinstance(data, dict) or set(data) != {"warnings", "files", "findings", "pdf",
                                                   "thumb"}:
        return None
    warnings, files, pdf, thumb = data["warnings"], data["files"], data["pdf"], data["thumb"]
    if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)
            and isinstance(files, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
            and all(d is None or (isinstance(d, str) and SHA256_RE.match(d))
                    for d in (pdf, thumb))):
        return None
    try:
        findings = Findings.from_json(data["findings"])
    except ValueError:
        return None
    return Entry(warnings, files, findings, pdf, thumb)
