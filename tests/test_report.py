"""The research report, read back from the real PDF; its charts, read back from the SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdf
import pytest
import yaml
from helpers import edit, run_cli, text_at

from ketabrochure import kinds, layouts
from ketabrochure.build import run as build
from ketabrochure.diagnostics import Diagnostics

# one xdist worker runs the module: the report's text is extracted once per process
pytestmark = pytest.mark.xdist_group("test_report")

SVG = "{http://www.w3.org/2000/svg}"
CHAPTERS = ["Anxiety disorders", "Chronic pain", "Depression", "Ketamine-assisted psychotherapy",
            "PTSD", "Suicidal ideation", "Mechanism and animal research",
            "Other studies on file", "How ketamine and esketamine are regulated", "References"]


@pytest.fixture(scope="module")
def report(built: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(built / "out/report-research-letter-en.pdf")


_TEXTS: dict[int, list[str]] = {}


def page_text(reader: pypdf.PdfReader, index: int) -> str:
    """A page's text, whitespace collapsed (extracted once per reader: pypdf is slow at it)."""
    if id(reader) not in _TEXTS:
        _TEXTS[id(reader)] = [" ".join(p.extract_text().split()) for p in reader.pages]
    return _TEXTS[id(reader)][index]


def chapter_pages(reader: pypdf.PdfReader, heading: str) -> list[str]:
    """The text of a chapter's pages: the first opens with its heading, the rest carry it as
    their running header (left out on the first page, where the heading itself stands)."""
    pages = [page_text(reader, i) for i in range(len(reader.pages))]
    return [p for p in pages if p.startswith(heading) or f"{heading} Research report" in p]


def contents(reader: pypdf.PdfReader) -> dict[str, int]:
    """Chapter title -> the page number the contents page prints for it."""
    text = reader.pages[1].extract_text()
    found = {}
    for line in text.splitlines():
        match = re.match(r"^(\d+) (.+?) ?\.{3,} ?(\d+)$", line.strip())
        if match:
            found[match.group(2)] = int(match.group(3))
    return found


def test_contents_page_numbers_are_where_chapters_start(report: pypdf.PdfReader) -> None:
    listed = contents(report)
    assert list(listed) == CHAPTERS
    for number, (title, page) in enumerate(listed.items(), start=1):
        text = page_text(report, page - 1)
        # the page opens with the chapter heading (its running header and footer come last)
        assert text.startswith(f"{number} {title}"), (title, page, text[:80])
        assert not page_text(report, page - 2).startswith(f"{number} {title}")
        assert f"{number} {title} Research report" not in text  # no header over the heading
        assert f"page {page} of {len(report.pages)}" in text


def test_contents_entries_link_to_their_chapters(report: pypdf.PdfReader) -> None:
    dests = {name: report.get_destination_page_number(d)
             for name, d in report.named_destinations.items()}
    annotations = report.pages[1]["/Annots"]
    assert isinstance(annotations, pypdf.generic.ArrayObject)
    links = [a.get_object()["/Dest"] for a in annotations]
    chapter_links = [d for d in links if d.startswith("ch-")]
    assert len(set(chapter_links)) == len(CHAPTERS)
    listed = list(contents(report).values())
    for dest, page in zip(dict.fromkeys(chapter_links), listed, strict=False):
        assert dests[dest] == page - 1


def test_every_citation_links_to_an_existing_reference(report: pypdf.PdfReader) -> None:
    dests = {name: report.get_destination_page_number(d)
             for name, d in report.named_destinations.items()}
    chapter = chapter_pages(report, "10 References")
    references = [i for i in range(len(report.pages)) if page_text(report, i) in chapter]
    cites = []
    for index, page in enumerate(report.pages):
        for annot in page.get("/Annots", []):
            dest = annot.get_object().get("/Dest")
            if dest is None:
                continue
            assert dest in dests, f"page {index + 1}: link to missing destination {dest}"
            if dest.startswith("ref-"):
                cites.append(dest)
                assert dests[dest] in references
                rect = annot.get_object()["/Rect"]
                assert abs(float(rect[3]) - float(rect[1])) > 3, "a link must be clickable"
    numbered = {name for name in dests if name.startswith("ref-")}
    assert set(cites) == numbered, "every reference is cited and every citation resolves"
    assert len(numbered) == 21  # every study on file
    assert numbered == {f"ref-{n}" for n in range(1, 22)}


