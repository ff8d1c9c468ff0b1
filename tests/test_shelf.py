"""The print shelf (out/index.html) in a real headless Chromium: Debian's, driven by Playwright."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli
from playwright.sync_api import Browser, Page, sync_playwright
from test_locations import patient_project

CHROMIUM = Path(os.environ.get("KETABROCHURE_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SCREENSHOT = os.environ.get("KETABROCHURE_SHELF_SCREENSHOT")  # keep a picture to look at


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory, built: Path) -> Path:
    """A project with physician and patient documents (two locations), built."""
    root = patient_project(tmp_path_factory.mktemp("shelf") / "p", built)
    result = run_cli(root, "build", "--jobs", "2")
    assert result.code == 0, result.stderr
    return root / "out"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (Debian chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, shelf: Path) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((shelf / "index.html").as_uri())
    yield page
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    page.close()


def visible_cards(page: Page) -> list[str]:
    return page.eval_on_selector_all(".card:not([hidden]) .file", "els => els.map(e => e.textContent)")


def test_every_document_is_on_the_shelf_with_working_links(page: Page, shelf: Path) -> None:
    manifest = json.loads((shelf / "manifest.json").read_text())["documents"]
    assert page.title() == "Print shelf"
    assert sorted(visible_cards(page)) == sorted(e["file"] for e in manifest)
    assert page.locator("[data-group=patient] h2").inner_text() == "For patients"
    assert page.locator("[data-group=patient] .card").count() == 4
    physician = [e for e in manifest if e["audience"] == "physician"]
    assert page.locator("[data-group=physician] .card").count() == len(physician) >= 12
    hrefs = page.eval_on_selector_all(".card a", "els => els.map(e => e.getAttribute('href'))")
    prints = page.eval_on_selector_all(".print", "els => els.map(e => e.dataset.pdf)")
    assert len(hrefs) == 2 * len(manifest) and len(prints) == len(manifest)
    for href in hrefs + prints:
        assert (shelf / href).is_file() and href.endswith(".pdf"), href
    card = page.locator(".card", has_text="test-handout-ptsd-letter-en-eastside.pdf")
    assert "Northside Eastside" in card.inner_text() and "1 page" in card.inner_text()
    sheet = page.locator(".card", has_text="evidence-sheet-ptsd-a4-en.pdf").inner_text()
    assert "PTSD" in sheet and "English" in sheet and "A4" in sheet and "reviewed 20" in sheet


def documents(shelf: Path) -> int:
    return len(json.loads((shelf / "manifest.json").read_text())["documents"])


def test_thumbnails_show(page: Page, shelf: Path) -> None:
    images = page.locator(".card img")
    assert images.count() == documents(shelf)
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle(), timeout=5000)
    if SCREENSHOT:
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=SCREENSHOT, full_page=False)


def test_filters_by_condition_language_and_audience(page: Page, shelf: Path) -> None:
    n = documents(shelf)
    page.select_option("#filter-condition", "ptsd")
    assert sorted(visible_cards(page)) == [
        "evidence-sheet-ptsd-a4-en.pdf", "evidence-sheet-ptsd-letter-en.pdf",
        "test-handout-ptsd-letter-en-downtown.pdf", "test-handout-ptsd-letter-en-eastside.pdf"]
    page.select_option("#filter-audience", "patient")
    assert len(visible_cards(page)) == 2
    assert page.locator("[data-group=physician]").is_hidden()
    assert page.locator("#count").inner_text() == f"Showing 2 of {n} documents"
    page.select_option("#filter-language", "en")
    assert len(visible_cards(page)) == 2
    page.click("#filter-reset")
    page.wait_for_function(f"document.querySelectorAll('.card:not([hidden])').length === {n}")


def test_usable_by_keyboard(page: Page, shelf: Path) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-condition"
    page.keyboard.press("ArrowDown")  # a focused <select> changes with the arrow keys
    assert page.evaluate("document.activeElement.value") != ""
    n = documents(shelf)
    assert page.locator("#count").inner_text() != f"Showing {n} of {n} documents"
    for _ in range(4):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Open"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Print"
