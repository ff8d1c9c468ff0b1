"""Content rules that keep the PDFs honest, each reported at its YAML line."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import diagnostics, edit, line_of, run_cli


def codes(project: Path) -> dict[str, dict[str, str]]:
    """The problems `check` finds, checking one document (from the cache): the content rules
    cover all content whichever documents are named."""
    result = run_cli(project, "check", "evidence-sheet-ptsd-letter-en")
    assert result.code == 1, result.stdout
    return {d["code"]: d for d in diagnostics(result.stderr)}


def test_character_the_fonts_lack_is_located(minimal: Path) -> None:
    # on the minimal project: the PTSD files as in the real content, 8 documents, not 48
    ptsd = minimal / "content/conditions/ptsd.yaml"
    edit(ptsd, "Evidence is mixed,", "Evidence is mixed ≥ thin,")
    found = codes(minimal)["content.glyph"]
    assert found["path"] == "content/conditions/ptsd.yaml"
    assert int(found["line"]) == line_of(ptsd, "≥ thin")
    assert found["where"] == "bottom_line"
    assert "GREATER-THAN OR EQUAL TO" in found["msg"]


def test_key_point_citing_an_animal_study_must_say_so(project: Path) -> None:
    depression = project / "content/conditions/depression.yaml"
    text = depression.read_text()
    depression.write_text(re.sub(r"cites: \[anand2023\]", "cites: [anand2023, zhang2014]", text))
    found = codes(project)["content.preclinical"]
    assert found["path"] == "content/conditions/depression.yaml"
    assert "animal study" in found["msg"]


def test_study_without_confirmed_result_cannot_be_in_a_table(project: Path) -> None:
    ptsd = project / "content/conditions/ptsd.yaml"
    edit(ptsd, "evidence: [feder2014,", "evidence: [nikolin2023, feder2014,")
    found = codes(project)["content.no-result"]
    assert int(found["line"]) == line_of(ptsd, "evidence: [nikolin2023")
    assert "nikolin2023" in found["msg"]


def test_uncited_key_point(minimal: Path) -> None:
    # on the minimal project: the claim holds for any condition; 8 documents, not 48
    ptsd = minimal / "content/conditions/ptsd.yaml"
    edit(ptsd, "cites: [feder2014]", "cites: []")
    assert codes(minimal)["content.uncited"]["path"] == "content/conditions/ptsd.yaml"


