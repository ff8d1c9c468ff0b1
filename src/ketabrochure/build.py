"""Run the stages (load, read, layout, render, typeset, check, write); the only writer of out/."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import checks, compose, content, layouts, patient, pdf, render
from . import model as m
from .diagnostics import Diagnostics
from .fields import suggestion
from .render import Document

ALLOWED_FOLDERS = ("layouts", "assets", "content")
MANIFEST = "manifest.json"


class UsageError(Exception):
    """The command line asked for something that does not exist."""


@dataclass
class Built:
    document: Document
    pages: int
    pdf: bytes | None = None  # None when only checking
    grade: float | None = None  # reading grade of a patient document

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf or b"").hexdigest()


@dataclass
class Result:
    diags: Diagnostics = field(default_factory=Diagnostics)
    built: list[Built] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


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
            documents += [Document(layout, subject, paper, language, spec.budget, spec, variant)
                          for language in spec.languages or (spec.language,)
                          for variant in spec.variants for paper in spec.papers]
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
    allowed = tuple(root / folder for folder in ALLOWED_FOLDERS)
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
    patient.inspect(document, project, env, allowed, diags)
    data = pdf.pdf_bytes(typeset, patient.bleed_points(document)) if write else None
    return Built(document, typeset.pages, data, patient.reading_grade(document, project))


def run(root: Path, names: list[str], write: bool) -> Result:
    """check (write=False) or build (write=True): everything is checked before anything is written."""
    result = Result()
    project, documents = load(root, result.diags)
    if project is None:
        return result
    env = layouts.environment(root)
    for document in select(documents, names):
        built = produce(document, project, env, root, write, result.diags)
        if built is not None:
            result.built.append(built)
    if write and not result.diags.has_errors():
        result.written = write_outputs(root / "out", result.built, full=not names)
    return result


def write_outputs(out: Path, built: list[Built], full: bool) -> list[Path]:
    """Write every PDF atomically, then the manifest; a full build removes PDFs it no longer makes."""
    out.mkdir(parents=True, exist_ok=True)
    old = _read_manifest(out)
    entries = {} if full else {e["file"]: e for e in old if (out / e["file"]).is_file()}
    written = []
    for item in built:
        target = out / item.document.file
        atomic_write(target, item.pdf or b"")
        written.append(target)
        entries[item.document.file] = manifest_entry(item)
    for stale in {e["file"] for e in old} - set(entries):
        (out / stale).unlink(missing_ok=True)
    manifest = {"documents": sorted(entries.values(), key=lambda e: e["file"])}
    atomic_write(out / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    return written


def manifest_entry(item: Built) -> dict[str, object]:
    d = item.document
    return {"file": d.file, "layout": d.layout.name, "subject": d.subject, "paper": d.paper,
            "language": d.language, "variant": d.variant, "pages": item.pages,
            "sha256": item.sha256}


def _read_manifest(out: Path) -> list[dict]:
    try:
        data = json.loads((out / MANIFEST).read_text())
        return [e for e in data["documents"] if isinstance(e.get("file"), str)
                and "/" not in e["file"] and e["file"].endswith(".pdf")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written file."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

