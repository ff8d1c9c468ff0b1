"""The print shelf (out/index.html) in a real headless Chromium: Debian's, driven by Playwright;
its accessibility checked with axe-core (the npm package, installed into tests/node/)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import axe_violations, htmlcs_errors, matched, patient_project, run_cli, screenshot
from playwright.sync_api import Browser, Page

from ketabrochure.site import shelf as shelf_module

# one xdist worker runs the module: one built shelf and one browser for the module
pytestmark = pytest.mark.xdist_group("test_shelf")











@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory, built: Path) -> Path:
    """Physician and patient documents (two locations, English and Spanish, office and
    print-shop copies), built."""
    root = patient_project(tmp_path_factory.mktemp("shelf") / "p", built)
    documents = root / "content/documents.yaml"
    documents.write_text(documents.read_text().replace(
        "    language: en\n    pages: {maximum: 1}",
        "    languages: [en, es]\n    variants: [office, print-shop]\n    pages: {maximum: 1}"))
    result = run_cli(root, "build", "--jobs", "1")
    assert result.code == 0, result.stderr
    return root / "out"


@pytest.fixture
def page(browser: Browser, shelf: Path) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((shelf / "index.html").as_uri())
    yield page
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    page.close()


def manifest(shelf: Path) -> list[dict[str, Any]]:
    return list(json.loads((shelf / "manifest.json").read_text())["documents"])


def visible_cards(page: Page) -> list[str]:
    return list(page.eval_on_selector_all(".card:not([hidden]) .file",
                                          "els => els.map(e => e.textContent)"))


def office(entries: list[dict[str, Any]]) -> list[str]:
    return sorted(e["file"] for e in entries if e["variant"] != "print-shop")


def test_office_copies_by_default_print_shop_copies_apart(page: Page, shelf: Path) -> None:
    entries = manifest(shelf)
    shop = sorted(e["file"] for e in entries if e["variant"] == "print-shop")
    assert len(shop) == 8 and len(office(entries)) == 14 + 8
    assert page.title() == "Print shelf"
    assert sorted(visible_cards(page)) == office(entries)
    assert page.locator("#section-print-shop").is_hidden()
    assert page.locator("#print-shop-hidden").inner_text().startswith("8 print-shop copies are not shown")
    headings = page.eval_on_selector_all("main h2", "els => els.map(e => e.textContent)")
    assert headings == ["For patients", "For physicians", "Referral packets, by recipient",
                        "For the print shop"]
    assert page.locator("#section-patients .card").count() == 8
    assert page.locator("#section-packets .card").count() == 1
    page.click("#show-print-shop")
    assert sorted(visible_cards(page)) == shop
    assert page.evaluate("location.hash") == "#variant=print-shop"
    assert page.evaluate("document.activeElement.id") == "heading-print-shop"
    shop_card = page.locator("#section-print-shop .card").first
    assert shop_card.locator(".print").count() == 0, "no office Print button on a print-shop copy"
    assert "send this file to the print shop" in shop_card.inner_text()
    assert shop_card.locator("a[download]").count() == 1
    page.select_option("#filter-variant", "all")
    assert len(visible_cards(page)) == len(entries)


def test_every_link_reaches_its_pdf_and_says_its_title(page: Page, shelf: Path) -> None:
    entries = manifest(shelf)
    hrefs = page.eval_on_selector_all(".card a", "els => els.map(e => e.getAttribute('href'))")
    prints = page.eval_on_selector_all(".print", "els => els.map(e => e.dataset.pdf)")
    assert len(hrefs) == 2 * len(entries) + 8 and len(prints) == len(entries) - 8
    for href in hrefs + prints:
        assert (shelf / href).is_file() and href.endswith(".pdf"), href
    labels = page.eval_on_selector_all(".card [aria-label]", "els => els.map(e => e.getAttribute('aria-label'))")
    assert not [label for label in labels if ".pdf" in label], "names read aloud are titles"
    card = page.locator("#doc-test-handout-ptsd-letter-en-eastside")
    assert card.locator(".print").get_attribute("aria-label") == \
        "Print PTSD: what to expect (English, Northside Eastside, US Letter)"
    assert "Northside Eastside" in card.inner_text() and "1 page" in card.inner_text()
    assert "US Letter, single-sided · 1 sheet of paper" in card.locator(".setting").inner_text()
    sheet = page.locator("#doc-evidence-sheet-ptsd-a4-en").inner_text()
    assert "PTSD" in sheet and "English" in sheet and "A4, single-sided" in sheet
    assert "A4 paper" in sheet and "US Letter paper" not in card.inner_text()
    assert "reviewed 20" in sheet
    report = page.locator("#doc-report-research-letter-en")
    pages = next(e["pages"] for e in entries if e["layout"] == "report")
    assert f"US Letter, double-sided, flip on long edge · {(pages + 1) // 2} sheets of paper" \
        in report.inner_text()
    packet = page.locator("#section-packets .card").inner_text()
    assert "For Dr. Ana Ruiz" in packet and "single-sided" in packet


def test_filters_by_condition_language_copy_and_location(page: Page, shelf: Path) -> None:
    options = page.eval_on_selector_all("#filter-condition option", "els => els.map(e => e.textContent)")
    assert options.count("All conditions") == 1 and options[0] == "All conditions"
    assert "Dr. Ana Ruiz" not in options
    page.select_option("#filter-condition", "ptsd")
    page.select_option("#filter-language", "es")
    page.select_option("#filter-location", "eastside")
    assert visible_cards(page) == ["test-handout-ptsd-letter-es-eastside.pdf"]
    assert page.locator("[data-group=physicians]").is_hidden()
    assert page.evaluate("location.hash") == "#condition=ptsd&language=es&location=eastside"
    page.select_option("#filter-language", "en")
    assert sorted(visible_cards(page)) == [  # the research report is about every condition,
        "evidence-sheet-ptsd-a4-en.pdf", "evidence-sheet-ptsd-letter-en.pdf",  # the sample
        "referral-packet-sample-letter-en.pdf",  # packet encloses the PTSD sheet
        "report-research-letter-en.pdf", "test-handout-ptsd-letter-en-eastside.pdf"]
    page.select_option("#filter-layout", "evidence-sheet")  # the Document filter
    assert sorted(visible_cards(page)) == ["evidence-sheet-ptsd-a4-en.pdf",
                                           "evidence-sheet-ptsd-letter-en.pdf"]
    page.select_option("#filter-layout", "")
    page.select_option("#filter-variant", "print-shop")
    assert visible_cards(page) == ["test-handout-ptsd-letter-en-print-shop-eastside.pdf"]
    page.click("#filter-reset")
    page.wait_for_function(f"document.querySelectorAll('.card:not([hidden])').length === "
                           f"{len(office(manifest(shelf)))}")
    assert page.evaluate("location.hash") == ""


def test_filters_are_restored_from_the_url(browser: Browser, shelf: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((shelf / "index.html").as_uri() + "#condition=anxiety&location=downtown&language=nope")
    assert page.input_value("#filter-condition") == "anxiety"
    assert page.input_value("#filter-location") == "downtown"
    assert page.input_value("#filter-language") == ""  # an unknown value is dropped
    cards = visible_cards(page)
    assert "test-handout-anxiety-letter-en-downtown.pdf" in cards
    assert not [c for c in cards if "eastside" in c or "ptsd" in c]
    page.evaluate("location.hash = '#condition=ptsd'")
    page.wait_for_function("document.getElementById('filter-condition').value === 'ptsd'")
    page.close()


def test_thumbnails_show(page: Page, shelf: Path) -> None:
    page.select_option("#filter-variant", "all")
    images = page.locator(".card img")
    assert images.count() == len(manifest(shelf))
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle(), timeout=5000)


def test_usable_by_keyboard(page: Page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-condition"
    page.keyboard.press("ArrowDown")  # a focused <select> changes with the arrow keys
    assert page.evaluate("document.activeElement.value") != ""
    assert page.evaluate("location.hash").startswith("#condition=")
    for _ in range(8):  # document, language, copy, location, show, clear, show print-shop copies
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Print"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Open"


def test_no_accessibility_violation_default_and_filtered(page: Page) -> None:
    screenshot(page, "shelf-default")
    assert axe_violations(page) == []
    assert htmlcs_errors(page) == []
    page.select_option("#filter-condition", "ptsd")
    page.select_option("#filter-variant", "print-shop")
    screenshot(page, "shelf-filtered")
    assert axe_violations(page) == []


# The print settings and sections, from manifest entries alone.
def entry(**fields: Any) -> dict[str, Any]:
    """A manifest entry: a handout, with what its kind declared (the shelf reads only that)."""
    return {"file": "x.pdf", "layout": "handout", "subject": "ptsd", "paper": "letter",
            "language": "en", "variant": "office", "pages": 2, "audience": "patient",
            "title": "Ketamine for PTSD", "subject_name": "PTSD", "shelf": "patients",
            "about": "condition", "conditions": ["ptsd"], "duplex": "long-edge", **fields}


def test_print_settings() -> None:
    setting = shelf_module.print_setting
    assert setting(entry(layout="trifold", subject="what-is", duplex="short-edge")) == \
        "US Letter, double-sided, flip on short edge"
    assert setting(entry()) == "US Letter, double-sided, flip on long edge"
    assert setting(entry(pages=1, paper="a4")) == "A4, single-sided"
    assert setting(entry(layout="referral-packet", pages=3, duplex="simplex")) == \
        "US Letter, single-sided"
    assert shelf_module.sheets(entry(pages=4)) == 2
    assert shelf_module.sheets(entry(layout="referral-packet", pages=3, duplex="simplex")) == 3
    assert shelf_module.section(entry(variant="print-shop")) == "print-shop"
    assert shelf_module.section(entry(variant="large-print")) == "patients"
    assert shelf_module.conditions(entry(layout="report", about="all")) is None
    assert shelf_module.conditions(entry(layout="referral-packet", about="enclosed",
                                         conditions=["ptsd"])) == ["ptsd"]
    # the shelf knows no kinds: a layout name it has never heard of is filed as declared
    card = entry(layout="reminder-card", subject="next-visit", about="none", conditions=[],
                 shelf="patients", duplex="simplex")
    assert shelf_module.conditions(card) is None and shelf_module.section(card) == "patients"
    assert 'data-condition="*"' in shelf_module.card(card)
    condition_filter = shelf_module.filters([card])[0]
    assert condition_filter["name"] == "condition"
    assert condition_filter["values"] == []  # only "All conditions": none to pick


def test_the_page_escapes_what_the_manifest_says() -> None:
    page = shelf_module.index_html([entry(title="<script>x</script>", file="a&b.pdf")])
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_general_documents_come_first_and_a_filter_picks_the_type() -> None:
    """The brochure (about every condition) leads the patients' section; the Document filter
    names each layout present, from the manifest alone."""
    entries = [entry(file=f"handout-{c}.pdf", subject=c, subject_name=c.title(),
                     conditions=[c]) for c in ("anxiety", "depression", "ptsd")]
    entries.append(entry(file="trifold.pdf", layout="trifold", subject="what-is",
                         title="What is ketamine therapy?", about="all", conditions=None))
    entries.append(entry(file="sheet.pdf", layout="evidence-sheet", audience="physician",
                         shelf="physicians", conditions=["ptsd"]))
    page = shelf_module.index_html(entries)
    patients = page.split('id="section-patients"')[1].split("</section>")[0]
    assert re.findall(r'data-name="([^"]+)"', patients) == \
        ["trifold", "handout-anxiety", "handout-depression", "handout-ptsd"]
    types = matched(r'<select id="filter-layout".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([\w-]*)">([^<]+)<', types) == [
        ("", "All documents"), ("evidence-sheet", "Evidence sheet"), ("handout", "Handout"),
        ("trifold", "Trifold")]
    assert 'data-layout="trifold"' in page and 'data-variant="office"' in page
