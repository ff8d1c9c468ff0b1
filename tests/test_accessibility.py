"""The tagged PDFs' structure, read back with pikepdf: `tags.audit` on every built PDF, on
PDFs broken on purpose, and the repairs `tags.repair` makes to what WeasyPrint writes."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfua
import pdfua.rules
import pikepdf
import pytest
from helpers import Run, edit

from ketabrochure.build.cache import entry_from_json
from ketabrochure.typeset import pdf, tags
from ketabrochure.typeset.findings import Findings
from ketabrochure.typeset.tags import structure

# one xdist worker runs the module: its typeset sample is a module fixture
pytestmark = pytest.mark.xdist_group("test_accessibility")

BROCHURE = "trifold-what-is-ketamine-therapy"

# A small document with every case the repairs handle: a running footer made of paragraphs,
# page numbers, a table with a header row, a heading skip, links with ids as targets, a
# section and a list split over two pages, a passage in another language, a reading order.
SAMPLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sample</title><style>
@page { size: A6; margin: 15mm 10mm 20mm;
  @bottom-left { content: element(footer); } @bottom-right { content: counter(page); } }
footer { position: running(footer); font-size: 7pt; }
body { font-size: 9pt; }
</style></head><body>
<footer><p>Clinic · 555-0142 · clinic@example.org</p></footer>
<div>
<section data-reading-order="2"><h2>Second panel</h2><p>Panel text.</p></section>
<section data-reading-order="1"><h1>Cover title</h1><h3>Skipped level</h3>
<p>See <a href="#ref-1">1</a>.</p></section>
</div>
<section><h2>Details</h2>
<table><thead><tr><th>Study</th><th>Result</th></tr></thead>
<tbody><tr><td>Alpha 2020</td><td>Better</td></tr></tbody></table>
<p lang="es">Una frase en español.</p>
<ul>{items}</ul>
<ol><li id="ref-1">1. Anand A, Mathew SJ. A trial. N Engl J Med. 2023.</li></ol>
</section>
</body></html>
""".replace("{items}", "".join(f"<li>Item number {i} of the long list.</li>" for i in range(40)))


def typeset_raw(html: str, tmp_path: Path) -> bytes:
    """What WeasyPrint 70 writes for the HTML, before repair."""
    typeset = pdf.typeset(html, tmp_path, (tmp_path,))
    assert typeset.document is not None, typeset.problems
    return bytes(typeset.document.write_pdf(pdf_variant=pdf.PDF_VARIANT))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    raw = typeset_raw(SAMPLE, tmp_path_factory.mktemp("sample"))
    return raw, tags.repair(raw, SAMPLE)


def problems_of(data: bytes) -> set[str]:
    return {problem for _, _, problem in tags.audit(data)}


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def tree_of(data: bytes) -> tuple[pikepdf.Pdf, structure.Tree]:
    document = open_pdf(data)
    return document, structure.Tree(document)


def top_elements(tree: structure.Tree) -> list[pikepdf.Object]:
    """The kids of the tree's Document element: elements all (the test fails on anything else)."""
    assert tree.document is not None
    kids = structure.kids_of(tree.document)
    elements: list[pikepdf.Object] = [k for k in kids if structure.is_elem(k)]
    assert elements == kids
    return elements


def text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


# --- the audit finds what WeasyPrint gets wrong, and nothing once repaired ------------------


def test_audit_finds_weasyprints_faults(sample: tuple[bytes, bytes]) -> None:
    raw, _ = sample
    found = problems_of(raw)
    assert any("neither an artifact nor reachable" in p for p in found)
    assert "header cell without /Scope" in found
    assert any(p.startswith("/Headers") and "not in the /IDTree" in p for p in found)
    assert "heading level skipped after H1" in found
    assert "first heading is not H1" in found
    assert "link without a readable description" in found


def test_repaired_sample_passes_the_audit(sample: tuple[bytes, bytes]) -> None:
    _, repaired = sample
    assert tags.audit(repaired) == []


def test_repair_keeps_the_pdf_valid_and_its_text(sample: tuple[bytes, bytes]) -> None:
    raw, repaired = sample
    assert open_pdf(repaired).check_pdf_syntax() == []  # qpdf's checks, through pikepdf
    assert text(repaired) == text(raw)


@pytest.mark.parametrize("breakage", ["lang", "scope", "idtree", "heading", "first-heading",
                                      "list", "link-description", "link-element", "unreachable"])
