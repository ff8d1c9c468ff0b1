"""Fixtures: throw-away copies of the real project, so tests can break content freely (the
helpers they are made with are in helpers.py)."""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pdfjs
import pytest
from _pytest.nodeid import NodeId
from helpers import (
    ARGS,
    CHROMIUM,
    Run,
    build_in,
    copy_minimal,
    copy_project,
    once,
    run_cli,
    run_folder,
    seed_cache,
    sign_and_build,
)
from playwright.sync_api import Browser, sync_playwright

from ketabrochure.review import clock


def pytest_configure() -> None:
    """Tests stop `watch` and `serve` with SIGINT, as Ctrl-C does in a terminal. A suite
    started in the background by a shell (`pytest ... &`, nohup, some CI runners) inherits
    SIGINT ignored, its processes pass that on to every command they start, and Python keeps
    an ignored SIGINT ignored: Ctrl-C would never reach the command under test, which then
    runs until the test's timeout. Give the commands the terminal's default."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # one day for the whole run: the no-op key and review expiry hold today's date, and a
    # session build made before midnight would otherwise be stale for the tests after it
    # (set in the controller, before pytest-xdist starts its workers: they inherit it)
    os.environ.setdefault(clock.VARIABLE, dt.date.today().isoformat())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--dist loadgroup` on pytest 9: a test marked xdist_group gets the group after its id
    ("...::test_x@test_print"), so one worker runs the group and makes its module fixtures
    once. pytest-xdist 3.8 sets the old `_nodeid`, which pytest 9 no longer reads (its ids
    are NodeId objects): without this each group was spread over the workers, and a module
    fixture made once per worker."""
    if not config.getoption("loadgroup", False):  # set on xdist workers under loadgroup
        return
    for item in items:
        groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                         for mark in item.iter_markers("xdist_group")})
        suffix = f"@{'_'.join(groups)}"
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)  # what xdist's _nodeid did


@pytest.fixture(scope="session", autouse=True)
def pdfjs_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """pdf.js reads each PDF once per run, whichever worker asks (tests/pdfjs.py)."""
    pdfjs.CACHE = run_folder(tmp_path_factory) / "pdfjs-text"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, built once for the whole session (read-only for tests)."""
    return once(tmp_path_factory, "built", build_in(copy_project))


@pytest.fixture(scope="session")
def built_minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project (tests/data/minimal/), built once for the session (read-only)."""
    return once(tmp_path_factory, "built-minimal", build_in(copy_minimal))


@pytest.fixture(scope="session")
def built_signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project signed off and built, once for the session (read-only): its render
    cache seeds the signed projects test_review and test_edition make the same way."""
    return once(tmp_path_factory, "built-signed", sign_and_build)


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


@pytest.fixture
def cli() -> Callable[..., Run]:
    return run_cli


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one per test module."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (Debian chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS,
                                             headless=True)
        yield browser
        browser.close()


