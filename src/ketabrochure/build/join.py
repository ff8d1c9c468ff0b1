"""`ketabrochure join SHARD_OUT...`: one edition from the out/ folders of the N runs of
`build --shard K/N` (a CI matrix's jobs).

Every shard is checked before anything is written: its record (build/shards.py) is whole;
the N shares are all there, once each; every shard was made from what this checkout holds
(content, layouts, assets, code, libraries, SOURCE_DATE_EPOCH); its render cache has a sealed
result with intact bytes for each document it lists. Then those results go into this
project's render cache, and the one full build runs over them with a renderer that typesets
nothing: the edition (PDFs, thumbnails, manifest, shelf, web edition, claims.json,
review.html) is the one a single machine makes, by the same code, and out/ is replaced in one
step as by any build. A document no shard made is an error, never typeset here.

`join --out DIR` makes the same edition in DIR instead (join_into): the build runs in a
working copy of the project's inputs (content/, layouts/, assets/, with DIR's files as its
out/) in DIR's staging folder beside it, and DIR is then exchanged for the new edition in one
step, under a lock beside DIR, as out/ is.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostics, Location, UsageError
from ..files import LockError, beneath, exchange, lock, put_object, recover, staging
from ..typeset.jobs import Job, Outcome
from ..typeset.pool import Renderer
from . import shards
from .cache import CACHE_DIR, SHA256_RE, Cache
from .inputs import FOLDERS
from .run import Options, Result, one_writer, writable_out
from .run import _lock_refused as lock_refused
from .run import _locked_run as locked_run

NOT_MADE = ("join typesets nothing, and no shard's render cache holds this document made "
            "from its HTML now (its shard's record left it out, or the shards were built on "
            "another day?): build the shards again")


class NoTypesetting(Renderer):
    """The renderer join runs the build with: every document must come from a shard."""

    def __init__(self) -> None:
        super().__init__(jobs=1)

    def run(self, jobs: Iterable[Job], count: int) -> Iterator[Outcome]:
        return (Outcome(job.index, failure=NOT_MADE) for job in jobs)

    def warm_up(self) -> None:
        """Nothing to warm: no worker is ever started."""


@dataclass
class Taken:
    """What join takes from one shard's cache: entry files and the objects they name."""

    record: shards.Record
    entries: list[str] = field(default_factory=list)  # entries/<key>.json names
    objects: list[str] = field(default_factory=list)  # objects/<sha256>.<suffix> names


def join(root: Path, folders: list[tuple[Path, str]], options: Options,
         target: Path | None = None) -> Result:
    """Join the shards in `folders` ((path, as the command line named it)) into out/.
    `target`: the folder the edition goes to in the end (join_into), which no shard may lie
    in either."""
    result = Result()
    taken = _checked(root, folders, result.diags, target)
    if result.diags.has_errors():
        return result
    with NoTypesetting() as renderer:
        try:
            with one_writer(root, True, options.progress):
                if not (writable_out(root, result.diags) and _seed(root, taken, result.diags)):
                    return result
                return locked_run(root, [], True, options, renderer)
        except LockError as exc:
            return lock_refused(exc)


def _checked(root: Path, folders: list[tuple[Path, str]], diags: Diagnostics,
             target: Path | None = None) -> list[Taken]:
    """Every shard read and checked; problems as located errors (all of them)."""
    out = (target or root / "out").resolve()
    named = f"{target}" if target else "this project's out/"
    records = []
    for folder, shown in folders:
        where = folder.resolve()
        if where == out or where.is_relative_to(out):
            diags.error(shards.location(shown), "join.shards", shown,
                        f"lies in {named}, which join replaces as a whole: put "
                        "the shards elsewhere (e.g. shards/1 ... shards/N)")
        elif not where.is_dir():
            diags.error(shards.location(shown), "join.record", shown,
                        "is not a folder: name each shard's out/ folder")
        else:
            found = shards.read(where, shown, diags)
            if found is not None:
                records.append(found)
    if records and len(records) == len(folders):  # (an unread share: which K it is unknown)
        _complete(records, diags)
    if records:
        _same_inputs(root, records, diags)
    if diags.has_errors():
        return []
    # (not planned again here: with the inputs the same, each share is as this checkout
    # plans it, and a document no shard made fails the build, typeset nowhere)
    return [_taken(record, diags) for record in records]


