"""File primitives every writer uses: atomic writes, writes that skip unchanged bytes, the
content-addressed object store (bytes named by their SHA-256), an atomic exchange of two
folders, and the lock that keeps one writer at a time."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf")


def sha256_file(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def atomic_write(target: Path, data: bytes, fsync: bool = True) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def put_object(folder: Path, data: bytes, suffix: str) -> str:
    """Store bytes under their SHA-256 in the folder's object store; return the hash. An object
    already there is rewritten unless its bytes still have that hash (a truncated or damaged
    one is repaired, never trusted for its name)."""
    digest = hashlib.sha256(data).hexdigest()
    target = folder / "objects" / f"{digest}.{suffix}"
    if sha256_file(target) != digest:
        atomic_write(target, data, fsync=False)
    return digest


def is_temporary(path: Path) -> bool:
    """A file atomic_write left behind when its process was killed mid-write."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def exchange(a: Path, b: Path) -> None:
    """Swap two folders in one atomic step (Linux renameat2), so a reader sees one or the
    other, never neither. Where the system cannot, three renames through `aside(a)`;
    `recover` finishes them if a crash cuts them short."""
    libc = ctypes.CDLL(None, use_errno=True)
    if hasattr(libc, "renameat2"):
        if libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                          _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(a))
    os.rename(a, aside(a))
    os.rename(b, a)
    os.rename(aside(a), b)


def aside(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.prev"


def staging(folder: Path) -> Path:
    """Where the next edition of a folder is put together before it replaces the folder."""
    return folder.parent / f".{folder.name}.next"


def recover(folder: Path) -> None:
    """Clean what an interrupted publish left: finish a cut-short exchange, drop the staging
    folder and every temporary file of a killed atomic write (the caller holds the lock)."""
    if not folder.exists() and aside(folder).is_dir():
        os.rename(aside(folder), folder)
    for leftover in (staging(folder), aside(folder)):
        shutil.rmtree(leftover, ignore_errors=True)
    if folder.is_dir():
        for path in folder.rglob(".*.tmp"):
            path.unlink(missing_ok=True)


def publish(folder: Path, changes: dict[str, bytes | Path], removed: set[str]) -> None:
    """Make `folder` its next edition in one step: everything it holds, less `removed`, with
    `changes` (a folder-relative name -> the new bytes, or an object-store file whose name is
    the SHA-256 of its bytes, verified here). Until the final exchange nothing in `folder`
    changes; after it, the whole new edition is there. Unchanged files are hard links, not
    copies."""
    recover(folder)
    stage = staging(folder)
    try:
        stage.mkdir(parents=True)
        if folder.is_dir():
            _link_tree(folder, stage, set(changes) | removed)
        for name, source in changes.items():
            _write_new(stage / name, source)
        _fsync_folder(stage)
        if not folder.is_dir():
            os.rename(stage, folder)
            return
        try:
            exchange(folder, stage)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EBUSY):
                raise
            _publish_in_place(folder, changes, removed)  # out/ is a mount point of its own
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # the old edition, or a half-made new one


def _publish_in_place(folder: Path, changes: dict[str, bytes | Path], removed: set[str]) -> None:
    """Where the folder cannot be exchanged (it is a mount point): each file replaced
    atomically, the ones named last in `changes` (the manifest) last, then stale ones removed.
    A crash midway leaves a mix of editions, each file whole."""
    for name, source in changes.items():
        atomic_write(folder / name, _verified(source))
    for name in removed:
        (folder / name).unlink(missing_ok=True)


def _link_tree(source: Path, target: Path, skip: set[str]) -> None:
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if relative.as_posix() in skip or is_temporary(path):
            continue
        copy = target / relative
        if path.is_symlink():
            copy.symlink_to(os.readlink(path))
        elif path.is_dir():
            copy.mkdir(exist_ok=True)
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, copy)
            except OSError:  # a file system without hard links
                shutil.copy2(path, copy)


def _verified(source: bytes | Path) -> bytes:
    """The bytes themselves, or an object-store file's bytes if they still match its name."""
    if isinstance(source, bytes):
        return source
    data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != source.stem:
        raise DamagedObject(source)
    return data


def _write_new(target: Path, source: bytes | Path) -> None:
    data = _verified(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # a hard link to the old edition's file: never write into it
    with open(target, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DamagedObject(OSError):
    """An object-store file whose bytes no longer have the hash it is named by."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EIO, "damaged cache object (its bytes do not match its name)",
                         str(path))


@contextmanager
def lock(path: Path, shared: bool = False,
         waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an advisory lock on `path` (created if missing): shared for readers, exclusive for
    the one writer. `waiting` is called once if another process holds it first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)  # releases the lock