def test_audit_fails_a_pdf_broken_on_purpose(sample: tuple[bytes, bytes], breakage: str) -> None:
    """Each breach, made in the repaired PDF, is reported (so the gate can fail)."""
    document, tree = tree_of(sample[1])
    elements = list(tree.walk())

    def first(s: str) -> pikepdf.Object:
        return next(e for e in elements if str(e.S) == s)
    expected = {
        "lang": "no /Lang in the catalog",
        "scope": "header cell without /Scope",
        "idtree": "not in the /IDTree",
        "heading": "heading level skipped after H1",
        "first-heading": "first heading is not H1",
        "list": "list item inside /Div, not L",
        "link-description": "link without a readable description",
        "link-element": "link annotation outside a Link element",
        "unreachable": "neither an artifact nor reachable from the structure tree",
    }[breakage]
    if breakage == "lang":
        del document.Root.Lang
    elif breakage == "scope":
        del first("/TH").A.Scope
    elif breakage == "idtree":
        del tree.structure.IDTree
    elif breakage == "heading":
        first("/H2").S = pikepdf.Name("/H4")
    elif breakage == "first-heading":
        first("/H1").S = pikepdf.Name("/H2")
    elif breakage == "list":
        first("/L").S = pikepdf.Name("/Div")
    elif breakage == "link-description":
        link = first("/Link")
        annotation = next(k.Obj for k in structure.kids_of(link) if structure.is_objr(k))
        annotation.Contents = annotation.Dest
    elif breakage == "link-element":
        first("/Link").S = pikepdf.Name("/Span")
    elif breakage == "unreachable":
        paragraph = first("/P")
        parent = paragraph.P
        structure.set_kids(parent, [k for k in structure.kids_of(parent)
                                    if not (structure.is_elem(k) and k.objgen == paragraph.objgen)])
    out = io.BytesIO()
    document.save(out)
    assert any(expected in p for p in problems_of(out.getvalue())), expected


# --- what each repair does, on the sample -----------------------------------------------------


def test_margins_are_artifacts_except_the_first_paragraph_footer(
        sample: tuple[bytes, bytes]) -> None:
    _, repaired = sample
    document, tree = tree_of(repaired)
    assert len(document.pages) >= 2
    footers = [e for e in top_elements(tree) if str(e.S) == "/Div"]
    assert [tree.text(e) for e in footers][-1:] == ["Clinic · 555-0142 · clinic@example.org"]
    assert tree.document is not None
    every = tree.text(tree.document)
    assert every.count("555-0142") == 1  # page 2's copy is an artifact
    for number in range(len(document.pages)):  # page numbers too
        artifacts = [i.operands[1] for i in pikepdf.parse_content_stream(document.pages[number])
                     if str(i.operator) == "BDC" and i.operands[0] == "/Artifact"]
        assert any(a.get("/Type") == "/Pagination" for a in artifacts)


def test_a_kept_walk_follows_every_change_of_kids(sample: tuple[bytes, bytes]) -> None:
    """Tree.walk keeps the whole tree's walk between repairs: a /K changed through set_kids
    shows in the next walk, as a fresh Tree's walk shows it."""
    raw, _ = sample
    document, tree = tree_of(raw)
    before = [e.objgen for e in tree.walk()]
    assert [e.objgen for e in tree.walk()] == before  # kept: the same walk again
    top = tree.top
    kids = structure.kids_of(top)
    last = kids[-1]
    assert structure.is_elem(last)
    structure.set_kids(top, kids[:-1])
    after = [e.objgen for e in tree.walk()]
    assert after == [e.objgen for e in structure.Tree(document).walk()]
    gone = {e.objgen for e in tree.walk(last)}
    assert gone and after == [g for g in before if g not in gone]



def test_kept_kids_tags_and_text_follow_every_change(sample: tuple[bytes, bytes]) -> None:
    """A Tree keeps each element's kids, tags and text between repairs: a change through
    set_kids or set_tag shows in them at once, as a fresh Tree reads it."""
    raw, _ = sample
    document, tree = tree_of(raw)
    parent = next(e for e in tree.walk() if len(tree.elements(e)) >= 3 and tree.text(e))
    before = tree.text(parent)
    assert tree.text(parent) == before == structure.Tree(document).text(parent)  # kept
    kids = tree.kids(parent)
    structure.set_kids(parent, kids[:-1])
    fresh = structure.Tree(document)
    assert [k.objgen for k in tree.elements(parent)] == [k.objgen for k in fresh.elements(parent)]
    assert tree.text(parent) == fresh.text(parent) != before
    first = tree.elements(parent)[0]
    structure.set_tag(first, "/Lbl")
    assert tree.tag(first) == "/Lbl" == structure.Tree(document).tag(first)
    skipped = tree.text(parent, skip=("/Lbl",))
    assert skipped == structure.Tree(document).text(parent, skip=("/Lbl",)) != tree.text(parent)


