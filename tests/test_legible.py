"""What a reader needs, read back from real PDFs and checked by `check`: large print is 18 pt
all through (the sources and citation numbers too), in both languages; and the clinic's phone,
the crisis line and the referral address are printed at least once 0.5 in clear of every edge
of the sheet (a printer with a 0.5 in hardware margin cuts the band outside it)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pdfplumber
import pytest
from helpers import Run, edit, run_cli
from pdfplumber.pdf import PDF

# one xdist worker runs the module: each PDF of the shared minimal build is parsed once (read())
pytestmark = pytest.mark.xdist_group("test_legible")

PT_PER_IN = 72.0
CLEAR = 0.5 * PT_PER_IN
PHONE = "(503) 555-0142"
URL = "northside-ketamine.example/refer"
LARGE = "layouts/_shared/large-print.css"


def large_print_in(root: Path, *langs: str) -> None:
    """The minimal project's large-print handout in the given languages."""
    edit(root / "content" / "documents.yaml", "language: en\n    variants: [large-print]",
         f"languages: [{', '.join(langs)}]\n    variants: [large-print]")


@functools.cache
def _read(path: Path, version: tuple[int, int]) -> PDF:  # noqa: ARG001 (a key)
    return pdfplumber.open(path)


def read(path: Path) -> PDF:
    """A built PDF, opened once per process as it is now (its size and change time): pdfplumber
    keeps what it parsed of each page, so tests and searches here parse each page once."""
    stat = path.stat()
    return _read(path, (stat.st_size, stat.st_mtime_ns))


def check(root: Path, *names: str) -> Run:
    return run_cli(root, "check", "--jobs", "1", "--format", "text", *names)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_large_print_is_18_pt_all_through(minimal: Path, lang: str) -> None:
    """Every character of the large-print handout, the sources and citations included."""
    large_print_in(minimal, lang)
    result = run_cli(minimal, "build", "--jobs", "1", f"handout-ptsd-letter-{lang}-large-print")
    assert result.code == 0, result.stderr
    with pdfplumber.open(minimal / "out" / f"handout-ptsd-letter-{lang}-large-print.pdf") as pdf:
        chars = [c for page in pdf.pages for c in page.chars if c["text"].strip()]
        text = " ".join(page.extract_text() for page in pdf.pages)
    small = {(round(c["size"], 1), c["text"]) for c in chars if c["size"] < 18 - 0.05}
    assert not small, sorted(small)[:10]
    heading = "Studies we used" if lang == "en" else "Estudios que usamos"
    assert heading in text and "Feder 2014" in text  # the sources are there, at 18 pt


@pytest.mark.parametrize("lang", ["en", "es"])
def test_check_fails_on_text_under_18_pt_in_large_print(minimal: Path, lang: str) -> None:
    large_print_in(minimal, lang)
    css = minimal / LARGE
    css.write_text(css.read_text() + ".references p { font-size: 10pt !important; }\n")
    result = check(minimal, f"handout-ptsd-letter-{lang}-large-print")
    assert result.code == 1
    assert re.search(
        rf"layouts/handout/layout\.yaml:1:1: error\[check\.text-size\]: handout ptsd \(letter, "
        rf"{lang}, large-print\): '1\. Feder 2014,' on page \d \(span\.ref, and \d+ more like "
        r"it\) is 10 pt, under the 18 pt this document keeps to", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def clear_copies(path: Path, text: str) -> list[str]:
    """Where `text` is printed, and whether CLEAR of every edge: 'page 1 (0.62 in): clear'."""
    found = []
    for number, page in enumerate(read(path).pages, 1):
        for hit in page.search(re.escape(text), regex=True):
            gap = min(hit["x0"], hit["top"], page.width - hit["x1"],
                      page.height - hit["bottom"])
            found.append(f"page {number} ({gap / PT_PER_IN:.2f} in): "
                         f"{'clear' if gap >= CLEAR - 0.01 else 'in the band'}")
    return found


def test_phone_crisis_and_referral_clear_of_a_half_inch_margin(built_minimal: Path) -> None:
    """Each office and large-print PDF prints the phone at least once 0.5 in clear of every
    edge; the crisis line (988) and the referral address likewise where it has them."""
    missing = []
    for path in sorted((built_minimal / "out").glob("*.pdf")):
        if "print-shop" in path.name:
            continue
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in read(path).pages)
        for what in (PHONE, "988", URL):
            if what != PHONE and what not in text:
                continue  # not on this document (the report has no crisis line)
            copies = clear_copies(path, what)
            if not any(c.endswith(": clear") for c in copies):
                missing.append(f"{path.name}: {what!r} {copies or 'not found'}")
    assert not missing, "\n".join(missing)


