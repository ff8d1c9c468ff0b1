"""File primitives every writer uses: atomic writes, writes that skip unchanged bytes, the
content-addressed object store (bytes named by their SHA-256), an atomic exchange of two
folders, and the lock that keeps one writer at a time."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import hmac
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import beneath

FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf")


def sha256_file(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def put_object(root: Path, folder: str, data: bytes, suffix: str) -> str:
    """Store bytes under their SHA-256 in the object store of `folder` (project-relative, no
    link on the way: `beneath`); return the hash. An object already there is rewritten unless
    its bytes still have that hash (a truncated or damaged one is repaired, never trusted for
    its name)."""
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{folder}/objects/{digest}.{suffix}"
    try:
        same = hashlib.sha256(beneath.read(root, relative)).hexdigest() == digest
    except OSError:
        same = False
    if not same:
        beneath.write(root, relative, data, fsync=False)
    return digest


def seal(purpose: str, *parts: str | bytes) -> str:
    """A MAC that binds cached data to what it was made for (`purpose` and the document's key
    among `parts`): an entry moved to another document, or edited, no longer matches. Keyed
    by KETABROCHURE_CACHE_SECRET when set (CI: a repository secret, so that only caches this
    project's own runs made are trusted); else by a fixed key, which still catches moved and
    edited entries but not a forger who reads this code."""
    secret = os.environ.get("KETABROCHURE_CACHE_SECRET", "ketabrochure cache v1")
    mac = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        mac.update(len(data).to_bytes(8, "big"))
        mac.update(data)
    return mac.hexdigest()


def is_temporary(path: Path) -> bool:
    """A file an atomic write (beneath.write) left behind when its process was killed mid-write."""
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
    if not folder.exists() and aside(folder).is_dir() and not aside(folder).is_symlink():
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
    """Where the folder cannot be exchanged (it is a mount point): every new file is first
    written and synced beside its target (so a full disk fails here, with nothing in `folder`
    changed), then each is renamed over its target, the ones named last in `changes` (the
    manifest) last, then stale ones removed. Only a crash during the renames leaves a mix of
    editions, each file whole (PartlyPublished says so)."""
    written: list[tuple[Path, Path]] = []
    try:
        for name, source in changes.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, made = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=target.parent)
            written.append((Path(made), target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(_verified(source))
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        for temp, _ in written:
            temp.unlink(missing_ok=True)
        raise
    try:
        for temp, target in written:
            os.replace(temp, target)
        for name in removed:
            (folder / name).unlink(missing_ok=True)
    except OSError as exc:
        raise PartlyPublished(exc) from exc


class PartlyPublished(OSError):
    """Publishing into a mount point failed after its first file was replaced."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(exc.errno, exc.strerror or str(exc), exc.filename)


def _link_tree(source: Path, target: Path, skip: set[str]) -> None:
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if relative.as_posix() in skip or is_temporary(path):
            continue
        copy = target / relative
        if path.is_symlink():  # never carried into an edition: out/ holds no links
            continue
        if path.is_dir():
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


class LockError(OSError):
    """The lock file cannot be opened (a folder, a link, a read-only folder)."""

    def __init__(self, path: Path, exc: OSError) -> None:
        why = {errno.EISDIR: "is a folder or other non-file", errno.ELOOP: "is a symbolic link",
               errno.ENXIO: "is a folder or other non-file"}.get(
                   exc.errno or 0, f"cannot be opened ({exc.strerror})")
        super().__init__(exc.errno, why, str(path))


@contextmanager
def lock(path: Path, shared: bool = False,
         waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an advisory lock on `path` (created if missing): shared for readers, exclusive for
    the one writer. `waiting` is called once if another process holds it first."""
    try:  # never through a link; a folder or device there is refused, not waited on
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK,
                     0o644)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
    except OSError as exc:
        raise LockError(path, exc) from exc
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
