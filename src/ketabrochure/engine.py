"""Stages 4-6 for many documents: render each to HTML, take unchanged ones from the cache,
typeset the rest (in parallel), and check them all. Writes only into the cache.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import jinja2

from . import checks, compose, patient, pdf, render
from . import model as m
from .cache import Cache, Entry, atomic_write, key
from .diagnostics import Diagnostics
from .locations import contact
from .parallel import Job, Outcome, Part, Renderer
from .progress import Progress
from .render import Document
from .thumbs import THUMB_WIDTH

TITLE_RE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
MODIFIED_RE = re.compile(r'<meta name="dcterms.modified" content="([^"]*)"')
THUMBS = f"thumbs {THUMB_WIDTH}px, pypdfium2 {metadata.version('pypdfium2')}"


@dataclass
class Done:
    """A document that typeset without errors: its pages, and its PDF in the cache (if built)."""

    document: Document
    pages: int
    pdf: str | None = None  # SHA-256; the bytes are in the cache's object store
    thumb: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    rendered: bool = False  # typeset in this run (False: taken from the cache)
    grade: float | None = None  # reading grade of a patient document


@dataclass
class Context:
    """What every document of one run shares."""

    project: m.Project
    env: jinja2.Environment
    root: Path
    allowed: tuple[Path, ...]
    cache: Cache | None
    write: bool
    diags: Diagnostics
    html_dir: Path | None = None  # --html: also write each document's HTML here


def shelf_meta(html: str, document: Document, project: m.Project) -> dict[str, str]:
    """What the print shelf shows besides the manifest's basics: title, subject, review date."""
    title = TITLE_RE.search(html)
    modified = MODIFIED_RE.search(html)
    condition = project.conditions.get(document.subject)
    recipient = getattr(project, "recipients", {}).get(document.subject)
    subject = (condition.name if condition else recipient.name if recipient
               else "All conditions")  # the report is about all of them
    meta = {"title": htmllib.unescape(title.group(1).strip()) if title else document.name,
            "audience": document.layout.audience,
            "subject_name": subject,
            "reviewed_on": modified.group(1) if modified else ""}
    if document.location:
        meta["location"] = document.location
        meta["location_name"] = contact(project.clinic, document.location).name
    return meta


def standalone(html: str, base_dir: Path) -> str:
    """The HTML with a <base> so its relative URLs resolve from anywhere (out/html/)."""
    base = f'<base href="{base_dir.resolve().as_uri()}/">'
    return html.replace("<head>", "<head>\n  " + base, 1)


def doc_key(ctx: Context, document: Document, parts: list[Part]) -> str:
    """The cache key: each part's HTML (every alternative), base folder and the page budget
    the alternatives are fitted to, and how PDFs and thumbnails are made."""
    return key(*(value for part in parts for value in (
                   "\0".join(part.htmls), part.base_dir.relative_to(ctx.root).as_posix(),
                   str(part.budget))),
               THUMBS, f"bleed {patient.bleed_points(document)}",
               f"measure {patient.measure_css(document)}")


def produce_all(documents: list[Document], ctx: Context, renderer: Renderer,
                progress: Progress | None = None) -> list[Done]:
    """Every document that typeset cleanly, in the given order; problems go to ctx.diags."""
    done: dict[int, Done] = {}
    missed: list[tuple[int, str]] = []  # (index, cache key)
    cost: dict[int, int] = {}  # how much HTML a missed document lays out: the dearest go first
    for i, document in enumerate(documents):
        parts = compose.parts(document, ctx.project, ctx.env, ctx.diags)
        if parts is None:
            continue
        html = parts[0].htmls[0]
        if ctx.html_dir is not None and len(parts) == 1:  # a packet is not one HTML file
            target = ctx.html_dir / f"{document.name}.html"
            atomic_write(target, standalone(html, document.layout.folder).encode(), fsync=False)
        k = doc_key(ctx, document, parts)
        entry = ctx.cache.lookup(k, need_pdf=ctx.write) if ctx.cache else None
        meta = shelf_meta(html, document, ctx.project)
        if entry is None:
            if not missed:
                renderer.warm_up()  # workers import WeasyPrint while we render the rest
            done[i] = Done(document, 0, meta=meta)
            missed.append((i, k))
            cost[i] = sum(len(html) for part in parts for html in part.htmls)
            continue
        for message in entry.warnings:
            ctx.diags.warning(document.layout.loc, "pdf.weasyprint", document.label, message)
        done[i] = Done(document, entry.pages, entry.pdf, entry.thumb, meta)
        _check_pages(ctx, document, entry.pages)
        _check_panels(ctx, document, entry.regions)
        if progress:
            progress.step(document.name, cached=True)
    keys = dict(missed)
    missed.sort(key=lambda m: -cost[m[0]])  # no long document left to run alone at the end
    for outcome in renderer.run(_jobs(documents, missed, ctx), len(missed)):
        item = done[outcome.index]
        _finish(ctx, item, outcome, keys[outcome.index])
        if not outcome.ok:
            del done[outcome.index]
        if progress:
            progress.step(item.document.name, cached=False)
    for item in done.values():
        item.grade = patient.reading_grade(item.document, ctx.project)
    return [done[i] for i in sorted(done)]


def _jobs(documents: list[Document], missed: list[tuple[int, str]],
          ctx: Context) -> Iterator[Job]:
    """Jobs for the documents to typeset; their HTML is rendered again, lazily, to keep memory flat."""
    folder = ctx.cache.folder if ctx.cache and ctx.write else None
    for i, _ in missed:
        document = documents[i]
        parts = compose.parts(document, ctx.project, ctx.env, Diagnostics())
        assert parts is not None
        yield Job(i, tuple(parts), ctx.allowed, folder, patient.bleed_points(document),
                  patient.measure_css(document))


def _finish(ctx: Context, item: Done, outcome: Outcome, k: str) -> None:
    """Report what typesetting found, check the pages, and remember the result in the cache
    (unless a part broke its own budget: that error must show on the next build too)."""
    document = item.document
    for message in outcome.warnings:
        ctx.diags.warning(document.layout.loc, "pdf.weasyprint", document.label, message)
    for problem in outcome.problems:
        ctx.diags.error(document.layout.loc, "pdf.url-policy", document.label, problem)
    if not outcome.ok:
        return
    item.pages, item.pdf, item.thumb, item.rendered = (outcome.pages, outcome.pdf,
                                                       outcome.thumb, True)
    _check_pages(ctx, document, outcome.pages)
    _check_panels(ctx, document, outcome.regions)
    errors = len(ctx.diags.errors)
    compose.check_parts(document, ctx.project, outcome.part_pages, ctx.diags)
    if ctx.cache is not None and ctx.write and len(ctx.diags.errors) == errors:
        files = ctx.cache.relative(outcome.served)
        ctx.cache.store(k, Entry(outcome.pages, outcome.warnings, files, outcome.pdf,
                                 outcome.thumb, regions=outcome.regions))


def _check_panels(ctx: Context, document: Document, regions: dict | None) -> None:
    if regions is not None:
        patient.check_panels(document, ctx.project, pdf.regions_from_json(regions), ctx.diags)


def _check_pages(ctx: Context, document: Document, pages: int) -> None:
    kind = render.SUBJECT_KINDS[document.layout.subjects]
    checks.page_budget(document, pages, kind.location(ctx.project, document.subject), ctx.diags)