def test_references_are_ama_with_dois(report: pypdf.PdfReader) -> None:
    text = " ".join(page_text(report, i) for i in range(len(report.pages) - 2, len(report.pages)))
    assert "Anand A, Mathew SJ, Sanacora G, et al. Ketamine versus ECT" in text
    assert "N Engl J Med. 2023;388(25):2315-2325. PMID 37224232. doi:10.1056/NEJMoa2302399" in text


def test_outline_has_every_chapter_and_its_studies(report: pypdf.PdfReader) -> None:
    top = [item.title for item in report.outline if not isinstance(item, list)]
    assert top == ["Contents"] + [f"{i} {t}" for i, t in enumerate(CHAPTERS, start=1)]
    nested = [item for item in report.outline if isinstance(item, list)]
    assert "Anand 2023: RCT" in [x.title for x in nested[2] if not isinstance(x, list)]  # under Depression


def test_every_study_is_set_out_and_non_efficacy_kept_apart(report: pypdf.PdfReader) -> None:
    pages = [page_text(report, i) for i in range(len(report.pages))]
    text = " ".join(pages)
    mechanism = " ".join(chapter_pages(report, "7 Mechanism and animal research"))
    for name in ("Li 2016", "Sumner 2020", "2014"):
        assert name in mechanism
    assert "They are not evidence that ketamine treats any condition" in mechanism
    assert text.count("Mechanism study, not evidence of benefit") >= 2
    assert "Animal study (mouse)" in text
    awaiting = text.split("AWAITING VERIFICATION")[1].split("8 Other studies on file")[0]
    assert "Ketamine for the treatment of major depression" in awaiting  # nikolin2023: no numbers
    assert not re.search(r"\d+(\.\d+)?%", awaiting)
    depression = " ".join(chapter_pages(report, "3 Depression"))
    assert len(chapter_pages(report, "3 Depression")) >= 2
    assert "3 Depression Research report" in chapter_pages(report, "3 Depression")[1]
    for number in ("55.4%", "41.2%", "403", "0.5 mg/kg", "70.8%", "18 days"):
        assert number in depression


def test_report_budget_and_its_located_failure(minimal: Path) -> None:
    """On the minimal project: its report (one condition, 13 pages) is typeset again, not the
    real one (24 pages); the budget rule is the same for any content."""
    edit(minimal / "content/documents.yaml", "pages: {maximum: 40}", "pages: {maximum: 5}")
    result = run_cli(minimal, "build", "--jobs", "1", "report")  # only the report: quicker than a full check
    assert result.code == 1
    out = minimal / "out"
    assert not list(out.glob("*.pdf")) and not (out / "manifest.json").exists()  # (a cache only)
    line = next(x for x in result.stderr.splitlines() if "report research" in x)
    assert re.match(r"content/documents\.yaml:\d+:\d+: error\[check\.page-count\]: report research "
                    r"\(letter, en\): runs to \d+ pages; its budget is at most 5: about \d+ lines "
                    r"\(\d+ words\) over, onto pages 6-\d+; runs over in: .*; see "
                    r"out/\.rejected/report-research-letter-en\.pdf$", line), line


