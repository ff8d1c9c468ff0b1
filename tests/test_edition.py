""""What changed in this edition" (physician/edition.py): `approve` keeps the edition's
studies, grades and key numbers in content/editions/<edition>.yaml; the next edition's report
and referral letter print what changed since, read back from the PDFs. No git history needed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import (
    SIGNED_ON,
    copy_minimal,
    copy_project,
    edit,
    run_cli,
    seed_cache,
    sign_off_and_build,
)
from pypdf import PdfReader

from ketabrochure import layouts
from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.kinds import FILTERS, kind_of
from ketabrochure.review.text import sentences
from ketabrochure.review.xliff import styled
from ketabrochure.site.shelf import index_html

pytestmark = pytest.mark.xdist_group("test_edition")
SNAPSHOT = "content/editions/2026.11.yaml"


def pdf_lines(path: Path) -> list[str]:
    """A PDF's text lines, as poppler reads them back."""
    done = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True)
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def signed_built(tmp_path_factory: pytest.TempPathFactory, built_signed: Path) -> Path:
    """The minimal project, edition 2026.11 signed off (no git repository: none is needed),
    built once, so that each test's `check` takes what it does not change from the cache
    (seeded from the session's signed build, made the same way: the sign-offs print in every
    footer, and nothing of the unsigned session builds' caches applies)."""
    root = seed_cache(built_signed, copy_minimal(tmp_path_factory.mktemp("signed") / "project"))
    assert f"{SNAPSHOT}: kept" in sign_off_and_build(root).stdout
    return root


@pytest.fixture
def signed(signed_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the signed project (its out/ and render cache too), on the sign-off's day."""
    monkeypatch.setenv("KETABROCHURE_TODAY", SIGNED_ON)
    root = tmp_path / "project"
    shutil.copytree(signed_built, root, symlinks=True)
    return root


def next_edition(root: Path) -> None:
    """Edition 2027.05: Feder 2014's n corrected, a PTSD grade raised, a new study on file."""
    edit(root / "content/documents.yaml", 'edition: "2026.11"', 'edition: "2027.05"')
    edit(root / "content/studies/feder2014.yaml", "  value: 41", "  value: 42")
    edit(root / "content/conditions/ptsd.yaml", "trial of 41 adults", "trial of 42 adults")
    ptsd = root / "content/conditions/ptsd.yaml"
    ptsd.write_text("\n".join(line for line in ptsd.read_text().splitlines()
                              if "inconsistency: {by: -1" not in line) + "\n")
    study = (root / "content/studies/feder2014.yaml").read_text()
    new = (study.replace("year: 2014", "year: 2025").replace("  value: 42", "  value: 64")
           .replace("Feder A", "Quinn B"))
    new = re.sub(r'doi: "[^"]+"', 'doi: "10.1000/quinn.2025.1"', new)
    new = re.sub(r'pmid: "[^"]+"', 'pmid: "40000001"', new)
    (root / "content/studies/quinn2025.yaml").write_text(new)


def test_first_edition_says_so_and_snapshot_holds_the_records(signed: Path) -> None:
    snapshot = yaml.safe_load((signed / SNAPSHOT).read_text())
    assert snapshot["edition"] == "2026.11"
    assert snapshot["studies"]["feder2014"] == {"label": "Feder 2014", "n": 41}
    assert snapshot["studies"]["feder2021"]["rates"]  # its response rates, by measure
    assert snapshot["grades"]["ptsd"][
        "PTSD symptoms 1 day to 2 weeks after ketamine, vs placebo"] == "very low"
    report = (signed / "content/approved/report-research-en.txt").read_text()
    assert "this is the first edition; there is no earlier one to compare with." in report
    letter = (signed / "content/approved/referral-packet-sample-en.txt").read_text()
    assert "Since edition" not in letter and "What changed" not in letter
    again = run_cli(signed, "approve", "--by", "Dr. Maya Okafor")
    assert again.code == 0 and "kept" not in again.stdout  # the same records: unchanged


def test_next_edition_prints_exactly_what_changed(signed: Path) -> None:
    next_edition(signed)
    built = run_cli(signed, "build", "report", "referral-packet", "--jobs", "1")
    assert built.code == 0, built.stderr + built.stdout
    report = pdf_lines(signed / "out/report-research-letter-en.pdf")
    start = report.index("WHAT CHANGED IN THIS EDITION")
    assert report[start + 1:report.index("", start)] == [
        "Since edition 2026.11:",
        "• New study: Quinn 2025 (n = 64).",
        "• Certainty, PTSD: PTSD symptoms 1 day to 2 weeks after ketamine, vs placebo, "
        "VERY LOW → LOW.",
        "• Feder 2014, n: 41 → 42."]
    packet = PdfReader(signed / "out/referral-packet-sample-letter-en.pdf")
    letter = re.sub(r"\s+", " ", packet.pages[0].extract_text())
    assert "What changed since edition 2026.11:" in letter  # the letter's first page
    assert ("PTSD, PTSD symptoms 1 day to 2 weeks after ketamine, vs placebo: certainty "
            "VERY LOW → LOW. Feder 2014, n: 41 → 42.") in letter
    assert "Quinn 2025" not in letter  # the PTSD sheet does not cite it
    assert "Kind regards" in letter  # still one page: the letter ends on it
    # each printed number is traced to its record, as `diff` and out/claims.json trace them
    shown = run_cli(signed, "diff", "report", "--format", "json")
    assert shown.code == 0, shown.stderr
    added = {x["after"]: x for d in json.loads(shown.stdout)["documents"]
             for x in d["sentences"]}
    n_line = next(i for i, text in enumerate(
        (signed / "content/studies/feder2014.yaml").read_text().splitlines(), 1)
        if text == "  value: 42")
    traced = added["Feder 2014, n: 41 → 42."]
    assert (traced["path"], traced["line"], traced["study"]) == (
        "content/studies/feder2014.yaml", n_line, "feder2014")
    assert "42" in traced["numbers_after"]


def test_a_hand_typed_number_in_the_snapshot_is_refused(signed: Path) -> None:
    path = signed / SNAPSHOT
    edit(path, "n: 41", "n: 40")
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1)
                if text.startswith("digest:"))
    checked = run_cli(signed, "check", "--jobs", "1")
    assert checked.code == 1
    assert f"{SNAPSHOT}:{line}:9: error[edition.snapshot]" in checked.stderr
    assert "edited by hand" in checked.stderr and "Traceback" not in checked.stderr