@pytest.mark.parametrize("html", [
    '<html lang="en"><body><p>One language only.</p></body></html>',
    '<html lang="es"><body><p>Texto.</p><p lang="en">An English passage.</p></body></html>',
    '<html><body><p lang="es">Una frase sin idioma del documento.</p></body></html>',
    '<htmlx lang="es">Not the root element.</htmlx>',
    '<html lang="en"><body><a hreflang="es" href="x">Link</a></body></html>',
])
def test_lang_hints_skip_parsing_only_when_nothing_can_be_found(html: str) -> None:
    """Hints.parse skips the HTML parse when only <html> has a lang: what it finds is what a
    full parse finds, with and without a passage in another language."""
    full = tags.hints.Hints()
    full.feed(html)
    full.close()
    parsed = tags.hints.Hints.parse(html)
    assert (parsed.langs, parsed.order) == (full.langs, full.order)
    assert bool(full.langs) == any(x in html for x in ('<p lang', '<htmlx'))

def test_split_elements_are_merged_and_read_in_order(sample: tuple[bytes, bytes]) -> None:
    _, repaired = sample
    _, tree = tree_of(repaired)
    sections = [e for e in tree.walk() if str(e.S) == "/Sect"]
    assert [tree.text(e).split(" ")[0] for e in sections] == ["Cover", "Second", "Details"]
    lists = [e for e in tree.walk() if str(e.S) == "/L"]
    items = [k for k in structure.kids_of(lists[0]) if structure.is_elem(k)]
    assert len(items) == 40  # one list, not one per page
    assert len({p for p, _ in tree.content(lists[0])}) >= 2
    headings = [str(e.S) for e in tree.walk() if str(e.S).startswith("/H")]
    assert headings == ["/H1", "/H2", "/H2", "/H2"]  # cover first; its h3 moved up


def test_tables_links_and_languages(sample: tuple[bytes, bytes]) -> None:
    _, repaired = sample
    _, tree = tree_of(repaired)
    heads = [e for e in tree.walk() if str(e.S) == "/TH"]
    assert {str(e.A.Scope) for e in heads} == {"/Column"}
    ids = structure.id_tree_names(tree.structure)
    for cell in (e for e in tree.walk() if str(e.S) == "/TD"):
        assert {str(h) for h in cell.A.Headers} <= ids
    link = next(e for e in tree.walk() if str(e.S) == "/Link")
    annotation = next(k.Obj for k in structure.kids_of(link) if structure.is_objr(k))
    assert str(annotation.Contents) == str(link.Alt) == "Reference 1: Anand 2023"
    spanish = [e for e in tree.walk() if str(e.get("/Lang", "")) == "es"]
    assert [tree.text(e) for e in spanish] == ["Una frase en español."]


# --- the built documents --------------------------------------------------------------------


def built_pdfs(built: Path) -> list[Path]:
    return sorted((built / "out").glob("*.pdf"))


def test_every_built_pdf_passes_the_audit(built: Path) -> None:
    found = {path.name: tags.audit(path.read_bytes()) for path in built_pdfs(built)}
    assert len(found) >= 40
    assert {name: problems[:5] for name, problems in found.items() if problems} == {}
    broken = {path.name: errors for path in built_pdfs(built)
              if (errors := pikepdf.open(path).check_pdf_syntax())}
    assert broken == {}


# pdfua 0.1.3's UA-14-001 (empty headings) crashes on every PDF WeasyPrint writes: a heading's
# /K is an array, e.g. the depression evidence sheet's H1 (object 108) has
#   /K [ << /S /Span /K [ 239 ] ... >> ]
# and its as_integer(kid) asks getattr(kid, "is_integer", False) of that pikepdf.Array, which
# raises ValueError ("cannot get key '/is_integer' on object of type array") instead of
# AttributeError, so the default never applies and the rule is skipped as "rule raised".
# tags.audit and test_every_built_pdf_passes_the_audit already check every heading's text.
PDFUA_CRASHING = {"UA-14-001"}


def pdfua_registry() -> pdfua.rules.RuleRegistry:
    """Every pdfua rule but the ones that crash on any WeasyPrint PDF (PDFUA_CRASHING)."""
    return pdfua.rules.RuleRegistry([rule for rule in pdfua.default_registry()
                                     if rule.id not in PDFUA_CRASHING])


