"""The one way to open, write, list and delete inside the project folder.

A path is walked one component at a time from a descriptor of the project folder, each
component opened with O_NOFOLLOW relative to the descriptor of the one before it, and the last
one checked with fstat on the open descriptor: there is no window between a check and the use
(a symlink swapped in meanwhile is met by the walk itself, never followed by the kernel).

Two policies. `links=False` (out/, its cache, the lock): no symbolic link at all, anywhere on
the path. `links=True` (content, layouts, assets): a link is resolved by the walk itself, and
allowed only while it stays beneath the project folder (the kernel's RESOLVE_BENEATH, done in
user space so that it works on every POSIX system).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath

_LINKS_MAX = 40  # as the kernel's MAXSYMLINKS
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class Outside(OSError):
    """The path leads outside the project folder, or through a link where none is allowed."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(errno.EXDEV, why, path)


def parts(relative: str | PurePosixPath) -> list[str]:
    """The components of a project-relative path; an absolute one is refused."""
    text = str(relative)
    if text.startswith("/") or "\0" in text:
        raise Outside(text, "not a path inside the project")
    return [p for p in text.split("/") if p not in ("", ".")]


class _Walk:
    """A stack of open folder descriptors from the project folder down (closed at the end)."""

    def __init__(self, root: Path, relative: str, links: bool) -> None:
        self.relative, self.links, self.followed = relative, links, 0
        self.stack = [os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]

    def close(self) -> None:
        for fd in self.stack:
            os.close(fd)
        self.stack = []

    def link(self, name: str, todo: list[str]) -> None:
        """`name` in the current folder is a link: its target joins the walk, if allowed."""
        if not self.links:
            raise Outside(self.relative, "is or passes through a symbolic link, which is "
                          "never followed here")
        self.followed += 1
        if self.followed > _LINKS_MAX:
            raise Outside(self.relative, "has too many links")
        target = _readlink(name, self.stack[-1])
        if target is None:  # no longer a link (renamed meanwhile): walk it again
            todo.insert(0, name)
        elif target.startswith("/"):
            raise Outside(self.relative, f"leads outside the project (a link to {target})")
        else:
            todo[:0] = [p for p in target.split("/") if p not in ("", ".")]

    def up(self) -> None:
        if len(self.stack) == 1:
            raise Outside(self.relative, "leads outside the project")
        os.close(self.stack.pop())

    def down(self, name: str, create: bool) -> bool:
        """Enter folder `name`; False if it is a link (the caller resolves it)."""
        try:
            fd = os.open(name, _DIR, dir_fd=self.stack[-1])
        except FileNotFoundError:
            if not create:
                raise
            with suppress(FileExistsError):
                os.mkdir(name, 0o755, dir_fd=self.stack[-1])
            fd = os.open(name, _DIR, dir_fd=self.stack[-1])
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a link (or one just replaced: `link` walks again)
                return False
            if exc.errno != errno.ENOTDIR or not _is_link(name, self.stack[-1]):
                raise
            return False
        self.stack.append(fd)
        return True


def _readlink(name: str, fd: int) -> str | None:
    """The link's target; None if `name` is no longer a link."""
    try:
        return os.readlink(name, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.ENOENT):
            return None
        raise


def _is_link(name: str, fd: int) -> bool:
    return stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode)


@contextmanager
def folder(root: Path, relative: str | PurePosixPath, links: bool = False,
           create: bool = False) -> Iterator[tuple[int, str]]:
    """(descriptor of the folder holding the path's last component, that component's name),
    open for the `with` block; `create` makes missing folders on the way. The last component
    is resolved by the caller (with O_NOFOLLOW), so links there are the caller's to handle."""
    todo = parts(relative)
    walk = _Walk(root, str(relative), links)
    try:
        while len(todo) > 1:
            name = todo.pop(0)
            if name == "..":
                walk.up()
            elif not walk.down(name, create):
                walk.link(name, todo)
        name = todo[0] if todo else "."
        if name == "..":
            raise Outside(str(relative), "leads outside the project")
        yield walk.stack[-1], name
    finally:
        walk.close()


