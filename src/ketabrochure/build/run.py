"""The commands as functions: load (stages 1-3), check and build (stages 4-7), packet.
Everything is checked before anything is written."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .. import layouts
from .. import model as m
from ..diagnostics import Diagnostics, Location, UsageError
from ..files import LockError, PartlyPublished, beneath, lock, recover
from ..kinds import FILTERS, KINDS, PACKET_LAYOUT, check_id_free, readability
from ..read.fields import suggestion
from ..read.glyphs import coverage
from ..review.gate import gate
from ..site import web, webcheck
from ..typeset.pool import Renderer
from . import engine, shards
from .cache import Cache, has_entries
from .claimfiles import editorial_files
from .engine import Built
from .fits import Fits
from .inputs import CHECK_MEMO, LOCK, remember
from .inputs import find_root as find_root  # (moved; here for the public API and callers)
from .outputs import entries, unlisted, write_outputs
from .plan import load as load
from .plan import select, shard
from .progress import Progress
from .results import Result as Result

ALLOWED_FOLDERS = ("layouts", "assets", "content")


@dataclass(frozen=True)
class Options:
    """How to build: parallel jobs, cache, extra outputs and which share of the documents."""

    jobs: int | None = None  # None: one per CPU
    cache: bool = True
    html: bool = False  # also write out/html/<document>.html
    shard: tuple[int, int] | None = None  # (K, N): the K-th of N shares, 1-based
    progress: TextIO | None = None  # where progress lines go (none if None)
    release: bool = False  # refuse what is not signed off as printed (review.gate)
    inputs: str | None = None  # the key of what went in (inputs.key): remembered once published


def allowed_folders(root: Path) -> tuple[Path, ...]:
    """The only folders WeasyPrint may read from."""
    return tuple(root / folder for folder in ALLOWED_FOLDERS)


def run(root: Path, names: list[str], write: bool, options: Options | None = None,
        renderer: Renderer | None = None, own: bool = False) -> Result:
    """check (write=False) or build (write=True): everything is checked before anything is written.

    Unchanged documents come from the cache in out/.cache/ (check keeps it too, where it can
    write; it writes nothing else); the rest are
    typeset by `renderer` (default: a pool of `options.jobs` workers, closed afterwards).
    `own`: the renderer is this run's alone (its workers end once typesetting is done).
    """
    options = options or Options()
    if renderer is not None:
        return _run(root, names, write, options, renderer, own)
    # forked before the content is read, so that they stay small (the command line forks
    # them earlier still: cli.own_workers)
    cold = not options.cache or not has_entries(root / "out")
    with Renderer.own(options.jobs, cold) as workers:
        return _run(root, names, write, options, workers, own=True)


def check(root: Path, names: list[str] | None = None, options: Options | None = None) -> Result:
    """Render and check every document (or those named) without writing into out/."""
    return run(root, names or [], False, options)


def lock_file(root: Path) -> Path:
    """The lock beside out/ (not in it: out/ itself is replaced by each new edition)."""
    return root / LOCK


@contextmanager
def one_writer(root: Path, write: bool, stream: TextIO | None) -> Iterator[None]:
    """Builds, watch and packet take out/ for themselves; check only shares it with others
    that read. Whoever comes second waits, and says so."""
    def waiting() -> None:
        print("waiting for another ketabrochure run on this project's out/ to finish",
              file=stream or sys.stderr, flush=True)

    with lock(lock_file(root), shared=not write, waiting=waiting):
        if write:
            with suppress(OSError):  # a read-only out/ is reported by writable_out
                recover(root / "out")
        yield


def out_problem(root: Path) -> str | None:
    """Why out/ cannot be written, or None: it is a folder we can write, or can be made."""
    out = root / "out"
    if out.is_symlink() and not out.exists():
        return f"out/ is a link to {os.readlink(out)}, which does not exist"
    if out.is_symlink():  # each edition replaces out/ whole: the link would silently be lost
        return (f"out/ is a link (to {os.readlink(out)}); ketabrochure replaces out/ as a "
                "whole with each edition and never writes through a link: remove the link "
                "(copy or sync out/ to where it pointed after each build)")
    if out.exists() and not out.is_dir():
        return "out/ is a file, not a folder: move it away, then build again"
    if not os.access(out if out.exists() else root, os.W_OK):
        return f"{'out/' if out.exists() else 'the project folder'} is read-only"
    return None


def writable_out(root: Path, diags: Diagnostics) -> bool:
    """out/ must be a folder we can write (or not exist yet): else one clear error."""
    problem = out_problem(root)
    if problem:
        diags.error(Location("out"), "out.unwritable", "out/", problem)
    return problem is None


WEB_MEMO = Path(".cache") / "web.json"  # under out/: the inputs of the web edition on disk
PACKAGE = Path(__file__).resolve().parent.parent


def web_key(root: Path, documents: list[dict[str, object]]) -> str:
    """The SHA-256 of everything the web edition is made from: the manifest it links to, the
    content, the fonts and this package's code and templates."""
    digest = hashlib.sha256(json.dumps(documents, sort_keys=True).encode())
    for folder in (root / "content", root / "assets" / "fonts", PACKAGE):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def web_edition(root: Path, project: m.Project, built: list[Built], full: bool,
                diags: Diagnostics, memo_ok: bool = True) -> tuple[web.Edition, str]:
    """The web edition this run makes (from the manifest it will write), checked; when its
    inputs are those of the edition in out/web/ (a no-op build), that edition, read back
    (unless `memo_ok` is false: --no-cache)."""
    documents = entries(root / "out", built, full)
    key = web_key(root, documents)
    if memo_ok:
        with suppress(OSError, ValueError, KeyError, TypeError):
            memo = json.loads(beneath.read(root / "out", WEB_MEMO.as_posix()))
            if memo["key"] == key:
                files = {name: beneath.read(root / "out", name) for name in memo["files"]}
                return web.Edition(files, list(memo["pdfs"])), key
    edition = web.edition(project, documents, root / "assets" / "fonts")
    webcheck.check_edition(edition, project, diags)
    return edition, key