def test_every_built_pdf_passes_pdfua(built: Path) -> None:
    """An independent checker (pdfua, pinned in pyproject.toml) finds nothing in any default
    PDF, and runs each of its rules to the end (a rule that raises is reported as skipped)."""
    registry = pdfua_registry()
    assert len(registry) == len(pdfua.default_registry()) - len(PDFUA_CRASHING)
    found = {}
    for path in built_pdfs(built):
        report = pdfua.validate(str(path), registry)
        problems = [f"{f.rule_id} {f.severity.name} page {f.location.page}: {f.message}"
                    for f in report.findings]
        problems += [f"{o.rule_id} skipped: {o.skipped_reason}" for o in report.skipped]
        if problems:
            found[path.name] = problems
    assert len(built_pdfs(built)) >= 40
    assert found == {}


def test_pdfua_empty_heading_rule_still_crashes(built: Path) -> None:
    """Why UA-14-001 is left out: when a pdfua release mends it, this fails, and the rule
    goes back in (PDFUA_CRASHING)."""
    path = built / "out" / "evidence-sheet-depression-letter-en.pdf"
    rule = pdfua.rules.RuleRegistry([r for r in pdfua.default_registry()
                                     if r.id in PDFUA_CRASHING])
    report = pdfua.validate(str(path), rule)
    assert [o.rule_id for o in report.skipped] == ["UA-14-001"]
    assert "'/is_integer' on object of type array" in str(report.skipped[0].skipped_reason)
    _, tree = tree_of(path.read_bytes())
    heading = next(e for e in tree.walk() if str(e.S) == "/H1")
    assert isinstance(heading.K, pikepdf.Array) and tree.text(heading)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_trifold_reads_cover_inside_flap_back(built: Path, lang: str) -> None:
    data = (built / "out" / f"{BROCHURE}-letter-{lang}.pdf").read_bytes()
    document, tree = tree_of(data)
    sections = [e for e in tree.walk() if str(e.S) == "/Sect"]
    pages = [tree.page_of(e) for e in sections]
    assert pages == [0, 1, 1, 1, 0, 0]
    headings = [e for e in tree.walk() if str(e.S).startswith("/H")]
    assert str(headings[0].S) == "/H1"
    titles = []

    def gather(parent: pikepdf.Object) -> None:
        item = parent.get("/First")
        while item is not None:
            titles.append(structure.norm(str(item.Title)))
            gather(item)
            item = item.get("/Next")
    gather(document.Root.Outlines)
    in_tree = [structure.norm(tree.text(h)) for h in headings]
    assert titles == [t for t in in_tree if t in titles]
    assert titles[0] == in_tree[0]


def test_report_has_one_section_per_chapter_and_readable_links(built: Path) -> None:
    data = (built / "out" / "report-research-letter-en.pdf").read_bytes()
    _, tree = tree_of(data)
    top = [tree.text(e)[:12] for e in top_elements(tree)]
    assert len(top) == 12, top  # cover, contents, 10 chapters
    descriptions = {str(k.Obj.Contents) for e in tree.walk() if str(e.S) == "/Link"
                    for k in structure.kids_of(e) if structure.is_objr(k)}
    assert "Reference 6: Anand 2023" in descriptions  # Berman 2000 (5) now before it
    assert "1 Anxiety disorders, page 3" in descriptions
    assert not any(d.startswith(("ref-", "ch-", "study-")) for d in descriptions)
    document = open_pdf(data)  # bookmarks stay as WeasyPrint wrote them: in page order
    first = document.Root.Outlines.First
    assert str(first.Title) == "Contents"
    assert str(first.Next.First.Title) == "Taylor 2018: Crossover RCT"


def test_evidence_sheet_footer_is_read_and_handout_glossary_is_a_list(built: Path) -> None:
    _, sheet = tree_of((built / "out" / "evidence-sheet-depression-letter-en.pdf").read_bytes())
    last = top_elements(sheet)[-1]
    assert "(503) 555-0142" in sheet.text(last) and "@" in sheet.text(last)
    _, handout = tree_of((built / "out" / "handout-depression-letter-es.pdf").read_bytes())
    lists = [e for e in handout.walk() if str(e.S) == "/L"]
    glossary = next(e for e in lists if "disociación:" in handout.text(e))
    items = [k for k in structure.kids_of(glossary) if structure.is_elem(k)]
    assert all(str(k.S) == "/LI" for k in items)
    assert all(handout.text(k).count(":") >= 1 for k in items)  # term and definition together
    figures = [str(e.Alt) for e in handout.walk() if str(e.S) == "/Figure" and "/Alt" in e]
    assert any(alt.startswith("Código QR") for alt in figures)
    english = {handout.text(e) for e in handout.walk() if str(e.get("/Lang", "")) == "en"}
    assert english  # journal names in a Spanish handout


