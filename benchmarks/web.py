"""What the web edition (out/web/) costs a build, in seconds (no assertions).

Run from the repository: .venv/bin/python benchmarks/web.py [--repeat 5]

On a throw-away copy of the project (its render cache seeded from the repository's
out/.cache/ when there is one, so the first build typesets only what changed), it builds
once, then measures in this process, each the median of --repeat runs:

- cold: making every page (web.edition) and checking them (webcheck), with the templates
  compiled afresh each time: what the web edition adds to a cold build;
- no-op: what a no-op build spends on it (the key over its inputs, the edition read back);
- the wall time of a no-op `build` with and without the memo (out/.cache/web.json), and how
  many files of out/web/ a no-op build rewrote (the target: none).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import copy_project

from ketabrochure.build import run
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.site import pages, web, webcheck

REPO = Path(__file__).resolve().parent.parent


def median_seconds(times: int, work) -> float:
    found = []
    for _ in range(times):
        started = time.perf_counter()
        work()
        found.append(time.perf_counter() - started)
    return statistics.median(found)


def build(root: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ketabrochure", "--project", str(root), "build"],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def files(out: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    times = p.parse_args().repeat
    with tempfile.TemporaryDirectory() as scratch:
        root = copy_project(Path(scratch) / "p")
        if (REPO / "out" / ".cache").is_dir():
            shutil.copytree(REPO / "out" / ".cache", root / "out" / ".cache")
        build(root)
        project, _ = run.load(root, Diagnostics())
        assert project is not None
        documents = run.entries(root / "out", [], False)

        def cold() -> None:
            pages.environment.cache_clear()  # the templates compiled afresh
            edition = web.edition(project, documents, root / "assets" / "fonts")
            webcheck.check_edition(edition, project, Diagnostics())

        made = web.edition(project, documents, root / "assets" / "fonts")
        print(f"web edition: {len(made.files)} files, {len(made.pdfs)} PDFs linked")
        print(f"cold: make and check every page     {median_seconds(times, cold):.3f} s")
        noop = median_seconds(times, lambda: run.web_edition(root, project, [], False,
                                                             Diagnostics()))
        print(f"no-op: key and edition read back    {noop:.3f} s")
        before = files(root / "out" / "web")
        with_memo = statistics.median(build(root) for _ in range(times))
        rewritten = sum(files(root / "out" / "web").get(f) != v for f, v in before.items())

        def without_memo() -> float:
            (root / "out" / run.WEB_MEMO).unlink(missing_ok=True)
            return build(root)

        without = statistics.median(without_memo() for _ in range(times))
        print(f"no-op build, wall: {with_memo:.2f} s with the memo, {without:.2f} s without "
              f"(the pages made and checked again); out/web/ files rewritten: {rewritten}")


if __name__ == "__main__":
    main()