def _complete(records: list[shards.Record], diags: Diagnostics) -> None:
    """One N for all; each share 1..N once."""
    counts = sorted({r.n for r in records})
    if len(counts) > 1:
        for r in records:
            diags.error(r.location, "join.shards", r.shown,
                        f"is shard {r.k}/{r.n}, but the shards given split the documents "
                        f"{' or '.join(map(str, counts))} ways: join the shards of one run")
        return
    n = counts[0]
    seen: dict[int, shards.Record] = {}
    for r in records:
        if r.k in seen:
            diags.error(r.location, "join.shards", r.shown,
                        f"is shard {r.k}/{n} again (so is {seen[r.k].shown}): each share "
                        "once")
        seen.setdefault(r.k, r)
    missing = [k for k in range(1, n + 1) if k not in seen]
    if missing:
        diags.error(records[0].location, "join.shards", "shards",
                    f"shard{'s' * (len(missing) > 1)} "
                    f"{', '.join(f'{k}/{n}' for k in missing)} missing: join needs the out/ "
                    f"of every `build --shard K/{n}` (1 to {n})")


def _same_inputs(root: Path, records: list[shards.Record], diags: Diagnostics) -> None:
    """Every shard made from what this checkout holds."""
    here = shards.inputs(root)
    for r in records:
        differ = [part for part in shards.PARTS if r.inputs.get(part) != here[part]]
        if differ:
            diags.error(r.location, "join.inputs", r.shown,
                        f"was built from other {', '.join(differ)} than this project has (a "
                        "shard from another commit or content, or an install with other "
                        "libraries): build every shard from the commit join runs on")


def _listed(verb: str, names: list[str]) -> str:
    if not names:
        return ""
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{verb} {', '.join(names[:3])}{more}"


def _taken(record: shards.Record, diags: Diagnostics) -> Taken:
    """The sealed cache entries (and intact objects) of the documents a shard lists."""
    folder = record.folder
    cache = Cache(folder.parent, folder)
    taken = Taken(record)
    wanted: dict[str, set[str]] = {}  # PDF's SHA-256 -> the documents with those bytes
    for file, (pdf, _) in record.documents.items():
        wanted.setdefault(pdf, set()).add(file)
    made: set[str] = set()
    try:
        names = beneath.listing(folder, f"{CACHE_DIR}/entries")
    except OSError:
        names = []
    for name, regular in names:
        stem = name.removesuffix(".json")
        entry = cache.entry(stem) if regular and SHA256_RE.match(stem) else None
        if entry is None or entry.pdf not in wanted:
            continue
        if not (cache.intact(entry.pdf, "pdf") and cache.intact(entry.thumb, "png")):
            continue
        taken.entries.append(name)
        taken.objects += [f"{entry.pdf}.pdf", f"{entry.thumb}.png"]
        made |= wanted[entry.pdf]
    lacking = sorted(set(record.documents) - made)
    if lacking:
        diags.error(record.location, "join.documents", record.shown,
                    f"its render cache ({CACHE_DIR}/) lacks what it made of "
                    f"{_listed('', lacking).strip()}: upload the shard's out/ with its hidden "
                    "files (actions/upload-artifact: include-hidden-files: true)")
    return taken


def _seed(root: Path, taken: list[Taken], diags: Diagnostics) -> bool:
    """Copy the shards' results into this project's render cache (only the cache: out/
    itself changes when the build publishes). Objects are stored under the hash of the bytes
    read, so one changed meanwhile is a miss, never a wrong PDF."""
    cache = f"out/{CACHE_DIR}"
    try:
        for item in taken:
            source = item.record.folder
            for name in item.objects:
                data = beneath.read(source, f"{CACHE_DIR}/objects/{name}")
                put_object(root, cache, data, name.rsplit(".", 1)[1])
            for name in item.entries:
                data = beneath.read(source, f"{CACHE_DIR}/entries/{name}")
                beneath.write(root, f"{cache}/entries/{name}", data, fsync=False)
    except OSError as exc:
        diags.error(Location("out"), "out.write", "out/",
                    f"cannot take the shards' results into out/{CACHE_DIR}/ "
                    f"({exc.strerror or exc}); out/ itself is unchanged")
        return False
    return True


