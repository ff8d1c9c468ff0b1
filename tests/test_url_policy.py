"""WeasyPrint may read data: URLs and files under layouts/, assets/ and content/ only."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit, run_cli

TEMPLATE = "layouts/evidence-sheet/sheet.html.j2"


@pytest.mark.parametrize(("tag", "refused"), [
    ('<img src="file:///etc/hostname" alt="x">', "file:///etc/hostname"),
    ('<img src="../../../outside.png" alt="x">', "outside.png"),
    ('<link rel="stylesheet" href="https://example.com/x.css">', "https://example.com/x.css"),
    ('<img src="http://127.0.0.1:9/x.png" alt="x">', "http://127.0.0.1:9/x.png"),
])
def test_outside_resources_are_refused(minimal: Path, tag: str, refused: str) -> None:
    """On the minimal project: the rule is WeasyPrint's URL fetcher's, whatever the content
    (one evidence sheet and the packet enclosing it typeset again, not twelve sheets)."""
    (minimal.parent / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    edit(minimal / TEMPLATE, '<header class="masthead">', tag + '<header class="masthead">')
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if "pdf.url-policy" in line]
    assert lines and all(refused in line for line in lines), result.stderr
    assert lines[0].startswith("layouts/evidence-sheet/layout.yaml:1:1: error[pdf.url-policy]:")


def test_symlink_out_of_the_project_is_refused(minimal: Path) -> None:
    (minimal / "assets/escape.txt").symlink_to("/etc/hostname")
    edit(minimal / TEMPLATE, '<header class="masthead">',
         '<img src="../../assets/escape.txt" alt="x"><header class="masthead">')
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1
    assert "escape.txt" in result.stderr and "outside the project" in result.stderr


def test_attachments_are_refused(minimal: Path) -> None:
    """In the template every layout extends: the minimal project (one document of each
    layout) checks all of them at a sixth of the cost."""
    edit(minimal / "layouts/_shared/base.html.j2", "<title>",
         '<link rel="attachment" href="../../content/clinic.yaml"><title>')
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1
    assert "attachment" in result.stderr


def test_yaml_text_is_escaped(minimal: Path) -> None:
    """On the minimal project: the escaping is the templates', whatever the content."""
    edit(minimal / "content/clinic.yaml", "name: Northside Ketamine Clinic",
         'name: "<img src=\'file:///x\'>N & Co"')  # no longer than the name: the footer
    # stays two lines (a longer one would reach the office printer's band: check.margin)
    result = run_cli(minimal, "build", "evidence-sheet-ptsd-letter-en")
    assert result.code == 0, result.stderr
    import pypdf
    text = pypdf.PdfReader(minimal / "out/evidence-sheet-ptsd-letter-en.pdf").pages[0].extract_text()
    assert "<img src='file:///x'>N & Co" in " ".join(text.split())
