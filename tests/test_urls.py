"""Addresses survive print and copying: a URL, e-mail address or DOI breaks only after a
slash or before a dot, never at its hyphens or inside a word, so that the text two readers
extract (poppler's pdftotext, pdfium, and pdf.js) gives the exact address once its lines are joined
where it may break. On every PDF of the build."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pytest
import yaml
from helpers import REPO
from pdfjs import read

from ketabrochure.layouts import url

CLINIC = yaml.safe_load((REPO / "content" / "clinic.yaml").read_text())
# an address of the clinic's domain, or a DOI, as a reader finds it in the text
ADDRESS = re.compile(r"(?:https?://|[\w.-]+@)?[\w.-]*northside[\w./-]*|doi:[^\s;,]+")


def known() -> set[str]:
    """Every address the content prints: the clinic's and each study's DOI."""
    found = {CLINIC["website"], CLINIC["referral_url"], CLINIC["email"]}
    for path in (REPO / "content" / "studies").glob("*.yaml"):
        doi = (yaml.safe_load(path.read_text()).get("citation") or {}).get("doi")
        if doi:
            found.add(f"doi:{doi}")
    return found


def joined(text: str) -> str:
    """Lines joined where an address may break: after a slash, or before a dot."""
    text = text.replace("\r\n", "\n")
    return re.sub(r"(?<=/)\n(?=\S)|\n(?=\.\w)", "", text)


def poppler(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdfium(path: Path) -> str:
    document = pypdfium2.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def wrong_addresses(text: str, addresses: set[str]) -> list[str]:
    found = [match.rstrip(".") for match in ADDRESS.findall(joined(text))]
    return [address for address in found if address not in addresses]


def pdfjs(paths: list[Path]) -> dict[Path, str]:
    return {path: str(found["text"]) for path, found in read(paths).items()}


def each(reader: Callable[[Path], str]) -> Callable[[list[Path]], dict[Path, str]]:
    return lambda paths: {path: reader(path) for path in paths}


@pytest.mark.parametrize("reader", [each(poppler), each(pdfium), pdfjs],
                         ids=["pdftotext", "pdfium", "pdf.js"])
def test_every_address_in_every_pdf_is_exact(
        built: Path, reader: Callable[[list[Path]], dict[Path, str]]) -> None:
    addresses = known()
    pdfs = sorted((built / "out").glob("*.pdf"))
    assert len(pdfs) >= 48
    wrong, seen = {}, 0
    for path, text in reader(pdfs).items():
        seen += len(ADDRESS.findall(joined(text)))
        if bad := wrong_addresses(text, addresses):
            wrong[path.name] = bad
    assert not wrong, wrong
    assert seen > len(pdfs)  # every PDF prints an address, most several


def test_the_url_filter_breaks_only_after_a_slash_or_before_a_dot() -> None:
    html = str(url("https://northside-ketamine.example/refer"))
    pieces = re.findall(r'<span class="url-part">([^<]*)</span>', html)
    assert pieces == ["https://", "northside-ketamine", ".example/", "refer"]
    assert html.count("<wbr>") == 3
    assert re.findall(r'<span class="url-part">([^<]*)</span>',
                      str(url("doi:10.1001/jama.2014-62"))) == [
        "doi:10", ".1001/", "jama", ".2014-62"]
    assert "&lt;b&gt;" in str(url("https://x.example/<b>"))  # escaped like any text