def join_into(root: Path, folders: list[tuple[Path, str]], target: Path,
              options: Options) -> Result:
    """`join --out DIR`: the edition join makes, written into `target` instead of out/, by
    the same rules: nothing changes in it unless the whole edition is made, then it is
    exchanged in one step; a PDF whose bytes did not change keeps its file."""
    # the folder it is in resolved, not DIR itself: a link there is refused, not followed
    target = Path(os.path.realpath(target.parent)) / target.name
    if target == (root / "out").resolve():
        return join(root, folders, options)
    _usable(root.resolve(), target)
    result = Result()
    held = target.parent / f".{target.name}.lock"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with lock(held, shared=False, waiting=lambda: _waiting(options)):
            recover(target)  # what a join killed here left: its working copy, a swap
            return _joined_into(root, folders, target, options)
    except LockError as exc:
        result.diags.error(Location(str(held)), "out.lock", str(held),
                           f"{exc.strerror}: join keeps its lock file beside {target}, so "
                           "that one run at a time writes it; remove it (a new one is made)")
    except OSError as exc:  # the working copy cannot be made beside DIR
        result.diags.error(Location(str(target)), "out.write", str(target),
                           f"cannot make the edition beside it ({exc.strerror or exc}); "
                           "it is unchanged")
    return result


def _joined_into(root: Path, folders: list[tuple[Path, str]], target: Path,
                 options: Options) -> Result:
    work = staging(target)  # dropped by `recover` if this process is killed
    try:
        work.mkdir()
        for name in FOLDERS:  # what a build reads (build.inputs), and nothing else
            if (root / name).is_dir():
                shutil.copytree(root / name, work / name, symlinks=True)
        if target.is_dir():  # its files as they are: unchanged ones stay the same file
            shutil.copytree(target, work / "out", ignore=_links, copy_function=_link)
        result = join(work, folders, options, target)
        if result.published:
            try:
                _replace(target, work / "out")
            except OSError as exc:
                result.published, result.written = False, []
                why = exc.strerror or exc
                result.diags.error(Location(str(target)), "out.write", str(target),
                                   f"cannot put the new edition in place ({why}); it still "
                                   "holds the previous one, unchanged")
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the copy, and the edition DIR held before


def _usable(project: Path, target: Path) -> None:
    """DIR must be a folder (or not exist yet) outside the project's inputs and out/, not a
    link (it is replaced as a whole; what a link led to would silently be lost)."""
    if target.is_symlink():
        raise UsageError(f"--out {target}: is a link; join replaces the folder as a whole and "
                         "never writes through a link: name the folder itself")
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {target}: is a file, not a folder")
    if project.is_relative_to(target):
        raise UsageError(f"--out {target}: holds the project, and join replaces it as a whole")
    for name in (*FOLDERS, "out"):
        if target.is_relative_to(project / name):
            raise UsageError(f"--out {target}: lies in the project's {name}/, which builds "
                             "read or replace: name a folder elsewhere")


def _waiting(options: Options) -> None:
    print("waiting for another ketabrochure join into this folder to finish",
          file=options.progress, flush=True)


def _links(folder: str, names: list[str]) -> set[str]:
    """Links in DIR are never carried into an edition (out/ holds none)."""
    return {name for name in names if os.path.islink(os.path.join(folder, name))}


def _link(source: str, copy: str) -> None:
    """A hard link (the file is never changed in place: publishing writes new files), or a
    copy on a file system without them."""
    try:
        os.link(source, copy)
    except OSError:
        shutil.copy2(source, copy)


def _replace(target: Path, new: Path) -> None:
    """`new` becomes `target` in one step (files.exchange); the old edition is left in `new`."""
    if target.is_dir():
        exchange(target, new)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(new, target)
