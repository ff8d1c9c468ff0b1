"""build and check end to end: page budgets, atomic writes, reproducible bytes, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypdf
import pytest
from helpers import REPO, WITH_DEPRESSION, edit, overflow, real_files, run_cli, tree

from ketabrochure.build.cache import entry_from_json
from ketabrochure.typeset.findings import Findings
from ketabrochure.typeset.spill import spill_to_json


def test_overflowing_sheet_fails_check_with_located_message(minimal: Path) -> None:
    """On the minimal project, its evidence sheet made on A4 too: a check that typesets only
    the two overflowing sheets and the packet enclosing one (its other documents come from
    the cache; the default project's 45 others would add nothing to the claim)."""
    project = minimal
    edit(project / "content/documents.yaml", "subjects: all\n    papers: [letter]\n    language: en\n"
         "    pages: {exactly: 1}", "subjects: all\n    papers: [letter, a4]\n    language: en\n"
         "    pages: {exactly: 1}")
    overflow(project)
    cache = tree(project / "out")
    result = run_cli(project, "check", "--jobs", "1")
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if "check.page-count" in line]
    bottom_line = line_of(project / "content/conditions/ptsd.yaml", "bottom_line:")
    for paper in ("a4", "letter"):
        line = next(x for x in lines if f"({paper}, en)" in x)
        assert line.startswith("content/"), line  # at a YAML text past the page, or the longest
        assert (f"error[check.page-count]: evidence-sheet ptsd ({paper}, en): runs to "
                f"{page_count(lines, paper)} pages; its budget is exactly 1: about ") in line
        assert f"shorten the longest: content/conditions/ptsd.yaml:{bottom_line}:14 bottom_line (" \
            in line, "the longest text first, at its YAML line"
        assert line.endswith(f"; see out/.rejected/evidence-sheet-ptsd-{paper}-en.pdf")
    assert len(lines) == 2 and all(page_count(lines, paper) > 1 for paper in ("a4", "letter"))
    assert "FAIL evidence-sheet-ptsd-letter-en.pdf" in result.stdout
    after = tree(project / "out")
    assert {k: v for k, v in after.items() if not k.startswith((".cache/", ".rejected/"))} == \
        {k: v for k, v in cache.items() if not k.startswith(".cache/")} == {}, \
        "check writes nothing into out/ but its render cache and the rejected PDFs"
    assert sorted(k for k in after if k.startswith(".rejected/")) == [
        ".rejected/evidence-sheet-ptsd-a4-en.pdf", ".rejected/evidence-sheet-ptsd-letter-en.pdf",
        ".rejected/referral-packet-sample-letter-en.pdf"]  # it encloses the PTSD sheet


