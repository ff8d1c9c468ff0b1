"""The built patient documents, read back from real PDFs: sizes, panels, boxes, QR, language."""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pypdfium2
import pytest
import zxingcpp
from helpers import decode_qr, edit, run_cli

CONDITIONS = ("anxiety", "chronic-pain", "depression", "ketamine-assisted-psychotherapy", "ptsd",
              "suicidal-ideation")
BROCHURE = "trifold-what-is-ketamine-therapy"
URL = "https://northside-ketamine.example/refer"
PT_PER_IN, PT_PER_MM = 72.0, 72 / 25.4
# Panel edges left to right, in inches from the sheet's left edge (trim).
LETTER_EDGES = {0: (0, 3.625, 7.3125, 11.0), 1: (0, 3.6875, 7.375, 11.0)}
A4_EDGES_MM = {0: (0, 97, 197, 297), 1: (0, 100, 200, 297)}
SAFE = 0.25 * PT_PER_IN


def out(built: Path, name: str) -> Path:
    return built / "out" / f"{name}.pdf"


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages)


def box(page: pypdf.PageObject, name: str) -> tuple[float, ...]:
    return tuple(float(v) for v in getattr(page, name))


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("variant", ["", "-print-shop"])
def test_brochure_is_two_landscape_letter_sides(built: Path, lang: str, variant: str) -> None:
    reader = pypdf.PdfReader(out(built, f"{BROCHURE}-letter-{lang}{variant}"))
    assert len(reader.pages) == 2
    for page in reader.pages:
        trim = page.trimbox
        assert (float(trim.width), float(trim.height)) == pytest.approx((792, 612), abs=0.5)


def panel_chars(path: Path, edges: Mapping[int, tuple[float, ...]], unit: float
                ) -> Iterator[tuple[int, int, float, float, dict[str, Any], float]]:
    """Every character with the panel (0, 1, 2) its centre falls in, per page."""
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages):
            lines = [e * unit for e in edges[number]]
            for char in page.chars:
                if not char["text"].strip():
                    continue
                centre = (char["x0"] + char["x1"]) / 2
                panel = next(i for i in range(3) if lines[i] <= centre < lines[i + 1])
                yield number, panel, lines[panel], lines[panel + 1], char, page.height


@pytest.mark.parametrize("lang", ["en", "es"])
def test_text_of_each_panel_stays_inside_its_panel(built: Path, lang: str) -> None:
    """0.25 in from trim and folds, read back from the PDF (office variant: no bleed offset)."""
    seen: collections.Counter[tuple[int, int]] = collections.Counter()
    for page, panel, left, right, char, height in panel_chars(
            out(built, f"{BROCHURE}-letter-{lang}"), LETTER_EDGES, PT_PER_IN):
        seen[page, panel] += 1
        where = f"page {page + 1} panel {panel + 1}: {char['text']!r} at {char['x0']:.1f}"
        assert char["x0"] >= left + SAFE - 0.5, where
        assert char["x1"] <= right - SAFE + 0.5, where
        assert char["top"] >= SAFE - 0.5 and char["bottom"] <= height - SAFE + 0.5, where
    assert set(seen) == {(p, i) for p in (0, 1) for i in range(3)}, "every panel has text"


@pytest.mark.parametrize(("page", "panel", "heading"), [
    (0, 0, "Is it right for me?"), (0, 1, "Talk with us"), (0, 2, "For patients and families"),
    (1, 0, "What is ketamine?"), (1, 1, "What studies found"), (1, 2, "Is it safe?"),
])
def test_each_panel_is_where_it_folds(built: Path, page: int, panel: int, heading: str) -> None:
    """Outside: flap | back | front. Inside: left | middle | right."""
    with pdfplumber.open(out(built, f"{BROCHURE}-letter-en")) as pdf:
        words = pdf.pages[page].search(heading)
        assert words, heading
        edges = [e * PT_PER_IN for e in LETTER_EDGES[page]]
        assert edges[panel] < words[0]["x0"] < edges[panel + 1]


