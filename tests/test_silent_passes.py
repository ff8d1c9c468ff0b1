"""Slips that used to pass silently and end up printed: typographic quotes typed as YAML
quotes, a five-digit year, a location that copies the clinic's phone (and keeps the old one
when the clinic's changes), a quote left open inside `{en: "...", es: "..."}`, and PDFs in
out/ that no manifest lists. Each is written by the test into a project copy or a file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import copy_minimal, diagnostics, edit, line_of, run_cli

from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.read.yamlsource import load as load_yaml

HANDOUT = "content/handouts/ptsd.yaml"
EN = 'en: "PTSD can follow a scary or violent event.'
ES = 'es: "El trastorno de estrés postraumático (TEPT)'


def read(root: Path) -> list[tuple[str, str, str, int, str]]:
    """(severity, code, path, line, message) of every problem reading the project."""
    diags = Diagnostics()
    load(root, diags)
    return [(d.severity, d.code, d.location.path, d.location.line, d.message)
            for d in diags.sorted()]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = copy_minimal(tmp_path / "p")
    assert read(root) == []  # the minimal content reads clean
    return root


@pytest.mark.parametrize(("opening", "closing"), [("“", "”"), ("«", "»"), ("„", "“")])
def test_typographic_quotes_typed_as_yaml_quotes_are_an_error(minimal: Path, opening: str,
                                                              closing: str) -> None:
    path = minimal / HANDOUT
    for start in (EN, ES):  # both languages
        line = next(t for t in path.read_text().splitlines() if start in t)
        edit(path, line, line.replace(': "', f": {opening}", 1)[:-1] + closing)
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1 and "Traceback" not in result.stderr
    found = diagnostics(result.stderr)
    assert [(d["path"], d["code"], int(d["line"])) for d in found] == [
        (HANDOUT, "yaml.curly-quote", line_of(path, f"en: {opening}PTSD")),
        (HANDOUT, "yaml.curly-quote", line_of(path, f"es: {opening}El trastorno"))], found
    assert f"{opening} and {closing} are typographic quotes, not YAML quotes, so they would " \
           "be printed" in found[0]["msg"]


def test_curly_quotes_inside_straight_ones_are_printed_as_meant(content: Path) -> None:
    path = content / HANDOUT
    edit(path, 'or stay away from things that remind you of it."',
         'or stay away from “triggers”."')
    edit(path, 'o evitar lo que le recuerda lo que pasó."', 'o evitar «disparadores»."')
    assert read(content) == []


@pytest.mark.parametrize(("file", "line"), [("content/studies/feder2021.yaml", "  year: 2021"),
                                            ("content/regulatory.yaml", "    year: 2020")])
def test_a_five_digit_year_is_an_error(content: Path, file: str, line: str) -> None:
    edit(content / file, line, line + "6")  # 20216: one key too many
    found = read(content)
    assert [f[:4] for f in found] == [
        ("error", "content.year", file, line_of(content / file, line + "6"))], found
    assert f"{line.split()[-1]}6 is not a year from 1900 to" in found[0][4]


LOCATIONS = """
locations:
  - id: downtown
    name: Northside Downtown
    phone: (503) 555-0142
  - id: eastside
    name: Northside Eastside
    phone: 503-555-0199
    address: [1200 Harbor View Avenue, Suite 300, "Portland, OR 97201"]
  - id: westside
    name: Northside Westside
    address: [88 Burnside Street, "Portland, OR 97214"]
"""


def test_a_location_that_repeats_the_clinics_phone_is_a_warning(content: Path) -> None:
    clinic = content / "content/clinic.yaml"
    clinic.write_text(clinic.read_text() + LOCATIONS)
    edit(clinic, "phone: 503-555-0199", "phone: 503 555 0142")  # same digits, other spacing
    found = read(content)
    assert [f[:4] for f in found] == [
        ("warning", "content.location-repeats", "content/clinic.yaml", line_of(clinic, needle))
        for needle in ("    phone: (503) 555-0142", "    phone: 503 555 0142",
                       "    address: [1200 Harbor")], found  # (its lines broken otherwise)
    for *_, message in found:
        assert message.startswith("same as the clinic's: leave it out"), message


def test_a_location_with_its_own_details_is_clean(content: Path) -> None:
    clinic = content / "content/clinic.yaml"
    own = LOCATIONS.replace("(503) 555-0142", "(503) 555-0100").replace("1200 Harbor", "1300 Harbor")
    clinic.write_text(clinic.read_text() + own)
    assert read(content) == []


FLOW_SLIPS = [  # YAML, (line, column), words; then the fix the message gives, applied
    ('title: {en: "Hello there, es: "Hola"}\n', (1, 25),
     "the quote (\") opened for 'en:' is not closed before ', es:': add a \" after "
     "'Hello there'", ('"Hello there,', '"Hello there",')),
    ('title: {en: "Hello there", es: "Hola}\n', (1, 32),
     "the quote (\") opened for 'es:' is not closed: add a \" at the end of its text, "
     "before the }", ("Hola}", 'Hola"}')),
    ("items:\n  - {en: 'Fine, es: 'Bien'}\n", (2, 15),
     "the quote (') opened for 'en:' is not closed before ', es:': add a ' after 'Fine'",
     ("'Fine,", "'Fine',")),
    ('a:\n  - {en: "He said "hi" to me", es: "Dijo hola"}\n', (2, 19),
     "the text of 'en:' ends at this \", so YAML cannot read what follows: a quote inside "
     'double-quoted text is written \\"', ('"hi"', '\\"hi\\"')),
]


@pytest.mark.parametrize(("text", "at", "words", "fix"), FLOW_SLIPS)
def test_an_open_quote_in_a_bilingual_text_gets_advice_that_works(
        tmp_path: Path, text: str, at: tuple[int, int], words: str,
        fix: tuple[str, str]) -> None:
    path = tmp_path / "content" / "x.yaml"
    path.parent.mkdir()
    path.write_text(text)
    diags = Diagnostics()
    assert load_yaml(path, "content/x.yaml", diags, root=tmp_path) is None
    (error,) = diags.errors
    assert (error.location.line, error.location.col) == at, str(error)
    assert words in error.message, str(error)
    path.write_text(text.replace(*fix, 1))  # the advice, followed: the file reads clean
    diags = Diagnostics()
    node = load_yaml(path, "content/x.yaml", diags, root=tmp_path)
    assert node is not None and not diags.items, [str(d) for d in diags.items]


def test_pdfs_in_out_that_the_manifest_does_not_list_are_reported(tmp_path: Path,
                                                                 built_minimal: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    shutil.copytree(built_minimal / "out", root / "out")
    assert run_cli(root, "check", "--jobs", "1", "--strict").code == 0
    listed = sorted((root / "out").glob("*.pdf"))[0]
    shard = re.sub(r"-en\b", "-fr", listed.name)  # a PDF from another build's shard
    shutil.copy(listed, root / "out" / shard)
    result = run_cli(root, "check", "--jobs", "1")
    assert result.code == 0  # a warning: the documents themselves are fine
    (found,) = diagnostics(result.stderr)
    assert (found["path"], found["sev"], found["code"]) == (
        f"out/{shard}", "warning", "out.unlisted")
    assert "not in out/manifest.json" in found["msg"]
    assert run_cli(root, "check", "--jobs", "1", "--strict").code == 3  # warnings alone, under --strict
