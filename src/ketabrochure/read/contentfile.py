"""A content file's bytes and text, read safely: only a regular file inside the project (every
symlink followed), of at most MAX_BYTES, in UTF-8, holding only characters YAML allows. Each
refusal is one located error; nothing outside the project is opened."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path, PurePosixPath

from ..diagnostics import Diagnostics, Location

MAX_BYTES = 1_000_000  # a content file larger than this is refused
# Characters YAML does not allow in a file (its reader would refuse them, without a line)
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BAD_CHARACTERS_SHOWN = 10  # each with its own line; the rest are counted


def _root_of(path: Path, shown_as: str) -> Path | None:
    """The project root a file is shown relative to ('content/x.yaml' under /p -> /p)."""
    shown = PurePosixPath(shown_as)
    full = Path(os.path.abspath(path))
    if shown.is_absolute() or ".." in shown.parts or not shown.parts:
        return None
    if full.parts[-len(shown.parts):] != shown.parts:
        return None
    return full.parents[len(shown.parts) - 1]


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1


def read_bytes(path: Path, shown_as: str, diags: Diagnostics,
               root: Path | None = None) -> bytes | None:
    """A content file's bytes: only a regular file, inside the project (symlinks followed),
    of at most MAX_BYTES. Anything else is refused without being read."""
    where = Location(shown_as)
    base = root if root is not None else _root_of(path, shown_as)
    real = Path(os.path.realpath(path))
    if base is None or not real.is_relative_to(os.path.realpath(base)):
        leads = f" (it leads to {real})" if real != Path(os.path.abspath(path)) else ""
        diags.error(where, "yaml.outside", shown_as,
                    f"lies outside the project{leads}; content files must be inside the "
                    "project folder, so it was not read")
        return None
    too_large = f"is more than {MAX_BYTES:,} bytes, the most a content file may be"
    try:
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            diags.error(where, "yaml.read", shown_as,
                        "is not a regular file (a folder, pipe or device?); it was not read")
            return None
        if info.st_size > MAX_BYTES:
            diags.error(where, "yaml.too-large", shown_as, too_large)
            return None
        with open(real, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        diags.error(where, "yaml.read", shown_as, f"cannot read: {exc.strerror}")
        return None
    if len(data) > MAX_BYTES:  # it grew since
        diags.error(where, "yaml.too-large", shown_as, too_large)
        return None
    return data


def yaml_text(data: bytes, shown_as: str, diags: Diagnostics) -> str | None:
    """The file's text: UTF-8, every character one YAML allows (each other one located)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        diags.error(Location(shown_as, line, col), "yaml.encoding", shown_as,
                    f"is not UTF-8 text (byte {exc.start}, 0x{data[exc.start]:02x}); "
                    "save it as UTF-8")
        return None
    bad = list(_NOT_YAML.finditer(text))
    for match in bad[:_BAD_CHARACTERS_SHOWN]:
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        char = match.group()
        name = unicodedata.name(char, "a control character")
        diags.error(Location(shown_as, line, col), "yaml.character", "YAML",
                    f"U+{ord(char):04X} ({name}) may not appear in a YAML file; delete it")
    if len(bad) > _BAD_CHARACTERS_SHOWN:
        first = bad[_BAD_CHARACTERS_SHOWN].start()
        line = text.count("\n", 0, first) + 1
        diags.error(Location(shown_as, line), "yaml.character", "YAML",
                    f"and {len(bad) - _BAD_CHARACTERS_SHOWN:,} more such characters from "
                    "this line on")
    return None if bad else text
