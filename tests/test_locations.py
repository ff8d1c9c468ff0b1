"""Clinic locations: each patient document once per location, with that location's contact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
from helpers import LOCATIONS, copy_project, decode_qr, edit, patient_project, run_cli, seed_cache


def text(path: Path) -> str:
    return " ".join(pypdf.PdfReader(path).pages[0].extract_text().split())


def test_patient_documents_are_made_per_location(tmp_path: Path, built: Path) -> None:
    root = patient_project(tmp_path / "p", built)
    result = run_cli(root, "build", "--jobs", "2")
    assert result.code == 0, result.stderr
    handouts = sorted(p.name for p in (root / "out").glob("test-handout-*.pdf"))
    assert handouts == [f"test-handout-{c}-letter-en-{w}.pdf" for c in ("anxiety", "ptsd")
                        for w in ("downtown", "eastside")]
    assert len(list((root / "out").glob("evidence-sheet-*.pdf"))) == 12, "physician: one each"
    east = text(root / "out/test-handout-ptsd-letter-en-eastside.pdf")
    assert "Northside Eastside" in east and "(503) 555-0199" in east and "0142" not in east
    assert "book/eastside" in east
    edit(root / "content/clinic.yaml", "(503) 555-0199", "(503) 555-0100")
    again = run_cli(root, "build", "--jobs", "1")
    assert "(2 rendered, " in again.stdout, again.stdout  # only the eastside handouts
    assert "(503) 555-0100" in text(root / "out/test-handout-anxiety-letter-en-eastside.pdf")


def test_without_locations_a_patient_document_uses_the_clinic_contact(tmp_path: Path, built: Path) -> None:
    root = patient_project(tmp_path / "p", built)
    clinic = root / "content/clinic.yaml"
    clinic.write_text(clinic.read_text().split("\nlocations:")[0] + "\n")
    assert run_cli(root, "build", "--jobs", "1", "test-handout").code == 0
    assert "(503) 555-0142" in text(root / "out/test-handout-ptsd-letter-en.pdf")


def test_location_errors_are_located(tmp_path: Path, built: Path) -> None:
    root = patient_project(tmp_path / "p", built)
    edit(root / "content/clinic.yaml", "id: eastside", "id: Downtown")
    edit(root / "content/clinic.yaml", "book/downtown", "book/downtown x")
    result = run_cli(root, "check", "--jobs", "1")
    assert result.code == 1
    assert "content/clinic.yaml:" in result.stderr and "error[content.id]" in result.stderr
    assert "error[content.url]: locations[1].booking_url" in result.stderr
    shutil.rmtree(root)


def test_real_handout_and_brochure_carry_each_locations_contact_and_qr(tmp_path: Path, built: Path) -> None:

    root = seed_cache(built, copy_project(tmp_path / "p"))
    with (root / "content/clinic.yaml").open("a") as handle:
        handle.write(LOCATIONS)
    names = ["handout-ptsd-letter-es-eastside", "trifold-what-is-ketamine-therapy-letter-en-downtown"]
    result = run_cli(root, "build", "--jobs", "1", *names)
    assert result.code == 0, result.stderr
    handout = root / "out/handout-ptsd-letter-es-eastside.pdf"
    reader = pypdf.PdfReader(handout)
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "Northside Eastside" in last and "(503) 555-0199" in last
    (code,) = decode_qr(handout, len(reader.pages) - 1)
    assert code.text == "https://northside-ketamine.example/book/eastside"
    brochure = root / "out/trifold-what-is-ketamine-therapy-letter-en-downtown.pdf"
    (code,) = decode_qr(brochure, 0)
    assert code.text == "https://northside-ketamine.example/book/downtown"


def test_a_location_without_web_addresses_sends_patients_to_the_clinic_page(
        tmp_path: Path, built: Path) -> None:

    root = seed_cache(built, copy_project(tmp_path / "p"))
    own_url = "    booking_url: https://northside-ketamine.example/book/eastside\n"
    with (root / "content/clinic.yaml").open("a") as handle:
        handle.write(LOCATIONS.replace(own_url, ""))
    name = "handout-ptsd-letter-en-eastside"
    result = run_cli(root, "build", "--jobs", "1", name)
    assert result.code == 0, result.stderr
    handout = root / f"out/{name}.pdf"
    reader = pypdf.PdfReader(handout)
    assert "Northside Eastside" in " ".join(reader.pages[-1].extract_text().split())
    (code,) = decode_qr(handout, len(reader.pages) - 1)
    assert code.text == "https://northside-ketamine.example/refer"