def test_a4_brochure_on_request(project: Path) -> None:
    edit(project / "content/documents.yaml", "  - layout: trifold\n    subjects: all"
         "          # every brochure in content/brochures/\n    papers: [letter]",
         "  - layout: trifold\n    subjects: all\n    papers: [letter, a4]")
    result = run_cli(project, "build", "--jobs", "1", f"{BROCHURE}-a4-es.pdf")
    assert result.code == 0, result.stderr + result.stdout
    path = project / "out" / f"{BROCHURE}-a4-es.pdf"
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 2
    assert (float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)) == \
        pytest.approx((841.89, 595.28), abs=0.5)
    for _, _, left, right, char, _ in panel_chars(path, A4_EDGES_MM, PT_PER_MM):
        assert left + SAFE - 0.5 <= char["x0"] and char["x1"] <= right - SAFE + 0.5, char["text"]


@pytest.mark.parametrize(("name", "bleed"), [
    (f"{BROCHURE}-letter-en-print-shop", 9.0),
    (f"{BROCHURE}-letter-es-print-shop", 9.0),
    ("handout-ptsd-letter-es-print-shop", 9.0),
])
def test_print_shop_trim_and_bleed_boxes(built: Path, name: str, bleed: float) -> None:
    for page in pypdf.PdfReader(out(built, name)).pages:
        media, trim, bleed_box = box(page, "mediabox"), box(page, "trimbox"), box(page, "bleedbox")
        assert trim[2] - trim[0] < media[2] - media[0]
        assert trim[3] - trim[1] < media[3] - media[1]
        assert bleed_box == pytest.approx((trim[0] - bleed, trim[1] - bleed,
                                           trim[2] + bleed, trim[3] + bleed), abs=0.01)
        # crop marks need room outside the bleed: the MediaBox is larger still
        assert media[0] < bleed_box[0] and media[2] > bleed_box[2]


def test_office_variant_has_no_bleed(built: Path) -> None:
    for page in pypdf.PdfReader(out(built, f"{BROCHURE}-letter-en")).pages:
        assert box(page, "trimbox") == box(page, "mediabox") == box(page, "bleedbox")


def test_crop_marks_are_off_the_artwork(built: Path) -> None:
    """The front cover's colour bleeds 0.125 in past the trim; crop marks lie beyond, on white."""
    pdf = pypdfium2.PdfDocument(out(built, f"{BROCHURE}-letter-en-print-shop"))
    image = pdf[0].render(scale=2).to_pil().convert("RGB")
    dpi = image.width / (11 + 2 * 0.375)  # trim plus 0.375 in of bleed area each side
    slug, bleed = round((0.375 - 0.125) * dpi) - 1, round(0.375 * dpi) - 1

    def colours(box: tuple[int, int, int, int]) -> set[tuple[int, int, int]]:
        return {colour for _, colour in image.crop(box).getcolors(1 << 24)}

    def grey(c: tuple[int, int, int]) -> bool:
        return c[0] == c[1] == c[2] and c[0] < 250

    def art(c: tuple[int, int, int]) -> bool:
        return c[2] - c[0] > 40

    top_slug = colours((0, 0, image.width, slug))
    top_bleed = colours((bleed, slug + 2, image.width - bleed, bleed))
    assert any(grey(c) for c in top_slug), "crop marks are drawn"
    assert not any(art(c) for c in top_slug), "the artwork stops at the bleed"
    assert any(art(c) for c in top_bleed), "the front cover's colour bleeds past the trim"
    assert not any(grey(c) for c in top_bleed), "no crop mark sits in the bleed, on the artwork"




@pytest.mark.parametrize(("name", "page"), [("handout-depression-letter-en", -1),
                                        ("handout-anxiety-letter-es", -1),
                                        (f"{BROCHURE}-letter-en", 0)])
