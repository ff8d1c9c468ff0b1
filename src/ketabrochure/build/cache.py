"""The content-addressed render cache under out/.cache/: a document is typeset again only when
its HTML, a file WeasyPrint read for it (stylesheets, fonts, images), WeasyPrint's version or
the options change.

Nothing in the cache is executed or unpickled, and nothing in it is trusted beyond what it can
prove (a cache may be restored from elsewhere): each entry carries a seal (`files.seal`, a MAC
over its key and its fields), so an entry moved to another document or edited is a miss;
entries are JSON checked field by field, every number bounded (a malformed entry of any shape
is a miss, which the next store replaces); the files they name must lie inside the project;
every object is verified by its hash before use (a damaged one is typeset and written again).

Layout: `entries/<key>.json`, where the key is the SHA-256 of the HTML, the base URL, the
WeasyPrint version and the options, records the files read (project-relative path and
SHA-256), the page count, WeasyPrint's warnings, what the checks of the laid-out pages and
of the PDF found (text out of its box, too little contrast, the accessibility audit) and the
SHA-256 of the PDF and of its thumbnail; `objects/<sha256>.pdf|.png` holds the bytes. A
lookup re-hashes the recorded files, so an entry is used only when every input is unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import beneath, seal
from ..typeset.pdf import PDF_VARIANT, TYPESETTER

CACHE_DIR = ".cache"
FORMAT = 10  # bump when the entry format or the rendering code's output changes


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
    overflows: list[str] = field(default_factory=list)  # text running out of its box sideways
    near_edge: list[str] = field(default_factory=list)  # ink an office printer cannot print
    small_text: list[str] = field(default_factory=list)  # text under the document's least size
    contrasts: list[str] = field(default_factory=list)  # text too faint on its background
    # what the accessibility audit found in the PDF: (page number or None, element, problem)
    accessibility: list[tuple[int | None, str, str]] = field(default_factory=list)
    spill: dict[str, Any] | None = None  # what runs past the page budget (measure.spill_to_json)


def key(html: str, base: str, *options: str) -> str:
    """The cache key of a document: its HTML, base folder, WeasyPrint version and options."""
    digest = hashlib.sha256()
    for part in (str(FORMAT), TYPESETTER, PDF_VARIANT, base, *options, html):
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
        body = json.dumps(entry.__dict__, sort_keys=True, separators=(",", ":"))
        sealed = {"seal": seal("entry", doc_key, body), "entry": entry.__dict__}
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
MAX_PAGES = 400  # no document of this project has more; an entry saying so is a miss
MAX_FIELD = 1_000_000  # points or words: a measure beyond it is a miss


SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def entry_from_json(data: object) -> Entry | None:
    """An entry from its JSON, or None unless every field has its type (a cache restored from
    elsewhere, or damaged, is only ever a miss)."""
    if not isinstance(data, dict) or set(data) - set(Entry.__dataclass_fields__):
        return None
    pages, warnings, files = data.get("pages"), data.get("warnings"), data.get("files")
    pdf, thumb = data.get("pdf"), data.get("thumb")
    regions, part_pages = data.get("regions"), data.get("part_pages", [])
    overflows, near_edge = data.get("overflows", []), data.get("near_edge", [])
    contrasts, accessibility = data.get("contrasts", []), data.get("accessibility", [])
    spill, small_text = data.get("spill"), data.get("small_text", [])
    if not (_whole(pages, MAX_PAGES) and _texts(warnings) and isinstance(files, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
            and all(d is None or (isinstance(d, str) and SHA256_RE.match(d))
                    for d in (pdf, thumb))
            and isinstance(part_pages, list) and all(_whole(p, MAX_PAGES) for p in part_pages)
            and (regions is None or _regions(regions)) and _texts(overflows)
            and _texts(near_edge) and _texts(small_text) and _texts(contrasts)
            and _findings(accessibility)
            and (spill is None or _spill(spill))):
        return None
    return Entry(pages, warnings, files, pdf, thumb,  # type: ignore[arg-type]  # checked above
                 regions=regions, part_pages=part_pages, overflows=overflows,
                 near_edge=near_edge, small_text=small_text, contrasts=contrasts, spill=spill,
                 accessibility=[(page, element, problem)  # JSON keeps them as lists
                                for page, element, problem in accessibility])


def _whole(value: object, most: int = MAX_FIELD) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= most


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _findings(value: object) -> bool:
    """Audit findings: [[page number (1 or more) or null, element, problem], ...]."""
    return isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 3 and (v[0] is None or (_whole(v[0]) and v[0] >= 1))
        and isinstance(v[1], str) and isinstance(v[2], str) for v in value)


def _number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= MAX_FIELD)


def _regions(value: object) -> bool:
    """Measured panels: {name: {top, bottom, fields: {path: [top, bottom, words]}}}."""
    if not isinstance(value, dict):
        return False
    for region in value.values():
        if not (isinstance(region, dict) and _number(region.get("top"))
                and _number(region.get("bottom")) and isinstance(region.get("fields"), dict)):
            return False
        for box in region["fields"].values():
            if not (isinstance(box, list) and len(box) == 3 and _number(box[0])
                    and _number(box[1]) and _whole(box[2])):
                return False
    return True


def _spill(value: object) -> bool:
    """What runs past the budget: {page, lines, words, sections: [[heading, [field, ...]]],
    fields: {field: words}}, and the advice: columns [[name, lines, name, lines, [field],
    [field]]],
    costs [[section, word, count, lines]], saves {field: lines}."""
    if not (isinstance(value, dict)
            and {"page", "lines", "words", "sections", "fields"} <= set(value)
            <= {"page", "lines", "words", "sections", "fields", "columns", "costs", "saves"}):
        return False
    columns, costs = value.get("columns", []), value.get("costs", [])
    saves, sections, fields = value.get("saves", {}), value["sections"], value["fields"]
    if not (isinstance(columns, list) and all(
                isinstance(c, list) and len(c) == 6 and isinstance(c[0], str)
                and _number(c[1]) and isinstance(c[2], str) and _number(c[3]) and _texts(c[4])
                and _texts(c[5])
                for c in columns)
            and isinstance(costs, list) and all(
                isinstance(c, list) and len(c) == 4 and _texts(c[:2]) and _whole(c[2])
                and _number(c[3]) for c in costs)
            and isinstance(saves, dict)
            and all(isinstance(k, str) and _number(v) for k, v in saves.items())):
        return False
    return (_whole(value["page"]) and _number(value["lines"]) and _whole(value["words"])
            and isinstance(sections, list)
            and all(isinstance(s, list) and len(s) == 2 and isinstance(s[0], str)
                    and _texts(s[1]) for s in sections)
            and isinstance(fields, dict)
            and all(isinstance(k, str) and _whole(v) for k, v in fields.items()))
