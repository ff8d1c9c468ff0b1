"""How `check` and `build` report a run (`--format`): text lines, one JSON document, JUnit XML
or GitHub workflow commands; and the exit code, which tells errors from warnings that fail
only under `--strict`.

Every format says the same: each diagnostic once, each document that was typeset with its
pages, budget and status, and the counts. A diagnostic belongs to a document when its `where`
starts with the document's label (`evidence-sheet ptsd (letter, en)`), else to the file it is
located in.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..diagnostics import Diagnostic, Diagnostics, summary
from ..lazy import lazy_module

if TYPE_CHECKING:
    from .. import kinds
    from .engine import Built
else:  # a no-op build reports without the pipeline (build/inputs.py)
    kinds = lazy_module("ketabrochure.kinds")

FORMATS = ("text", "json", "junit", "github")
# exit codes: see README.md, "Exit codes"
EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_STRICT = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE, EXIT_TERMINATED = 130, 141, 143  # 128 + signal number
# characters XML 1.0 cannot hold at all, not even escaped
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def exit_code(diags: Diagnostics, strict: bool) -> int:
    """1 with errors; 3 with warnings only, under --strict; else 0."""
    if diags.errors:
        return EXIT_ERRORS
    return EXIT_STRICT if strict and diags.warnings else EXIT_OK


@dataclass
class Result:
    """What one check or build did (build.run)."""

    diags: Diagnostics = field(default_factory=Diagnostics)
    built: list[Built] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # the PDFs whose bytes this run wrote
    published: bool = False  # out/ now holds this edition (with nothing to write, too)

    @property
    def rendered(self) -> list[str]:
        """Names of the documents typeset in this run (the others came from the cache)."""
        return [b.document.name for b in self.built if b.rendered]


@dataclass(frozen=True)
class Run:
    """One finished `check` or `build`, as every format reports it."""

    command: str  # "check", "build" or "join"
    result: Result
    strict: bool
    seconds: float
    version: str
    root: Path  # the project's folder, that diagnostic paths are relative to
    unchanged: int = 0  # a no-op build or check (build.inputs): the documents, as they were

    @property
    def code(self) -> int:
        return exit_code(self.result.diags, self.strict)

    @property
    def written(self) -> bool:
        """Whether out/ now holds this build's edition (even if no byte had to change)."""
        return self.result.published

    def fails(self, diagnostic: Diagnostic) -> bool:
        return diagnostic.severity == "error" or self.strict

    def attributed(self) -> tuple[dict[str, list[Diagnostic]], dict[str, list[Diagnostic]]]:
        """The diagnostics by document name (of the documents typeset) and, for the rest, by
        the file they are located in."""
        labels = {item.document.label: item.document.name for item in self.result.built}
        by_document: dict[str, list[Diagnostic]] = {name: [] for name in labels.values()}
        by_file: dict[str, list[Diagnostic]] = {}
        for diagnostic in self.result.diags.sorted():
            # a label ends at its only ")": `handout ptsd (letter, es, eastside)`; a document's
            # own diagnostics may go on after it (`...: cover letter`, `..., panel 'right'`)
            where = diagnostic.where
            name = labels.get(where[:where.find(")") + 1]) if ")" in where else None
            if name is not None:
                by_document[name].append(diagnostic)
            else:
                by_file.setdefault(diagnostic.location.path, []).append(diagnostic)
        return by_document, by_file

    def status(self, item: Built, diagnostics: Iterable[Diagnostic]) -> str:
        """`failed` (over its page budget, or a problem of its own that fails the run),
        `written` (its PDF written into out/ by this build: new or changed bytes) or `ok`."""
        if not item.document.budget.allows(item.pages) or any(map(self.fails, diagnostics)):
            return "failed"
        written = {path.name for path in self.result.written}
        return "written" if item.document.file in written else "ok"

    def outcome(self) -> str:
        """`passed`, or how it failed, as the summary line says it."""
        if self.code == EXIT_OK:
            return "passed"
        if self.code == EXIT_STRICT:
            return "failed under --strict (warnings only" + \
                ("; out/ was written)" if self.written else ")")
        return "failed" + ("; nothing written, out/ is unchanged"
                           if self.command in ("build", "join")
                           else "")

    def summary_line(self) -> str:
        built, rendered = len(self.result.built) + self.unchanged, len(self.result.rendered)
        documents = "document" if built == 1 else "documents"
        written = len(self.result.written)
        wrote = f"wrote {written} PDF{'s' * (written != 1)}, " if self.written else ""
        since = f"; nothing changed since the last {self.command}" if self.unchanged else ""
        return (f"{self.command} {self.outcome()}: {built} {documents} ({rendered} rendered, "
                f"{built - rendered} from the cache), {wrote}{summary(self.result.diags)} "
                f"in {self.seconds:.1f} s{since}")


