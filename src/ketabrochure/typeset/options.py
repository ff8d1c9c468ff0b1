"""How to lay a document out and make its PDF: one record, which the typesetting job carries
and the cache keys on, so the two cannot disagree.

Its `cache_key()` covers every field and also what makes the bytes besides the HTML: the
typesetting code itself (every module of this package, hashed once per process) and the
versions of the libraries that lay out, write, mend and picture the PDF, as Black's
Mode.get_cache_key() does. Changing any of them makes every cached document a miss, with no
format number to bump by hand.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path

from . import print_shop
from .pdf import PDF_VARIANT

# Libraries whose version can change a PDF's or a thumbnail's bytes: the layout and the PDF
# writer, font subsetting, the tag repair, the print shop's colours and the thumbnail.
LIBRARIES = ("weasyprint", "pydyf", "fonttools", "pikepdf", "pillow", "pypdfium2")
DATE_VARIABLE = "SOURCE_DATE_EPOCH"  # typeset.pdf reads it for an unsigned copy's dates


@dataclass(frozen=True)
class PrintOptions:
    bleed: float | None = None  # print-shop BleedBox distance, in points
    duplex: str = "long-edge"  # how to print it on both sides (one page: single-sided)
    office: bool = True  # printed on an office printer: nothing in its unprintable band
    measure_css: str | None = None  # brochures: CSS to lay out again with, to measure panels
    pdf_variant: str = PDF_VARIANT  # pdf/ua-1; the print-shop copy: print_shop.PDF_VARIANT
    least_pt: float | None = None  # the smallest text size allowed (large print: 18 pt)

    def cache_key(self) -> str:
        """A SHA-256 over every field, the typesetting code and its libraries; for the
        print-shop copy also the CMYK profile (a system file no served file records) and
        SOURCE_DATE_EPOCH (the PDF/X dates of a copy nobody has signed)."""
        digest = hashlib.sha256(code_digest().encode())
        for option in fields(self):
            digest.update(f"\0{option.name}={getattr(self, option.name)!r}".encode())
        if self.pdf_variant == print_shop.PDF_VARIANT:
            # the press profile, and the date an unsigned copy is given (pdf._fixed_dates)
            digest.update(f"\0profile={print_shop.profile_digest()}".encode())
            digest.update(f"\0epoch={os.environ.get(DATE_VARIABLE, '')}".encode())
        return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """The SHA-256 of this package's source and of its libraries' versions: computed once
    per process."""
    digest = hashlib.sha256(source_digest(Path(__file__).parent).encode())
    for name in LIBRARIES:
        digest.update(f"\0{name} {metadata.version(name)}".encode())
    return digest.hexdigest()


def source_digest(package: Path) -> str:
    """The SHA-256 of every module of a package, each by its path in it and its bytes."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