def test_a_snapshot_under_another_name_is_refused(signed: Path) -> None:
    shutil.copy(signed / SNAPSHOT, signed / "content/editions/2026.12.yaml")
    checked = run_cli(signed, "check", "--jobs", "1")
    assert checked.code == 1
    assert "content/editions/2026.12.yaml:" in checked.stderr
    assert "it must be 2026.11.yaml" in checked.stderr


def test_a_sign_off_of_a_document_no_longer_made_is_reported_and_pruned(signed: Path) -> None:
    edit(signed / "content/documents.yaml", "    language: es\n    variants: [print-shop]\n"
         "    pages: {maximum: 2}\n", "    language: en\n    pages: {maximum: 2}\n")
    ledger = signed / "content/approvals.yaml"
    entry = ledger.read_text().splitlines().index("  handout-ptsd-es:") + 2  # its first field
    checked = run_cli(signed, "check", "--jobs", "1", "evidence-sheet-ptsd-letter-en")
    assert checked.code == 0, checked.stderr  # a warning: nothing printed is wrong
    warned = [line for line in checked.stderr.splitlines() if "[review.unplanned]" in line]
    assert warned == [line for line in warned if "handout-ptsd-es" in line] and len(warned) == 1
    assert warned[0].startswith(f"content/approvals.yaml:{entry}:5: warning[review.unplanned]: "
                                "handout-ptsd-es: is signed off (Dr. Maya Okafor, 2026-12-01)")
    assert "ketabrochure approve --prune" in warned[0]
    assert run_cli(signed, "check", "--jobs", "1", "--strict",
                   "evidence-sheet-ptsd-letter-en").code == 3

    pruned = run_cli(signed, "approve", "--prune", "--by", "Dr. Maya Okafor")
    assert pruned.code == 0, pruned.stderr
    assert "handout-ptsd-es: sign-off removed" in pruned.stdout
    assert "handout-ptsd-es" not in yaml.safe_load(ledger.read_text())["documents"]
    assert not list((signed / "content/approved").glob("handout-ptsd-es*"))
    assert (signed / "content/approved/handout-ptsd-en.txt").is_file()  # others kept
    again = run_cli(signed, "check", "--jobs", "1", "evidence-sheet-ptsd-letter-en")
    assert "review.unplanned" not in again.stderr


def test_the_shelf_links_the_review_page_only_where_there_is_one() -> None:
    entries = [{"file": "x.pdf", "layout": "handout", "subject": "ptsd", "paper": "letter",
                "language": "en", "variant": "office", "pages": 2, "audience": "patient",
                "title": "Ketamine for PTSD", "subject_name": "PTSD", "shelf": "patients",
                "about": "condition", "conditions": ["ptsd"], "duplex": "long-edge"}]
    without, linked = index_html(entries), index_html(entries, review=True)
    assert "review.html" not in without
    footer = linked.split("<footer>", 1)[1].split("</footer>", 1)[0]
    assert '<a href="review.html">' in footer and "medical director" in footer
    assert "web/index.html" not in footer  # the web edition's link only with it