def report(run: Run, fmt: str, quiet: bool, stdout: TextIO, stderr: TextIO,
           workspace: str | None = None) -> None:
    """Print a run in one of FORMATS. text: diagnostics on stderr, a line per document and
    the summary on stdout; github: the diagnostics as workflow commands on stdout instead;
    json and junit: one document on stdout (the diagnostics also as text on stderr, for the
    log). `workspace`: GitHub's checkout folder, that annotation paths are relative to."""
    if fmt in ("json", "junit"):
        print_diagnostics(run.result.diags, stderr)
        print(to_json(run) if fmt == "json" else to_junit(run), file=stdout)
        return
    if fmt == "github":
        for diagnostic in run.result.diags.sorted():
            print(diagnostic.github(repository_path(diagnostic, run, workspace)), file=stdout)
    else:
        print_diagnostics(run.result.diags, stderr)
    if not quiet and run.result.built:
        by_document, _ = run.attributed()
        if fmt == "github":  # folded in the log
            print("::group::documents", file=stdout)
        for item in run.result.built:
            print(document_line(run, item, by_document[item.document.name]), file=stdout)
        if fmt == "github":
            print("::endgroup::", file=stdout)
    print(run.summary_line(), file=stdout)


def print_diagnostics(diags: Diagnostics, stream: TextIO) -> None:
    for diagnostic in diags.sorted():
        print(diagnostic, file=stream)


def document_line(run: Run, item: Built, diagnostics: list[Diagnostic]) -> str:
    """`ok handout-ptsd-letter-en.pdf: 2 pages (budget at most 2), reading grade 5.1 (...)`"""
    d = item.document
    status = {"failed": "FAIL", "written": "wrote", "ok": "ok"}[run.status(item, diagnostics)]
    grade = "" if item.grade is None else \
        f", reading grade {item.grade:g} ({kinds.readability.FORMULAS[d.language]})"
    return (f"{status} {d.file}: {item.pages} page{'s' * (item.pages != 1)} "
            f"(budget {d.budget}){grade}")


def repository_path(diagnostic: Diagnostic, run: Run, workspace: str | None) -> str | None:
    """The diagnostic's file relative to GitHub's workspace (the repository's checkout), when
    the project lies inside it; None: as the project names it."""
    if not workspace:
        return None
    path = Path(diagnostic.location.path)
    if not path.is_absolute():
        path = run.root / path
    try:
        return path.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return None


# -- json ----------------------------------------------------------------------------------
def to_json(run: Run) -> str:
    by_document, _ = run.attributed()
    result = run.result
    document = {
        "tool": "ketabrochure", "version": run.version, "command": run.command,
        "strict": run.strict, "passed": run.code == EXIT_OK, "exit_code": run.code,
        "written": run.written, "seconds": round(run.seconds, 3),
        "counts": {"documents": len(result.built), "rendered": len(result.rendered),
                   "from_cache": len(result.built) - len(result.rendered),
                   "errors": len(result.diags.errors), "warnings": len(result.diags.warnings)},
        "diagnostics": [d.as_json() for d in result.diags.sorted()],
        "documents": [document_json(run, item, by_document[item.document.name])
                      for item in result.built],
    }
    return json.dumps(document, indent=2)  # ASCII (\u escapes): right in any stdout encoding


