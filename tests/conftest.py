"""Fixtures: throw-away copies of the real project, so tests can break content freely."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ketabrochure.cli import main

REPO = Path(__file__).resolve().parent.parent
PROJECT_FOLDERS = ("content", "layouts", "assets")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def copy_project(target: Path) -> Path:
    for folder in PROJECT_FOLDERS:
        shutil.copytree(REPO / folder, target / folder)
    return target


def run_cli(root: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--project", str(root), *args], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the default project."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, built once for the whole session (read-only for tests)."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    result = run_cli(root, "build")
    assert result.code == 0, result.stderr + result.stdout
    return root


@pytest.fixture
def cli() -> Callable[..., Run]:
    return run_cli


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a file (the test fails if the piece is not there)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