# --- the gate: check and build audit every PDF they make -----------------------------------

PROBE_TEMPLATE = """{% extends "_shared/base.html.j2" %}
{% block title %}{{ condition.name }}: probe{% endblock %}
{% block body %}
<h1>{{ condition.title }}</h1>
BODY
{% endblock %}
"""


def probe_project(root: Path, body: str) -> Path:
    """The default project with one document only: a layout this test writes, on one
    condition (depression), whose template's body is `body`."""
    folder = root / "layouts" / "probe"
    folder.mkdir()
    (folder / "layout.yaml").write_text("template: probe.html.j2\nsubjects: conditions\n"
                                        "audience: physician\n")
    (folder / "probe.html.j2").write_text(PROBE_TEMPLATE.replace("BODY", body))
    (root / "content" / "documents.yaml").write_text(
        'edition: "2026.11"\ndocuments:\n  - layout: probe\n    subjects: [depression]\n'
        "    papers: [letter]\n    language: en\n    pages: {maximum: 2}\n")
    return root


@pytest.mark.parametrize("writes", [True, False], ids=["cache", "no-cache-folder"])
def test_check_fails_a_document_whose_tags_cannot_be_mended(
        cold_project: Path, cli: Callable[..., Run], writes: bool) -> None:
    """List items outside a list: tags.repair mends heading levels, not this; the audit finds it
    in the PDF the job makes, kept in the cache, or made in memory only when check has no
    cache folder to write (here: out is a file; a read-only out/ would do, but not as root)."""
    root = probe_project(cold_project, "<div><li>Loose item one</li><li>Loose item two</li></div>")
    if not writes:
        (root / "out").write_text("not a folder")
    result = cli(root, "check", "--jobs", "1")
    assert result.code == 1, result.stderr
    lines = [x for x in result.stderr.splitlines() if "error[pdf.accessibility]" in x]
    assert len(lines) == 2, result.stderr
    assert lines[0] == (
        "content/conditions/depression.yaml:1:1: error[pdf.accessibility]: probe depression "
        "(letter, en): its tagged PDF, on page 1, element LI: list item inside /Div, not L "
        "(mend the layout's HTML: headings in order, list items inside a list; or report it, "
        "if the HTML is right)")
    assert (root / "out").is_dir() == writes


def test_a_mended_heading_skip_passes_and_the_audit_is_cached(
        cold_project: Path, cli: Callable[..., Run]) -> None:
    root = probe_project(cold_project, "<h3>Skipped a level</h3><ul><li>In a list</li></ul>")
    first = cli(root, "check", "--jobs", "1")
    assert first.code == 0, first.stderr
    edit(root / "layouts/probe/probe.html.j2", "<ul><li>In a list</li></ul>",
         "<div><li>Loose</li></div>")
    broken = cli(root, "check", "--jobs", "1")
    assert "error[pdf.accessibility]" in broken.stderr
    again = cli(root, "check", "--jobs", "1")  # from the cache: the finding is kept with it
    assert "1 from the cache" in again.stderr + again.stdout
    assert again.stderr.count("error[pdf.accessibility]") == 1


def test_the_default_content_passes_the_gate(project: Path, cli: Callable[..., Run]) -> None:
    result = cli(project, "check", "--jobs", "1")
    assert "pdf.accessibility" not in result.stderr


@pytest.mark.parametrize(("findings", "ok"), [
    ([], True),
    ([[1, "LI", "list item inside /Div, not L"], [None, "Document", "no /Lang in the catalog"]],
     True),
    ([[0, "LI", "page 0"]], False),
    ([[True, "LI", "a boolean page"]], False),
    ([[1, "LI"]], False),
    ([[1, "LI", 3]], False),
    ({"1": "LI"}, False),
])
def test_cache_entries_keep_audit_findings_only_in_their_shape(findings: Any,
                                                               ok: bool) -> None:
    entry = entry_from_json({"warnings": [], "files": {}, "pdf": None, "thumb": None,
                             "findings": {**Findings(1).to_json(), "accessibility": findings}})
    assert (entry is not None) == ok
    if entry is not None:
        assert entry.findings.accessibility == tuple(tuple(f) for f in findings)