def document_json(run: Run, item: Built, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    d = item.document
    return {"file": d.file, "layout": d.layout.name, "subject": d.subject, "paper": d.paper,
            "language": d.language, "variant": d.variant, "location": d.location,
            "pages": item.pages,
            "budget": {"exactly": d.budget.exactly, "maximum": d.budget.maximum},
            "status": run.status(item, diagnostics), "rendered": item.rendered,
            "reading_grade": item.grade}


# -- junit ---------------------------------------------------------------------------------
def to_junit(run: Run) -> str:
    """JUnit XML (the junit-10.xsd shape CI servers read): a `documents` suite with one
    testcase per document typeset, and a `files` suite with one per file that has problems
    not about one of those documents (content, layouts). A testcase fails on an error, or
    under --strict on a warning; its other diagnostics go into system-out."""
    by_document, by_file = run.attributed()
    root = ET.Element("testsuites", name=f"ketabrochure {run.command}")
    documents = ET.SubElement(root, "testsuite", name="documents")
    for item in run.result.built:
        d = item.document
        case = ET.SubElement(documents, "testcase", name=d.file,
                             classname=f"ketabrochure.{d.layout.name}")
        diagnostics = by_document[d.name]
        problems = [x for x in diagnostics if run.fails(x)]
        if not d.budget.allows(item.pages) and not problems:
            _failure(case, "check.page-count", f"{item.pages} pages; budget {d.budget}", [])
        elif problems:
            _failure(case, problems[0].code, _headline(problems), problems)
        out = [f"{item.pages} page{'s' * (item.pages != 1)} (budget {d.budget})",
               *(str(x) for x in diagnostics if not run.fails(x))]
        ET.SubElement(case, "system-out").text = _xml_text("\n".join(out))
    content = ET.SubElement(root, "testsuite", name="files")
    for path, diagnostics in sorted(by_file.items()):
        # (the file is the testcase's name: junit-10.xsd has no `file` on <testcase>)
        case = ET.SubElement(content, "testcase", name=_xml_text(path),
                             classname="ketabrochure.files")
        problems = [x for x in diagnostics if run.fails(x)]
        if problems:
            _failure(case, problems[0].code, _headline(problems), problems)
        rest = [str(x) for x in diagnostics if not run.fails(x)]
        if rest:
            ET.SubElement(case, "system-out").text = _xml_text("\n".join(rest))
    for suite in (documents, content, root):
        cases = list(suite.iter("testcase"))
        failed = sum(case.find("failure") is not None for case in cases)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        if suite is not root:  # (junit-10.xsd has no `skipped` on <testsuites>)
            suite.set("skipped", "0")
        suite.set("time", f"{run.seconds:.3f}")
    ET.indent(root)
    # ASCII, other characters as &#...; references: valid whatever the stdout's encoding
    data: bytes = ET.tostring(root, encoding="us-ascii", xml_declaration=True)
    return data.decode("ascii")


def _headline(problems: list[Diagnostic]) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return _xml_text(f"{first.where}: {first.message}{more}")


def _failure(case: ET.Element, kind: str, message: str, problems: list[Diagnostic]) -> None:
    failure = ET.SubElement(case, "failure", message=_xml_text(message), type=kind)
    failure.text = _xml_text("\n".join(str(x) for x in problems) or message)


def _xml_text(text: str) -> str:
    """Text XML can hold: characters XML 1.0 forbids (control characters) as `\\x07`."""
    return XML_ILLEGAL.sub(lambda c: f"\\x{ord(c.group()):02x}", text)
