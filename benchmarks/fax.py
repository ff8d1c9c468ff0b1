"""Do the physician PDFs survive a fax? Words kept through a 1-bit fax render, read back by OCR.

Run from the repository, after `ketabrochure build`:

    .venv/bin/python benchmarks/fax.py                      # every physician PDF in out/
    .venv/bin/python benchmarks/fax.py out/evidence-sheet-ptsd-letter-en.pdf
    .venv/bin/python benchmarks/fax.py --only evidence-sheet --jobs 2 --keep /tmp/fax

Needs Ghostscript (`gs`) and tesseract with English data (Debian: ghostscript, tesseract-ocr,
tesseract-ocr-eng). A script that prints figures, not a test: nothing is asserted.

For each physician PDF in out/ (evidence-sheet-*, report-*, referral-packet-*) every page is
rendered twice with Ghostscript:

- fax: `-sDEVICE=tiffg4 -r204x196`, the 1-bit CCITT G4 image a fine-mode fax sends (no
  anti-aliasing; grey and coloured type is halftoned by Ghostscript, as a fax machine would);
- reference: `-sDEVICE=pnggray -r300` with anti-aliased text, a clean 300-dpi scan.

Both are read with `tesseract --psm 3 -l eng`. The words of each are normalised (Unicode NFKC,
so ligatures and full-width forms fold; lower case; curly quotes and dashes made plain; then
split into runs of letters and digits, so punctuation, hyphens and line-end hyphenation count
alike on both sides) and counted as multisets. Per file it prints:

- ref: words the 300-dpi OCR reads; fax: words the fax OCR reads;
- kept: the share of the reference words the fax OCR also read
  (sum over words of min(count in fax, count in reference) / reference words);
- phone / url: whether the clinic's phone number and referral URL (read from
  content/clinic.yaml) survive in the fax OCR. The phone survives when its ten digits appear in
  order on one OCR line with nothing but spaces and ( ) - . between them; the URL when its host
  and path (`northside-ketamine.example/refer`, without the scheme) appear on one OCR line,
  spaces removed, case ignored. In brackets, whether the 300-dpi OCR read them (if it does not,
  the fax result says nothing).

and at the end the mean of the kept shares and the lowest, over the evidence sheets and over
all files measured.
`--keep DIR` keeps the page images and OCR text (DIR/<file>/fax-001.tif, ref-001.png, *.txt).

Results (gs 10.00.0, tesseract 5.3.0; the per-file figures are in the commit messages):
- layouts of 7a6b69d: evidence sheets 32.6-62.1% of words kept, mean 50.5%; referral packet
  45.7%, report 64.6%; the phone number and referral URL survive in none;
- fax-safe layouts (3499478): evidence sheets 93.1-97.8%, mean 95.5%; packet 95.3%, report
  95.0%; phone and URL survive on every sheet (the report prints no referral URL).
What a fax still loses is mostly chart text (#1b1b1b at about 6 pt, from charts.py) and
digits: tesseract reads Atkinson Hyperlegible's slashed zero as 9 now and then, even at 300 dpi.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
PATTERNS = ("evidence-sheet-*.pdf", "report-*.pdf", "referral-packet-*.pdf")
FAX = ["-sDEVICE=tiffg4", "-r204x196"]
REFERENCE = ["-sDEVICE=pnggray", "-r300", "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4"]
PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00ad": ""})


def words(text: str) -> Counter[str]:
    """The normalised words of an OCR text, counted."""
    text = unicodedata.normalize("NFKC", text).translate(PLAIN).lower()
    return Counter(re.findall(r"[^\W_]+", text))


def phone_found(text: str, phone: str) -> bool:
    digits = re.sub(r"\D", "", phone)
    pattern = r"[\s().\-]*".join(re.escape(d) for d in digits)
    return any(re.search(pattern, line) for line in text.splitlines())


def url_found(text: str, url: str) -> bool:
    target = re.sub(r"^[a-z]+://", "", url.lower()).rstrip("/")
    return any(target in re.sub(r"\s+", "", line.lower()) for line in text.splitlines())


def render(pdf: Path, folder: Path, name: str, device: list[str], ext: str) -> list[Path]:
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", *device,
                    f"-sOutputFile={folder / f'{name}-%03d.{ext}'}", str(pdf)],
                   check=True, capture_output=True)
    return sorted(folder.glob(f"{name}-*.{ext}"))


def ocr(image: Path) -> str:
    # one OpenMP thread per tesseract: --jobs runs pages side by side instead
    run = subprocess.run(["tesseract", str(image), "stdout", "-l", "eng", "--psm", "3"],
                         check=True, capture_output=True, text=True,
                         env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    image.with_suffix(".txt").write_text(run.stdout)
    return run.stdout


@dataclass
class Result:
    name: str
    pages: int
    reference: int
    fax: int
    kept: float
    phone: bool
    url: bool
    phone_ref: bool
    url_ref: bool


def yes_no(fax: bool, reference: bool) -> str:
    return f"{'yes' if fax else 'no'}({'yes' if reference else 'no'})"


def measure(pdf: Path, folder: Path, pool: ThreadPoolExecutor, phone: str, url: str) -> Result:
    folder.mkdir(parents=True, exist_ok=True)
    fax_pages = render(pdf, folder, "fax", FAX, "tif")
    ref_pages = render(pdf, folder, "ref", REFERENCE, "png")
    fax_text = "\n".join(pool.map(ocr, fax_pages))
    ref_text = "\n".join(pool.map(ocr, ref_pages))
    fax_words, ref_words = words(fax_text), words(ref_text)
    total = sum(ref_words.values())
    matched = sum((fax_words & ref_words).values())
    return Result(pdf.name, len(ref_pages), total, sum(fax_words.values()),
                  matched / total if total else 0.0,
                  phone_found(fax_text, phone), url_found(fax_text, url),
                  phone_found(ref_text, phone), url_found(ref_text, url))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("pdfs", nargs="*", type=Path, help="PDFs to measure (default: the "
                        "physician PDFs in out/)")
    parser.add_argument("--out", type=Path, default=REPO / "out", help="the build folder")
    parser.add_argument("--only", default="", help="only files whose name contains this")
    parser.add_argument("--jobs", type=int, default=1, help="tesseract processes at once")
    parser.add_argument("--keep", type=Path, help="keep page images and OCR text here")
    args = parser.parse_args(argv)
    for tool in ("gs", "tesseract"):
        if shutil.which(tool) is None:
            print(f"fax.py: {tool} not found (Debian: ghostscript, tesseract-ocr, "
                  "tesseract-ocr-eng)", file=sys.stderr)
            return 2
    clinic = yaml.safe_load((REPO / "content" / "clinic.yaml").read_text())
    phone, url = str(clinic["phone"]), str(clinic["referral_url"])
    pdfs = args.pdfs or sorted(p for pattern in PATTERNS for p in args.out.glob(pattern))
    pdfs = [p for p in pdfs if args.only in p.name]
    if not pdfs:
        print("fax.py: no physician PDFs found; run `ketabrochure build` first", file=sys.stderr)
        return 2
    print(f"fax: gs {' '.join(FAX)}; reference: gs {' '.join(REFERENCE)}; "
          f"OCR: tesseract -l eng --psm 3")
    print(f"phone {phone!r}, url {url!r}; yes(yes) = in the fax OCR (in the 300-dpi OCR)\n")
    print(f"{'file':<60} {'pages':>5} {'ref':>6} {'fax':>6} {'kept':>6}  {'phone':<9} url")
    results: list[Result] = []
    scratch = Path(tempfile.mkdtemp(prefix="fax-")) if args.keep is None else args.keep
    try:
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            for pdf in pdfs:
                r = measure(pdf, scratch / pdf.stem, pool, phone, url)
                results.append(r)
                print(f"{r.name:<60} {r.pages:>5} {r.reference:>6} {r.fax:>6} {r.kept:>6.1%}  "
                      f"{yes_no(r.phone, r.phone_ref):<9} {yes_no(r.url, r.url_ref)}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    print()
    sheets = [r for r in results if r.name.startswith("evidence-sheet-")]
    for label, group in (("evidence sheets", sheets), ("all files", results)):
        if len(group) > 1 or group is results:
            worst = min(group, key=lambda r: r.kept)
            print(f"{label} ({len(group)}): words kept mean "
                  f"{statistics.mean(r.kept for r in group):.1%}, lowest {worst.kept:.1%} "
                  f"({worst.name}); phone survives in {sum(r.phone for r in group)}, "
                  f"url in {sum(r.url for r in group)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