def test_qr_code_decodes_to_the_clinic_url(built: Path, name: str, page: int) -> None:
    path = out(built, name)
    page = page % len(pypdf.PdfReader(path).pages)
    codes = decode_qr(path, page)
    assert [c.text for c in codes] == [URL]
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode  # standard QR, not Micro QR
    assert URL in text_of(path).replace(" ", "").replace("-\n", "")


@pytest.mark.parametrize("condition", CONDITIONS)
def test_handouts_fit_and_speak_their_language(built: Path, condition: str) -> None:
    for lang, off_label in (("en", "off-label"), ("es", "fuera de indicación")):
        path = out(built, f"handout-{condition}-letter-{lang}")
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) <= 2
        assert str(reader.root_object["/Lang"]) == lang
        assert off_label in text_of(path)


def modal_size(path: Path) -> float:
    with pdfplumber.open(path) as pdf:
        sizes = collections.Counter(round(c["size"], 1) for p in pdf.pages for c in p.chars)
    size: float = sizes.most_common(1)[0][0]
    return size


def test_body_text_sizes(built: Path) -> None:
    assert modal_size(out(built, "handout-ptsd-letter-en")) >= 12
    assert modal_size(out(built, f"{BROCHURE}-letter-es")) >= 12
    assert modal_size(out(built, "handout-ptsd-letter-en-large-print")) >= 18


def test_numbers_come_from_the_study_data(built: Path) -> None:
    depression = text_of(out(built, "handout-depression-letter-en"))
    assert "2 or 3 in 10 people" in depression  # pfeiffer2024, 26%
    assert "2 o 3 de cada 10 personas" in text_of(out(built, "handout-depression-letter-es"))
    # the open-label ECT trial: its conclusion, not two bare rates side by side
    assert "403 people" in depression and "not worse than ECT" in depression
    assert "5 or 6 in 10 people" not in depression and "about 4 in 10 people" not in depression
    suicidal = text_of(out(built, "handout-suicidal-ideation-letter-en"))
    assert "In a small study of 18 people" in suicidal and "about 9 in 10 people" in suicidal
    assert "We do not know how long it lasted" in suicidal


CRISIS = {"en": ("988 Suicide & Crisis Lifeline", "call 911"),
          "es": ("Línea de Prevención del Suicidio y Crisis", "llame al 911",
                 # 988 answers in Spanish: press 2, or text AYUDA (the ended "press 3" never)
                 "marque 2", "envíe AYUDA")}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("name", ["handout-suicidal-ideation-letter", "handout-depression-letter",
                                  f"{BROCHURE}-letter"])
def test_crisis_line_is_printed(built: Path, name: str, lang: str) -> None:
    text = text_of(out(built, f"{name}-{lang}"))
    for phrase in CRISIS[lang]:
        assert phrase in text, f"{phrase!r} missing from {name}-{lang}"
    assert "press 3" not in text.lower() and "marque 3" not in text.lower()


@pytest.mark.parametrize(("lang", "pain", "unknown"), [
    ("en", "not approved for long-term pain", "many doses over months or years are safe"),
    ("es", "No está aprobada para el dolor crónico", "muchas dosis durante meses o años son seguras"),
])
def test_pain_is_off_label_and_long_term_safety_unknown(built: Path, lang: str, pain: str,
                                                        unknown: str) -> None:
    for name in ("handout-chronic-pain-letter", f"{BROCHURE}-letter"):
        text = text_of(out(built, f"{name}-{lang}"))
        assert pain in text and unknown in text, name


def test_manifest_lists_patient_variants(built: Path) -> None:
    entries = json.loads((built / "out/manifest.json").read_text())["documents"]
    kinds = {(e["layout"], e["language"], e["variant"]) for e in entries}
    assert {("trifold", lang, v) for lang in ("en", "es") for v in ("office", "print-shop")} <= kinds
    assert {("handout", "en", "large-print"), ("handout", "es", "office")} <= kinds
    handouts = [e for e in entries if e["layout"] == "handout"]
    assert {e["subject"] for e in handouts} == set(CONDITIONS)
