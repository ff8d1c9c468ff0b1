"""What tests share besides fixtures: project copies, the CLI run in-process, one-per-run
builds, small file edits. Test modules import these from here, never from each other or from
conftest (which holds the fixtures)."""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import signal
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pypdfium2
import pytest
import zxingcpp

from ketabrochure import files
from ketabrochure.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parent.parent
PROJECT_FOLDERS = ("content", "layouts", "assets")
# one document of each layout, language and variant (8, not 48): for tests whose claim holds
# for any content; its layouts and assets are the real ones
MINIMAL = REPO / "tests" / "data" / "minimal"
# an atomic write's temporary file: copies of the shared build skip any (no test writes into
# that build; should one ever do, under pytest-xdist a copy made meanwhile stays whole)
UNFINISHED = shutil.ignore_patterns(".*.tmp")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def copy_project(target: Path) -> Path:
    for folder in PROJECT_FOLDERS:
        shutil.copytree(REPO / folder, target / folder)
    return target


def copy_minimal(target: Path) -> Path:
    """The minimal project: its own content, the real layouts and assets."""
    shutil.copytree(MINIMAL / "content", target / "content")
    for folder in ("layouts", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    return target


# the default content's depression handout with what it needs besides the minimal project: its
# condition and studies (its own berman2000 says what it measures: the minimal copy leaves that
# out), for rule tests tried on that handout
WITH_DEPRESSION = ("content/handouts/depression.yaml", "content/conditions/depression.yaml",
                   *(f"content/studies/{s}.yaml" for s in ("berman2000", "pfeiffer2024",
                                                          "li2016", "zhang2014")))


def real_files(root: Path, *names: str) -> Path:
    """Copy files of the default project into a project copy (into the minimal one: the
    content a rule test needs, without the 71 files of the default content to read)."""
    for name in names:
        (root / name).write_bytes((REPO / name).read_bytes())
    return root


def run_cli(root: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--project", str(root), *args], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test run's temporary folder: under pytest-xdist the one every worker shares."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return tmp_path_factory.getbasetemp().parent
    return tmp_path_factory.getbasetemp()


def once(tmp_path_factory: pytest.TempPathFactory, name: str,
         make: Callable[[Path], None]) -> Path:
    """A folder made by `make` once per test run: under pytest-xdist every worker shares the
    first worker's (made under a lock in the run's common temporary folder)."""
    shared = run_folder(tmp_path_factory)
    root, done = shared / name, shared / f"{name}.done"
    with files.lock(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # a worker that failed half-way
            root.mkdir()
            make(root)
            done.touch()
    return root


def build_in(copy: Callable[[Path], Path]) -> Callable[[Path], None]:
    """A cold build, in parallel on two workers whatever the machine (test_speed compares a
    sequential typeset with it)."""
    def make(root: Path) -> None:
        result = run_cli(copy(root), "build", "--jobs", "2")
        assert result.code == 0, result.stderr + result.stdout
    return make


SIGNED_ON = "2026-12-01"
SIGNER = "Dr. Maya Okafor"


def sign_and_build(root: Path) -> None:
    """The minimal project, every document signed off by SIGNER on SIGNED_ON and built (the
    sign-offs print in every footer: nothing of the other session builds' caches applies)."""
    sign_off_and_build(copy_minimal(root))


def sign_off_and_build(root: Path) -> Run:
    """Every document of a project signed off by SIGNER on SIGNED_ON, then a release build;
    what `approve` said."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KETABROCHURE_TODAY", SIGNED_ON)
        approved = run_cli(root, "approve", "--by", SIGNER)
        assert approved.code == 0, approved.stderr
        built = run_cli(root, "build", "--release", "--jobs", "1")
        assert built.code == 0, built.stderr + built.stdout
    return approved


def seed_cache(built: Path, root: Path) -> Path:
    """Give a project copy the session build's render cache: a test that edits one file then
    typesets only the documents that edit changes (the cache keys on every input, so a seeded
    cache gives the same bytes as an empty one; test_speed checks that)."""
    shutil.copytree(built / "out" / ".cache", root / "out" / ".cache", ignore=UNFINISHED)
    return root


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder with its bytes (to show that a command wrote nothing)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a file (the test fails if the piece is not there)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# -- the package's imports read from its source (the import contract, the registry)

PACKAGE = REPO / "src" / "ketabrochure"


def part_of(module: str) -> str:
    """'ketabrochure.read.fields' -> 'read'; 'ketabrochure' -> '__init__'."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """'src/ketabrochure/read/fields.py' -> 'ketabrochure.read.fields'."""
    relative = path.relative_to(package.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path) -> list[tuple[int, str, bool]]:
    """(line, imported module, inside a function) for every import of a source file."""
    tree = ast.parse(path.read_text(), str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    local = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
             for n in ast.walk(f) if isinstance(n, ast.Import | ast.ImportFrom)}
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test)
                   for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, id(node) in local) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
            found += [(node.lineno, name, id(node) in local) for name in names]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "lazy_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value, False))  # an import put off
    return found


# -- diagnostics as the command line prints them; a line of a file

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)"
                  r"\[(?P<code>[a-z.-]+)\]: (?P<where>.+?): (?P<msg>.+)$")


def diagnostics(stderr: str) -> list[dict[str, str]]:
    found = []
    for line in stderr.splitlines():
        match = LINE.match(line)
        assert match, f"not a diagnostic line: {line!r}"
        found.append(match.groupdict())
    return found


def text_at(element: ET.Element, path: str) -> str:
    """The text of the first element at `path` below `element` (the test fails on none)."""
    found = element.find(path)
    assert found is not None and found.text is not None, path
    return found.text


def matched(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    """re.search that fails the test when the pattern is not in the text."""
    match = re.search(pattern, text, flags)
    assert match, f"{pattern!r} not found"
    return match


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# -- content a test writes: a study of its own

STUDY = """citation:
  title: "A trial written by the test"
  authors: [Test A]
  et_al: false
  journal: "Test J"
  year: 2024
role: efficacy
design: {{type: {type}, blinding: {blinding}, controlled: {controlled}, summary: "Test trial"}}
population: {{species: human, diagnosis: "Anxiety"}}
n: {{value: {n}, unit: participants{arms}}}
intervention: {{drug: ketamine, route: IV, dose: "{dose}", schedule: "single dose"}}
comparator: "{comparator}"
comparator_kind: {kind}
outcomes:
  - measure: "Response"
    result: "70% vs 20%"
{outcome}    rates: {{kind: response, treatment: 70, control: 20}}
{adverse}key_result: "Test result"
follow_up: "2 weeks"
limitations: ["Written by a test"]
"""


def study(root: Path, name: str = "testtrial", *, n: int = 20, arms: str = "",
          blinding: str = "double-blind", controlled: str = "true", type: str = "rct",
          kind: str = "placebo", comparator: str = "saline", dose: str = "0.5 mg/kg",
          outcome: str = "", adverse: str = "") -> Path:
    path = root / "content" / "studies" / f"{name}.yaml"
    path.write_text(STUDY.format(n=n, arms=f", arms: {arms}" if arms else "", blinding=blinding,
                                 controlled=controlled, type=type, kind=kind,
                                 comparator=comparator, dose=dose, outcome=outcome,
                                 adverse=adverse))
    return path


# -- content a test writes: a sheet far too long

def overflow(project: Path, condition: str = "ptsd") -> None:
    """Make a sheet far too long: the bottom line repeated many times."""
    path = project / f"content/conditions/{condition}.yaml"
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("bottom_line:"):
            text = line.split(":", 1)[1].strip().strip('"')
            lines[i] = f'bottom_line: "{" ".join([text] * 8)}"'
    path.write_text("\n".join(lines) + "\n")


# -- PDFs read back: QR codes

def decode_qr(path: Path, page: int) -> list[zxingcpp.Barcode]:
    pdf = pypdfium2.PdfDocument(path)
    return zxingcpp.read_barcodes(pdf[page].render(scale=3).to_pil())


# -- the default project plus a patient layout and two clinic locations

LOCATIONS = """
locations:
  - id: downtown
    name: Northside Downtown
    address: [1200 Harbor View Avenue, "Portland, OR 97201"]
    phone: (503) 555-0142
    booking_url: https://northside-ketamine.example/book/downtown
  - id: eastside
    name: Northside Eastside
    address: [88 Burnside Street, "Portland, OR 97214"]
    phone: (503) 555-0199
    booking_url: https://northside-ketamine.example/book/eastside
"""
TEMPLATE = """{% extends "_shared/base.html.j2" %}
{% block title %}{{ condition.name }}: what to expect{% endblock %}
{% block body %}<h1>{{ condition.name }}</h1>
<p class="contact">{{ location.name }} · {{ location.address | join(", ") }} · {{ location.phone }}</p>
{% if location.booking_url %}<p>Book: {{ location.booking_url }}</p>{% endif %}
{% endblock %}
"""
ENTRY = """  - layout: test-handout
    subjects: [ptsd, anxiety]
    papers: [letter]
    language: en
    pages: {maximum: 1}
"""


def patient_project(root: Path, built: Path) -> Path:
    """The default project plus a small patient-audience layout and two locations."""
    seed_cache(built, copy_project(root))
    folder = root / "layouts/test-handout"
    folder.mkdir()
    (folder / "layout.yaml").write_text("template: handout.html.j2\nsubjects: conditions\n"
                                        "audience: patient\n")
    (folder / "handout.html.j2").write_text(TEMPLATE)
    with (root / "content/clinic.yaml").open("a") as handle:
        handle.write(LOCATIONS)
    documents = root / "content/documents.yaml"  # the real patient layouts left out: faster
    documents.write_text(documents.read_text().split("  # Patient documents.")[0] + ENTRY)
    return root


# -- Debian's Chromium, axe-core and HTML_CodeSniffer (installed into tests/node/)

CHROMIUM = Path(os.environ.get("KETABROCHURE_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SCREENSHOTS = os.environ.get("KETABROCHURE_SHELF_SCREENSHOTS")  # a folder: keep pictures
NODE = REPO / "tests" / "node"
AXE = NODE / "node_modules" / "axe-core" / "axe.min.js"
# HTML_CodeSniffer as pa11y runs it (pa11y's own dependency, installed with it)
HTMLCS = NODE / "node_modules" / "@pa11y" / "html_codesniffer" / "build" / "HTMLCS.js"


def node_modules(*wanted: Path) -> None:
    """Install tests/node/package-lock.json (axe-core, pa11y with its HTML_CodeSniffer,
    pdf.js) when a file wanted from it is missing."""
    with files.lock(NODE / ".install.lock"):  # one installer at a time under pytest-xdist
        if all(path.is_file() for path in wanted):
            return
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: install Node.js and npm (Debian: apt-get install npm)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE, check=True,
                       capture_output=True,  # pa11y's puppeteer: Debian's Chromium
                       env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})


def axe_source() -> str:
    """axe-core's browser script (with pa11y's HTML_CodeSniffer beside it)."""
    node_modules(AXE, HTMLCS)
    return AXE.read_text()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A and AA and best practice)."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag', values:
        ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})""")
    assert len(result["passes"]) > 10, "axe-core checked next to nothing"
    return [{"id": v["id"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def htmlcs_errors(page: Page) -> list[str]:
    """HTML_CodeSniffer's WCAG 2 AA errors (what pa11y's htmlcs runner reports as errors)."""
    axe_source()  # installs tests/node when missing
    page.add_script_tag(content=HTMLCS.read_text())
    return list(page.evaluate("""() => new Promise(resolve => {
        HTMLCS.process('WCAG2AA', document, () => resolve(HTMLCS.getMessages()
            .filter(m => m.type === HTMLCS.ERROR)
            .map(m => m.code + ': ' + m.msg + ' @ ' + (m.element.outerHTML || '').slice(0, 80))));
    })"""))


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=False)


def interrupt(process: subprocess.Popen[bytes], log: Path) -> None:
    """Stop a `serve` or `watch` process as Ctrl-C does: it must exit 0 (its log says why
    not); killed if it does not end."""
    process.send_signal(signal.SIGINT)
    try:
        assert process.wait(30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
