"""What a build's processes keep in memory: workers give back what a document used, and a
build's own workers are gone before it makes the web edition and publishes."""

from __future__ import annotations

import multiprocessing
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ketabrochure.build import run
from ketabrochure.model import PageBudget
from ketabrochure.pages import Part
from ketabrochure.typeset import pool
from ketabrochure.typeset.jobs import Job
from ketabrochure.typeset.pool import Renderer

PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T{n}</title>'
        '</head><body><h1>Page {n}</h1><p>Ketamine is a medicine.</p></body></html>')


def _rss_kb() -> int:
    status = Path("/proc/self/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert found is not None
    return int(found[1])


def test_give_back_returns_freed_heap_pages_to_the_system() -> None:
    # 1 KB objects come from glibc's heap (not Python's small-object arenas); keeping one
    # in eight leaves whole pages free in the middle of the heap, which glibc keeps mapped
    # until malloc_trim asks it to give them back
    blocks = [bytes(1024) + bytes([i % 256]) for i in range(100_000)]
    kept = blocks[::8]
    del blocks
    before = _rss_kb()
    pool.give_back()
    after = _rss_kb()
    assert len(kept) == 12_500
    assert before - after > 25_000, (before, after)  # of about 90 MB freed, most given back


def _running(children: list[Any]) -> list[Any]:
    """Child processes that still run, as the system sees them. (multiprocessing can still
    list a worker the pool's own thread has just reaped: its waitpid then fails with ECHILD
    before that thread records the exit code, and the process reads as alive.)"""
    def runs(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")
    return [child for child in children if runs(child.pid)]


def _children_during_web_edition(monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """The child processes running while the web edition is made, of those started after
    this call (a pool of an earlier test in this process may still be ending)."""
    seen: list[list[Any]] = []
    real = run.web_edition
    earlier = set(multiprocessing.active_children())

    def web_edition(*args: Any, **kwargs: Any) -> Any:
        seen.append(_running([p for p in multiprocessing.active_children()
                              if p not in earlier]))
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "web_edition", web_edition)
    return seen


def test_a_builds_own_workers_end_before_it_publishes(minimal: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _children_during_web_edition(monkeypatch)
    result = run.run(minimal, [], True, run.Options(jobs=2))
    assert result.published and not result.diags.has_errors()
    assert seen == [[]]  # (the pool was started: see the next test)


def test_workers_lent_to_a_build_stay_warm_for_the_next(minimal: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _children_during_web_edition(monkeypatch)
    with Renderer(jobs=2) as renderer:  # as watch and serve keep theirs between builds
        renderer.fork()
        result = run.run(minimal, [], True, run.Options(jobs=2), renderer)
        assert result.published and not result.diags.has_errors()
        assert len(seen) == 1 and seen[0], "the lent workers were ended"
        assert all(process.is_alive() for process in seen[0])


@pytest.mark.parametrize("transient", [True, False])
def test_a_transient_renderers_workers_end_with_its_last_outcome(tmp_path: Path,
                                                                  transient: bool) -> None:
    jobs = [Job(n, (Part((PAGE.format(n=n),), PageBudget(maximum=1), tmp_path),),
                (tmp_path,), None) for n in range(3)]
    # (a child an earlier test of this pytest worker left ending is not this renderer's)
    others = set(multiprocessing.active_children())
    with Renderer(jobs=2, transient=transient) as renderer:
        outcomes = list(renderer.run(iter(jobs), len(jobs)))
        assert sorted(o.index for o in outcomes) == [0, 1, 2]
        assert all(o.ok and o.findings.pages == 1 for o in outcomes)
        # a build's own renderer: no worker left while the main process goes on alone
        assert (_running(list(set(multiprocessing.active_children()) - others)) == []) \
            is transient


FORKED = """
import sys
from ketabrochure import cli
from ketabrochure.typeset import pool
MAIN_ONLY = ("jinja2", "yaml", "segno", "ketabrochure.model", "ketabrochure.kinds",
             "ketabrochure.build.run")
held, real = [], pool.Renderer.fork
def fork(self, warm=False):
    held.append(sorted(m for m in MAIN_ONLY if m in sys.modules))
    real(self, warm)
pool.Renderer.fork = fork
code = cli.main(["--project", sys.argv[1], "build", "--jobs", "2", "--quiet"])
print(code, held, [m for m in MAIN_ONLY if m in sys.modules] == list(MAIN_ONLY))
"""


def test_the_command_line_forks_workers_before_it_imports_the_pipeline(minimal: Path) -> None:
    """A forked worker holds its parent's pages: forked from a parent that has not yet loaded
    Jinja, YAML or the content model, it holds none of them (6 MB less in each worker)."""
    run_ = subprocess.run([sys.executable, "-c", FORKED, str(minimal)], capture_output=True,
                          text=True, check=True)
    assert run_.stdout.splitlines()[-1] == "0 [[]] True", run_.stdout + run_.stderr