def report_svgs(root: Path) -> dict[str, ET.Element]:
    """The report's charts, as the renderer writes them into the HTML."""
    html = report_html(root)
    svgs = [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", html, re.DOTALL)]
    return {svg.attrib["id"]: svg for svg in svgs if svg.get("class") == "chart"}


def test_chart_bars_match_the_study_numbers(built: Path) -> None:
    svgs = report_svgs(built)
    # one chart per outcome with rates (its condition id and the outcome's place in the list)
    assert set(svgs) == {f"chart-{c}" for c in ("anxiety-1", "depression-2", "depression-3",
                                                  "ptsd-1", "suicidal-ideation-1")}
    for svg in svgs.values():
        ticks = {int(t.attrib["data-percent"]): float(t.attrib["x1"])
                 for t in svg.iter(f"{SVG}line")}
        unit = (ticks[100] - ticks[0]) / 100
        bars = [b for b in svg.iter(f"{SVG}rect") if b.get("class") == "bar"]
        assert bars
        for bar in bars:
            study = yaml.safe_load((built / f"content/studies/{bar.get('data-study')}.yaml")
                                   .read_text())
            rates = [o["rates"] for o in study["outcomes"] if "rates" in o]
            values = [r[bar.get("data-arm")] for r in rates if r["kind"] == bar.get("data-kind")
                      and bar.get("data-arm") in r]
            drawn = float(bar.attrib["width"]) / unit
            assert any(drawn == pytest.approx(v, abs=0.01) for v in values), (bar.attrib, values)
            assert float(bar.attrib["x"]) == pytest.approx(ticks[0])
        assert svg.get("role") == "img"
        assert text_at(svg, f"{SVG}title") and text_at(svg, f"{SVG}desc")


def test_depression_chart_has_every_rate_and_says_which_arms_lack_a_control(built: Path) -> None:
    charts = [svg for name, svg in report_svgs(built).items() if name.startswith("chart-depr")]
    bars = {(b.get("data-study"), b.get("data-kind"), b.get("data-arm"))
            for svg in charts for b in svg.iter(f"{SVG}rect") if b.get("class") == "bar"}
    assert bars == {("anand2023", "response", "treatment"), ("anand2023", "response", "control"),
                    ("murrough2013", "response", "treatment"),
                    ("pfeiffer2024", "response", "treatment"),
                    ("pfeiffer2024", "remission", "treatment")}
    texts = [t.text for svg in charts for t in svg.iter(f"{SVG}text")]
    # the ECT bar carries the trial's own test (noninferiority), not 'no test on file'
    assert "no control group" in texts and "55.4%" in texts and "41.2% noninf." in texts
    assert "71%" in texts and "70.8%" not in texts  # n = 24: no decimals
    title = text_at(charts[0], f"{SVG}title")
    assert "Anand 2023, response: 55.4% with ketamine vs 41.2% with ECT" in title
    # readable in black and white: the control arm is hatched, not just another colour
    assert all(svg.find(f"{SVG}defs/{SVG}pattern") is not None for svg in charts)


def test_chart_is_tagged_with_its_text_alternative(report: pypdf.PdfReader) -> None:
    def figures(node: object) -> list[str]:
        node = node.get_object() if hasattr(node, "get_object") else node
        found = []
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            found += figures(node.get("/K", []))
        elif isinstance(node, list):
            for child in node:
                found += figures(child)
        return found
    alts = figures(report.root_object["/StructTreeRoot"])
    assert any("PTSD symptoms 1 day to 2 weeks after ketamine, vs placebo: response rates by "
               "study" in alt and "67%" in alt and "Not shown: Feder 2014 (n = 41) and Abdallah "
               "2022 (n = 158)" in alt for alt in alts)


def test_sheets_show_the_chart_only_where_it_fits(built: Path) -> None:
    def text(name: str) -> str:
        reader = pypdf.PdfReader(built / "out" / f"evidence-sheet-{name}-letter-en.pdf")
        assert len(reader.pages) == 1
        return " ".join(reader.pages[0].extract_text().split())  # a title may wrap
    assert "response rates by study" in text("ptsd")
    assert "rates by study" not in text("depression")  # full page: the chart is left off
    assert "rates by study" not in text("chronic-pain")  # no rates in its studies


def report_html(root: Path) -> str:
    diags = Diagnostics()
    project, documents = build.load(root, diags)
    assert project is not None
    document = next(d for d in documents if d.layout.name == "report")
    env = layouts.environment(root, kinds.FILTERS)
    html = kinds.kind_of(document).html(document, project, env, diags)
    assert html is not None and not diags.has_errors()
    return html


def test_a_study_of_two_conditions_is_set_out_once(project: Path) -> None:
    edit(project / "content/conditions/ptsd.yaml", "evidence: [feder2014,",
         "evidence: [anand2023, feder2014,")
    html = report_html(project)
    assert html.count('id="study-anand2023"') == 1
    ptsd = html.split('id="ch-ptsd"')[1].split('id="ch-suicidal-ideation"')[0]
    assert "set out in an earlier chapter: Anand 2023" in ptsd
    assert 'href="#study-anand2023"' in ptsd
