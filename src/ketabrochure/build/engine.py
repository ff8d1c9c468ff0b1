"""Stages 4-6 for a list of documents, the one path every command takes: render each to HTML,
take unchanged ones from the cache, typeset the rest (in parallel), and check them all. Writes
only into the cache.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .. import model as m
from ..diagnostics import Diagnostics, Location
from ..document_kind import Laid
from ..files import beneath
from ..kinds import kind_of, parts_of
from ..review.gate import add_months
from ..typeset import print_shop
from ..typeset.findings import Findings
from ..typeset.jobs import Job, Outcome
from ..typeset.options import PrintOptions
from ..typeset.pdf import PDF_VARIANT
from ..typeset.pool import Renderer, give_back
from .cache import Cache, Entry, key
from .fits import Fits
from .progress import Progress

TITLE_RE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
MODIFIED_RE = re.compile(r'<meta name="dcterms.modified" content="([^"]*)"')
REJECTED = ".rejected"  # out/.rejected/: documents over their page budget, to look at


@dataclass
class Built:
    """A document that typeset without errors: its pages, and its PDF in the cache's object
    store (when built, not only checked)."""

    document: m.Document
    pages: int = 0
    pdf: Path | None = None  # out/.cache/objects/<sha256>.pdf
    thumb: Path | None = None  # its first-page thumbnail (PNG), for the print shelf
    meta: dict[str, Any] = field(default_factory=dict)  # title etc., for the shelf
    rendered: bool = False  # typeset in this run (False: taken from the cache)
    grade: float | None = None  # reading grade of a patient document

    @property
    def sha256(self) -> str:
        return self.pdf.stem if self.pdf is not None else ""  # objects are named by SHA-256

    def data(self) -> bytes:
        """The PDF's bytes, from the cache's object store."""
        return self.pdf.read_bytes() if self.pdf is not None else b""


@dataclass
class Context:
    """What every document of one run shares."""

    project: m.Project
    env: jinja2.Environment
    root: Path
    allowed: tuple[Path, ...]
    cache: Cache
    write: bool
    diags: Diagnostics
    html_dir: Path | None = None  # --html: also write each document's HTML here
    store: bool = False  # keep what is typeset in the cache (check too, where it can write)
    fits: Fits | None = None  # which alternatives fit, measured before (fits.json)
    # the fits.json keys of each document to typeset's alternatives, by part (see _finish)
    fit_keys: dict[int, list[list[str]]] = field(default_factory=dict)


def shelf_meta(html: str, document: m.Document, project: m.Project) -> dict[str, Any]:
    """What the print shelf shows besides the manifest's basics: title, subject, review date."""
    title = TITLE_RE.search(html)
    modified = MODIFIED_RE.search(html)
    kind = kind_of(document)
    meta: dict[str, Any] = {
            "title": htmllib.unescape(title.group(1).strip()) if title else document.name,
            "audience": document.layout.audience, "kind": document.layout.subjects,
            "subject_name": kind.title(project, document.subject),
            "reviewed_on": modified.group(1) if modified else "",
            # what the kind declares, for the shelf (which knows no kinds)
            "shelf": kind.shelf_section(document.layout), "about": kind.about,
            "duplex": kind.duplex,
            "conditions": kind.conditions(project, document.subject)}
    if document.location:
        meta["location"] = document.location
        meta["location_name"] = m.contact(project.clinic, document.location).name
    signoff = project.signoffs.get(document.signed_name)
    if signoff is not None and project.review_every_months:  # the shelf marks reviews due
        meta["review_due"] = add_months(signoff.on, project.review_every_months).isoformat()
    return meta


def standalone(html: str, base_dir: Path) -> str:
    """The HTML with a <base> so its relative URLs resolve from anywhere (out/html/)."""
    base = f'<base href="{base_dir.resolve().as_uri()}/">'
    return html.replace("<head>", "<head>\n  " + base, 1)


