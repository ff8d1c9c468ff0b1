"""`ketabrochure serve` as a real process on a free port, driven through Debian's Chromium: the
open page follows each save without a reload, the open document is typeset first, errors show
located, Print prints a same-origin frame, and nothing outside out/ is ever served."""

from __future__ import annotations

import http.client
import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pypdf
import pytest
from helpers import axe_violations, copy_project, edit, interrupt, run_cli, screenshot, seed_cache
from playwright.sync_api import Browser, BrowserContext, Page

from ketabrochure.serve.server import is_loopback, out_name

# one xdist worker runs the module: one server and one browser for the module
pytestmark = pytest.mark.xdist_group("test_serve")


DOCUMENTS = """edition: "2026.11"
documents:
  - layout: evidence-sheet
    subjects: [ptsd]
    papers: [letter]
    language: en
    pages: {exactly: 1}
  - layout: handout
    subjects: [ptsd, anxiety]
    papers: [letter]
    language: en
    pages: {maximum: 2}
"""
# Records print() in every frame, on the top page: window.top.__prints lists the frames' URLs.
RECORD_PRINT = """window.print = function () {
  (window.top.__prints = window.top.__prints || []).push(location.href); };"""


@dataclass
class Served:
    root: Path
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = get(self, "/_version")[2]
        return state

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()


def get(served: Served, path: str, host: str | None = None) -> tuple[int, dict[str, str], Any]:
    """A request with the path sent exactly as written (no client-side normalising)."""
    address = served.url.removeprefix("http://").rstrip("/")
    connection = http.client.HTTPConnection(address, timeout=30)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host or address)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    kind = response.getheader("Content-Type", "")
    return (response.status, dict(response.getheaders()),
            json.loads(body) if kind.startswith("application/json") else body)


def wait_until(what: str, check: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, built: Path) -> Iterator[Served]:
    """A small project (a PTSD sheet, PTSD and anxiety handouts) served on a free port. Its
    cache is the session build's: the first build publishes from it (no test here is about a
    cold start; each edit below is typeset, the cache keys on every input)."""
    root = seed_cache(built, copy_project(tmp_path_factory.mktemp("serve") / "p"))
    (root / "content/documents.yaml").write_text(DOCUMENTS)
    log = root.parent / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "ketabrochure", "--project", str(root), "serve",
             "--port", "0", "--jobs", "1"], stdout=out, stderr=subprocess.STDOUT)
    try:
        url = wait_until("serve to listen", lambda: re.search(
            r"serving the print shelf at (http://127\.0\.0\.1:\d+/)", log.read_text()), 60)[1]
        served = Served(root, url, log, process)
        wait_until("the first build", lambda: served.state()["finished"]
                   and served.state()["building"] is None, 300)
        yield served
    finally:
        interrupt(process, log)
    assert "stopped serving" in log.read_text()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # bypass_csp: Playwright evaluates its own checks as strings, which serve's CSP forbids
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.add_init_script(RECORD_PRINT)
    yield context
    context.close()


def open_page(context: BrowserContext, served: Served, path: str) -> Page:
    page = context.new_page()
    page.goto(served.url.rstrip("/") + path)
    page.wait_for_selector("#live.ok", timeout=60000)
    page.evaluate("window.__loaded = true")  # gone if the page is reloaded
    return page


def test_the_shelf_follows_a_save_without_a_reload(context: BrowserContext, served: Served) -> None:
    page = open_page(context, served, "/#condition=ptsd")
    card = page.locator("#doc-handout-ptsd-letter-en")
    assert card.locator("h3").inner_text() == "Ketamine for PTSD: Information for patients"
    thumb = card.locator("img").get_attribute("src")
    assert page.locator("#doc-handout-anxiety-letter-en").is_hidden()
    screenshot(page, "serve-shelf")
    edit(served.root / "content/handouts/ptsd.yaml", 'en: "Ketamine for PTSD"',
         'en: "Ketamine for PTSD and trauma"')
    page.wait_for_function("""() => document.querySelector('#doc-handout-ptsd-letter-en h3')
        .textContent === 'Ketamine for PTSD and trauma: Information for patients'""",
                           timeout=120000)
    assert page.evaluate("window.__loaded") is True, "the page was not reloaded"
    assert card.locator("img").get_attribute("src") != thumb  # the new thumbnail
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=card.locator("img").element_handle())
    assert page.input_value("#filter-condition") == "ptsd"  # the filters stay
    assert page.locator("#doc-handout-anxiety-letter-en").is_hidden()
    page.wait_for_selector("#live.ok")
    assert "Up to date" in page.inner_text("#live .live-title")


def test_the_open_document_is_typeset_first(context: BrowserContext, served: Served) -> None:
    page = open_page(context, served, "/preview/handout-anxiety-letter-en")
    assert page.inner_text("#preview-title") == "Ketamine for anxiety: Information for patients"
    sha = page.get_attribute("#preview-card .card", "data-sha")
    images = page.eval_on_selector_all(".page", "els => els.map(e => e.getAttribute('src'))")
    # each page picture is versioned by what the page draws (live.page_versions)
    assert len(images) == 2 and re.search(r"/1\.png\?v=[0-9a-f]{12}$", images[0])
    before = len(served.lines())
    edit(served.root / "content/patient.yaml", "your medicines and your goals.",
         "your medicines and your hopes.")  # in both handouts
    page.wait_for_function(f"""() => document.querySelector('#preview-card .card')
        .dataset.sha !== '{sha}'""", timeout=120000)
    assert page.evaluate("window.__loaded") is True
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=page.locator(".page").first.element_handle())
    wait_until("the rest to build", lambda: served.state()["building"] is None
               and any(line.startswith("build: wrote") for line in served.lines()[before:]))
    builds = [line for line in served.lines()[before:] if line.startswith(("build ", "build:"))]
    assert builds[0].startswith("build of handout-anxiety-letter-en (open in the browser")
    assert ": wrote 1 PDF; rendered 1 of 1: handout-anxiety-letter-en; unchanged 0 " in builds[0]
    assert builds[1].startswith("build: wrote 1 PDF; rendered 1 of 3: handout-ptsd-letter-en; "
                                "unchanged 2 ")  # the PDF that changed; two came from the cache
    assert axe_violations(page) == []
    screenshot(page, "serve-preview")


