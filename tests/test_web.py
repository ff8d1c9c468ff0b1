"""The web edition (out/web/): built from the same records and texts as the PDFs, static and
self-contained, checked by `check` without a and proven in Debian's Chromium: axe-core
and HTML_CodeSniffer (pa11y's runner, and pa11y itself) on every page, reflow at 320 CSS px and
at 200% zoom, keyboard focus visible in reading order, targets of at least 24 px."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from helpers import (
    HTMLCS,
    NODE,
    REPO,
    axe_source,
    axe_violations,
    copy_minimal,
    edit,
    htmlcs_errors,
    interrupt,
    matched,
    run_cli,
    screenshot,
    seed_cache,
)
from playwright.sync_api import Browser, Page

from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.site import web, webcheck

# one xdist worker runs the module: one built project and one browser for the module
pytestmark = pytest.mark.xdist_group("test_web")

PA11Y = NODE / "node_modules" / ".bin" / "pa11y"
CHROMIUM = os.environ.get("KETABROCHURE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, built_minimal: Path) -> Path:
    """The minimal project, built (its cache seeded): out/ with the web edition."""
    root = seed_cache(built_minimal, copy_minimal(tmp_path_factory.mktemp("web") / "p"))
    result = run_cli(root, "build", "--jobs", "1")
    assert result.code == 0, result.stderr + result.stdout
    return root


def pages(site: Path) -> list[Path]:
    return sorted((site / "out" / "web").rglob("*.html"))


def test_build_writes_a_static_edition_in_both_languages(site: Path) -> None:
    out = site / "out" / "web"
    names = {p.relative_to(out).as_posix() for p in pages(site)}
    assert names == {"index.html", "en/index.html", "es/index.html", "en/glossary.html",
                     "es/glossary.html", "en/handouts/ptsd.html", "es/handouts/ptsd.html"}
    for page in pages(site):
        html = page.read_text()
        here = page.relative_to(out).as_posix()
        # nothing fetched from elsewhere, and no script needed to read
        assert not re.search(r'(src|href)="(https?:)?//[^"]*"[^>]*>', html.split("<main")[0])
        assert not re.search(r"<(img|script|iframe)[^>]+src=\"https?:", html)
        assert "<script>" not in html and "<script src" not in html
        if here != "index.html":
            lang = here.split("/")[0]
            assert f'<html lang="{lang}">' in html
            other = "es" if lang == "en" else "en"
            assert f'hreflang="{other}" href="' in html and f'hreflang="{lang}"' in html
            data = json.loads(matched(r'<script type="application/ld\+json">(.*?)</script>',
                                      html, re.S).group(1))
            assert data["@type"] == "MedicalWebPage" and data["inLanguage"] == lang
            # the minimal project keeps no sign-off ledger: no review date or reviewer invented
            assert "lastReviewed" not in data and "reviewedBy" not in data
    fonts = sorted(p.name for p in (out / "fonts").iterdir())
    assert fonts == sorted(p.name for p in (REPO / "assets" / "fonts").glob("*.woff2"))
    css = (out / "style.css").read_text()
    assert "url(\"fonts/" in css and "http" not in css.replace("https://", "")
    assert "@media" in css and (out / "print.css").is_file()
    for pdf in (out / "pdf").iterdir():  # every linked PDF is a copy of the build's
        assert pdf.read_bytes() == (site / "out" / pdf.name).read_bytes()
    assert not list((out / "pdf").glob("*print-shop*"))


def test_research_page_says_what_the_records_say(site: Path) -> None:
    html = (site / "out" / "web" / "en" / "index.html").read_text()
    assert "Are you thinking about ending your life? Call or text 988" in html
    assert "It is not approved for" in html  # the off-label statement, filled
    assert "{" not in re.sub(r"<(style|script)[^>]*>.*?</\1>", "", html, flags=re.S)
    assert '<a href="https://doi.org/10.1001/jamapsychiatry.2014.62">' in html
    assert "Small study" in html and "Randomized crossover trial" in html
    assert re.search(r"<td[^>]*>Very low<br>\(1/4\)</td>", html)  # certainty, computed
    assert re.search(r"<td[^>]*>Not graded: no estimate on file</td>", html)  # narrative
    assert "67% with ketamine vs 20% with midazolam" in html  # the chart's numbers in words
    assert 'href="../pdf/handout-ptsd-letter-en.pdf"' in html
    assert "Information for patients (PDF, US Letter)</a>" in html
    assert "Information for patients (PDF, US Letter, large print)</a>" in html
    assert "2 pages, print on both sides, flip on the long edge" in html
    spanish = (site / "out" / "web" / "es" / "index.html").read_text()
    assert "Llame o envíe un texto al 988" in spanish and "marque 2" in spanish
    assert "Estudio pequeño" in spanish and "Ensayo aleatorizado cruzado" in spanish
    assert re.search(r'<ol lang="en">\s*<li id="ref-1"', spanish)  # English-only, marked


def test_animal_and_mechanism_work_is_labelled_as_such() -> None:
    """On the real content (read, not typeset): every preclinical or mechanism study a page
    lists carries its label in both languages."""
    diags = Diagnostics()
    project, _ = load(REPO, diags)
    assert project is not None
    edition = web.edition(project, [], REPO / "assets" / "fonts")
    lower = [s for s in project.studies.values() if s.role in ("preclinical", "mechanism")]
    assert lower
    for lang, animal, mechanism in (
            ("en", "Animal study: not evidence for people", "Mechanism study: not evidence"),
            ("es", "Estudio en animales: no es evidencia", "Estudio de mecanismo: no muestra")):
        html = edition.files[f"web/{lang}/index.html"].decode()
        seen = set()
        for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", html, re.S):
            name = matched(r'href="#ref-\d+">([^<]+)</a>', row).group(1)
            study = next((s for s in lower if name.startswith(s.citation.authors[0].split()[0]
                                                           if s.citation.authors else "\u201c")
                          and str(s.citation.year) in name), None)
            if study is not None:
                assert (animal if study.role == "preclinical" else mechanism) in row, row
                seen.add(study.role)
        assert seen == {"preclinical", "mechanism"}, "the real content lists both on the page"
    checked = Diagnostics()
    webcheck.check_edition(edition, project, checked)
    assert not checked.errors, [str(e) for e in checked.errors]


def test_a_content_edit_shows_on_the_page_and_the_pdf(tmp_path: Path,
                                                      built_minimal: Path) -> None:
    root = seed_cache(built_minimal, copy_minimal(tmp_path / "p"))
    handout = root / "content" / "handouts" / "ptsd.yaml"
    edit(handout, "The results are mixed.", "The results do not agree.")
    edit(handout, "Los resultados son mixtos.", "Los resultados no coinciden.")
    result = run_cli(root, "build", "--jobs", "1")
    assert result.code == 0, result.stderr
    out = root / "out"
    for lang, words in (("en", "The results do not agree."),
                        ("es", "Los resultados no coinciden.")):
        assert words in (out / "web" / lang / "handouts" / "ptsd.html").read_text()
        assert words in (out / "web" / lang / "index.html").read_text()
    pdf = pypdf.PdfReader(out / "handout-ptsd-letter-en.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "The results do not agree." in text
    assert (out / "web/pdf/handout-ptsd-letter-en.pdf").read_bytes() == \
        (out / "handout-ptsd-letter-en.pdf").read_bytes()


def test_a_no_op_build_rewrites_no_page(tmp_path: Path, site: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(site, root, symlinks=True)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns)
              for p in (root / "out" / "web").rglob("*") if p.is_file()}
    result = run_cli(root, "build", "--jobs", "1")
    assert result.code == 0, result.stderr
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns)
             for p in (root / "out" / "web").rglob("*") if p.is_file()}
    assert after == before


def test_web_only_words_are_under_the_rules(tmp_path: Path, built_minimal: Path) -> None:
    """A web label reworded in patient.yaml is a patient text: the content rules hold it, in
    each language, located where it is written."""
    root = seed_cache(built_minimal, copy_minimal(tmp_path / "p"))
    patient = root / "content" / "patient.yaml"
    edit(patient, "labels:\n", 'labels:\n  web_bottom_line: {en: "A miracle, in short", '
                               'es: "Un milagro, en resumen"}\n')
    result = run_cli(root, "check")
    assert result.code == 1
    assert re.search(r"content/patient\.yaml:\d+:\d+: error\[claims.proof\]: "
                     r"labels\.web_bottom_line\.en: says 'miracle'", result.stderr), result.stderr
    assert "labels.web_bottom_line.es: says 'milagro'" in result.stderr


PAGE = """<!DOCTYPE html><html lang="{lang}"><head><title>t</title></head><body>
<main><h1>Title</h1><h3>Skipped a level</h3>
<p>{claim}</p>
<p data-field="findings[1]">A content text may say snake oil: its own rules hold it.</p>
<img src="x.png"><svg role="img"><title>no label</title></svg>
<table><tr><th>Header</th></tr></table>
<a href="other.html">gone</a> <a href="#nowhere">no anchor</a> <a href="#ok" id="ok">ok</a>
<a href="https://doi.org/10.1/x">out</a> <a href="../pdf/a.pdf">pdf</a>
</main></body></html>"""


@pytest.mark.parametrize(("lang", "claim", "said", "phrase"), [
    ("en", "Ketamine is FDA-approved for depression. It is snake oil.", "FDA-approved",
     "snake oil"),
    ("es", "La ketamina está aprobada por la FDA para la depresión. Es aceite de serpiente.",
     "aprobada", "aceite de serpiente")])
def test_check_reads_the_pages_without_a_browser(tmp_path: Path, lang: str, claim: str,
                                                said: str, phrase: str) -> None:
    root = copy_minimal(tmp_path / "p")
    edit(root / "content" / "patient.yaml", "forbidden:\n",
         'forbidden:\n  - snake oil\n  - "aceite de serpiente"\n')
    project, _ = load(root, Diagnostics())
    assert project is not None
    edition = web.Edition({f"web/{lang}/index.html": PAGE.format(lang=lang, claim=claim)
                           .encode()}, ["a.pdf"])
    diags = Diagnostics()
    webcheck.check_edition(edition, project, diags)
    found = sorted(f"{d.location.line}: {d.message}" for d in diags.errors)
    where = {d.location.path for d in diags.errors}
    assert where == {f"out/web/{lang}/index.html"}
    assert "2: h3 after h1: a heading level is skipped" in found
    assert f"3: the web page says '{phrase}' (forbidden in patient.yaml)" in found
    assert any(f.startswith(f"3: the web page says '{said}' in \u201c") and
               "IV ketamine is FDA-approved only for anesthesia" in f for f in found), found
    assert "5: an image without alt text" in found
    assert any(f.startswith("5: a chart (svg) without") for f in found)
    assert "6: a table header without scope" in found
    assert "7: the link 'other.html' leads to no file of the web edition" in found
    assert any("#nowhere" in f for f in found)
    assert len(found) == 8, found  # the content text, DOI link, PDF and anchor are fine


# In Chromium: every page, both languages.
@pytest.fixture(scope="module")
def tools() -> None:
    axe_source()  # installs tests/node (axe-core, pa11y) when missing
    assert HTMLCS.is_file() and PA11Y.is_file()


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    yield page
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    page.close()


@pytest.mark.usefixtures("tools")
def test_every_page_passes_axe_and_html_codesniffer(open_page: Page, site: Path) -> None:
    counts = {}
    for path in pages(site):
        open_page.goto(path.as_uri())
        name = path.relative_to(site / "out" / "web").as_posix()
        assert axe_violations(open_page) == [], name
        assert htmlcs_errors(open_page) == [], name
        counts[name] = 0
    assert len(counts) == 7


@pytest.mark.usefixtures("tools")
@pytest.mark.parametrize("lang", ["en", "es"])
def test_pa11y_finds_no_error(site: Path, tmp_path: Path, lang: str) -> None:
    """pa11y itself (HTML_CodeSniffer runner, WCAG 2 AA) with Debian's Chromium."""
    config = tmp_path / "pa11y.json"
    config.write_text(json.dumps({"standard": "WCAG2AA", "runners": ["htmlcs"],
                                  "chromeLaunchConfig": {"executablePath": CHROMIUM,
                                                         "args": ["--no-sandbox", "--headless"]}}))
    page = site / "out" / "web" / lang / "index.html"
    run = subprocess.run([str(PA11Y), "--config", str(config), "--reporter", "json",
                          page.as_uri()], capture_output=True, text=True, timeout=120,
                         check=False, env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout) == []


