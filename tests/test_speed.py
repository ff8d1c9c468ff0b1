"""The render cache, parallel workers, --html, --shard, progress and watch (no timings here:
those live in benchmarks/)."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pypdf
from helpers import UNFINISHED, copy_minimal, copy_project, edit, run_cli

from ketabrochure import kinds, layouts
from ketabrochure.build import engine
from ketabrochure.build import run as build
from ketabrochure.build.progress import Progress
from ketabrochure.build.watch import Watcher
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.typeset import jobs, measure
from ketabrochure.typeset.pool import Renderer

PTSD = ["evidence-sheet-ptsd-letter-en", "evidence-sheet-ptsd-a4-en"]
# a study of the PTSD sheet is also in the research report and in the sample referral packet,
# which encloses the PTSD sheet
CITING_FEDER2014 = [*PTSD, "report-research-letter-en", "referral-packet-sample-letter-en"]


def stepped(watcher: Watcher) -> build.Result:
    """One step of the watcher that found a change (the test fails if it found none)."""
    result = watcher.step()
    assert result is not None
    return result


def warm_copy(built: Path, target: Path,
              copy: Callable[[Path], Path] = copy_project) -> Path:
    """A project copy whose out/ (and render cache) is the session build's."""
    root = copy(target)
    shutil.copytree(built / "out", root / "out", ignore=UNFINISHED)
    return root


def total(root: Path) -> int:
    """How many documents the build makes (from its manifest)."""
    return len(json.loads((root / "out/manifest.json").read_text())["documents"])


def pdfs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "out").glob("*.pdf"))}


def test_no_op_rebuild_renders_nothing_and_never_imports_weasyprint(built: Path,
                                                                     tmp_path: Path) -> None:
    root = warm_copy(built, tmp_path / "p")
    before = pdfs(root)
    code = ("import sys, io; from ketabrochure.cli import main; out = io.StringIO(); "
            f"code = main(['--project', {str(root)!r}, 'build'], out, io.StringIO()); "
            "print(code, 'weasyprint' in sys.modules, 'pypdfium2' in sys.modules); "
            "print(out.getvalue())")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert run.stdout.splitlines()[0] == "0 False False", run.stdout + run.stderr
    assert f"(0 rendered, {total(built)} from the cache)" in run.stdout
    assert pdfs(root) == before


def test_check_reuses_the_cache(built: Path, tmp_path: Path) -> None:
    root = warm_copy(built, tmp_path / "p")
    result = run_cli(root, "check")
    assert result.code == 0 and f"(0 rendered, {total(built)} from the cache)" in result.stdout


def test_a_fresh_sequential_typeset_matches_the_session_build(built_minimal: Path,
                                                              tmp_path: Path) -> None:
    """Every test that seeds its cache from a session build relies on this: typesetting the
    documents again without reading the cache (nor any memo), though the copy holds the
    session build's, gives the same bytes and manifest. And sequential and parallel builds
    give identical bytes: this typeset runs in one process (`--jobs 1`), the session build on
    two workers (`--jobs 2`, helpers.build_in). On the minimal project, one document of each
    layout, language and variant (the cache's key and the workers do not depend on which
    content they typeset; an A4 sheet typeset in one process gives the parallel build's bytes:
    test_one_document_in_process_gives_the_build_s_bytes)."""
    fresh = warm_copy(built_minimal, tmp_path / "fresh", copy_minimal)
    result = run_cli(fresh, "build", "--jobs", "1", "--no-cache")
    count = total(built_minimal)
    assert result.code == 0 and f"({count} rendered, 0 from the cache)" in result.stdout
    assert pdfs(fresh) == pdfs(built_minimal)
    manifest = json.loads((fresh / "out/manifest.json").read_text())
    assert manifest == json.loads((built_minimal / "out/manifest.json").read_text())


def test_editing_one_study_rerenders_only_the_documents_citing_it(built: Path,
                                                                   tmp_path: Path) -> None:
    root = warm_copy(built, tmp_path / "p")
    out, err = io.StringIO(), io.StringIO()
    watcher = Watcher(root, build.Options(jobs=1), out, err)
    try:
        assert stepped(watcher).rendered == []  # everything comes from the cache
        assert watcher.step() is None  # nothing changed: nothing done
        edit(root / "content/studies/feder2014.yaml", "Chronic Posttraumatic",
             "Chronic, Posttraumatic")
        result = stepped(watcher)
        assert sorted(result.rendered) == sorted(CITING_FEDER2014)
        assert "changed: content/studies/feder2014.yaml" in out.getvalue()
        assert f"rendered 4 of {total(built)}: evidence-sheet-ptsd" in out.getvalue()
        # a study that only the report prints: the watch command's test, on the minimal project
    finally:
        watcher.close()
    text = " ".join(pypdf.PdfReader(root / "out/evidence-sheet-ptsd-a4-en.pdf").pages[0]
                    .extract_text().split())
    assert "Chronic, Posttraumatic" in text