def test_check_fails_when_the_phone_is_only_in_the_band(minimal: Path) -> None:
    """A sheet whose footer is moved into the 0.5 in band (its layout no longer declaring
    the band): without the phone in its referral box, `check` says the sheet prints it
    nowhere clear."""
    layout = minimal / "layouts" / "evidence-sheet"
    edit(layout / "sheet.html.j2", ' data-hardware-band="0.5"', "")
    edit(layout / "style.css", "padding-bottom: 0.52in;", "padding-bottom: 0.35in;")
    edit(layout / "style.css", "/* the phone here too",
         ".lower .referral .phone { display: none !important; }\n/* the phone here too")
    result = check(minimal, "evidence-sheet")
    assert result.code == 1
    assert re.search(
        r"layouts/evidence-sheet/layout\.yaml:1:1: error\[check\.margin\]: evidence-sheet ptsd "
        r"\(letter, en\): the clinic's phone is printed nowhere 0\.5 in clear of the sheet's edges "
        r"\(a printer's hardware margin cuts it\): its best copy, '\(503\) 555-0142' on page 1, "
        r"is 0\.\d\d in from an edge", result.stderr), result.stderr


def test_check_fails_on_physician_text_under_7_5_pt(minimal: Path) -> None:
    """A faxed sheet loses small type: its references at 7 pt fail `check`, at the layout."""
    edit(minimal / "layouts" / "evidence-sheet" / "style.css",
         ".references ol { list-style: none; font-size: 7.5pt;",
         ".references ol { list-style: none; font-size: 7pt;")
    result = check(minimal, "evidence-sheet")
    assert result.code == 1
    assert re.search(
        r"layouts/evidence-sheet/layout\.yaml:1:1: error\[check\.text-size\]: evidence-sheet "
        r"ptsd \(letter, en\): '1\.' on page 1 \(span\.ref-number, and \d+ more like it\) is "
        r"7 pt, under the 7\.5 pt this document keeps to", result.stderr), result.stderr


def test_physician_documents_keep_to_7_5_pt(built_minimal: Path) -> None:
    """Every character of the sheet, report and packet, chart labels too, read back."""
    small = set()
    for pattern in ("evidence-sheet-*.pdf", "report-*.pdf", "referral-packet-*.pdf"):
        for path in (built_minimal / "out").glob(pattern):
            small |= {(path.name, round(c["size"], 2)) for page in read(path).pages
                      for c in page.chars if c["text"].strip() and c["size"] < 7.5 - 0.01}
    assert not small, sorted(small)


def band_words(path: Path) -> list[str]:
    """Words whose glyphs reach within 0.5 in of the sheet's top or bottom edge."""
    found = []
    for number, page in enumerate(read(path).pages, 1):
        for word in page.extract_words():
            gap = min(word["top"], page.height - word["bottom"])
            if gap < CLEAR - 0.01 * PT_PER_IN:
                found.append(f"page {number}: {word['text']!r} {gap / PT_PER_IN:.2f} in")
    return found


def test_sheets_and_letters_keep_a_half_inch_band_top_and_bottom(built_minimal: Path) -> None:
    """The evidence sheet's header kicker, logo and footer, and the referral packet's letter
    and enclosed sheets: no word within 0.5 in of the top or bottom edge, on one page each."""
    out = built_minimal / "out"
    paths = sorted(out.glob("evidence-sheet-*.pdf")) + sorted(out.glob("referral-packet-*.pdf"))
    assert paths
    for path in paths:
        assert not band_words(path), (path.name, band_words(path)[:5])
    pdf = read(out / "evidence-sheet-ptsd-letter-en.pdf")
    page = pdf.pages[0]
    assert len(pdf.pages) == 1
    drawn = page.images + page.curves + page.rects + page.lines  # the logo is vector art
    assert drawn and min(o["top"] for o in drawn) >= CLEAR - 0.01 * PT_PER_IN
    footer = page.search(re.escape(PHONE))[-1]  # the footer's copy, the lowest
    assert page.height - footer["bottom"] >= CLEAR - 0.01 * PT_PER_IN


