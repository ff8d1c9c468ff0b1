"""Say what really happened: `wrote` only for PDFs whose bytes a build wrote (a build with
nothing to do writes none, and says so), and watch's line counts what was rendered and what
was unchanged, on a copy of the minimal project whose cache the session build seeded."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from helpers import edit, run_cli

from ketabrochure.build import run as build
from ketabrochure.build.watch import Watcher


def wrote(stdout: str) -> list[str]:
    return [line.split()[1].rstrip(":") for line in stdout.splitlines()
            if line.startswith("wrote ")]


def test_a_build_says_wrote_only_for_pdfs_it_wrote(minimal: Path) -> None:
    first = run_cli(minimal, "build", "--jobs", "1")
    assert first.code == 0, first.stderr
    pdfs = sorted(p.name for p in (minimal / "out").glob("*.pdf"))
    assert sorted(wrote(first.stdout)) == pdfs and len(pdfs) == 8
    assert f"wrote {len(pdfs)} PDFs, " in first.stdout.splitlines()[-1]
    times = {p: (minimal / "out" / p).stat().st_mtime_ns for p in pdfs}

    again = run_cli(minimal, "build", "--jobs", "1")  # nothing changed: nothing written
    assert again.code == 0 and wrote(again.stdout) == [], again.stdout
    assert re.search(r"^build passed: 8 documents \(0 rendered, 8 from the cache\), wrote 0 "
                     r"PDFs, ", again.stdout.splitlines()[-1])
    assert {p: (minimal / "out" / p).stat().st_mtime_ns for p in pdfs} == times
    report = json.loads(run_cli(minimal, "build", "--jobs", "1", "--format", "json").stdout)
    assert report["written"] is True  # out/ holds this edition...
    assert {d["status"] for d in report["documents"]} == {"ok"}  # ...without writing a byte

    # one Spanish text changed: only the Spanish documents that print it are written
    edit(minimal / "content/handouts/ptsd.yaml", "Se da despacio por la vena.",
         "Se da lentamente por la vena.")
    changed = run_cli(minimal, "build", "--jobs", "1")
    assert changed.code == 0, changed.stderr
    assert wrote(changed.stdout) == ["handout-ptsd-letter-es-print-shop.pdf"], changed.stdout


def test_watch_counts_rendered_and_unchanged_documents(minimal: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    watcher = Watcher(minimal, build.Options(jobs=1), out, err)
    try:
        watcher.step()
        assert re.search(r"^build: wrote 8 PDFs; rendered 0 of 8; unchanged 8 \(0 errors, "
                         r"0 warnings\) in ", out.getvalue(), re.MULTILINE), out.getvalue()
        edit(minimal / "content/handouts/ptsd.yaml", "The effect did not last long.",
             "The effect did not last.")
        watcher.step()
        line = out.getvalue().splitlines()[-2]  # (then: watching ...)
        found = re.match(r"build: wrote (\d) PDFs?; rendered (\d) of 8: ([a-z0-9, -]+); "
                         r"unchanged (\d) ", line)
        assert found, line
        assert found[2] == found[1] and int(found[2]) + int(found[4]) == 8, line
        assert set(found[3].split(", ")) == {"handout-ptsd-letter-en",
                                             "handout-ptsd-letter-en-large-print"}, line
    finally:
        watcher.close()
