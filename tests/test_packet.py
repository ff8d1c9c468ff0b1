"""Referral packets: the letter first, then each requested evidence sheet; names stay plain text."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import yaml
from helpers import edit, run_cli, tree


def title(root: Path, condition: str) -> str:
    """A sheet's heading: the condition's title, read from its YAML."""
    heading: str = yaml.safe_load((root / f"content/conditions/{condition}.yaml").read_text())["title"]
    return heading


def texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


def test_sample_packet_is_letter_then_sheets(built: Path) -> None:
    path = built / "out/referral-packet-sample-letter-en.pdf"
    pages = texts(path)
    assert len(pages) == 3
    letter = pages[0]
    for part in ("27 November 2026", "Dr. Ana Ruiz", "Riverside Family Medicine",
                 "Dear Dr. Ana Ruiz,", "https://northside-ketamine.example/refer", "(503) 555-0142",
                 "It is not approved for depression or any psychiatric disorder"):
        assert part in letter, part
    assert title(built, "depression") in pages[1]
    assert title(built, "ptsd") in pages[2]
    # the sheets are the very sheets build makes on their own
    alone = texts(built / "out/evidence-sheet-ptsd-letter-en.pdf")[0]
    assert pages[2] == alone


def test_packet_outline_and_links_stay_within_each_sheet(built: Path) -> None:
    reader = pypdf.PdfReader(built / "out/referral-packet-sample-letter-en.pdf")
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[0] == "Cover letter"
    sheets = [title(built, "depression"), title(built, "ptsd")]
    assert [t for t in top[1:] if t in sheets] == sheets
    dests = {n: reader.get_destination_page_number(d) for n, d in reader.named_destinations.items()}
    for index, page in enumerate(reader.pages[1:], start=1):
        for annot in page.get("/Annots", []):
            dest = annot.get_object().get("/Dest")
            if dest is not None:
                assert dests[dest] == index, f"page {index + 1} links to {dest} elsewhere"


def test_packet_command_escapes_markup_in_names(project: Path) -> None:
    result = run_cli(project, "packet", "--to", "<b>Dr</b> & <script>", "--practice",
                     "Smith & Jones <i>Clinic</i>", "--conditions", "anxiety, ptsd",
                     "--date", "2026-11-20")
    assert result.code == 0, result.stderr
    path = project / "out/referral-packet-b-dr-b-script-letter-en.pdf"
    assert result.stdout.splitlines() == [f"wrote {path.name}"]
    pages = texts(path)
    assert len(pages) == 3
    assert "<b>Dr</b> & <script>" in pages[0]
    assert "Dear <b>Dr</b> & <script>," in pages[0]
    assert "Smith & Jones <i>Clinic</i>" in pages[0]
    assert "20 November 2026" in pages[0]
    assert title(project, "anxiety") in pages[1] and title(project, "ptsd") in pages[2]
    metadata = pypdf.PdfReader(path).metadata
    assert metadata is not None
    assert metadata.title == "Referral packet for <b>Dr</b> & <script>, Smith & Jones <i>Clinic</i>"
    manifest = json.loads((project / "out/manifest.json").read_text())
    entry = next(e for e in manifest["documents"] if e["file"] == path.name)
    assert entry["layout"] == "referral-packet" and entry["pages"] == 3
    assert not list((project / "out").glob(".*tmp"))


def test_packet_command_usage_errors(project: Path) -> None:
    before = tree(project / "out")
    unknown = run_cli(project, "packet", "--to", "Dr. X", "--practice", "Y",
                      "--conditions", "depresion")
    assert unknown.code == 2
    assert "no condition 'depresion' (did you mean 'depression'?)" in unknown.stderr
    assert tree(project / "out") == before, "a usage error writes nothing"
    missing = run_cli(project, "packet", "--to", "Dr. X", "--conditions", "ptsd")
    assert missing.code == 2
    glyph = run_cli(project, "packet", "--to", "Dr. \u674e", "--practice", "Y",
                    "--conditions", "ptsd")
    assert glyph.code == 2 and "cannot print '\u674e'" in glyph.stderr


def test_recipients_file_errors_are_located(project: Path) -> None:
    edit(project / "content/recipients.yaml", "conditions: [depression, ptsd]",
         "conditions: [depression, ptsdd]")
    result = run_cli(project, "list")  # content errors are found before anything is rendered
    assert result.code == 1
    assert ("content/recipients.yaml:11:30: error[content.unknown-ref]: "
            "recipients.sample.conditions: no condition 'ptsdd' (did you mean 'ptsd'?)"
            ) in result.stderr.splitlines()