def open_fd(root: Path, relative: str | PurePosixPath, flags: int = os.O_RDONLY,
            links: bool = False, mode: int = 0o644) -> int:
    """A descriptor of the file (O_NOFOLLOW on every component, links resolved beneath the
    project when `links`)."""
    todo = parts(relative)
    for _ in range(_LINKS_MAX + 1):
        with folder(root, "/".join(todo), links, create=bool(flags & os.O_CREAT)) as (fd, name):
            try:
                return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=fd)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                if not _is_link(name, fd):
                    if exc.errno == errno.ELOOP:  # a link, replaced since: open it again
                        continue
                    raise
                if not links:
                    raise Outside(str(relative), "is a symbolic link, which is never "
                                  "followed here") from None
                target = _readlink(name, fd)
            if target is None:  # no longer a link (renamed meanwhile): open it again
                continue
            if target.startswith("/"):
                raise Outside(str(relative), f"leads outside the project (a link to {target})")
            todo = [*todo[:-1], *target.split("/")]
    raise Outside(str(relative), "has too many links")


def read(root: Path, relative: str | PurePosixPath, limit: int | None = None,
         links: bool = False) -> bytes:
    """A regular file's bytes (at most `limit` + 1 of them, so the caller can tell)."""
    return read_stat(root, relative, limit, links)[0]


def read_stat(root: Path, relative: str | PurePosixPath, limit: int | None = None,
              links: bool = False) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes and its fstat, both of the one file opened."""
    fd = open_fd(root, relative, os.O_RDONLY | os.O_NONBLOCK, links)  # a FIFO must not block
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(relative))
        with os.fdopen(os.dup(fd), "rb") as handle:
            return (handle.read() if limit is None else handle.read(limit + 1)), info
    finally:
        os.close(fd)


def stat_of(root: Path, relative: str | PurePosixPath, links: bool = False) -> os.stat_result:
    fd = open_fd(root, relative, os.O_RDONLY | os.O_NONBLOCK, links)
    try:
        return os.fstat(fd)
    finally:
        os.close(fd)


def write(root: Path, relative: str | PurePosixPath, data: bytes, fsync: bool = True,
          mode: int = 0o644) -> None:
    """Write atomically (a temporary file beside it, then rename) with no link on the way;
    a link found where the file goes is replaced, never written through."""
    with folder(root, relative, create=True) as (fd, name):
        temp = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        out = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                      mode, dir_fd=fd)
        try:
            with os.fdopen(out, "wb") as handle:
                handle.write(data)
                if fsync:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            with suppress(OSError):
                os.unlink(temp, dir_fd=fd)
            raise


def unlink(root: Path, relative: str | PurePosixPath) -> None:
    """Remove a file (a link itself, never its target); a missing one is fine."""
    with suppress(FileNotFoundError), folder(root, relative) as (fd, name):
        os.unlink(name, dir_fd=fd)


def listing(root: Path, relative: str | PurePosixPath) -> list[tuple[str, bool]]:
    """(name, is a regular file) of a folder's entries, sorted; links are not followed."""
    fd = open_fd(root, relative, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with os.scandir(fd) as entries:
            return sorted((e.name, e.is_file(follow_symlinks=False)) for e in entries)
    finally:
        os.close(fd)


def remove_tree(root: Path, relative: str | PurePosixPath) -> None:
    """Delete a folder and what it holds, never following a link (a link is removed itself)."""
    with suppress(FileNotFoundError), folder(root, relative) as (fd, name):
        if _is_link(name, fd) or not stat.S_ISDIR(os.stat(name, dir_fd=fd,
                                                          follow_symlinks=False).st_mode):
            os.unlink(name, dir_fd=fd)
        else:
            shutil.rmtree(name, dir_fd=fd)  # descriptor-based: it never follows a link


def drop_links(root: Path, relative: str | PurePosixPath) -> None:
    """Remove each symbolic link on the way to `relative` (the link itself, never what it
    leads to): for folders that are ketabrochure's own (out/.cache/, out/.rejected/), where a
    link is replaced by a real folder when one is next needed."""
    path = ""
    for name in parts(relative):
        path = f"{path}/{name}" if path else name
        with folder(root, path) as (fd, last):
            try:
                if not _is_link(last, fd):
                    continue
            except FileNotFoundError:
                return
            os.unlink(last, dir_fd=fd)


def relative_to(path: Path, root: Path) -> str | None:
    """`path` as a project-relative POSIX path, by its spelling (no link resolved), or None."""
    full, base = os.path.abspath(path), os.path.abspath(root)
    if full == base:
        return "."
    if not full.startswith(base.rstrip("/") + "/"):
        return None
    return Path(full).relative_to(base).as_posix()