def test_check_fails_on_a_sheet_header_in_the_half_inch_band(minimal: Path) -> None:
    """A layout that declares the 0.5 in band (data-hardware-band) is held to it top and
    bottom by `check`; its sides keep the 0.3 in rule."""
    edit(minimal / "layouts" / "evidence-sheet" / "paper-letter.css",
         "margin: 0.5in 0.33in 0.8in 0.33in;", "margin: 0.4in 0.33in 0.8in 0.33in;")
    result = check(minimal, "evidence-sheet")
    assert result.code == 1
    assert re.search(
        r"layouts/evidence-sheet/layout\.yaml:1:1: error\[check\.margin\]: evidence-sheet ptsd "
        r"\(letter, en\): 'NORTHSIDE KETAMINE CLINIC · EVIDENCE SHE' on page 1 is 0\.40 in from "
        r"the top edge \(keep 0\.5 in clear\): widen the page margins", result.stderr), \
        result.stderr
    assert "Traceback" not in result.stderr


def test_the_trifold_keeps_a_half_inch_band_in_both_languages(minimal: Path) -> None:
    """Every panel of the office tri-fold, English and Spanish (the fuller one), keeps its
    text 0.5 in clear of the sheet's top and bottom edges, still on two pages."""
    edit(minimal / "content" / "documents.yaml",
         "language: es\n    variants: [print-shop]\n    pages: {exactly: 2}",
         "languages: [en, es]\n    variants: [office]\n    pages: {exactly: 2}")
    result = run_cli(minimal, "build", "--jobs", "1", "trifold")
    assert result.code == 0, result.stderr
    for lang in ("en", "es"):
        path = minimal / "out" / f"trifold-what-is-ketamine-therapy-letter-{lang}.pdf"
        with pdfplumber.open(path) as pdf:
            assert len(pdf.pages) == 2
            lowest = max(w["bottom"] for p in pdf.pages for w in p.extract_words())
        assert not band_words(path), (lang, band_words(path)[:5])
        assert lowest > 7 * PT_PER_IN  # the panels are used down near the band, not emptied


def test_check_fails_on_trifold_text_in_the_half_inch_band(minimal: Path) -> None:
    """The tri-fold declares the 0.5 in band: a panel whose text starts higher fails `check`,
    located at the layout."""
    edit(minimal / "layouts" / "trifold" / "style.css",
         ".panel { position: relative; padding: 0.5in 0.25in; }",
         ".panel { position: relative; padding: 0.4in 0.25in 0.5in; }")
    result = check(minimal, "trifold-what-is-ketamine-therapy-letter-en")
    assert result.code == 1
    assert re.search(
        r"layouts/trifold/layout\.yaml:1:1: error\[check\.margin\]: trifold "
        r"what-is-ketamine-therapy \(letter, en\): '[^']+' on page \d is 0\.40 in from the top "
        r"edge \(keep 0\.5 in clear\)", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("lang", ["en", "es"])
def test_large_print_pages_fill(minimal: Path, lang: str) -> None:
    """At 18 pt a paragraph, a list item or the sources kept whole used to leave the rest of
    a page empty (Spanish PTSD page 1: 17%, sources alone on a last page): every page but
    the last is used to within 15% of its text area, and the last is more than one source."""
    large_print_in(minimal, lang)
    name = f"handout-ptsd-letter-{lang}-large-print"
    result = run_cli(minimal, "build", "--jobs", "1", name)
    assert result.code == 0, result.stderr
    top, bottom = 0.5 * PT_PER_IN, 1.1 * PT_PER_IN  # the page margins (large-print.css)
    with pdfplumber.open(minimal / "out" / f"{name}.pdf") as pdf:
        empty, last_words = [], []
        for page in pdf.pages:
            words = [w for w in page.extract_words() if w["bottom"] < page.height - bottom]
            lowest = max(w["bottom"] for w in words)
            empty.append((page.height - bottom - lowest) / (page.height - bottom - top))
            last_words = [w["text"] for w in words]
    assert all(share < 0.15 for share in empty[:-1]), [f"{share:.0%}" for share in empty]
    assert len(" ".join(last_words)) > 40, last_words  # not one source alone