def line_of(path: Path, text: str) -> int:
    """The line of a file where `text` first appears (1-based)."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def lengthen(path: Path, start: str, times: int) -> None:
    """Repeat the sentence that begins `start` (inside a quoted YAML value) `times` times."""
    text = path.read_text()
    begin = text.index(start)
    stop = re.compile(r'\.(?=[ "])').search(text, begin)
    assert stop is not None
    end = stop.end()
    sentence = text[begin:end].rstrip() + " "
    path.write_text(text[:begin] + (sentence * times).rstrip() + text[end:])


def test_a_document_over_its_budget_says_what_runs_over_and_is_kept_apart(
        minimal: Path) -> None:
    """A finding and a key point made too long: each error names how much runs over, the
    sections it runs over in, the longest texts at their YAML lines, and the rejected PDF,
    which is written beside out/'s good copy, never over it, and is gone once it fits. On the
    minimal project with the default content's depression handout (and what it needs)."""
    project = real_files(minimal, *WITH_DEPRESSION)
    names = ("handout-depression-letter-en", "evidence-sheet-ptsd-letter-en")
    assert run_cli(project, "build", "--jobs", "1", *names).code == 0
    out = project / "out"
    good = outputs(out)
    handout = project / "content/handouts/depression.yaml"
    sheet = project / "content/conditions/ptsd.yaml"
    lengthen(handout, "Clinics for veterans also gave ketamine", 30)
    lengthen(sheet, "In a crossover trial of 41 adults", 9)
    result = run_cli(project, "build", "--jobs", "1", *names)
    assert result.code == 1
    errors = {line.split("]: ", 1)[1].split(":", 1)[0]: line
              for line in result.stderr.splitlines() if "error[check.page-count]" in line}
    assert set(errors) == {"handout depression (letter, en)", "evidence-sheet ptsd (letter, en)"}

    finding = errors["handout depression (letter, en)"]
    over = re.search(r"its budget is at most 2: about (\d+) lines \((\d+) words\) over, onto "
                     r"pages? 3", finding)
    assert over and int(over[1]) > 5 and int(over[2]) > 50, finding
    assert "; runs over in: '" in finding, "the printed sections it runs over in, in order"
    line = line_of(handout, "Clinics for veterans also gave ketamine")
    assert f"shorten the longest: content/handouts/depression.yaml:{line}:9 findings[4].en (" \
        in finding
    first = finding.split(": error[", 1)[0]
    assert first.startswith("content/") and not first.endswith(":1:1"), \
        "located at the first YAML text past the budget"
    assert finding.endswith("; see out/.rejected/handout-depression-letter-en.pdf")

    point = errors["evidence-sheet ptsd (letter, en)"]
    assert re.search(r"its budget is exactly 1: about \d+ lines? \(\d+ words?\) over, onto page 2",
                     point), point
    line = line_of(sheet, "In a crossover trial of 41 adults")
    assert f"shorten the longest: content/conditions/ptsd.yaml:{line}:5 key_points[1].text (" \
        in point
    assert point.endswith("; see out/.rejected/evidence-sheet-ptsd-letter-en.pdf")

    for name, budget in (("handout-depression-letter-en.pdf", 2),
                         ("evidence-sheet-ptsd-letter-en.pdf", 1)):
        rejected = out / ".rejected" / name
        assert rejected.read_bytes().startswith(b"%PDF-")
        assert len(pypdf.PdfReader(rejected).pages) > budget
    assert outputs(out) == good, "out/ still holds the good edition, byte for byte"
    manifest = json.loads((out / "manifest.json").read_text())["documents"]
    assert {e["file"] for e in manifest} == {f"{n}.pdf" for n in names}

    handout.write_text((REPO / "content/handouts/depression.yaml").read_text())
    # the sheet is still too long
    assert run_cli(project, "build", "--jobs", "1", *names).code == 1
    assert not (out / ".rejected/handout-depression-letter-en.pdf").exists(), \
        "a document back within its budget leaves no rejected copy"
    assert (out / ".rejected/evidence-sheet-ptsd-letter-en.pdf").is_file()


def page_count(lines: list[str], paper: str) -> int:
    line = next(x for x in lines if f"({paper}, en)" in x)
    return int(line.split("runs to ")[1].split()[0])


def test_failed_build_leaves_out_untouched(minimal: Path) -> None:
    """A claim about the engine, on the minimal project (8 documents, not 48): a build that
    fails, on a file that does not parse and on a sheet over its budget, writes nothing."""
    assert run_cli(minimal, "build", "--jobs", "1").code == 0
    out = minimal / "out"
    before = outputs(out)
    edit(minimal / "content/handouts/ptsd.yaml", "\ncrisis: true", "\ncrisis: [true")
    overflow(minimal, "ptsd")
    result = run_cli(minimal, "build", "--jobs", "1")
    assert result.code == 1
    assert "error[yaml.syntax]" in result.stderr and "error[check.page-count]" in result.stderr
    assert "nothing written" in result.stdout
    assert outputs(out) == before


