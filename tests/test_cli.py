"""The command line as CI uses it: --format text|json|junit|github, --quiet, --version, exit
codes, options after the command, a closed pipe and SIGTERM (real subprocesses).

Projects are copies of the real one with a documents.yaml the test writes (two evidence
sheets: quick to render), each built once per module so that the checks come from the cache.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from helpers import Run, copy_project, overflow

from ketabrochure.cli import main
from ketabrochure.diagnostics import Diagnostic, Location
from ketabrochure.review import clock

# one xdist worker runs the module: its built projects are module fixtures
pytestmark = pytest.mark.xdist_group("test_cli")

SHEETS = """edition: "2026.11"
review_every_months: 12
documents:
  - layout: evidence-sheet
    subjects: [anxiety, ptsd]
    papers: [letter]
    language: en
    pages: {exactly: 1}
"""
BAD_DOI = 'doi: "https://doi.org/10.1176/x"'


def cli(*args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def check(root: Path, *args: str) -> Run:
    """`check --project ROOT --jobs 1 ...`: the options after the command."""
    return cli("check", "--project", str(root), "--jobs", "1", *args)


def small_project(root: Path, papers: str = "[letter]") -> Path:
    """Two evidence sheets only; no patient content (no reading grades to score); only their
    sign-offs kept (another would be review.unplanned), dated today but anxiety's, signed in
    2020: one warning, review.expired."""
    copy_project(root)
    (root / "content/documents.yaml").write_text(SHEETS.replace("[letter]", papers))
    for folder in ("handouts", "brochures"):
        shutil.rmtree(root / "content" / folder)
    for name in ("patient.yaml", "glossary.yaml"):
        (root / "content" / name).unlink()
    ledger = root / "content/approvals.yaml"
    entries = yaml.safe_load(ledger.read_text())
    entries["documents"] = {name: entry for name, entry in entries["documents"].items()
                            if name in ("evidence-sheet-anxiety-en", "evidence-sheet-ptsd-en")}
    for name, entry in entries["documents"].items():
        entry["date"] = "2020-01-01" if "anxiety" in name else clock.today().isoformat()
    ledger.write_text(yaml.safe_dump(entries))
    return root


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Warnings, no errors; built once."""
    root = small_project(tmp_path_factory.mktemp("warned"))
    result = cli("build", "--project", str(root), "--jobs", "1")
    assert result.code == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two errors: the PTSD sheet over its budget, a study with a DOI written as a URL (its
    typeset documents are in the cache: a failed build still stores them)."""
    root = small_project(tmp_path_factory.mktemp("broken"))
    overflow(root)  # the PTSD sheet runs to two pages
    # its text is signed as it now is: the build's errors are the only news
    assert cli("approve", "--project", str(root), "evidence-sheet-ptsd-en", "--by",
               "Dr. Maya Okafor").code == 0
    study = (root / "content/studies/feder2021.yaml").read_text()
    (root / "content/studies/extra.yaml").write_text(
        study.replace('doi: "10.1176/appi.ajp.2020.20050596"', BAD_DOI))
    assert cli("build", "--project", str(root), "--jobs", "1").code == 1
    return root


def errors_in(result: Run) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": error[" in line]


# -- exit codes, options -------------------------------------------------------------------
def test_version_is_the_installed_package_version() -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"ketabrochure {metadata.version('ketabrochure')}"


def test_project_works_after_the_command_as_before_it(warned: Path) -> None:
    after = check(warned, "--quiet")
    before = cli("--project", str(warned), "check", "--jobs", "1", "--quiet")
    assert after.code == before.code == 0, after.stderr
    assert after.stdout.startswith("check passed: 2 documents (0 rendered, 2 from the cache)")
    assert before.stdout.split(" in ")[0] == after.stdout.split(" in ")[0]


def test_exit_codes_tell_errors_from_warnings_under_strict(warned: Path, broken: Path,
                                                           tmp_path: Path) -> None:
    assert check(warned).code == 0
    strict = check(warned, "--strict")
    assert strict.code == 3, strict.stderr
    assert "warning[review.expired]" in strict.stderr and not errors_in(strict)
    assert "check failed under --strict (warnings only): " in strict.stdout
    assert check(broken).code == 1
    assert check(broken, "--strict").code == 1  # errors stay 1
    assert check(warned, "--format", "yaml").code == 2
    assert cli("check", "--project", str(tmp_path)).code == 2  # no project there
    assert cli("new", "study", "Bad Id", "--project", str(warned)).code == 2


def test_build_strict_with_warnings_only_exits_3_and_says_out_was_written(warned: Path) -> None:
    result = cli("build", "--project", str(warned), "--jobs", "1", "--strict", "--quiet")
    assert result.code == 3
    assert result.stdout.startswith("build failed under --strict (warnings only; out/ was "
                                    "written): 2 documents"), result.stdout


def test_help_lists_the_exit_codes() -> None:
    result = cli("check", "--help")
    assert result.code == 0
    for line in ("0    ok", "1    errors", "2    usage", "3    only warnings", "143  terminated"):
        assert line in result.stdout


def test_help_names_the_file_that_makes_a_folder_a_project() -> None:
    for args in (("--help",), ("check", "--help")):
        result = cli(*args)
        assert result.code == 0
        assert "content/documents.yaml" in " ".join(result.stdout.split()), args


# -- formats -------------------------------------------------------------------------------
def test_text_is_unchanged_and_quiet_keeps_only_diagnostics_and_summary(broken: Path) -> None:
    full = check(broken)
    assert full.code == 1
    assert "FAIL evidence-sheet-ptsd-letter-en.pdf: " in full.stdout
    assert "ok evidence-sheet-anxiety-letter-en.pdf: 1 page (budget exactly 1)" in full.stdout
    assert "progress: 2/2 documents done" in full.stdout
    quiet = check(broken, "--quiet")
    assert quiet.stderr == full.stderr
    (line,) = quiet.stdout.splitlines()
    assert line.startswith("check failed: 2 documents (0 rendered, 2 from the cache), "
                           "2 errors, 1 warning in "), line


def test_json_is_one_document_with_diagnostics_and_documents(broken: Path) -> None:
    result = check(broken, "--format", "json")
    assert result.code == 1
    report = json.loads(result.stdout)  # stdout holds the document and nothing else
    assert report["tool"] == "ketabrochure" and report["command"] == "check"
    assert report["passed"] is False and report["exit_code"] == 1
    assert report["counts"] == {"documents": 2, "rendered": 0, "from_cache": 2, "errors": 2,
                                "warnings": 1}
    doi = next(d for d in report["diagnostics"] if d["code"] == "content.doi")
    assert doi == {"path": "content/studies/extra.yaml", "line": line_of(broken, BAD_DOI),
                   "col": 8, "severity": "error", "code": "content.doi",
                   "where": "citation.doi", "message": doi["message"]}
    assert "without the https://doi.org/ prefix" in doi["message"]
    assert {d["code"] for d in report["diagnostics"]} == \
        {"check.page-count", "content.doi", "review.expired"}
    sheets = {d["file"]: d for d in report["documents"]}
    assert sheets["evidence-sheet-anxiety-letter-en.pdf"]["status"] == "ok"
    ptsd = sheets["evidence-sheet-ptsd-letter-en.pdf"]
    assert ptsd["status"] == "failed" and ptsd["pages"] >= 2
    assert ptsd["budget"] == {"exactly": 1, "maximum": None}
    assert len(errors_in(result)) == 2, "the log still shows the diagnostics, on stderr"


def test_json_of_a_build_marks_documents_written(warned: Path) -> None:
    """`written` only for a PDF whose bytes this build wrote; `ok` for one out/ already held."""
    gone = sorted((warned / "out").glob("*.pdf"))[0]
    gone.unlink()  # the build puts it back (from the cache)
    result = cli("build", "--project", str(warned), "--jobs", "1", "--format", "json")
    report = json.loads(result.stdout)
    assert report["written"] is True and report["passed"] is True
    status = {d["file"]: d["status"] for d in report["documents"]}
    assert status.pop(gone.name) == "written" and set(status.values()) == {"ok"}, status
    assert gone.is_file()


def line_of(root: Path, text: str) -> int:
    lines = (root / "content/studies/extra.yaml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_junit_has_a_testcase_per_document_and_per_file_with_problems(broken: Path) -> None:
    result = check(broken, "--format", "junit")
    assert result.code == 1
    root = ET.fromstring(result.stdout)
    assert_junit(root)
    assert_valid_junit(result.stdout)
    documents, files = root.findall("testsuite")
    assert documents.get("name") == "documents" and files.get("name") == "files"
    cases = {c.get("name", ""): c for c in documents.iter("testcase")}
    assert sorted(cases) == ["evidence-sheet-anxiety-letter-en.pdf",
                             "evidence-sheet-ptsd-letter-en.pdf"]
    failure = cases["evidence-sheet-ptsd-letter-en.pdf"].find("failure")
    assert failure is not None and failure.get("type") == "check.page-count"
    assert cases["evidence-sheet-anxiety-letter-en.pdf"].find("failure") is None
    by_file = {c.get("name"): c for c in files.iter("testcase")}
    extra = by_file["content/studies/extra.yaml"].find("failure")
    assert extra is not None and extra.get("type") == "content.doi"
    assert "content/studies/extra.yaml:" in (extra.text or "")
    stale = by_file["content/conditions/anxiety.yaml"]  # a warning: passes, in system-out
    assert stale.find("failure") is None
    assert "warning[review.expired]" in (stale.findtext("system-out") or "")
    assert (root.get("tests"), root.get("failures")) == (str(2 + len(by_file)), "2")
    strict = ET.fromstring(check(broken, "--format", "junit", "--strict").stdout)
    stale_strict = next(c for c in strict.iter("testcase")
                        if c.get("name") == "content/conditions/anxiety.yaml")
    assert stale_strict.find("failure") is not None, "under --strict a warning fails"


# What Jenkins' junit-10.xsd (xunit plugin; GitLab and the GitHub test reporters read the same
# shape) allows: <testcase> has only name, time, classname and group (no `file`).
JUNIT = {
    "testsuites": ({"name", "time", "tests", "failures", "errors"}, set(), ["testsuite"]),
    "testsuite": ({"name", "tests", "failures", "errors", "time", "skipped", "timestamp",
                   "hostname", "id", "package", "file", "log", "url", "group"},
                  {"name", "tests", "failures", "errors"},
                  ["properties", "testcase", "system-out", "system-err"]),
    "testcase": ({"name", "time", "classname", "group"}, {"name"},
                 ["skipped", "error", "failure", "system-out", "system-err"]),
    "failure": ({"message", "type"}, set(), []),
    "system-out": (set(), set(), []),
}
# junit-10.xsd's structure, written out here (the elements and attributes a report uses;
# its rerun/flaky elements left out), to validate the report with a real schema validator
JUNIT_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="SUREFIRE_TIME">
    <xs:restriction base="xs:string">
      <xs:pattern value="(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\\.[0-9]*)?"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="outcome" mixed="true">
    <xs:attribute name="type" type="xs:string"/>
    <xs:attribute name="message" type="xs:string"/>
  </xs:complexType>
  <xs:element name="failure" type="outcome"/>
  <xs:element name="error" type="outcome"/>
  <xs:element name="skipped" type="outcome"/>
  <xs:element name="system-out" type="xs:string"/>
  <xs:element name="system-err" type="xs:string"/>
  <xs:element name="properties">
    <xs:complexType><xs:sequence>
      <xs:element name="property" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:attribute name="name" type="xs:string" use="required"/>
          <xs:attribute name="value" type="xs:string" use="required"/>
        </xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="testcase">
    <xs:complexType>
      <xs:choice minOccurs="0" maxOccurs="unbounded">
        <xs:element ref="skipped"/><xs:element ref="error"/><xs:element ref="failure"/>
        <xs:element ref="system-out"/><xs:element ref="system-err"/>
      </xs:choice>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="time" type="xs:string"/>
      <xs:attribute name="classname" type="xs:string"/>
      <xs:attribute name="group" type="xs:string"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:choice minOccurs="0" maxOccurs="unbounded">
        <xs:element ref="testsuite"/><xs:element ref="properties"/>
        <xs:element ref="testcase"/><xs:element ref="system-out"/>
        <xs:element ref="system-err"/>
      </xs:choice>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="tests" type="xs:string" use="required"/>
      <xs:attribute name="failures" type="xs:string" use="required"/>
      <xs:attribute name="errors" type="xs:string" use="required"/>
      <xs:attribute name="group" type="xs:string"/>
      <xs:attribute name="time" type="SUREFIRE_TIME"/>
      <xs:attribute name="skipped" type="xs:string"/>
      <xs:attribute name="timestamp" type="xs:string"/>
      <xs:attribute name="hostname" type="xs:string"/>
      <xs:attribute name="id" type="xs:string"/>
      <xs:attribute name="package" type="xs:string"/>
      <xs:attribute name="file" type="xs:string"/>
      <xs:attribute name="log" type="xs:string"/>
      <xs:attribute name="url" type="xs:string"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="time" type="SUREFIRE_TIME"/>
      <xs:attribute name="tests" type="xs:string"/>
      <xs:attribute name="failures" type="xs:string"/>
      <xs:attribute name="errors" type="xs:string"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


def assert_valid_junit(text: str) -> None:
    """The report validates against junit-10.xsd (lxml's XML Schema validator)."""
    from lxml import etree  # (lxml comes with pikepdf, which the PDF/UA checker uses)

    schema = etree.XMLSchema(etree.fromstring(JUNIT_XSD.encode()))
    document = etree.fromstring(text.encode("ascii"))
    assert schema.validate(document), schema.error_log


def assert_junit(element: ET.Element) -> None:
    """The element tree against junit-10.xsd's rules: known elements and attributes, required
    attributes, children in the schema's order, counts that add up."""
    allowed, required, order = JUNIT[element.tag]
    assert set(element.attrib) <= allowed, (element.tag, set(element.attrib) - allowed)
    assert required <= set(element.attrib), (element.tag, required - set(element.attrib))
    ranks = [order.index(child.tag) for child in element]  # ValueError: an unknown child
    assert ranks == sorted(ranks), f"children of <{element.tag}> out of order"
    if element.tag in ("testsuites", "testsuite"):
        cases = list(element.iter("testcase"))
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(sum(c.find("failure") is not None for c in cases))
    for child in element:
        assert_junit(child)


def test_junit_holds_only_characters_xml_allows() -> None:
    from ketabrochure.build import results
    from ketabrochure.build.run import Result

    result = Result()
    result.diags.error(Location("content/x.yaml", 2, 3), "content.invalid", "title",
                       "bell \x07 and é")
    text = results.to_junit(results.Run("check", result, False, 0.1, "0", Path("/p")))
    assert_valid_junit(text)
    root = ET.fromstring(text)  # parses: no raw control character
    failure = root.find(".//failure")
    assert failure is not None and "bell \\x07 and é" in (failure.text or "")


def test_github_annotations(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    result = check(broken, "--format", "github", "--quiet")
    assert result.code == 1 and result.stderr == ""
    lines = result.stdout.splitlines()
    line = line_of(broken, BAD_DOI)
    assert (f"::error file=content/studies/extra.yaml,line={line},col=8,title=content.doi::"
            "citation.doi: 'https://doi.org/10.1176/x' is not a DOI like 10.1234/abc (write "
            "it without the https://doi.org/ prefix)") in lines
    assert any(re.match(r"::error file=content/[^,]+\.yaml,line=\d+,col=\d+,title=check\."
                        r"page-count::evidence-sheet ptsd \(letter, en\): runs to ", x)
               for x in lines), "at the YAML text that runs over (or the longest)"
    assert any(x.startswith("::warning file=content/conditions/anxiety.yaml,") for x in lines)
    assert lines[-1].startswith("check failed: ")
    # in a repository whose project is a subfolder, paths are the repository's
    monkeypatch.setenv("GITHUB_WORKSPACE", str(broken.parent))
    nested = check(broken, "--format", "github", "--quiet").stdout
    assert f"::error file={broken.name}/content/studies/extra.yaml,line=" in nested
    full = check(broken, "--format", "github").stdout.splitlines()
    assert "::group::documents" in full and "::endgroup::" in full


def test_github_escaping_follows_the_runners_rules() -> None:
    d = Diagnostic(Location("content/a,b:c.yaml", 3, 4), "warning", "content.x", "text",
                   "100% sure\r\nnext line")
    assert d.github() == ("::warning file=content/a%2Cb%3Ac.yaml,line=3,col=4,"
                          "title=content.x::text: 100%25 sure%0D%0Anext line")


# -- a closed pipe and SIGTERM, in real processes ------------------------------------------
def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ketabrochure", *args]


def test_a_closed_pipe_ends_quietly(warned: Path) -> None:
    """`ketabrochure list | head -1`: the reader is gone before list writes (deterministic)."""
    process = subprocess.Popen(command("list", "--project", str(warned)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    piped = subprocess.run(f"{' '.join(command('list', '--project', str(warned)))} | head -1",
                           shell=True, capture_output=True, text=True, timeout=60, check=True)
    assert piped.stdout.startswith("evidence-sheet-") and "Traceback" not in piped.stderr


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def wait_for(process: subprocess.Popen[str], text: str, timeout: float = 120) -> list[str]:
    """Lines of stdout up to the first that contains `text`."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    process.kill()
    raise AssertionError(f"never printed {text!r}: {lines}")


def group_gone(pgid: int, timeout: float = 20) -> bool:
    """Whether every process of the group (the command and its workers) has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("to_group", [True, False], ids=["ci-cancel-group", "timeout-process"])
def test_sigterm_stops_watch_and_its_workers_with_exit_143(tmp_path: Path, warned: Path,
                                                           to_group: bool) -> None:
    """CI cancel signals the whole process group; `timeout` only the command. Either way
    the command exits 143 and its warm workers (--jobs 2, idle) are shut down."""
    root = small_project(tmp_path / "p")
    shutil.copytree(warned / "out" / ".cache", root / "out" / ".cache")  # nothing to typeset
    process = start("watch", "--project", str(root), "--jobs", "2", "--interval", "0.2")
    wait_for(process, "watching content/")
    if to_group:
        os.killpg(process.pid, signal.SIGTERM)
    else:
        process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert "ketabrochure: terminated (SIGTERM)" in stderr and "Traceback" not in stderr
    assert group_gone(process.pid), "a worker outlived the command"


def test_sigterm_stops_serve_its_workers_and_its_page_drawer(tmp_path: Path,
                                                               warned: Path) -> None:
    root = small_project(tmp_path / "p")
    shutil.copytree(warned / "out" / ".cache", root / "out" / ".cache")
    process = start("serve", "--project", str(root), "--jobs", "2", "--port", "0")
    wait_for(process, "serving the print shelf at")
    os.killpg(process.pid, signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert "stopped serving" in stdout and "terminated (SIGTERM)" in stderr
    assert "Traceback" not in stderr
    assert group_gone(process.pid), "a worker or the page drawer outlived serve"


def test_sigterm_during_a_check_exits_143(tmp_path: Path) -> None:
    """Typesetting in this process (--jobs 1) is interrupted between documents or inside
    one; nothing is written, and the exit code says why."""
    root = small_project(tmp_path / "p", papers="[letter, a4]")
    process = start("check", "--project", str(root), "--jobs", "1", "--no-cache")
    wait_for(process, "progress: 1/4")
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert "terminated (SIGTERM)" in stderr and "Traceback" not in stderr
    assert not (root / "out").exists() or not list((root / "out").glob("*.pdf"))
