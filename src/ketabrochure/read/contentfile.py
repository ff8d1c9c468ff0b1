"""A content file's bytes and text, read safely: only a regular file inside the project (a
link only while it stays inside), of at most MAX_BYTES, in UTF-8, holding only characters YAML
allows. Each refusal is one located error; nothing outside the project is opened."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from ..diagnostics import Diagnostics, Location
from ..files import beneath

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


def _leads(path: Path) -> str:
    """' (it leads to X)' for a link, to say where; X is never opened."""
    try:
        real = Path(os.path.realpath(path))
    except OSError:  # changed while looked at
        return ""
    return f" (it leads to {real})" if real != Path(os.path.abspath(path)) else ""


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1


def read_bytes(path: Path, shown_as: str, diags: Diagnostics,
               root: Path | None = None) -> bytes | None:
    """A content file's bytes: only a regular file, inside the project (a link only while it
    stays inside), of at most MAX_BYTES. It is opened by walking from the project folder
    (`files.beneath`), so nothing swapped in after a check can lead it outside."""
    where = Location(shown_as)
    base = root if root is not None else _root_of(path, shown_as)
    relative = beneath.relative_to(path, base) if base is not None else None
    if relative is None and root is not None:  # `root` spelled another way (resolved)
        base = _root_of(path, shown_as)
        relative = beneath.relative_to(path, base) if base is not None else None
    too_large = f"is more than {MAX_BYTES:,} bytes, the most a content file may be"
    try:
        if base is None or relative is None:
            raise beneath.Outside(shown_as, "outside")
        data = beneath.read(base, relative, MAX_BYTES, links=True)
    except beneath.Outside:
        leads = _leads(path)
        diags.error(where, "yaml.outside", shown_as,
                    f"lies outside the project{leads}; content files must be inside the "
                    "project folder, so it was not read")
        return None
    except IsADirectoryError:
        diags.error(where, "yaml.read", shown_as,
                    "is not a regular file (a folder, pipe or device?); it was not read")
        return None
    except OSError as exc:
        diags.error(where, "yaml.read", shown_as, f"cannot read: {exc.strerror}")
        return None
    if len(data) > MAX_BYTES:
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