def test_editing_the_shared_stylesheet_rerenders_every_document(built_minimal: Path,
                                                                tmp_path: Path) -> None:
    """Every layout, language and variant reads the shared stylesheet: on the minimal project,
    which has one document of each."""
    root = warm_copy(built_minimal, tmp_path / "p", copy_minimal)
    watcher = Watcher(root, build.Options(jobs=2), io.StringIO(), io.StringIO())
    try:
        assert stepped(watcher).rendered == []  # everything comes from the cache
        edit(root / "layouts/_shared/base.css", "--tint: #eef3f6;", "--tint: #eef3f7;")
        assert len(stepped(watcher).rendered) == total(built_minimal)
    finally:
        watcher.close()


def test_watch_reports_located_errors_and_keeps_going(built_minimal: Path,
                                                     tmp_path: Path) -> None:
    """On the minimal project: the claim holds for any condition."""
    root = warm_copy(built_minimal, tmp_path / "p", copy_minimal)
    before = pdfs(root)
    out, err = io.StringIO(), io.StringIO()
    watcher = Watcher(root, build.Options(jobs=2), out, err)
    try:
        watcher.step()
        edit(root / "content/conditions/ptsd.yaml", "importance:", "importance: [")
        result = stepped(watcher)
        assert result.diags.has_errors()
        assert "content/conditions/ptsd.yaml:" in err.getvalue()
        assert "nothing written" in out.getvalue()
        assert pdfs(root) == before
        edit(root / "content/conditions/ptsd.yaml", "importance: [", "importance:")
        (root / "assets/fonts/atkinson-hyperlegible-latin-700-normal.woff2").touch()
        assert stepped(watcher).rendered == []  # fixed, and a touched font has the same bytes
    finally:
        watcher.close()


def test_changed_image_invalidates_the_cache(built_minimal: Path, tmp_path: Path) -> None:
    """On the minimal project: a cache entry records the files WeasyPrint read, whatever the
    content (every layout shows the logo)."""
    root = warm_copy(built_minimal, tmp_path / "p", copy_minimal)
    before = pdfs(root)
    logo = root / "assets/logo.svg"
    # a visible change (a comment alone leaves every PDF's bytes as they were: nothing written)
    logo.write_text(logo.read_text().replace('r="5"', 'r="6"'))
    # the evidence sheet only: typesetting every other document that shows the logo too
    # would prove nothing more
    result = run_cli(root, "build", "--jobs", "2", "evidence-sheet")
    sheets = [line.split(":")[0] for line in result.stdout.splitlines()
              if line.startswith("wrote evidence")]
    assert result.code == 0 and sheets == ["wrote evidence-sheet-ptsd-letter-en.pdf"], \
        result.stdout
    # the sheet shows the logo: it is typeset again
    assert "1 document (1 rendered, 0 from the cache)" in result.stdout
    after = pdfs(root)
    assert after.keys() == before.keys()
    assert [name for name in after if after[name] != before[name]] == [
        "evidence-sheet-ptsd-letter-en.pdf"]


def test_html_output_renders_on_its_own(built: Path, tmp_path: Path) -> None:
    root = warm_copy(built, tmp_path / "p")
    assert run_cli(root, "build", "--html", "ptsd").code == 0
    html = root / "out/html/evidence-sheet-ptsd-a4-en.html"
    weasyprint = Path(sys.executable).parent / "weasyprint"
    subprocess.run([str(weasyprint), str(html), str(tmp_path / "x.pdf")], check=True,
                   cwd=tmp_path)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "x.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "Atkinson-Hyperlegible" in fonts, "fonts and stylesheets resolved from out/html/"
    assert len(pypdf.PdfReader(tmp_path / "x.pdf").pages) == 1


def test_shards_split_the_documents_deterministically(built: Path, tmp_path: Path) -> None:
    root = warm_copy(built, tmp_path / "p")  # check keeps its cache: not in the shared build
    names = []
    for k in (1, 2, 3):
        listing = build.Options(shard=(k, 3))
        result = build.run(root, [], False, listing)
        names.append({b.document.name for b in result.built})
    assert sum(len(n) for n in names) == total(built)
    assert set.union(*names) == {e["file"][:-4] for e in
                                 json.loads((built / "out/manifest.json").read_text())["documents"]}
    again = build.run(root, [], False, build.Options(shard=(2, 3)))
    assert {b.document.name for b in again.built} == names[1]
    assert run_cli(root, "build", "--shard", "4/3").code == 2