def doc_key(ctx: Context, document: m.Document, parts: list[m.Part]) -> str:
    """The cache key: each part's HTML (every alternative), base folder and the page budget
    the alternatives are fitted to, and how the document is laid out (the job's own
    PrintOptions, with the code and libraries that make PDFs and thumbnails)."""
    return key(print_options(document), *(value for part in parts for value in (
                   "\0".join(part.htmls), part.base_dir.relative_to(ctx.root).as_posix(),
                   str(part.budget))))


def print_options(document: m.Document) -> PrintOptions:
    """How to lay the document out: the one record both its job and its cache key use. The
    print-shop copy is PDF/X-4 (typeset.print_shop), bled and not for an office printer;
    every other PDF/UA-1."""
    kind = kind_of(document)
    shop = document.variant == "print-shop"
    return PrintOptions(bleed=document.bleed_points, duplex=kind.duplex, office=not shop,
                        measure_css=kind.measure_css,
                        pdf_variant=print_shop.PDF_VARIANT if shop else PDF_VARIANT,
                        least_pt=document.least_pt)


def produce_all(documents: list[m.Document], ctx: Context, renderer: Renderer,
                progress: Progress | None = None) -> list[Built]:
    """Every document that typeset cleanly, in the given order; problems go to ctx.diags."""
    done: dict[int, Built] = {}
    missed: list[tuple[int, str]] = []  # (index, cache key)
    cost: dict[int, int] = {}  # how much HTML a missed document lays out: the dearest go first
    for i, document in enumerate(documents):
        parts = parts_of(document, ctx.project, ctx.env, ctx.diags)
        if parts is None:
            continue
        html = parts[0].htmls[0]
        if ctx.html_dir is not None and len(parts) == 1:  # a packet is not one HTML file
            target = ctx.html_dir / f"{document.name}.html"
            try:  # never through a link (files.beneath)
                beneath.write(ctx.root, target.relative_to(ctx.root).as_posix(),
                              standalone(html, document.layout.folder).encode(), fsync=False)
            except OSError as exc:
                ctx.diags.error(Location("out/html"), "out.write", document.label,
                                f"cannot write its HTML ({exc.strerror or exc})")
        k = doc_key(ctx, document, parts)
        # (keys made live: fits.json keeps this document's alternatives)
        fit_keys = (None if ctx.fits is None else
                    [ctx.fits.keys(print_options(document), part) for part in parts])
        entry = ctx.cache.lookup(k, need_pdf=ctx.write)
        meta = shelf_meta(html, document, ctx.project)
        if entry is None:
            if not missed:
                renderer.warm_up()  # workers import WeasyPrint while we render the rest
            if fit_keys is not None:
                ctx.fit_keys[i] = fit_keys
            done[i] = Built(document, meta=meta)
            missed.append((i, k))
            cost[i] = sum(len(html) for part in parts for html in part.htmls)
            continue
        for message in entry.warnings:
            ctx.diags.warning(document.layout.loc, "pdf.weasyprint", document.label, message)
        done[i] = Built(document, entry.findings.pages, _object(ctx, entry.pdf, "pdf"),
                        _object(ctx, entry.thumb, "png"), meta)
        _check(ctx, document, entry.findings, _object(ctx, entry.pdf, "pdf"))
        if progress:
            progress.step(document.name, cached=True)
    keys = dict(missed)
    missed.sort(key=lambda m: -cost[m[0]])  # no long document left to run alone at the end
    if missed:  # what rendering the HTML above left behind goes back to the system before
        give_back()  # the workers' peak (freed heap pages: 3 MB of the main process)
    for outcome in renderer.run(_jobs(documents, missed, ctx), len(missed)):
        item = done[outcome.index]
        _finish(ctx, item, outcome, keys[outcome.index])
        if not outcome.ok:
            del done[outcome.index]
        if progress:
            progress.step(item.document.name, cached=False)
    for item in done.values():
        item.grade = kind_of(item.document).reading_grade(item.document, ctx.project)
    return [done[i] for i in sorted(done)]


