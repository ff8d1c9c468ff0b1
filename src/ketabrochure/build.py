"""Run the stages (load, read, layout, render, typeset, check, write); the only writer of out/."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

import jinja2

from . import checks, compose, content, engine, layouts, patient, pdf, readability, render, shelf
from . import model as m
from .cache import Cache, atomic_write, has_entries
from .diagnostics import Diagnostics
from .fields import suggestion
from .locations import locations
from .parallel import Renderer
from .progress import Progress
from .render import Document

ALLOWED_FOLDERS = ("layouts", "assets", "content")
MANIFEST = "manifest.json"


class UsageError(Exception):
    """The command line asked for something that does not exist."""


@dataclass
class Built:
    document: Document
    pages: int
    pdf: bytes | None = None  # None when only checking, or when the PDF is in `source`
    source: Path | None = None  # the PDF in the cache's object store
    thumb: Path | None = None  # its first-page thumbnail (PNG), for the print shelf
    meta: dict[str, str] = field(default_factory=dict)  # title etc., for the shelf
    rendered: bool = True  # typeset in this run (False: taken from the cache)
    grade: float | None = None  # reading grade of a patient document

    @property
    def sha256(self) -> str:
        if self.pdf is None and self.source is not None:
            return self.source.stem  # objects are named by their SHA-256
        return hashlib.sha256(self.pdf or b"").hexdigest()

    def data(self) -> bytes:
        """The PDF's bytes: held in memory, or read from the cache's object store."""
        if self.pdf is not None:
            return self.pdf
        return self.source.read_bytes() if self.source is not None else b""


@dataclass
class Result:
    diags: Diagnostics = field(default_factory=Diagnostics)
    built: list[Built] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def rendered(self) -> list[str]:
        """Names of the documents typeset in this run (the others came from the cache)."""
        return [b.document.name for b in self.built if b.rendered]


@dataclass(frozen=True)
class Options:
    """How to build: parallel jobs, cache, extra outputs and which share of the documents."""

    jobs: int | None = None  # None: one per CPU
    cache: bool = True
    html: bool = False  # also write out/html/<document>.html
    shard: tuple[int, int] | None = None  # (K, N): the K-th of N shares, 1-based
    progress: TextIO | None = None  # where progress lines go (none if None)


def find_root(start: Path) -> Path:
    """The project root: the nearest folder, upwards, with content/documents.yaml."""
    for folder in (start, *start.parents):
        if (folder / "content" / "documents.yaml").is_file():
            return folder
    raise UsageError(f"no project here: {start} has no content/documents.yaml "
                     "(run from the project root, or pass --project DIR)")


def plan(project: m.Project, found: dict[str, layouts.Layout],
         diags: Diagnostics) -> list[Document]:
    """documents.yaml, expanded to one Document per subject x paper."""
    documents: list[Document] = []
    for spec in project.documents:
        layout = found.get(spec.layout)
        if layout is None:
            diags.error(spec.locs.get("layout", spec.loc), "content.unknown-layout", "documents",
                        f"no layout '{spec.layout}' in layouts/")
            continue
        known = render.SUBJECT_KINDS[layout.subjects].ids(project)
        subjects = known if spec.subjects == ("all",) else spec.subjects
        for subject in subjects:
            if subject in project.broken:
                continue  # its own errors are already reported
            if subject not in known:
                diags.error(spec.locs.get("subjects", spec.loc), "content.unknown-ref",
                            "documents", f"no {layout.subjects} subject '{subject}' for "
                            f"layout {spec.layout}{suggestion(subject, known)}")
                continue
            documents += [replace(Document(layout, subject, paper, language, spec.budget, spec,
                                           variant), location=where)
                          for language in spec.languages or (spec.language,)
                          for variant in spec.variants for paper in spec.papers
                          for where in locations(project, layout)]
        if spec.variants != ("office",) and layout.audience != "patient":
            diags.error(spec.locs.get("variants", spec.loc), "content.variant", "documents",
                        f"variants other than office are for patient layouts, not {spec.layout}")
    return documents


def select(documents: list[Document], names: list[str]) -> list[Document]:
    """Documents matching any name: a file name, subject or layout."""
    if not names:
        return documents
    chosen = [d for d in documents if {d.name, d.file, d.subject, d.layout.name} & set(names)]
    for name in names:
        if not any(name in (d.name, d.file, d.subject, d.layout.name) for d in documents):
            raise UsageError(f"no document matches '{name}' (see `ketabrochure list`)")
    return chosen


def shard(documents: list[Document], k: int, n: int) -> list[Document]:
    """The K-th of N deterministic shares (1-based), by a stable hash of each document's name."""
    if not 1 <= k <= n:
        raise UsageError(f"--shard {k}/{n}: K must be between 1 and N")
    return [d for d in documents
            if int(hashlib.sha256(d.name.encode()).hexdigest()[:8], 16) % n == k - 1]


def load(root: Path, diags: Diagnostics) -> tuple[m.Project | None, list[Document]]:
    """Stages 1-3: read the content and layouts and plan the documents."""
    project = content.read_project(root, diags)
    found = layouts.discover(root, tuple(render.SUBJECT_KINDS), diags)
    if project is None:
        return None, []
    checks.content_rules(project, dt.date.today(), diags)
    project = patient.attach(root, project, diags)
    return project, plan(project, found, diags)


