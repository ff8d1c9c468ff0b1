"""Fixtures: throw-away copies of the real project, so tests can break content freely."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ketabrochure import files
from ketabrochure.cli import main

REPO = Path(__file__).resolve().parent.parent
PROJECT_FOLDERS = ("content", "layouts", "assets")
# one document of each layout, language and variant (8, not 48): for tests whose claim holds
# for any content; its layouts and assets are the real ones
MINIMAL = REPO / "tests" / "data" / "minimal"
# an atomic write's temporary file: copies of the shared build skip any (no test writes into
# that build; should one ever do, under pytest-xdist a copy made meanwhile stays whole)
UNFINISHED = shutil.ignore_patterns(".*.tmp")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def copy_project(target: Path) -> Path:
    for folder in PROJECT_FOLDERS:
        shutil.copytree(REPO / folder, target / folder)
    return target


def copy_minimal(target: Path) -> Path:
    """The minimal project: its own content, the real layouts and assets."""
    shutil.copytree(MINIMAL / "content", target / "content")
    for folder in ("layouts", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def run_cli(root: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--project", str(root), *args], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def once(tmp_path_factory: pytest.TempPathFactory, name: str,
         make: Callable[[Path], None]) -> Path:
    """A folder made by `make` once per test run: under pytest-xdist every worker shares the
    first worker's (made under a lock in the run's common temporary folder)."""
    shared = tmp_path_factory.getbasetemp().parent  # the same for every xdist worker
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        shared = tmp_path_factory.getbasetemp()
    root, done = shared / name, shared / f"{name}.done"
    with files.lock(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # a worker that failed half-way
            root.mkdir()
            make(root)
            done.touch()
    return root


def build_in(copy: Callable[[Path], Path]) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        result = run_cli(copy(root), "build")
        assert result.code == 0, result.stderr + result.stdout
    return make


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, built once for the whole session (read-only for tests)."""
    return once(tmp_path_factory, "built", build_in(copy_project))


@pytest.fixture(scope="session")
def built_minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project (tests/data/minimal/), built once for the session (read-only)."""
    return once(tmp_path_factory, "built-minimal", build_in(copy_minimal))


def seed_cache(built: Path, root: Path) -> Path:
    """Give a project copy the session build's render cache: a test that edits one file then
    typesets only the documents that edit changes (the cache keys on every input, so a seeded
    cache gives the same bytes as an empty one; test_speed checks that)."""
    shutil.copytree(built / "out" / ".cache", root / "out" / ".cache", ignore=UNFINISHED)
    return root


@pytest.fixture
def project(tmp_path: Path, built: Path) -> Path:
    """A fresh copy of the default project, its render cache seeded from the session build."""
    return seed_cache(built, copy_project(tmp_path / "project"))


@pytest.fixture
def minimal(tmp_path: Path, built_minimal: Path) -> Path:
    """A fresh copy of the minimal project, its render cache seeded from its session build."""
    return seed_cache(built_minimal, copy_minimal(tmp_path / "minimal"))


@pytest.fixture
def cold_project(tmp_path: Path) -> Path:
    """A fresh copy of the default project with no out/ at all."""
    return copy_project(tmp_path / "cold")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder with its bytes (to show that a command wrote nothing)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def cli() -> Callable[..., Run]:
    return run_cli


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a file (the test fails if the piece is not there)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
