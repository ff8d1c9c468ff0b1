"""What went into a build, and the no-op decided from it before anything is read or rendered.

As Lektor's dependency checksums: the key is a SHA-256 over everything a build's outputs can
depend on: every file under content/, layouts/ and assets/ (path and bytes), this package's
own files (code and templates), the installed distributions (their dist-info names carry the
versions of WeasyPrint, Jinja and the rest), the system CMYK profile, the Python and zlib
versions,
today's date (review expiry: KETABROCHURE_TODAY), SOURCE_DATE_EPOCH and the options that
change what is made. Git is not among them: no build reads it.

After a build has published its edition, `remember` writes a memo into out/.cache/ (through
files.beneath, sealed with files.seal like the cache's entries): the key, the diagnostics the
run reported (warnings: a build with errors publishes nothing and leaves no memo) and the
SHA-256 of every file out/ then held (outside .cache/). The next build with the same key
replays those diagnostics instead of running, if out/ still holds exactly those files with
those bytes. Outputs are hashed, not trusted by mtime and size: all of out/ hashes in tens of
milliseconds, and a copy restored with old mtimes (a CI cache, `cp -p`) cannot fool it.

`check` keeps its own memo (CHECK_MEMO, keyed with "command check" and its options) by the
same rules, written after a check without errors while it still shares the lock: its
diagnostics depend on out/ too (a PDF the manifest does not list is a warning).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import sys
import zlib
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..diagnostics import Diagnostic, Diagnostics, Location, UsageError
from ..files import LockError, beneath, lock, seal
from ..review import clock

FORMAT = 1  # bump when the memo's shape or what the key covers changes
FOLDERS = ("content", "layouts", "assets")
PACKAGE = Path(__file__).resolve().parent.parent
# files outside the project that change the bytes of a PDF (typeset.print_shop.PROFILE: the
# press profile of the print-shop copies; a test keeps the two the same)
SYSTEM_FILES = (Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),)
ENVIRONMENT = ("SOURCE_DATE_EPOCH",)  # (KETABROCHURE_TODAY goes in as the date it gives)
MEMO = ".cache/inputs.json"  # under out/
CHECK_MEMO = ".cache/check.json"  # under out/: `check`'s own (a check writes no edition)
MAX_MEMO = 4_000_000  # bytes: a larger memo is not read
LOCK = ".out.lock"  # beside out/ (build/run.py takes it too)


def find_root(start: Path) -> Path:
    """The project root: the nearest folder, upwards, with content/documents.yaml."""
    for folder in (start, *start.parents):
        if (folder / "content" / "documents.yaml").is_file():
            return folder
    raise UsageError(f"no project here: {start} has no content/documents.yaml "
                     "(run from the project root, or pass --project DIR)")


def key(root: Path, options: Iterable[str]) -> str | None:
    """The SHA-256 of everything a build with these options is made from; None when a file
    cannot be read (the build runs, and says where)."""
    try:
        return _key(root, options)
    except OSError:
        return None


def _key(root: Path, options: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for text in (f"format {FORMAT}", sys.version, f"zlib {zlib.ZLIB_RUNTIME_VERSION}",
                 f"today {clock.today().isoformat()}",
                 *(f"{name}={os.environ.get(name, '')}" for name in ENVIRONMENT),
                 *options, *installed()):
        digest.update(text.encode() + b"\0")
    for folder in (*(root / name for name in FOLDERS), PACKAGE):
        digest.update(f"{folder.name} {folder_digest(folder)}\0".encode())
    for path in SYSTEM_FILES:
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"missing\0")
    return digest.hexdigest()


def installed() -> list[str]:
    """The distributions on sys.path, as their metadata folders name them (with versions):
    listing a folder costs far less than asking importlib.metadata for each version."""
    names: list[str] = []
    for entry in sys.path:
        with suppress(OSError):
            names += sorted(name for name in os.listdir(entry or ".")
                            if name.endswith((".dist-info", ".egg-info")))
    return names


def folder_digest(folder: Path, root: Path | None = None,
                  seen: frozenset[str] = frozenset()) -> str:
    """Every file below a folder, its relative path and bytes (no bytecode caches), as one
    SHA-256 (also what a shard records for join: build.shards). A link that stays in the
    project (`root`, by default the folder's parent) is hashed as what it leads to, which
    the build reads too; any other only as the path it names, never followed: nothing
    outside the project is read (the build then reports the link where it matters)."""
    digest = hashlib.sha256()
    root = root or folder.parent
    seen = seen | {os.path.realpath(folder)}
    for path in _walk(folder):
        name = path.relative_to(folder).as_posix().encode()
        if path.is_symlink():
            digest.update(name + b"\0link\0" + _linked(root, path, seen) + b"\0")
            continue
        contents = _file_digest(path)
        if contents is not None:
            digest.update(name + b"\0" + contents)
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes | None:
    """The SHA-256 of a regular file, opened without following a link; None for a FIFO or
    device (not content)."""
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(handle, "rb") as stream:  # (a large file is hashed in chunks)
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None
        return hashlib.file_digest(stream, "sha256").digest()


def _linked(root: Path, link: Path, seen: frozenset[str]) -> bytes:
    """What a link names: inside the project, the file's bytes or the folder's digest (a
    folder already on the way, a loop, only by name); outside it, only its text."""
    named = os.fsencode(os.readlink(link))
    target = os.path.realpath(link)
    if beneath.relative_to(Path(target), Path(os.path.realpath(root))) is None \
            or target in seen:
        return named
    if os.path.isdir(target):
        return named + b"\0" + folder_digest(Path(target), root, seen).encode()
    return named + b"\0" + (_file_digest(Path(target)) or b"")


def _walk(folder: Path) -> list[Path]:
    """Every file and link below a folder, sorted; links to folders are not entered."""
    found: list[Path] = []
    for here, subfolders, names in os.walk(folder):  # (os.walk follows no link)
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        base = Path(here)
        found += [base / name for name in names]
        found += [base / name for name in subfolders if (base / name).is_symlink()]
    return sorted(found)


@dataclass(frozen=True)
class Replay:
    """A build that need not run: what the last one with the same inputs reported."""

    diags: Diagnostics
    documents: int


def outputs(root: Path) -> dict[str, str] | None:
    """The SHA-256 of every file out/ holds outside .cache/; None when out/ is missing or
    holds a link (never followed: files.beneath)."""
    out = root / "out"
    if not out.is_dir() or out.is_symlink():
        return None
    found: dict[str, str] = {}
    try:
        for folder, subfolders, names in os.walk(out):
            here = Path(folder)
            if here == out:
                subfolders[:] = [name for name in subfolders if name != ".cache"]
            for name in names:
                relative = (here / name).relative_to(root).as_posix()
                found[relative] = hashlib.sha256(beneath.read(root, relative)).hexdigest()
    except OSError:
        return None
    return dict(sorted(found.items()))


def remember(root: Path, inputs: str, diags: Diagnostics, documents: int,
             name: str = MEMO) -> None:
    """After a build published its edition (or a check passed: `name` CHECK_MEMO): the memo
    that lets the next one with the same inputs stop at once. Only a memo: if it cannot be
    written, the next run runs."""
    snapshot = outputs(root)
    if snapshot is None:
        return
    body = {"key": inputs, "documents": documents, "outputs": snapshot,
            "diagnostics": [d.as_json() for d in diags.sorted()]}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    memo = {"seal": seal("inputs", inputs, text), "memo": body}
    with suppress(OSError):
        beneath.write(root, f"out/{name}", json.dumps(memo).encode(), fsync=False)


def replay(root: Path, inputs: str, name: str = MEMO) -> Replay | None:
    """What the last build with these inputs reported, when out/ still holds exactly what it
    published; None (build as usual) on anything else. Under the shared lock, so that no
    build publishes meanwhile."""
    try:
        with lock(root / LOCK, shared=True, waiting=_busy):
            return _replay(root, inputs, name)
    except (LockError, _Busy):
        return None  # another run holds out/: the build waits for it, and says so


class _Busy(Exception):
    """Another run holds out/: not worth waiting for in order to replay."""


def _busy() -> None:
    raise _Busy


def _replay(root: Path, inputs: str, name: str) -> Replay | None:
    out = root / "out"
    if files.staging(out).exists() or files.aside(out).exists():
        return None  # a killed publish left its folders: the full build recovers them
    try:
        memo = json.loads(beneath.read(root, f"out/{name}", MAX_MEMO))
        body = memo["memo"]
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        if not (hmac.compare_digest(str(memo["seal"]), seal("inputs", inputs, text))
                and body["key"] == inputs):
            return None
        diags = Diagnostics([_diagnostic(item) for item in body["diagnostics"]])
        documents = body["documents"]
        if not isinstance(documents, int) or outputs(root) != body["outputs"]:
            return None
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return Replay(diags, documents)


def _diagnostic(item: dict[str, object]) -> Diagnostic:
    """A diagnostic back from its JSON form (Diagnostic.as_json); TypeError if malformed."""
    path, line, col = item["path"], item["line"], item["col"]
    severity, code, where, message = (item[name] for name in
                                      ("severity", "code", "where", "message"))
    if not (isinstance(path, str) and isinstance(line, int) and isinstance(col, int)
            and severity in ("error", "warning") and isinstance(code, str)
            and isinstance(where, str) and isinstance(message, str)):
        raise TypeError("not a diagnostic")
    return Diagnostic(Location(path, line, col), "error" if severity == "error" else "warning",
                      code, where, message)