def produce(document: Document, project: m.Project, env: jinja2.Environment, root: Path,
            write: bool, diags: Diagnostics) -> Built | None:
    """Stages 4-6 for one document: render, typeset, check (and make PDF bytes to write)."""
    allowed = allowed_folders(root)
    typeset = compose.typeset(document, project, env, allowed, diags)  # render + typeset
    if typeset is None:
        return None
    for message in typeset.warnings:
        diags.warning(document.layout.loc, "pdf.weasyprint", document.label, message)
    for problem in typeset.problems:
        diags.error(document.layout.loc, "pdf.url-policy", document.label, problem)
    if typeset.document is None:
        return None
    subject_loc = render.SUBJECT_KINDS[document.layout.subjects].location(project, document.subject)
    checks.page_budget(document, typeset.pages, subject_loc, diags)
    patient.inspect(document, project, typeset, allowed, diags)
    data = pdf.pdf_bytes(typeset, patient.bleed_points(document)) if write else None
    return Built(document, typeset.pages, data, grade=patient.reading_grade(document, project))


def allowed_folders(root: Path) -> tuple[Path, ...]:
    return tuple(root / folder for folder in ALLOWED_FOLDERS)


def run(root: Path, names: list[str], write: bool, options: Options | None = None,
        renderer: Renderer | None = None) -> Result:
    """check (write=False) or build (write=True): everything is checked before anything is written.

    Unchanged documents come from the cache in out/.cache/ (check only reads it); the rest are
    typeset by `renderer` (default: a pool of `options.jobs` workers, closed afterwards).
    """
    options = options or Options()
    if renderer is not None:
        return _run(root, names, write, options, renderer)
    with Renderer(options.jobs) as own:
        # before the content is read, so that the forked workers stay small; with nothing in
        # the cache every document will be typeset, so they may import WeasyPrint at once
        own.fork(warm=not options.cache or not has_entries(root / "out"))
        return _run(root, names, write, options, own)


def _run(root: Path, names: list[str], write: bool, options: Options,
         renderer: Renderer) -> Result:
    result = Result()
    grades = root / "out" / ".cache" / "grades.json"
    readability.recall(grades)
    project, documents = load(root, result.diags)
    if project is None:
        return result
    chosen = select(documents, names)
    if options.shard:
        chosen = shard(chosen, *options.shard)
    out = root / "out"
    cache = Cache(root, out, read=options.cache)
    env = layouts.environment(root)
    if write:  # compiled templates are kept too (never by check: it writes nothing)
        env.bytecode_cache = cache.template_cache()
    ctx = engine.Context(project, env, root, allowed_folders(root), cache,
                         write, result.diags, out / "html" if options.html and write else None)
    progress = Progress(len(chosen), options.progress) if options.progress else None
    done = engine.produce_all(chosen, ctx, renderer, progress)
    for item in done:
        source = cache.object_path(item.pdf, "pdf") if item.pdf else None
        thumb = cache.object_path(item.thumb, "png") if item.thumb else None
        result.built.append(Built(item.document, item.pages, None, source, thumb, item.meta,
                                  item.rendered, item.grade))
    if write:
        readability.remember(grades)
    if write and not result.diags.has_errors():
        full = not names and not options.shard
        result.written = write_outputs(out, result.built, full=full)
        if full:
            cache.prune()
    return result


def write_outputs(out: Path, built: list[Built], full: bool) -> list[Path]:
    """Write every PDF atomically, then the manifest and the print shelf; a full build removes
    PDFs it no longer makes. A PDF already in out/ with the same bytes is left alone."""
    out.mkdir(parents=True, exist_ok=True)
    old = _read_manifest(out)
    known = {e["file"]: e.get("sha256") for e in old}
    entries = {} if full else {e["file"]: e for e in old if (out / e["file"]).is_file()}
    written = []
    for item in built:
        target = out / item.document.file
        if known.get(item.document.file) != item.sha256 or not _same(target, item.sha256):
            atomic_write(target, item.data())
        written.append(target)
        entries[item.document.file] = manifest_entry(item)
        if item.thumb is not None:
            shelf.copy_thumb(item.thumb, out, item.document.name)
    for stale in {e["file"] for e in old} - set(entries):
        (out / stale).unlink(missing_ok=True)
        (out / shelf.thumb_file(stale)).unlink(missing_ok=True)
    manifest = {"documents": sorted(entries.values(), key=lambda e: e["file"])}
    _write_if_changed(out / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    _write_if_changed(out / shelf.INDEX, shelf.index_html(manifest["documents"]).encode())
    return written


def _same(target: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(target.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def _write_if_changed(target: Path, data: bytes) -> None:
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        pass
    atomic_write(target, data)


def manifest_entry(item: Built) -> dict[str, object]:
    d = item.document
    entry: dict[str, object] = {
        "file": d.file, "layout": d.layout.name, "subject": d.subject, "paper": d.paper,
        "language": d.language, "variant": d.variant, "pages": item.pages,
        "sha256": item.sha256}
    entry.update(item.meta)
    if item.grade is not None:
        entry["reading_grade"] = round(item.grade, 1)
    if item.thumb is not None:
        entry["thumb"] = shelf.thumb_file(d.file)
    return entry


def _read_manifest(out: Path) -> list[dict]:
    try:
        data = json.loads((out / MANIFEST).read_text())
        return [e for e in data["documents"] if isinstance(e.get("file"), str)
                and "/" not in e["file"] and e["file"].endswith(".pdf")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
