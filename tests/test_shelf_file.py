"""The print shelf opened as a file (file://, no serve) says what its Print button does there:
it opens the PDF in a new tab, to print from there (a page from file:// cannot script a PDF
frame). Served over HTTP, where Print opens the print dialog itself, it does not say so. The
page is made from a manifest entry the test writes, and opened in Debian's chromium."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Any

import pypdf
import pytest
from playwright.sync_api import Browser

from ketabrochure.site import shelf

ENTRY: dict[str, Any] = {
    "file": "handout-ptsd-letter-en.pdf", "layout": "handout", "subject": "ptsd",
    "paper": "letter", "language": "en", "variant": "office", "pages": 2,
    "sha256": "0" * 64, "title": "Ketamine for PTSD", "audience": "patient",
    "kind": "handouts", "subject_name": "PTSD", "reviewed_on": "2026-11-01"}
NOTE = "Print opens the PDF in a new tab; print it from there"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    (folder / "index.html").write_text(shelf.index_html([ENTRY]))
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    with open(folder / ENTRY["file"], "wb") as handle:
        writer.write(handle)
    return folder


def test_from_a_file_the_shelf_says_print_opens_a_tab_and_it_does(browser: Browser,
                                                                   out: Path) -> None:
    page = browser.new_page()
    page.goto((out / "index.html").as_uri())
    note = page.locator("#from-file")
    assert note.is_visible()
    assert NOTE in " ".join(note.inner_text().split())
    with page.context.expect_page(timeout=10_000) as opened:
        page.get_by_role("button", name="Print").click()
    assert opened.value.url.endswith("/" + ENTRY["file"])  # the PDF, in a tab of its own
    page.close()


def test_served_the_shelf_does_not_say_so(browser: Browser, out: Path) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        assert page.locator("h1").inner_text() == "Print shelf"
        assert page.locator("#from-file").is_hidden()
        page.close()
    finally:
        server.shutdown()
        server.server_close()