def remember_web(root: Path, edition: web.Edition, key: str) -> None:
    memo = {"key": key, "files": sorted(edition.files), "pdfs": edition.pdfs}
    with suppress(OSError):  # only a memo: the edition is made again next time
        beneath.write(root, f"out/{WEB_MEMO.as_posix()}", json.dumps(memo).encode(), fsync=False)


def _publish(root: Path, result: Result, full: bool, edition: web.Edition | None = None,
             extra: dict[str, bytes] | None = None) -> bool:
    """Write the new edition (result.written: the PDFs that changed); a disk that is full or
    fails leaves the old one whole."""
    try:
        result.written = write_outputs(root / "out", result.built, full=full, web=edition,
                                       extra=extra)
    except PartlyPublished as exc:
        result.diags.error(Location("out"), "out.write", "out/",
                           f"publishing stopped halfway ({exc.strerror}): out/ is a mount point, "
                           "so its files are replaced one by one, and some are the new "
                           "edition's, some the previous one's; free the space, then build again")
        return False
    except OSError as exc:
        result.diags.error(Location("out"), "out.write", "out/",
                           f"cannot write the new edition ({exc.strerror or exc}); out/ still "
                           "holds the previous one, unchanged")
        return False
    result.published = True
    return True


def _run(root: Path, names: list[str], write: bool, options: Options,
         renderer: Renderer, own: bool = False) -> Result:
    try:
        with one_writer(root, write, options.progress):
            return _locked_run(root, names, write, options, renderer, own)
    except LockError as exc:
        return _lock_refused(exc)


def _lock_refused(exc: LockError) -> Result:
    """The lock file beside out/ cannot be held: one located error, nothing done."""
    result = Result()
    result.diags.error(Location(LOCK), "out.lock", LOCK,
                       f"{exc.strerror}: ketabrochure keeps its lock file there, so that one "
                       "run at a time writes out/; remove it (a new one is made)")
    return result


def _locked_run(root: Path, names: list[str], write: bool, options: Options,
                renderer: Renderer, own: bool = False) -> Result:
    result = Result()
    if write and not writable_out(root, result.diags):
        return result
    readability.recall(root)
    project, documents = load(root, result.diags)
    if project is None:
        return result
    chosen = select(documents, names, result.diags.has_errors())
    if options.shard:
        chosen = shard(chosen, *options.shard)
    html_dir = root / "out" / "html" if options.html and write else None
    ctx = _context(root, project, write, options, result.diags, html_dir)
    gate(root, project, ctx.env, chosen, documents, result.diags, options.release)
    progress = Progress(len(chosen), options.progress) if options.progress else None
    result.built = engine.produce_all(chosen, ctx, renderer, progress)
    if ctx.fits is not None:
        ctx.fits.save(full=not names and not options.shard)
    if own:  # (they ended with the last outcome; with every document cached, now)
        renderer.close()
    if ctx.store:
        with suppress(OSError):  # only a memo: the grades are computed again next time
            readability.remember(root)
    if not write:
        report_unlisted(root, result.diags)
        if options.inputs and ctx.store and not result.diags.has_errors():
            # the next check with these inputs replays this one (build.inputs); one with
            # errors runs again: a worker that died or a full disk is no verdict on them
            remember(root, options.inputs, result.diags, len(result.built), CHECK_MEMO)
    full = not names and not options.shard
    edition, key = None, ""
    if not result.diags.has_errors():
        edition, key = web_edition(root, project, result.built, full, result.diags,
                                   memo_ok=options.cache)
    extra = editorial_files(root, project, ctx.env, result.built) if full and write else None
    if write and options.shard and not names and not result.diags.has_errors():
        # what `join` needs to know of this share (a shard of named documents records none)
        extra = {shards.RECORD: shards.record(root, options.shard, result.built)}
    if write and not result.diags.has_errors() and _publish(root, result, full, edition, extra):
        if edition is not None:
            remember_web(root, edition, key)
        if full:
            with suppress(OSError):
                ctx.cache.prune()
            # every document kept its budget: no rejected copy is left to mislead
            with suppress(OSError):  # never through a link (files.beneath)
                beneath.remove_tree(root, f"out/{engine.REJECTED}")
        if options.inputs:  # the next build with these inputs stops at once (build.inputs)
            remember(root, options.inputs, result.diags, len(result.built))
    return result


