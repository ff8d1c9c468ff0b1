"""What `serve` tells the browser: the build's state (the watcher reports to it), the
manifest's version, the documents pages show, and page pictures drawn with pdfium."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..build import run
from ..diagnostics import summary
from ..files import beneath, sha256_file
from ..lazy import lazy_module

if TYPE_CHECKING:
    import pikepdf
else:  # about 0.2 s to import: only a preview page needs it
    pikepdf = lazy_module("pikepdf")

OPEN_FOR = 45.0  # seconds a page's report of the document it shows stays good
POLL_WAIT = 20.0  # seconds a long poll of /_version waits for a change
PAGE_WIDTH = 1000  # pixels of a page picture on /preview
PAGES_KEPT = 200  # page pictures kept in memory


def page_png(pdf: bytes, index: int, width: int = PAGE_WIDTH) -> bytes | None:
    """Page `index` (0-based) of a PDF as a PNG `width` pixels wide, or None if it has none."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        if not 0 <= index < len(document):
            return None
        page = document[index]
        image = page.render(scale=width / page.get_width()).to_pil()
        page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def page_versions(pdf: bytes) -> list[str]:
    """A short digest of what each page draws: its box, its content streams and the images
    and forms they paint. A page whose digest is unchanged looks the same, so its picture is
    kept (WeasyPrint keeps glyph ids when it subsets fonts, so a glyph added elsewhere in the
    document does not change this page's stream)."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            digest = hashlib.sha256(repr(list(page.mediabox)).encode())
            for stream in _drawn(page.obj, set()):
                digest.update(stream)
            found.append(digest.hexdigest()[:12])
    return found


def _drawn(holder: Any, seen: set[tuple[int, int]]) -> list[bytes]:
    """The bytes a page or form draws with: its content streams, then each image's and each
    form's (forms in turn), by name."""
    contents = holder.get("/Contents")
    streams = [] if contents is None else \
        list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    if isinstance(holder, pikepdf.Stream):  # a form: its own stream
        streams = [holder]
    found = [s.read_bytes() for s in streams]
    xobjects = holder.get("/Resources", {}).get("/XObject", {})
    for name in sorted(xobjects.keys()):
        xobject = xobjects[name]
        if xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        found.append(name.encode())
        found += _drawn(xobject, seen) if xobject.get("/Subtype") == "/Form" else \
            [xobject.read_raw_bytes()]
    return found


Draw = Callable[[bytes, int], bytes | None]


class Live:
    """What the browser is told: the build's state, the manifest's version and the documents
    pages show. The watcher reports to it (a watch.Listener); HTTP threads read it."""

    def __init__(self, out: Path, draw: Draw = page_png) -> None:
        self.out, self.draw = out, draw
        self.changed = threading.Condition()
        self.generation = 0
        self.building: list[str] | None = None
        self.diagnostics: list[dict[str, Any]] = []
        self.counts = ""
        self.failed = False
        self.built_at = ""
        self.seconds = 0.0
        self.started_at = 0.0
        self.manifest: str | None = None
        self.entries: dict[str, dict[str, Any]] = {}
        self.opened: dict[str, float] = {}
        self.waiting: dict[str, int] = {}
        self.pages: dict[str, bytes] = {}  # page version -> its picture
        self.versions: dict[str, list[str]] = {}  # a PDF's SHA-256 -> its pages' versions
        self.read_manifest()

    def read_manifest(self) -> None:
        self.manifest = sha256_file(self.out / "manifest.json")
        try:
            data = json.loads(beneath.read(self.out, "manifest.json"))
            entries = [e for e in data["documents"] if isinstance(e.get("file"), str)]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = []
        self.entries = {e["file"].removesuffix(".pdf"): e for e in entries}

    # watch.Listener
    def started(self, names: Sequence[str]) -> None:
        with self.changed:
            self.building = list(names)
            self.started_at = time.monotonic()
            self._bump()

    def finished(self, names: Sequence[str], result: run.Result) -> None:
        with self.changed:
            self.building = None
            self.failed = result.diags.has_errors()
            self.diagnostics = [
                {"text": str(d), "severity": d.severity, "path": d.location.path,
                 "line": d.location.line, "col": d.location.col, "code": d.code,
                 "where": d.where, "message": d.message} for d in result.diags.sorted()]
            self.counts = summary(result.diags)
            self.seconds = time.monotonic() - self.started_at
            self.built_at = time.strftime("%H:%M:%S")
            self.read_manifest()
        # the open documents' changed pages first, before the pages showing them are told
        for name in names or self.open_documents():
            for number in range(1, len(self.page_versions(name)) + 1):
                self.page(name, number)
        with self.changed:
            self._bump()

    def _bump(self) -> None:
        self.generation += 1
        self.changed.notify_all()

    def open_documents(self) -> list[str]:
        """Documents a page showed lately (or is waiting on now) that the manifest knows."""
        now = time.monotonic()
        with self.changed:
            return sorted(name for name in self.opened if name in self.entries and (
                self.waiting.get(name) or now - self.opened[name] < OPEN_FOR))

    def state(self, document: str = "") -> dict[str, Any]:
        with self.changed:
            entry = self.entries.get(document)
            return {"generation": self.generation, "manifest": self.manifest,
                    "building": self.building, "failed": self.failed,
                    "diagnostics": self.diagnostics, "summary": self.counts,
                    "finished": self.built_at, "seconds": round(self.seconds, 2),
                    "document": None if entry is None else {
                        "name": document, "sha": str(entry.get("sha256", ""))[:12],
                        "pages": entry.get("pages"), "title": entry.get("title")}}

    def wait(self, since: int, document: str, timeout: float = POLL_WAIT) -> dict[str, Any]:
        """The state once its generation differs from `since` (or after `timeout`)."""
        with self.changed:
            if document:
                self.opened[document] = time.monotonic()
                self.waiting[document] = self.waiting.get(document, 0) + 1
            try:
                self.changed.wait_for(lambda: self.generation != since, timeout)
            finally:
                if document:
                    self.waiting[document] -= 1
                    self.opened[document] = time.monotonic()
        return self.state(document)

    def page_versions(self, name: str) -> list[str]:
        """Each page's version (`page_versions`) of a document as out/ holds it now; [] when
        it cannot be read."""
        entry = self.entries.get(name)
        if entry is None:
            return []
        sha = str(entry.get("sha256"))
        found = self.versions.get(sha)
        if found is None:
            try:
                found = page_versions(beneath.read(self.out, str(entry["file"])))
            except Exception:  # noqa: BLE001 - unreadable, or a PDF pikepdf refuses: no
                return []  # pictures (404), never a traceback in serve's output
            with self.changed:
                if len(self.versions) >= PAGES_KEPT:
                    self.versions.clear()
                self.versions[sha] = found
        return found

    def page(self, name: str, number: int) -> bytes | None:
        """Page `number` (1-based) of a document as a PNG, drawn once per page version: a
        page that a new version of its document did not change keeps its picture."""
        entry = self.entries.get(name)
        versions = self.page_versions(name)
        if entry is None or not 0 < number <= len(versions):
            return None
        key = versions[number - 1]
        drawn = self.pages.get(key)
        if drawn is None:
            try:
                drawn = self.draw(beneath.read(self.out, str(entry["file"])), number - 1)
            except Exception:  # noqa: BLE001 - unreadable, a PDF pdfium refuses, a slow drawer:
                return None  # no picture (404), never a traceback in serve's output
            if drawn is None:
                return None
            with self.changed:
                if len(self.pages) >= PAGES_KEPT:
                    self.pages.clear()
                self.pages[key] = drawn
        return drawn