def _jobs(documents: list[m.Document], missed: list[tuple[int, str]],
          ctx: Context) -> Iterator[Job]:
    """Jobs for the documents to typeset; their HTML is rendered again, lazily, to keep memory
    flat (unless `kinds.parts_of` kept it)."""
    folder = (ctx.cache.root, ctx.cache.relative_folder) if ctx.store else None
    for i, _ in missed:
        document = documents[i]
        parts = parts_of(document, ctx.project, ctx.env, Diagnostics())
        assert parts is not None
        if ctx.fits is not None:  # alternatives known not to fit are not laid out again
            parts = [ctx.fits.known(ctx.cache, part, keys)
                     for part, keys in zip(parts, ctx.fit_keys[i], strict=True)]
        yield Job(i, tuple(parts), ctx.allowed, folder, print_options(document))


def _finish(ctx: Context, item: Built, outcome: Outcome, k: str) -> None:
    """Report what typesetting found, check the pages, and remember the result in the cache."""
    document = item.document
    for message in outcome.warnings:
        ctx.diags.warning(document.layout.loc, "pdf.weasyprint", document.label, message)
    for problem in outcome.problems:
        ctx.diags.error(document.layout.loc, "pdf.url-policy", document.label, problem)
    if outcome.failure is not None:
        ctx.diags.error(kind_of(document).source(ctx.project, document.subject), "pdf.failed",
                        document.label, outcome.failure)
    keys = ctx.fit_keys.pop(outcome.index, None)
    if ctx.fits is not None and keys is not None:
        for part, alternative, pages, served in outcome.dropped:
            ctx.fits.add(keys[part][alternative], pages, ctx.cache.relative(served))
    if not outcome.ok:
        return
    item.pages, item.rendered = outcome.findings.pages, True
    item.pdf, item.thumb = _object(ctx, outcome.pdf, "pdf"), _object(ctx, outcome.thumb, "png")
    _check(ctx, document, outcome.findings, item.pdf)
    if ctx.store:
        files = ctx.cache.relative(outcome.served)
        try:
            ctx.cache.store(k, Entry(outcome.warnings, files, outcome.findings, outcome.pdf,
                                     outcome.thumb))
        except OSError as exc:
            if ctx.write:  # a check that cannot keep its cache is only slower next time
                ctx.diags.error(document.layout.loc, "out.write", document.label,
                                f"cannot write its cache entry in out/.cache/ "
                                f"({exc.strerror or exc}); nothing was published")


def _object(ctx: Context, digest: str | None, suffix: str) -> Path | None:
    return ctx.cache.object_path(digest, suffix) if digest else None


def _check(ctx: Context, document: m.Document, findings: Findings, pdf: Path | None) -> None:
    """The kind's checks; a document over its budget is first written to out/.rejected/ (where
    out/ can be written), so that its error can say where to look at it."""
    kind = kind_of(document)
    rejected = _reject(ctx, document, pdf if kind.over_budget(document, findings) else None)
    kind.check(document, ctx.project, Laid(findings, rejected), ctx.diags)


def rejected_pdf(root: Path, document: m.Document) -> Path:
    """Where a document over its page budget is written: never over its good copy in out/,
    and nowhere the manifest or the print shelf looks."""
    return root / "out" / REJECTED / document.file


def _reject(ctx: Context, document: m.Document, pdf: Path | None) -> str | None:
    """Copy the overflowing PDF (`pdf`; None: the document keeps its budget, so an old copy
    is removed) into out/.rejected/; its project-relative path, or None."""
    target = rejected_pdf(ctx.root, document).relative_to(ctx.root).as_posix()
    if not ctx.store:  # out/ cannot be written: a check that only reports
        return None
    try:  # never through a link: a linked out/.rejected/ is refused, not written into
        if pdf is None:
            beneath.unlink(ctx.root, target)
            return None
        data = beneath.read(ctx.cache.root, f"{ctx.cache.relative_folder}/objects/{pdf.name}")
        if hashlib.sha256(data).hexdigest() != pdf.stem:  # a damaged cache object
            return None
        beneath.write(ctx.root, target, data, fsync=False)  # 0o644: to open and pass on
    except (OSError, ValueError):  # only a help: the budget error stands without it
        return None
    return target
