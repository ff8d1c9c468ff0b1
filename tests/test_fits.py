"""fits.json: an alternative measured not to fit (an evidence sheet's chart version) is not laid
out again while its HTML, files, options and code are unchanged; every PDF stays the one a run
without the file makes, and a missing, stale or wrong entry falls back to trying them all."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import WITH_DEPRESSION, copy_minimal, real_files, run_cli

from ketabrochure.build import fits as fits_module
from ketabrochure.pages import Known, PageBudget, Part
from ketabrochure.typeset import jobs, pdf

SHEET = "evidence-sheet-depression-letter-en"  # its chart version runs to 2 pages of 1


def project(tmp_path: Path) -> Path:
    """The minimal project with the default content's depression condition and studies: the
    sheet, without the 71 files of the default content to read at each build."""
    return real_files(copy_minimal(tmp_path / "project"), *WITH_DEPRESSION)


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The page count of every WeasyPrint layout made through typeset.pdf.typeset."""
    counted: list[int] = []
    real = pdf.typeset

    def typeset(*args: Any, **kwargs: Any) -> pdf.Typeset:
        result = real(*args, **kwargs)
        counted.append(result.pages)
        return result
    monkeypatch.setattr(pdf, "typeset", typeset)
    return counted


def build_sheet(root: Path, *options: str) -> bytes:
    shutil.rmtree(root / "out", ignore_errors=True)  # cold: no render cache
    result = run_cli(root, "build", "--jobs", "1", *options, SHEET)
    assert result.code == 0, result.stderr + result.stdout
    return (root / "out" / f"{SHEET}.pdf").read_bytes()


def entries(root: Path) -> dict[str, Any]:
    data = json.loads((root / fits_module.FILE).read_text())
    assert data["format"] == fits_module.FORMAT
    found: dict[str, Any] = data["fits"]
    return found


def rewrite(root: Path, change: Any) -> None:
    path = root / fits_module.FILE
    data = json.loads(path.read_text())
    for entry in data["fits"].values():
        change(entry)
    path.write_text(json.dumps(data))


def test_a_measured_chart_is_not_laid_out_again(tmp_path: Path, layouts: list[int]) -> None:
    root = project(tmp_path)
    first = build_sheet(root)
    assert layouts == [2, 1]  # the chart version, dropped; then the one kept
    (entry,) = entries(root).values()
    assert entry["pages"] == 2
    assert "layouts/evidence-sheet/style.css" in entry["files"]

    layouts.clear()
    assert build_sheet(root) == first  # the same bytes from one layout
    assert layouts == [1]

    layouts.clear()  # --no-cache reads no measurement: every alternative again
    assert build_sheet(root, "--no-cache") == first and layouts == [2, 1]


def test_a_stale_or_wrong_entry_falls_back_to_trying_each(tmp_path: Path,
                                                          layouts: list[int]) -> None:
    root = project(tmp_path)
    first = build_sheet(root)
    saved = (root / fits_module.FILE).read_text()

    def changed_file(entry: dict[str, Any]) -> None:  # a stylesheet edited since
        entry["files"]["layouts/evidence-sheet/style.css"] = "0" * 64

    def fits_after_all(entry: dict[str, Any]) -> None:  # a count the budget allows
        entry["pages"] = 1

    for change in (changed_file, fits_after_all, lambda e: e.clear()):
        rewrite(root, change)
        layouts.clear()
        assert build_sheet(root) == first
        assert layouts == [2, 1]
        assert (root / fits_module.FILE).read_text() == saved  # measured again, mended

    (root / fits_module.FILE).write_text("{not json")
    layouts.clear()
    assert build_sheet(root) == first and layouts == [2, 1]


def test_an_edited_stylesheet_is_measured_again(tmp_path: Path, layouts: list[int]) -> None:
    root = project(tmp_path)
    build_sheet(root)
    (old,) = entries(root)
    style = root / "layouts" / "evidence-sheet" / "style.css"
    style.write_text(style.read_text() + "\n/* an edit */\n")
    layouts.clear()
    build_sheet(root)
    assert layouts == [2, 1]
    assert list(entries(root)) == [old]  # the same key: HTML, folder, options and code
    digest = hashlib.sha256(style.read_bytes()).hexdigest()
    assert entries(root)[old]["files"]["layouts/evidence-sheet/style.css"] == digest


def test_fit_skips_only_an_alternative_known_not_to_fit(tmp_path: Path) -> None:
    """typeset.jobs.fit on HTML written here: two pages, then one; the budget one page."""
    page = "<p style='break-after: page'>Seite eins.</p>"
    long, short = (f"<html lang='de'><body>{page * n}<p>Ende.</p></body></html>"
                   for n in (1, 0))
    part = Part((long, short), PageBudget(exactly=1), tmp_path)
    allowed = (tmp_path,)
    fresh, dropped = jobs.fit(part, allowed)
    assert fresh.pages == 1 and [(i, pages) for i, pages, _ in dropped] == [(0, 2)]
    for known, expect in ((Known(2, ()), []), (Known(1, ()), [(0, 2)])):
        again, tried = jobs.fit(Part(part.htmls, part.budget, tmp_path, (known, None)),
                                allowed)
        assert [(i, pages) for i, pages, _ in tried] == expect
        assert pdf.pdf_bytes(again) == pdf.pdf_bytes(fresh)
    # the last alternative is laid out whatever is known of it
    last, _ = jobs.fit(Part(part.htmls, part.budget, tmp_path, (None, Known(9, ()))),
                       allowed)
    assert last.pages == 1
