"""Diagnostics: located problems, collected, then printed as
`path:line:col: severity[code]: where: message` (or, for CI, as a JSON object or a GitHub
workflow command)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from . import codes

Severity = Literal["error", "warning"]

# What a terminal could act on, or show misleadingly: C0 and C1 controls (ESC starts the CSI
# and OSC sequences that clear screens and set window titles), DEL, format characters (bidi
# overrides and isolates, zero-width characters, tag characters), line and paragraph
# separators and lone surrogates (which cannot even be encoded for printing).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(char: str) -> str:
    if unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """Text safe to print on a terminal, on one line: every control, format or separator
    character written as an escape (ESC as \\x1b, NUL as \\x00, a newline as \\n,
    RIGHT-TO-LEFT OVERRIDE as \\u202e); everything else, accented letters included, as is."""
    if text.isprintable():  # the usual case: nothing to escape (isprintable is stricter)
        return text
    return "".join(map(_escaped, text))


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    severity: Severity
    code: str
    where: str
    message: str

    def __str__(self) -> str:
        """The one printed line; whatever content it quotes cannot reach the terminal raw."""
        return printable(
            f"{self.location}: {self.severity}[{self.code}]: {self.where}: {self.message}")

    def as_json(self) -> dict[str, str | int]:
        """The diagnostic as a JSON object (`--format json`)."""
        return {"path": self.location.path, "line": self.location.line,
                "col": self.location.col, "severity": self.severity, "code": self.code,
                "where": self.where, "message": self.message}

    def github(self, path: str | None = None) -> str:
        """A GitHub Actions workflow command, `::error file=..,line=..,col=..,title=code::..`,
        which the runner shows as an annotation on that line (`--format github`). `path`:
        the file as the repository names it, if not as the project does."""
        props = ",".join(f"{name}={_github_property(str(value))}" for name, value in (
            ("file", path or self.location.path), ("line", self.location.line),
            ("col", self.location.col), ("title", self.code)))
        return f"::{self.severity} {props}::{_github_data(f'{self.where}: {self.message}')}"


@dataclass
class Diagnostics:
    """Collects every problem of a run, so that all of them are reported at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, code: str, where: str, message: str) -> None:
        codes.check(code, "error")  # every code is registered (codes.py), with its severity
        self.items.append(Diagnostic(location, "error", code, where, message))

    def warning(self, location: Location, code: str, where: str, message: str) -> None:
        codes.check(code, "warning")
        self.items.append(Diagnostic(location, "warning", code, where, message))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.location, d.code))


class UsageError(Exception):
    """The command line asked for something that does not exist (exit 2, not a diagnostic)."""


def _github_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's runner unescapes it; any other
    control character (ESC from a YAML key) written as an escape, as on a terminal."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _github_property(text: str) -> str:
    """A workflow command's property value: the message escapes, plus ':' and ','."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def summary(diags: Diagnostics) -> str:
    """'2 errors, 1 warning': the count that closes every run's report."""
    e, w = len(diags.errors), len(diags.warnings)
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


def relative(path: Path, root: Path) -> str:
    """A path as printed in diagnostics: relative to the project root where possible.

    The path as written comes first (a symlink is named by its own name, not by where it
    points); then with every symlink followed (a root reached through a symlink)."""
    for candidate, base in ((os.path.abspath(path), os.path.abspath(root)),
                            (os.path.realpath(path), os.path.realpath(root))):
        try:
            return Path(candidate).relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()