def outputs(out: Path) -> dict[str, bytes]:
    """Every file build writes into out/ (the render cache in out/.cache/ and the documents
    over their budget in out/.rejected/ are not outputs)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and not {".cache", ".rejected"} & set(p.relative_to(out).parts)}


def test_rebuild_is_byte_identical_and_partial_build_keeps_manifest(project: Path) -> None:
    sheets = ("evidence-sheet-anxiety-letter-en", "evidence-sheet-anxiety-a4-en")
    assert run_cli(project, "build", "--jobs", "1", *sheets).code == 0
    first = (project / "out/evidence-sheet-anxiety-letter-en.pdf").read_bytes()
    assert run_cli(project, "build", "--jobs", "1", "evidence-sheet-ptsd-a4-en").code == 0
    assert (project / "out/evidence-sheet-anxiety-letter-en.pdf").read_bytes() == first
    files = {e["file"] for e in json.loads((project / "out/manifest.json").read_text())["documents"]}
    assert files == {"evidence-sheet-anxiety-letter-en.pdf", "evidence-sheet-anxiety-a4-en.pdf",
                     "evidence-sheet-ptsd-a4-en.pdf"}
    assert not list((project / "out").glob(".*tmp")), "no temporary files left behind"


def test_full_build_removes_documents_it_no_longer_makes(project: Path) -> None:
    assert run_cli(project, "build", "--jobs", "1", "anxiety").code == 0
    edit(project / "content/documents.yaml", "subjects: all", "subjects: [ptsd]")
    assert run_cli(project, "build", "--jobs", "1").code == 0
    names = sorted(p.name for p in (project / "out").glob("evidence-sheet-*.pdf"))
    assert names == ["evidence-sheet-ptsd-a4-en.pdf", "evidence-sheet-ptsd-letter-en.pdf"]


def test_list_and_usage_errors(project: Path) -> None:
    listing = run_cli(project, "list")
    assert listing.code == 0
    assert "evidence-sheet-depression-letter-en.pdf\tevidence-sheet\tdepression\tletter\ten" \
        in listing.stdout
    unknown = run_cli(project, "build", "no-such-thing")
    assert unknown.code == 2
    assert "no document matches 'no-such-thing'" in unknown.stderr
    assert run_cli(project, "frobnicate").code == 2


def test_not_a_project(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "check")
    assert result.code == 2
    assert "no project here" in result.stderr


def test_python_dash_m_and_installed_script(project: Path) -> None:
    module = subprocess.run([sys.executable, "-m", "ketabrochure", "list"], cwd=project,
                            capture_output=True, text=True, check=False)
    assert module.returncode == 0 and "evidence-sheet-ptsd-a4-en.pdf" in module.stdout
    script = Path(sys.executable).parent / "ketabrochure"
    assert script.exists(), "the ketabrochure command is installed beside python"
    assert REPO.joinpath("README.md").is_file()


SPILL = {"page": 3, "lines": 12.5, "words": 90, "sections": [["Side effects", ["findings[2]"]]],
         "fields": {"findings[2]": 40}}
ADVICE = {**SPILL, "columns": [["Key points", 39.0, "Bottom line", 9.0, ["key_points[1]"],
                                ["bottom_line"]]],
          "costs": [["References", "item", 12, 1.5]], "saves": {"key_points[1]": 3.0}}


@pytest.mark.parametrize(("spill", "ok"), [
    (None, True),
    (SPILL, True),
    ({**SPILL, "lines": "12"}, False),
    ({**SPILL, "sections": [["Side effects", "findings[2]"]]}, False),
    ({**SPILL, "fields": {"findings[2]": -1}}, False),
    ({**SPILL, "extra": 1}, False),
    (ADVICE, True),
    ({**ADVICE, "columns": [["Key points", 39.0, "Bottom line", 9.0, ["key_points[1]"]]]}, False),
    ({**ADVICE, "costs": [["References", "item", -1, 1.5]]}, False),
    ({**ADVICE, "saves": {"key_points[1]": "3"}}, False),
])
def test_cache_entries_keep_what_runs_over_only_in_its_shape(spill: Any, ok: bool) -> None:
    entry = entry_from_json({"warnings": [], "files": {}, "pdf": None, "thumb": None,
                             "findings": {**Findings(3).to_json(), "spill": spill}})
    assert (entry is not None) == ok
    if entry is not None and spill is not None:
        found = entry.findings.spill
        # a spill from before the advice was measured reads with none
        assert found is not None and spill_to_json(found) == {
            "columns": [], "costs": [], "saves": {}, **spill}