def report_unlisted(root: Path, diags: Diagnostics) -> None:
    """check: a PDF in out/ that the manifest does not list (shards copied together) is not
    part of the edition the print shelf shows, and no build will update or remove it."""
    for name in unlisted(root / "out"):
        diags.warning(Location(f"out/{name}"), "out.unlisted", f"out/{name}",
                      "is not in out/manifest.json, so the print shelf does not show it and no "
                      "build updates or removes it (copied from another build or --shard "
                      "run?): delete it, or build all documents in one run")


def _context(root: Path, project: m.Project, write: bool, options: Options,
             diags: Diagnostics, html_dir: Path | None = None) -> engine.Context:
    """What the engine needs for one run: this project's cache, templates and URL policy."""
    cache = Cache(root, root / "out", read=options.cache)
    # compiled templates are kept in memory only (layouts.CompiledTemplates): Jinja's file
    # cache loads marshalled code from disk, and anything that restores out/.cache (a CI
    # cache from another branch) could run code
    env = layouts.environment(root, FILTERS)
    store = write or out_problem(root) is None  # check keeps the cache where it can
    if store:  # ketabrochure's own folders: a link there is replaced, never followed
        for own in (".cache/entries", ".cache/objects", engine.REJECTED, "html"):
            with suppress(OSError):
                beneath.drop_links(root, f"out/{own}")
    fits = (Fits.load(root) if options.cache else Fits(root)) if store else None
    return engine.Context(project, env, root, allowed_folders(root), cache, write, diags,
                          html_dir, store=store, fits=fits)


def packet(root: Path, recipient: m.Recipient, write: bool = True) -> Result:
    """`ketabrochure packet`: check and write one referral packet into out/, through the same
    engine as `build` (in this process: one document needs no workers)."""
    try:
        with one_writer(root, write, None):
            return _packet(root, recipient, write)
    except LockError as exc:
        return _lock_refused(exc)


def _packet(root: Path, recipient: m.Recipient, write: bool) -> Result:
    result = Result()
    if write and not writable_out(root, result.diags):
        return result
    project, _ = load(root, result.diags)
    if project is None:
        return result
    _check_recipient(root, recipient, project)
    check_id_free(recipient, project.recipients)  # never over a build-managed packet
    found = layouts.discover(root, KINDS, Diagnostics()) or {}
    if PACKET_LAYOUT not in found:
        raise UsageError(f"no layout '{PACKET_LAYOUT}' in layouts/")
    project = dataclasses.replace(project, recipients={**project.recipients,
                                                       recipient.id: recipient})
    spec = next((s for s in project.documents if s.layout == PACKET_LAYOUT), None)
    paper = spec.papers[0] if spec else "letter"
    budget = spec.budget if spec else m.PageBudget(maximum=1 + len(recipient.conditions))
    spec = spec or m.DocumentSpec(PACKET_LAYOUT, (recipient.id,), (paper,), "en", budget,
                                  recipient.loc)
    document = m.Document(found[PACKET_LAYOUT], recipient.id, paper, spec.language, budget, spec)
    ctx = _context(root, project, write, Options(), result.diags)
    with Renderer(jobs=1) as renderer:
        result.built = engine.produce_all([document], ctx, renderer)
    if ctx.fits is not None:
        ctx.fits.save(full=False)
    if write and result.built and not result.diags.has_errors():
        _publish(root, result, False)
    return result


def _check_recipient(root: Path, recipient: m.Recipient, project: m.Project) -> None:
    """A recipient from the command line must ask for known conditions, in printable letters."""
    for condition in recipient.conditions:
        if condition not in project.conditions:
            raise UsageError(f"no condition '{condition}'"
                             f"{suggestion(condition, project.conditions)} "
                             f"(known: {', '.join(sorted(project.conditions))})")
    charset = coverage(root / "assets" / "fonts")
    text = " ".join((recipient.name, recipient.practice, *recipient.address))
    missing = sorted({c for c in text if charset and c not in charset})
    if missing:
        raise UsageError(f"the vendored fonts cannot print {', '.join(map(repr, missing))}"
                         " in the recipient's name, practice or address")
