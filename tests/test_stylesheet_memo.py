"""Linked stylesheets parsed once per process (typeset.sheets): reused only while every file
they read is unchanged, recorded in each document's served files, their warnings kept per
document; real layouts with WeasyPrint, read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketabrochure.typeset import pdf, sheets

HTML = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>t</title>
<link rel="stylesheet" href="page.css"></head><body><p>{text}</p></body></html>"""
TEXT = {"en": "Ketamine is a medicine.", "es": "La ketamina es un medicamento."}


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir()
    (folder / "page.css").write_text('@import "size.css";\np { color: #333; widht: 3px }\n')
    (folder / "size.css").write_text("@page { size: 100mm 100mm }\n")
    sheets._PARSED.clear()
    return folder


def lay_out(folder: Path, lang: str) -> pdf.Typeset:
    result = pdf.typeset(HTML.format(lang=lang, text=TEXT[lang]), folder, (folder,))
    assert result.document is not None, result.problems
    return result


def width_mm(result: pdf.Typeset) -> float:
    assert result.document is not None
    return round(float(result.document.pages[0].width) * 25.4 / 96, 1)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_sheet_is_parsed_once_and_recorded_for_every_document(layouts: Path,
                                                                 lang: str) -> None:
    first, second = lay_out(layouts, lang), lay_out(layouts, lang)
    assert width_mm(first) == width_mm(second) == 100.0
    parsed = [p for p in sheets._PARSED.values() if p is not None]
    assert len(parsed) == 1 and parsed[0].imports and parsed[0].imports[0][0].endswith(
        "size.css")
    for result in (first, second):  # both files in each document's cache key
        assert {p.name for p in result.served} >= {"page.css", "size.css"}
        # the misspelt property is reported for each document, not only the first
        assert any("widht" in w for w in result.warnings), result.warnings


@pytest.mark.parametrize("changed", ["page.css", "size.css"])
def test_a_changed_sheet_or_import_is_parsed_again(layouts: Path, changed: str) -> None:
    assert width_mm(lay_out(layouts, "en")) == 100.0
    if changed == "page.css":
        (layouts / "page.css").write_text("@page { size: 150mm 100mm }\n")
    else:
        (layouts / "size.css").write_text("@page { size: 120mm 100mm }\n")
    again = lay_out(layouts, "es")
    assert width_mm(again) == (150.0 if changed == "page.css" else 120.0)
    assert width_mm(lay_out(layouts, "en")) == width_mm(again)


def test_a_sheet_that_declares_document_state_is_parsed_per_document(layouts: Path) -> None:
    """@counter-style lives in the document's counter styles: that sheet is not kept."""
    (layouts / "page.css").write_text(
        "@counter-style thumbs { system: cyclic; symbols: '*'; suffix: ' ' }\n"
        "@page { size: 90mm 100mm }\n")
    for lang in ("en", "es"):
        assert width_mm(lay_out(layouts, lang)) == 90.0
    assert list(sheets._PARSED.values()) == [None]


def test_a_refused_sheet_still_refuses_the_document(layouts: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.css"
    outside.write_text("p { color: red }\n")
    html = HTML.replace('href="page.css"', f'href="{outside.as_uri()}"')
    for _ in range(2):
        result = pdf.typeset(html.format(lang="en", text="x"), layouts, (layouts,))
        assert result.document is None and any("elsewhere.css" in p for p in result.problems)
