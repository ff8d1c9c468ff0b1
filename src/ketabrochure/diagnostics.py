"""Diagnostics: located problems, collected, then printed as
`path:line:col: severity[code]: where: message` (or, for CI, as a JSON object or a GitHub
workflow command)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


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
        return f"{self.location}: {self.severity}[{self.code}]: {self.where}: {self.message}"

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
        self.items.append(Diagnostic(location, "error", code, where, message))

    def warning(self, location: Location, code: str, where: str, message: str) -> None:
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
    """A workflow command's message, escaped as GitHub's runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """A workflow command's property value: the message escapes, plus ':' and ','."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def summary(diags: Diagnostics) -> str:
    """'2 errors, 1 warning': the count that closes every run's report."""
    e, w = len(diags.errors), len(diags.warnings)
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


def relative(path: Path, root: Path) -> str:
    """A path as printed in diagnostics: relative to the project root where possible."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
