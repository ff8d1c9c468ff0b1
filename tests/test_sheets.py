"""The built evidence sheets, read back from real PDFs."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pypdf
import pytest

CONDITIONS = ("anxiety", "chronic-pain", "depression", "ketamine-assisted-psychotherapy", "ptsd",
              "suicidal-ideation")
PAPER_POINTS = {"letter": (612, 792), "a4": (595.28, 841.89)}


def sheet(built: Path, condition: str, paper: str) -> Path:
    return built / "out" / f"evidence-sheet-{condition}-{paper}-en.pdf"


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages)


@pytest.mark.parametrize("paper", PAPER_POINTS)
@pytest.mark.parametrize("condition", CONDITIONS)
def test_one_page_of_the_right_size(built: Path, condition: str, paper: str) -> None:
    reader = pypdf.PdfReader(sheet(built, condition, paper))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(PAPER_POINTS[paper], abs=0.5)


@pytest.mark.parametrize(("condition", "numbers"), [
    ("depression", ["55.4%", "41.2%", "70.8%", "18 days", "26%", "15%"]),
    ("suicidal-ideation", ["4.96", "55%", "30%", "88%", "33%"]),
    ("ptsd", ["12.7", "11.88", "67%", "20%", "158"]),
    ("anxiety", ["p = 0.01", "p = 0.95", "18", "12"]),
    ("chronic-pain", ["1.83", "211"]),
    ("ketamine-assisted-psychotherapy", ["17", "603"]),
])
def test_key_numbers_are_printed(built: Path, condition: str, numbers: list[str]) -> None:
    text = text_of(sheet(built, condition, "letter")).replace("\u2212", "-")
    for number in numbers:
        assert number in text, f"{number} missing from the {condition} sheet"


def test_references_doi_and_off_label(built: Path) -> None:
    text = text_of(sheet(built, "depression", "letter"))
    assert "doi:10.1056/NEJMoa2302399" in text.replace("doi: ", "doi:")
    assert "Anand A, Mathew SJ, Sanacora G, et al." in text
    assert "N Engl J Med. 2023;388(25):2315-2325." in text
    for condition in CONDITIONS:
        assert "off-label" in text_of(sheet(built, condition, "a4")).lower()


def test_animal_and_mechanism_studies_are_labelled(built: Path) -> None:
    text = text_of(sheet(built, "depression", "letter"))
    assert "Animal study (mouse)" in text
    assert "Mechanism study, not evidence of benefit" in text


def test_tagged_pdf_with_metadata(built: Path) -> None:
    reader = pypdf.PdfReader(sheet(built, "ptsd", "letter"))
    root = reader.root_object
    assert "/StructTreeRoot" in root
    mark_info = root["/MarkInfo"]
    assert isinstance(mark_info, pypdf.generic.DictionaryObject) and mark_info["/Marked"]
    assert str(root["/Lang"]) == "en"
    info = reader.metadata
    assert info is not None and info.title is not None
    assert (info.title and "PTSD" in info.title.upper()) or "POSTTRAUMATIC" in info.title.upper()
    assert info.author == "Northside Ketamine Clinic"
    assert info.subject


def test_only_vendored_fonts_are_embedded(built: Path) -> None:
    listing = subprocess.run(["pdffonts", sheet(built, "depression", "a4")],
                             capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows
    for row in rows:
        assert "+Atkinson-Hyperlegible" in row.split()[0], row
        assert " yes yes " in row, f"font not embedded and subset: {row}"


def test_manifest_lists_every_pdf_with_its_hash(built: Path) -> None:
    manifest = json.loads((built / "out/manifest.json").read_text())
    entries = manifest["documents"]
    assert len([e for e in entries if e["layout"] == "evidence-sheet"]) == 2 * len(CONDITIONS)
    for entry in entries:
        assert set(entry) >= {"file", "layout", "subject", "paper", "language", "pages", "sha256"}
        data = (built / "out" / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["pages"] == len(pypdf.PdfReader(built / "out" / entry["file"]).pages)