@pytest.mark.parametrize("width", [320, 640])  # 640: a 1280 px window at 200% zoom
def test_pages_reflow_without_sideways_scrolling(browser: Browser, site: Path,
                                                 width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    for path in [*pages(site), site / "out" / "index.html"]:
        page.goto(path.as_uri())
        assert no_sideways_scroll(page), f"{path.name} scrolls sideways at {width} px"
    page.close()


def test_keyboard_focus_is_visible_in_reading_order(open_page: Page, site: Path) -> None:
    research = (site / "out" / "web" / "en" / "index.html").as_uri()
    open_page.goto(research)
    open_page.keyboard.press("Tab")
    assert open_page.evaluate("document.activeElement.className") == "skip"
    assert open_page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0
    open_page.keyboard.press("Enter")
    assert open_page.evaluate("location.hash") == "#main"
    assert open_page.evaluate("document.activeElement.id") == "main"
    open_page.goto(research)
    links = open_page.evaluate("document.querySelectorAll('a[href], button').length")
    seen = []
    for _ in range(links):
        open_page.keyboard.press("Tab")
        seen.append(open_page.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
            const all = Array.from(document.querySelectorAll('a[href], button'));
            return {index: all.indexOf(e), outline: s.outlineStyle + ' ' + s.outlineWidth,
                    inline: !!e.closest('p, li:not(.pdfs li), dd, td, th, figcaption')
                            && !e.matches('.more, .pdfs a, header a'),
                    height: r.height, width: r.width};
        }"""))
    order = [s["index"] for s in seen]
    assert order == sorted(order) and order[0] == 0 and len(set(order)) == links, order
    for s in seen:
        assert s["outline"].startswith("solid") and not s["outline"].endswith(" 0px"), s
        if not s["inline"]:  # WCAG 2.5.8: inline links in a sentence are exempt
            assert s["height"] >= 24 and s["width"] >= 24, s


def test_landmarks_headings_tables_and_charts(open_page: Page, site: Path) -> None:
    for lang in ("en", "es"):
        open_page.goto((site / "out" / "web" / lang / "index.html").as_uri())
        found = open_page.evaluate("""() => ({
            banner: document.querySelectorAll('body > header').length,
            main: document.querySelectorAll('main').length,
            footer: document.querySelectorAll('body > footer').length,
            navs: document.querySelectorAll('nav[aria-label], nav[aria-labelledby]').length,
            h1: document.querySelectorAll('h1').length,
            levels: Array.from(document.querySelectorAll('h1,h2,h3,h4')).map(h => +h.tagName[1]),
            unscoped: document.querySelectorAll('th:not([scope])').length,
            charts: Array.from(document.querySelectorAll('figure.chart')).map(f => ({
                role: f.querySelector('svg').getAttribute('role'),
                label: f.querySelector('svg').getAttribute('aria-labelledby'),
                caption: f.querySelector('figcaption').textContent}))})""")
        assert (found["banner"], found["main"], found["footer"], found["h1"]) == (1, 1, 1, 1)
        assert found["navs"] >= 3 and found["unscoped"] == 0
        assert all(b - a <= 1 for a, b in zip(found["levels"], found["levels"][1:], strict=False))
        assert found["charts"] and all(c["role"] == "img" and c["label"] for c in found["charts"])
        assert all(re.search(r"\d+%", c["caption"]) for c in found["charts"])


@pytest.mark.parametrize("width", [320, 1280])
def test_screenshots(browser: Browser, site: Path, width: int) -> None:
    """Pictures of the research page to look at (KETABROCHURE_SHELF_SCREENSHOTS=<folder>)."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    for lang in ("en", "es"):
        page.goto((site / "out" / "web" / lang / "index.html").as_uri())
        page.wait_for_function("document.fonts.status === 'loaded'")
        assert page.evaluate("document.fonts.check('16px \"Atkinson Hyperlegible\"')")
        screenshot(page, f"web-research-{lang}-{width}")
    page.close()


def test_serve_shows_the_web_edition_and_follows_a_save(browser: Browser, tmp_path: Path,
                                                        site: Path) -> None:
    """Under `serve`, a web page loads its own stylesheet and fonts (the CSP allows them) and
    shows a content edit after the rebuild, as the PDF does."""
    root = tmp_path / "p"
    shutil.copytree(site, root, symlinks=True)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "ketabrochure", "--project", str(root), "serve",
             "--port", "0", "--jobs", "1"], stdout=out, stderr=subprocess.STDOUT)
    try:
        url = wait_until("serve to listen", lambda: re.search(
            r"the web edition at (http://127\.0\.0\.1:\d+/web/)", log.read_text()))[1]
        strict = browser.new_page()
        problems: list[str] = []
        strict.on("console", lambda message: problems.append(message.text))
        strict.goto(url + "en/handouts/ptsd.html")
        strict.wait_for_selector("#live.ok", timeout=120000)
        assert strict.locator(".crisis").evaluate("e => getComputedStyle(e).borderTopWidth") \
            == "3px"  # style.css loaded
        assert not [p for p in problems if "Content Security Policy" in p], problems
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(url + "es/handouts/ptsd.html")
        page.wait_for_selector("#live.ok", timeout=120000)
        edit(root / "content/handouts/ptsd.yaml", "Los resultados son mixtos.",
             "Los resultados no coinciden.")
        page.wait_for_function("document.body.innerText.includes('Los resultados no coinciden')",
                               timeout=180000)
        pdf = pypdf.PdfReader(root / "out" / "handout-ptsd-letter-es-print-shop.pdf")
        assert "Los resultados no coinciden" in " ".join(
            " ".join((p.extract_text() or "").split()) for p in pdf.pages)
        context.close()
        strict.close()
    finally:
        interrupt(process, log)


def wait_until(what: str, check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")