def test_xliff_import_keeps_each_value_s_quoting_style(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "project")
    handout = root / "content/handouts/ptsd.yaml"
    edit(handout, 'title: {en: "Ketamine for PTSD", es: "Ketamina para el TEPT"}',
         "title: {en: \"Ketamine for PTSD\", es: 'Ketamina para el TEPT'}")
    edit(handout, '  es: "Los médicos usan la ketamina', "  es: Los médicos usan la ketamina")
    edit(handout, 'No está aprobada para tratar el TEPT."', "No está aprobada para tratar el TEPT.")
    exported = run_cli(root, "xliff-export", "--output", str(tmp_path / "es.xlf"))
    assert exported.code == 0, exported.stderr
    text = (tmp_path / "es.xlf").read_text()
    for old, new in (("Ketamina para el TEPT<", "La ketamina y el 'TEPT'<"),
                     ("No está aprobada para tratar el TEPT.<", "No está aprobada para el TEPT.<"),
                     ("Puede tener pesadillas", "Puede tener: pesadillas")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (tmp_path / "es.xlf").write_text(text)
    done = run_cli(root, "xliff-import", str(tmp_path / "es.xlf"), "--by", "Lucía Herrera",
                   "--qualification", "ATA-certified")
    assert done.code == 0, done.stderr
    lines = handout.read_text()
    assert "es: 'La ketamina y el ''TEPT'''}" in lines  # single-quoted stays so
    assert "  es: Los médicos usan la ketamina" in lines  # plain stays plain
    assert lines.count("No está aprobada para el TEPT.\n") == 1
    assert '  es: "El trastorno de estrés' in lines and "Puede tener: pesadillas" in lines
    assert yaml.safe_load(lines)["title"]["es"] == "La ketamina y el 'TEPT'"
    again = run_cli(root, "xliff-export").stdout
    assert "La ketamina y el 'TEPT'" in again and "No está aprobada para el TEPT." in again


def test_a_value_its_style_cannot_hold_is_double_quoted() -> None:
    assert styled("Plano", "Sí: con dos puntos") == '"Sí: con dos puntos"'  # a mapping
    assert styled("Plano", "sí") == "sí" and styled("Plano", "true") == '"true"'  # a boolean
    assert styled("Plano", "dosis, dos") == '"dosis, dos"'  # could end a flow mapping
    assert styled("'Citado'", "dos\nlíneas") == '"dos\\nlíneas"'
    assert styled('"Doble"', "It's") == '"It\'s"'
    assert styled(">\n  Bloque\n", "Nuevo") == '"Nuevo"'


def letter_texts(root: Path, layout: str = "referral-packet") -> list[str]:
    """The referral letter's (or a layout's) alternatives, fullest first, as printed text (the
    typesetter keeps the first that fits on the letter's one page)."""
    project, documents = load(root, Diagnostics())
    assert project is not None
    packet = next(d for d in documents if d.layout.name == layout)
    htmls = kind_of(packet).alternatives(packet, project, layouts.environment(root, FILTERS),
                                         Diagnostics())
    assert htmls is not None
    return [" ".join(s.text for s in sentences(html)) for html in htmls]


def test_the_letter_counts_the_changes_where_the_list_does_not_fit(signed: Path) -> None:
    edit(signed / "content/documents.yaml", 'edition: "2026.11"', 'edition: "2027.05"')
    (same,) = letter_texts(signed)  # nothing changed: one sentence, no list to fall back from
    assert "Since edition 2026.11: no change for these conditions." in same
    assert "What changed since" not in same
    (report,) = letter_texts(signed, "report")
    assert ("What changed in this edition Since edition 2026.11: no new study, no changed "
            "certainty and no changed key number.") in report
    edit(signed / "content/documents.yaml", 'edition: "2027.05"', 'edition: "2026.11"')
    next_edition(signed)
    full, counted = letter_texts(signed)
    assert "What changed since edition 2026.11: PTSD, PTSD symptoms" in full
    assert ("Since edition 2026.11: 1 changed certainty, 1 changed key number, listed in the "
            "research report.") in counted
    assert "What changed since" not in counted and "41 → 42" not in counted


def test_the_sample_letter_stays_on_one_page_with_the_changes(tmp_path: Path) -> None:
    """The default content's two-condition letter, a full page already: the changes since
    2026.11 (its committed snapshot) are said on it, and it still fits (the build's page
    check fails a letter of two pages)."""
    root = copy_project(tmp_path / "project")
    edit(root / "content/documents.yaml", 'edition: "2026.11"', 'edition: "2027.05"')
    edit(root / "content/studies/berman2000.yaml", "  value: 7\n", "  value: 9\n")
    built = run_cli(root, "build", "referral-packet", "--jobs", "1")
    assert built.code == 0, built.stderr + built.stdout
    packet = PdfReader(root / "out/referral-packet-sample-letter-en.pdf")
    letter = re.sub(r"\s+", " ", packet.pages[0].extract_text())
    assert "Since edition 2026.11" in letter or "What changed since edition 2026.11" in letter
    assert "Berman 2000, n: 7 → 9." in letter or "1 changed key number" in letter
    assert "Kind regards" in letter and "evidence sheets · Edition 2027.05" in letter
