"""File primitives every writer uses: atomic writes, writes that skip unchanged bytes, and the
content-addressed object store (bytes named by their SHA-256)."""

from __future__ import annotations

import hashlib
import os
import tempfile
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


def write_if_changed(target: Path, data: bytes, fsync: bool = True) -> None:
    """Write atomically unless the target already holds exactly these bytes."""
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        pass
    atomic_write(target, data, fsync=fsync)


def put_object(folder: Path, data: bytes, suffix: str) -> str:
    """Store bytes under their SHA-256 in the folder's object store; return the hash."""
    digest = hashlib.sha256(data).hexdigest()
    target = folder / "objects" / f"{digest}.{suffix}"
    if not target.is_file():
        atomic_write(target, data, fsync=False)
    return digest