def test_progress_is_live_on_a_terminal_and_plain_elsewhere() -> None:
    live = io.StringIO()
    progress = Progress(2, live, live=True)
    progress.step("a", cached=True)
    progress.step("b", cached=False)
    assert live.getvalue() == ("\r\x1b[K1/2 documents done (0 rendered)"
                               "\r\x1b[K2/2 documents done (1 rendered)\n")
    plain = io.StringIO()
    progress = Progress(2, plain)
    progress.step("a", cached=True)
    progress.step("b", cached=False)
    assert plain.getvalue().splitlines() == [
        "progress: 1/2 documents done (0 rendered), last a",
        "progress: 2/2 documents done (1 rendered), last b"]


def test_watch_command_stops_cleanly_on_ctrl_c(built_minimal: Path, tmp_path: Path) -> None:
    """On the minimal project (the real one's documents citing a study: the test above); a
    study that no sheet, handout or brochure cites re-renders the report alone."""
    root = warm_copy(built_minimal, tmp_path / "p", copy_minimal)
    process = subprocess.Popen([sys.executable, "-m", "ketabrochure", "--project", str(root),
                                "watch", "--jobs", "2", "--interval", "0.1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("watching"):
                break
        edit(root / "content/studies/zarate2006.yaml", "Treatment-Resistant",
             "Treatment Resistant")
        for line in process.stdout:
            lines.append(line)
            if line.startswith("watching"):
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    text = "".join(lines) + out
    assert f"rendered 0 of {total(built_minimal)}" in text
    assert f"rendered 1 of {total(built_minimal)}: report-research-letter-en;" in text
    assert "stopped watching" in out and "Traceback" not in err


def test_a_damaged_cached_pdf_is_typeset_again(built_minimal: Path, tmp_path: Path) -> None:
    """On the minimal project: the cache's claim, whatever the content."""
    built = built_minimal
    root = warm_copy(built, tmp_path / "p", copy_minimal)
    entry = json.loads(next((root / "out/.cache/entries").glob("*.json")).read_text())
    (root / f"out/.cache/objects/{entry['entry']['pdf']}.pdf").write_bytes(b"%PDF-1.7 truncated")
    # out/ itself is intact, so a no-op build would not read the cache (test_noop): the memo
    # goes, and the build runs
    (root / "out/.cache/inputs.json").unlink()
    result = run_cli(root, "build", "--jobs", "1")
    assert result.code == 0
    assert f"(1 rendered, {total(built) - 1} from the cache)" in result.stdout
    assert pdfs(root) == pdfs(built)


def test_one_document_in_process_gives_the_build_s_bytes(built: Path, tmp_path: Path) -> None:
    """The packet command's path: the engine with one in-process renderer and a fresh cache."""
    root = copy_project(tmp_path / "p")
    diags = Diagnostics()
    project, documents = build.load(root, diags)
    assert project is not None
    document = next(d for d in documents if d.name == "evidence-sheet-ptsd-a4-en")
    ctx = build._context(root, project, True, build.Options(), diags)
    with Renderer(jobs=1) as renderer:
        (item,) = engine.produce_all([document], ctx, renderer)
    assert not diags.errors and item.pages == 1 and item.rendered
    assert item.data() == (built / "out/evidence-sheet-ptsd-a4-en.pdf").read_bytes()


def test_brochure_panels_measured_in_place_match_one_tall_page(built: Path) -> None:
    """A brochure's panels are measured where they were laid out; an overflowing brochure is
    laid out again on one tall page instead (its content was split across pages): both ways
    measure the same panels and fields."""
    diags = Diagnostics()
    project, documents = build.load(built, diags)
    assert project is not None
    env, allowed = layouts.environment(built, kinds.FILTERS), build.allowed_folders(built)
    brochures = [d for d in documents if d.layout.subjects == "brochures"]
    assert len(brochures) == 4
    for document in brochures:
        kind = kinds.kind_of(document)
        parts = kind.parts(document, project, env, diags)
        assert parts is not None
        (part,) = parts
        typeset, _ = jobs.fit(part, allowed)
        css = kind.measure_css
        assert css is not None
        here = measure.panels(typeset, part.base_dir, allowed, css, split=False)
        tall = measure.panels(typeset, part.base_dir, allowed, css, split=True)
        assert set(here) == set(tall) == {"flap", "back", "front", "left", "middle", "right"}
        for name, region in tall.items():
            assert abs((here[name].bottom - here[name].top) - (region.bottom - region.top)) < 0.5
            assert here[name].fields.keys() == region.fields.keys() and region.fields
            for field, (top, bottom, words) in region.fields.items():
                mine = here[name].fields[field]
                assert abs((mine[1] - mine[0]) - (bottom - top)) < 0.5 and mine[2] == words