def test_errors_show_on_the_page_located(context: BrowserContext, served: Served) -> None:
    page = open_page(context, served, "/")
    yaml = served.root / "content/handouts/ptsd.yaml"
    good = yaml.read_text()
    yaml.write_text(good.replace("title: {en:", "title: {en: [", 1))
    page.wait_for_selector("#live.failed", timeout=120000)
    problems = page.locator("#live [role=alert] li").all_inner_texts()
    assert any(re.match(r"content/handouts/ptsd\.yaml:2:\d+: error\[yaml\.syntax\]: ", p)
               for p in problems), problems
    assert "nothing was written" in page.inner_text("#live .live-title")
    screenshot(page, "serve-error")
    yaml.write_text(good)
    page.wait_for_selector("#live.ok", timeout=120000)
    assert page.locator("#live [role=alert]").count() == 0


def test_a_document_over_its_budget_opens_from_its_error(context: BrowserContext,
                                                          served: Served) -> None:
    page = open_page(context, served, "/")
    yaml = served.root / "content/handouts/ptsd.yaml"
    good = yaml.read_text()
    office = (served.root / "out/handout-ptsd-letter-en.pdf").read_bytes()
    sentence = "The effect did not last long."
    yaml.write_text(good.replace(sentence, " ".join([sentence] * 80), 1))  # a page or two over
    page.wait_for_selector("#live.failed", timeout=120000)
    link = page.locator("#live [role=alert] a").first
    assert link.inner_text() == "out/.rejected/handout-ptsd-letter-en.pdf"
    href = link.get_attribute("href")
    assert href == "/_rejected/handout-ptsd-letter-en.pdf"
    screenshot(page, "serve-rejected")
    status, headers, body = get(served, href)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(body)).pages) > 2  # its budget: at most 2
    status, _, body = get(served, "/handout-ptsd-letter-en.pdf")
    assert body == office  # the good copy is still the one served and printed
    for bad in ("/_rejected/../manifest.json", "/_rejected/%2e%2e/manifest.json",
                "/_rejected/", "/_rejected/x.txt", "/.rejected/handout-ptsd-letter-en.pdf"):
        assert get(served, bad)[0] in (400, 404), bad
    yaml.write_text(good)
    page.wait_for_selector("#live.ok", timeout=120000)
    assert get(served, href)[0] == 404  # it fits again: its rejected copy is gone


def test_print_prints_a_same_origin_frame(context: BrowserContext, served: Served) -> None:
    page = open_page(context, served, "/")
    page.click("#doc-evidence-sheet-ptsd-letter-en .print")
    page.wait_for_function("(window.__prints || []).length === 1", timeout=30000)
    printed = page.evaluate("window.__prints[0]")
    assert printed.startswith(served.url + "evidence-sheet-ptsd-letter-en.pdf?v=")
    frame = page.evaluate("document.getElementById('printer').contentWindow.location.href")
    assert frame == printed  # readable from the page: the frame is on the same origin
    page.click("#doc-evidence-sheet-ptsd-letter-en .print")  # again: the loaded frame prints
    page.wait_for_function("window.__prints.length === 2")


def test_serves_only_what_is_in_out(served: Served) -> None:
    status, headers, body = get(served, "/handout-ptsd-letter-en.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body == (served.root / "out/handout-ptsd-letter-en.pdf").read_bytes()
    status, headers, _ = get(served, "/")
    assert status == 200 and "default-src 'self'" in headers["Content-Security-Policy"]
    clinic = served.root / "content/clinic.yaml"
    (served.root / "out/escape").symlink_to(served.root / "content")
    for path in ("/../content/clinic.yaml", "/%2e%2e/content/clinic.yaml",
                 "/%2E%2E%2Fcontent%2Fclinic.yaml", "/..%5ccontent%5cclinic.yaml",
                 "/thumbs/../../content/clinic.yaml", "/" + quote(str(clinic), safe=""),
                 "/" + str(clinic), str(clinic), "//" + str(clinic), "/escape/clinic.yaml",
                 "/.cache/", "/manifest.json%00", "http://127.0.0.1/../content/clinic.yaml"):
        status, _, body = get(served, path)
        assert status in (400, 404), (path, status)
        assert b"Northside" not in body, path
    status, _, _ = get(served, "/", host="attacker.example")  # DNS rebinding
    assert status == 421


def test_out_name_unit() -> None:
    """The out/-relative name a URL path gives (links are refused when it is opened)."""
    assert out_name("/thumbs/a.png") == "thumbs/a.png"
    assert out_name("/thumbs%2Fa.png") == "thumbs/a.png"
    for bad in ("/thumbs/../thumbs/a.png", "/.cache/x", "/%2e%2e/x", "thumbs/a.png",
                "/thumbs//a.png", "/", "/a\\b", "/a%00b"):
        assert out_name(bad) is None, bad


def test_a_public_host_needs_public(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    result = run_cli(root, "serve", "--host", "0.0.0.0", "--port", "0")
    assert result.code == 2 and "--public" in result.stderr
    assert not (root / "out").exists()
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
