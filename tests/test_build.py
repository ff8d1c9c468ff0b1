"""build and check end to end: page budgets, atomic writes, reproducible bytes, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO, edit, run_cli, tree


def overflow(project: Path, condition: str = "ptsd") -> None:
    """Make a sheet far too long: the bottom line repeated many times."""
    path = project / f"content/conditions/{condition}.yaml"
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("bottom_line:"):
            text = line.split(":", 1)[1].strip().strip('"')
            lines[i] = f'bottom_line: "{" ".join([text] * 8)}"'
    path.write_text("\n".join(lines) + "\n")


def test_overflowing_sheet_fails_check_with_located_message(project: Path) -> None:
    overflow(project)
    cache = tree(project / "out")
    result = run_cli(project, "check")
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if "check.page-count" in line]
    assert sorted(lines) == [
        "content/conditions/ptsd.yaml:1:1: error[check.page-count]: evidence-sheet ptsd "
        f"({paper}, en): runs to {page_count(lines, paper)} pages; its budget is exactly 1"
        for paper in ("a4", "letter")
    ]
    assert all(page_count(lines, paper) > 1 for paper in ("a4", "letter"))
    assert "FAIL evidence-sheet-ptsd-letter-en.pdf" in result.stdout
    after = tree(project / "out")
    assert {k: v for k, v in after.items() if not k.startswith(".cache/")} == \
        {k: v for k, v in cache.items() if not k.startswith(".cache/")} == {}, \
        "check writes nothing into out/ but its render cache"


def page_count(lines: list[str], paper: str) -> int:
    line = next(x for x in lines if f"({paper}, en)" in x)
    return int(line.split("runs to ")[1].split()[0])


def test_failed_build_leaves_out_untouched(project: Path) -> None:
    assert run_cli(project, "build", "anxiety").code == 0
    out = project / "out"
    before = outputs(out)
    edit(project / "content/conditions/anxiety.yaml", "importance:", "importance: [")
    overflow(project, "ptsd")
    result = run_cli(project, "build")
    assert result.code == 1
    assert "nothing written" in result.stdout
    assert outputs(out) == before


def outputs(out: Path) -> dict[str, bytes]:
    """Every file build writes into out/ (the render cache in out/.cache/ is not an output)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and ".cache" not in p.relative_to(out).parts}


def test_rebuild_is_byte_identical_and_partial_build_keeps_manifest(project: Path) -> None:
    sheets = ("evidence-sheet-anxiety-letter-en", "evidence-sheet-anxiety-a4-en")
    assert run_cli(project, "build", *sheets).code == 0
    first = (project / "out/evidence-sheet-anxiety-letter-en.pdf").read_bytes()
    assert run_cli(project, "build", "evidence-sheet-ptsd-a4-en").code == 0
    assert (project / "out/evidence-sheet-anxiety-letter-en.pdf").read_bytes() == first
    files = {e["file"] for e in json.loads((project / "out/manifest.json").read_text())["documents"]}
    assert files == {"evidence-sheet-anxiety-letter-en.pdf", "evidence-sheet-anxiety-a4-en.pdf",
                     "evidence-sheet-ptsd-a4-en.pdf"}
    assert not list((project / "out").glob(".*tmp")), "no temporary files left behind"


def test_full_build_removes_documents_it_no_longer_makes(project: Path) -> None:
    assert run_cli(project, "build", "anxiety").code == 0
    edit(project / "content/documents.yaml", "subjects: all", "subjects: [ptsd]")
    assert run_cli(project, "build").code == 0
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
