"""Hostile content: nothing outside the project is read, no YAML grows without bound, nothing
reaches the terminal raw, every problem is one located line. Each test writes its own bad
content into a throw-away copy of the project; the last two fuzz the readers."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import REPO, copy_minimal, copy_project, edit, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketabrochure.build import run as build_run
from ketabrochure.diagnostics import Diagnostic, Diagnostics, Location, UsageError
from ketabrochure.physician import recipients
from ketabrochure.read import reader as read_reader
from ketabrochure.read import yamlsource

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)"
                  r"\[(?P<code>[a-z.-]+)\]: (?P<where>.+?): (?P<msg>.+)$")
UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # what must never reach a terminal raw


def raw_controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) in UNSAFE and c != "\n"]


def lines(stderr: str) -> list[str]:
    """Every line of a run's stderr, each checked to be one located diagnostic."""
    assert "Traceback" not in stderr
    assert not raw_controls(stderr), f"raw control characters in {stderr!r}"
    found = stderr.splitlines()
    for line in found:
        match = LINE.match(line)
        assert match, f"not a diagnostic line: {line!r}"
        assert int(match["line"]) >= 1 and int(match["col"]) >= 1
    return found


def code_of(line: str) -> str:
    match = LINE.match(line)
    assert match, line
    return match["code"]


def errors(stderr: str) -> list[str]:
    return [line for line in lines(stderr) if ": error[" in line]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the minimal project (no out/): the readers only need content, layouts and
    assets, and what they refuse is refused in any content (22 files to read, not 71)."""
    return copy_minimal(tmp_path / "project")


# -- 1. nothing outside the project is read --------------------------------------------------
OPENED: list[str] | None = None  # while a list, every file Python opens is noted in it


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and OPENED is not None and isinstance(args[0], str | bytes | os.PathLike):
        OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@contextmanager
def recording() -> Iterator[list[str]]:
    """The files opened inside the `with` block."""
    global OPENED
    OPENED = []
    try:
        yield OPENED
    finally:
        OPENED = None


def test_symlink_out_of_the_project_is_refused_unread(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root: $6$hunter2\ndaemon: x\n")
    (root / "content/conditions/x.yaml").symlink_to(secret)
    (root / "layouts/evil").mkdir()
    (root / "layouts/evil/layout.yaml").symlink_to(secret)
    with recording() as opened:
        result = run_cli(root, "list")
    assert result.code == 1
    assert "hunter2" not in result.stderr and "daemon" not in result.stderr
    assert str(secret) not in opened and str(secret.resolve()) not in opened
    found = errors(result.stderr)
    for shown in ("content/conditions/x.yaml", "layouts/evil/layout.yaml"):
        assert (f"{shown}:1:1: error[yaml.outside]: {shown}: lies outside the project (it leads "
                f"to {secret.resolve()}); content files must be inside the project folder, so "
                "it was not read") in found
    assert len(found) == 2, found  # the refusal is the only problem: no 'unknown field' noise


def test_symlinked_folder_out_of_the_project_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(root / "content/handouts", outside)
    shutil.rmtree(root / "content/handouts")
    (root / "content/handouts").symlink_to(outside)
    result = run_cli(root, "list")
    assert result.code == 1
    refused = [line for line in errors(result.stderr) if "error[yaml.outside]" in line]
    assert len(refused) == len(list(outside.iterdir()))


def test_symlinks_inside_the_project_are_fine(root: Path) -> None:
    (root / "elsewhere").mkdir()
    (root / "content/clinic.yaml").rename(root / "elsewhere/clinic.yaml")
    (root / "content/clinic.yaml").symlink_to("../elsewhere/clinic.yaml")
    result = run_cli(root, "list")
    assert result.code == 0, result.stderr
    assert not errors(result.stderr)


def test_not_a_regular_file_is_refused(root: Path) -> None:
    os.mkfifo(root / "content/studies/pipe.yaml")  # reading it would wait forever
    (root / "content/studies/folder.yaml").mkdir()
    done = subprocess.run([sys.executable, "-m", "ketabrochure", "--project", str(root), "list"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    found = errors(done.stderr)
    for name in ("pipe", "folder"):
        assert (f"content/studies/{name}.yaml:1:1: error[yaml.read]: content/studies/{name}.yaml:"
                " is not a regular file (a folder, pipe or device?); it was not read") in found


def test_logo_outside_assets_is_refused(root: Path) -> None:
    edit(root / "content/clinic.yaml", "logo: logo.svg", "logo: ../content/clinic.yaml")
    result = run_cli(root, "list")
    (line,) = [x for x in errors(result.stderr) if "logo" in x]
    assert "error[content.invalid]: logo: '../content/clinic.yaml' must name a file inside " \
           "assets/" in line


# -- 2. bounded YAML: alias bombs, recursive aliases, deep nesting ----------------------------
def laughs(levels: int = 9, width: int = 9) -> str:
    """The billion laughs: each level an alias list of the one before (9^9 ~ 387 million)."""
    rows = [f"lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    rows += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * width)}]"
             for i in range(1, levels + 1)]
    return "\n".join(rows) + "\n"


MEASURE = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # a regression fails, not swaps
from pathlib import Path
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.read.yamlsource import load
path = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
diags = Diagnostics()
node = load(path, path.name, diags)
after = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
                  "grew_kb": after.ru_maxrss - before.ru_maxrss, "none": node is None,
                  "diagnostics": [str(d) for d in diags.items]}))
"""


def measure(path: Path) -> dict[str, Any]:
    """Load one file in a fresh, memory-capped process: its time, peak growth, diagnostics."""
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_billion_laughs_is_refused_at_the_alias_fast_and_small(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(laughs())
    assert bomb.stat().st_size < 2048
    result = measure(bomb)
    assert result["none"]
    assert result["diagnostics"] == [
        "bomb.yaml:5:21: error[yaml.alias-bomb]: *lol3: stands for 7,381 values (&lol3 at "
        "line 4), past the 20,000 a file may hold: an alias bomb? write the values out instead"]
    assert result["cpu"] < 1.0, result  # measured: about 2 ms
    assert result["grew_kb"] < 20_000, result  # measured: under 1 MB (unbounded: > 4.9 GB)


def test_wide_alias_and_plain_floods_are_bounded(tmp_path: Path) -> None:
    wide = tmp_path / "wide.yaml"  # one alias standing for more than the limit at once
    wide.write_text("a: &a [" + ", ".join(["x"] * 19_990) + "]\nb: *a\n")
    result = measure(wide)
    assert result["diagnostics"] == [
        "wide.yaml:2:4: error[yaml.alias-bomb]: *a: stands for 19,991 values (&a at line 1), "
        "past the 20,000 a file may hold: an alias bomb? write the values out instead"]
    flood = tmp_path / "flood.yaml"  # no alias at all, just too many values
    flood.write_text("a: [" + ",".join(["1"] * 30_000) + "]\n")
    result = measure(flood)
    (line,) = result["diagnostics"]
    assert line.startswith("flood.yaml:1:") and "error[yaml.too-large]" in line
    assert result["cpu"] < 5.0, result


@pytest.mark.parametrize(("text", "line", "col"), [
    ("a: &x [*x]\n", 1, 8),
    ("a: &x {b: *x}\n", 1, 11),
    ("a:\n  &x\n  - b\n  - [c, *x]\n", 4, 9),
])
def test_recursive_alias_is_located(tmp_path: Path, text: str, line: int, col: int) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(text)
    diags = Diagnostics()
    assert yamlsource.load(path, "loop.yaml", diags) is None
    assert [str(d) for d in diags.items] == [
        f"loop.yaml:{line}:{col}: error[yaml.alias]: *x: refers to the list or mapping that "
        f"contains it (&x at line {text[:text.index('&x')].count(chr(10)) + 1}): a recursive alias"]


@pytest.mark.parametrize(("name", "text", "line", "col"), [
    ("flow", "a: " + "[" * 1000 + "]" * 1000 + "\n", 1, 103),
    ("block", "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "x\n", 101, 201),
    ("list", "".join("  " * i + "-\n" for i in range(150)), 101, 201),
    # shallow anchors whose aliases stack up: the depth counts through the alias
    ("alias", "a: &a " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 50 + "*a" + "]" * 50 + "\n", 2, 54),
])
def test_deep_nesting_is_located(tmp_path: Path, name: str, text: str, line: int,
                                 col: int) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    diags = Diagnostics()
    assert yamlsource.load(path, path.name, diags) is None
    assert [str(d) for d in diags.items] == [
        f"{name}.yaml:{line}:{col}: error[yaml.too-deep]: YAML: lists and mappings nest more "
        "than 100 levels deep here; content needs only a few (the rest of the file was not read)"]


def test_very_deep_nesting_is_refused_fast(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"  # libyaml's composer crashes on this; its scanner crawls
    deep.write_text("a: " + "[" * 400_000 + "]" * 400_000 + "\n")
    result = measure(deep)
    assert result["diagnostics"] == [
        "deep.yaml:1:103: error[yaml.too-deep]: YAML: lists and mappings nest more than 100 "
        "levels deep here; content needs only a few (the rest of the file was not read)"]
    assert result["cpu"] < 2.0, result


def test_bombs_in_the_content_fail_the_run_located(root: Path) -> None:
    (root / "content/studies/lol.yaml").write_text(laughs())
    (root / "content/conditions/loop.yaml").write_text("name: &n [*n]\n")
    (root / "content/studies/deep.yaml").write_text("citation: " + "[" * 900 + "]" * 900 + "\n")
    result = run_cli(root, "list")
    assert result.code == 1
    codes = {(x.split(":")[0], code_of(x)) for x in errors(result.stderr)}
    assert {("content/studies/lol.yaml", "yaml.alias-bomb"),
            ("content/conditions/loop.yaml", "yaml.alias"),
            ("content/studies/deep.yaml", "yaml.too-deep")} <= codes


# -- 3. one id, one file -----------------------------------------------------------------------
def test_same_id_in_yaml_and_yml_is_an_error_naming_both(root: Path) -> None:
    study = root / "content/studies/feder2014.yaml"
    (root / "content/studies/feder2014.yml").write_text(study.read_text().replace("2014", "2015"))
    result = run_cli(root, "list")
    assert result.code == 1
    assert errors(result.stderr) == [
        "content/studies/feder2014.yml:1:1: error[content.duplicate-id]: feder2014.yml: the id "
        "'feder2014' is also content/studies/feder2014.yaml (that one is read); delete one of "
        "the two files"]


def test_misnamed_content_files_are_reported(root: Path) -> None:
    content = root / "content"
    shutil.copy(content / "clinic.yaml", content / "clinic.yml")  # beside clinic.yaml
    (content / "recipients.yaml").rename(content / "recipients.yml")  # instead of it
    (content / "studies/zarate2006.yaml").rename(content / "studies/zarate2006.YAML")
    shutil.copy(content / "studies/feder2014.yaml", content / "studies/feder2014.yaml~")
    (content / "studies/.feder2014.yaml.swp").write_bytes(b"\x00vim swap")
    result = run_cli(root, "list")
    assert result.code == 1
    found = lines(result.stderr)
    assert ("content/clinic.yml:1:1: error[content.duplicate-id]: clinic.yml: the id 'clinic' is "
            "also content/clinic.yaml (that one is read); delete one of the two files") in found
    assert ("content/recipients.yml:1:1: error[content.file-name]: recipients.yml: is not read: "
            "rename it to recipients.yaml") in found
    assert ("content/studies/zarate2006.YAML:1:1: error[content.file-name]: zarate2006.YAML: is "
            "not read: content files end in .yaml or .yml (rename it to zarate2006.yaml)") in found
    assert ("content/studies/feder2014.yaml~:1:1: warning[content.file-name]: feder2014.yaml~: is"
            " not read: content files end in .yaml or .yml (a backup? delete it or move it out of "
            "content/)") in found
    assert not [x for x in found if ".swp" in x]


def test_a_broken_condition_is_not_also_reported_missing_for_its_handout(root: Path) -> None:
    ptsd = root / "content/conditions/ptsd.yaml"
    line = len(ptsd.read_text().splitlines()) + 1
    ptsd.write_text(ptsd.read_text() + "extra: 1\n")
    result = run_cli(root, "list")
    assert result.code == 1
    assert errors(result.stderr) == [
        f"content/conditions/ptsd.yaml:{line}:1: error[content.unknown-field]: extra: unknown "
        "field 'extra'"]


# -- 4. nothing reaches the terminal raw -------------------------------------------------------
def test_control_characters_are_escaped_in_every_field() -> None:
    d = Diagnostic(Location("content/\x1b[2Jx.yaml", 3, 4), "error", "content.id",
                   "key\u202eevil", "bell\x07, nul\x00, osc \x1b]0;title\x07, tab\t, nl\n, "
                   "tag \U000e0041, line sep \u2028, c1 \x9b; Ruiz-Pérez ≥ ñ")
    assert str(d) == (
        "content/\\x1b[2Jx.yaml:3:4: error[content.id]: key\\u202eevil: bell\\x07, nul\\x00, "
        "osc \\x1b]0;title\\x07, tab\\t, nl\\n, tag \\U000e0041, line sep \\u2028, c1 \\x9b; "
        "Ruiz-Pérez ≥ ñ")


def test_escape_sequences_in_content_reach_the_terminal_escaped(root: Path) -> None:
    ptsd = root / "content/conditions/ptsd.yaml"
    ptsd.write_text(ptsd.read_text() + '"\\e]0;pwned\\a\\e[2J\\e[H": 1\n')
    edit(root / "content/studies/feder2014.yaml", "role: efficacy", 'role: "\\u202eefficacy\\0"')
    (root / "content/studies/\x1b[31mred.yaml").write_text("x: 1\n")
    result = run_cli(root, "list")
    assert result.code == 1
    found = errors(result.stderr)  # no raw control character anywhere (checked in lines())
    assert any("unknown field '\\x1b]0;pwned\\x07\\x1b[2J\\x1b[H'" in x for x in found), found
    assert any("'\\u202eefficacy\\x00' is not one of" in x for x in found), found
    assert any(x.startswith("content/studies/\\x1b[31mred.yaml:1:1: error[content.id]")
               for x in found), found


def test_raw_nul_is_one_line_at_its_place(root: Path) -> None:
    study = root / "content/studies/feder2014.yaml"
    study.write_bytes(study.read_bytes().replace(b"role: efficacy", b"role: eff\x00icacy"))
    result = run_cli(root, "list")
    assert result.code == 1
    assert errors(result.stderr) == [
        "content/studies/feder2014.yaml:12:10: error[yaml.character]: YAML: U+0000 (a control "
        "character) may not appear in a YAML file; delete it"]


# -- 5. every reader error at its line ---------------------------------------------------------
def test_reader_errors_are_located(root: Path) -> None:
    study = root / "content/studies/feder2014.yaml"
    study.write_bytes(study.read_bytes().replace(b"JAMA Psychiatry", b"JAMA \xff Psychiatry"))
    edit(root / "content/studies/feder2021.yaml", "et_al: true", "et_al: !!bool maybe")
    edit(root / "content/studies/abdallah2022.yaml", "role:", "? [a, b]\n: 1\nrole:")
    result = run_cli(root, "list")
    assert result.code == 1
    found = errors(result.stderr)
    assert ("content/studies/feder2014.yaml:5:18: error[yaml.encoding]: "
            "content/studies/feder2014.yaml: is not UTF-8 text (byte 215, 0xff); save it as "
            "UTF-8") in found
    assert any(x.startswith("content/studies/feder2021.yaml:")
               and "error[yaml.value]: 'maybe': not a valid bool" in x for x in found), found
    assert any(x.startswith("content/studies/abdallah2022.yaml:")
               and "error[yaml.key]: key: keys must be text; got a list" in x for x in found)
    assert all(not re.match(r"^[^:]+:1:1: ", x) for x in found), found


# -- 6. glossary terms and command-line recipients ---------------------------------------------
def test_duplicate_glossary_term_is_refused(root: Path) -> None:
    glossary = root / "content/glossary.yaml"
    glossary.write_text(glossary.read_text() + (
        '  - term: {en: "Dissociation", es: "disociación"}\n'
        "    definition:\n"
        '      en: "Feeling cut off."\n'
        '      es: "Sentirse separado."\n'))
    result = run_cli(root, "list")
    assert result.code == 1
    assert errors(result.stderr) == [
        "content/glossary.yaml:31:16: error[content.duplicate]: terms[8].term: 'Dissociation' is "
        "already defined at line 3; define each term once"]


@pytest.mark.parametrize(("name", "practice", "address", "message"), [
    ("", "Clinic", (), "the recipient's name (--to) is empty; the letter needs it"),
    ("   ", "Clinic", (), "the recipient's name (--to) is empty; the letter needs it"),
    ("Dr. X", "", (), "the recipient's practice (--practice) is empty; the letter needs it"),
    ("Dr. X", " \t", (), "the recipient's practice (--practice) is empty; the letter needs it"),
    ("Dr. X", "Clinic", ("1 Main St", " "),
     "the recipient's address line (--address) is empty; the letter needs it"),
    ("Dr. \x1b]0;pwned\x07X", "Clinic", (),
     "the recipient's name (--to) 'Dr. \\x1b]0;pwned\\x07X' holds a control or invisible "
     "formatting character; type it without"),
])
def test_recipient_from_args_refuses_empty_and_control_text(
        name: str, practice: str, address: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        recipients.recipient_from_args(name, practice, ["ptsd"], dt.date(2026, 11, 20), address)
    assert str(raised.value) == message


def test_recipient_from_args_refuses_a_condition_that_is_not_an_id() -> None:
    with pytest.raises(UsageError, match=r"'\\x1b\[2Jptsd' is not a condition id"):
        recipients.recipient_from_args("Dr. X", "Y", ["\x1b[2Jptsd"], dt.date(2026, 11, 20))


def test_packet_with_an_empty_name_is_a_usage_error(root: Path) -> None:
    result = run_cli(root, "packet", "--to", " ", "--practice", "Y", "--conditions", "ptsd")
    assert result.code == 2
    assert "the recipient's name (--to) is empty" in result.stderr
    assert not (root / "out").exists()


def test_command_line_recipient_may_not_take_a_listed_id(root: Path) -> None:
    diags = Diagnostics()
    listed = recipients.read(read_reader.Reader(root, diags))
    assert "sample" in listed and not diags.items
    taken = recipients.recipient_from_args("Sample", "Y", ["ptsd"], dt.date(2026, 11, 20))
    with pytest.raises(UsageError) as raised:
        recipients.check_id_free(taken, listed)
    assert str(raised.value) == (
        "'Sample' gets the id 'sample', which content/recipients.yaml (line 5) already gives to "
        "Dr. Ana Ruiz; write the name differently, or build that packet with `ketabrochure "
        "build` (see `ketabrochure list`)")
    free = recipients.recipient_from_args("Dr. Sam Ple", "Y", ["ptsd"], dt.date(2026, 11, 20))
    recipients.check_id_free(free, listed)


# -- 7. fuzzing: whatever the YAML, located diagnostics and no exception -----------------------
def check_diagnostics(diags: Diagnostics) -> None:
    for d in diags.items:
        text = str(d)
        assert LINE.match(text), text
        assert d.location.line >= 1 and d.location.col >= 1, text
        assert not raw_controls(text), text
        assert "\n" not in text, text


TOKENS = ["a", "b", "key", ": ", ":", "- ", "-", "\n", "  ", "    ", "\t", "&a ", "&b ", "*a",
          "*b", "[", "]", "{", "}", ", ", "'", '"', "? ", "!!int ", "!!bool ", "!!timestamp ",
          "!!float ", "!!binary ", "!!python/object:os.system ", "!foo ", "<<: ", "# c", "|\n",
          ">-\n", "---\n", "...\n", "%YAML 1.1\n", "2026-13-45", "0x1F", "1e999", "~", "null",
          "\\x1b", "\\e]0;t\\a", "\\u202e", "\\0", "\x00", "\x1b", "\u202e", "\ufeff", "é", "≥",
          "\ud800", "\U0001f600", "9" * 5000]


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=60).map("".join),  # YAML-ish token soup
    st.text(max_size=200),  # any unicode, control characters included
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
                 | st.dates(), lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)
    .map(lambda value: yaml.safe_dump(value, allow_unicode=True)),
))
def test_fuzz_load_any_text(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    diags = Diagnostics()
    yamlsource.load(path, "fuzz.yaml", diags)
    check_diagnostics(diags)


FILES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "content").rglob("*.yaml"))
FILES += sorted(p.relative_to(REPO).as_posix() for p in (REPO / "layouts").glob("*/layout.yaml"))


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real content file with a few random edits: lines deleted or doubled, tabs, unclosed
    quotes, random unicode (control characters too), random bytes."""
    name = draw(st.sampled_from(FILES))
    rows = (REPO / name).read_bytes().split(b"\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(rows) - 1))
        edit = draw(st.sampled_from(["delete", "double", "tab", "quote", "unicode", "bytes",
                                     "alias"]))
        row = rows[i]
        at = draw(st.integers(0, len(row)))
        if edit == "delete":
            del rows[i]
        elif edit == "double":
            rows.insert(i, row)
        elif edit == "tab":
            rows[i] = row[:at] + b"\t" + row[at:]
        elif edit == "quote":
            rows[i] = row[:at] + draw(st.sampled_from([b'"', b"'", b"[", b"{"])) + row[at:]
        elif edit == "unicode":
            text = draw(st.text(max_size=6))
            rows[i] = row[:at] + text.encode("utf-8", "surrogatepass") + row[at:]
        elif edit == "bytes":
            rows[i] = row[:at] + draw(st.binary(max_size=4)) + row[at:]
        else:
            rows[i] = row[:at] + draw(st.sampled_from([b"&a ", b"*a", b"&a [*a]", b"!!bool "]))\
                + row[at:]
        if not rows:
            rows = [b""]
    return name, b"\n".join(rows)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_fuzz_edited_content_through_the_whole_load(fuzz_root: Path,
                                                     change: tuple[str, bytes]) -> None:
    name, data = change
    path = fuzz_root / name
    original = path.read_bytes()
    path.write_bytes(data)
    try:
        diags = Diagnostics()
        build_run.load(fuzz_root, diags)  # stages 1-3: every reader, cross-check and rule
        check_diagnostics(diags)
    finally:
        path.write_bytes(original)


def test_a_file_read_before_is_shared_and_no_reader_changes_it(tmp_path: Path) -> None:
    """yamlsource keeps the files it composed (watch, serve and a test process read the same
    files again); that is only sound while nothing that reads a Node changes it. After the
    default content and a broken minimal project are loaded twice, every kept Node equals the
    file composed afresh, and the second load gave the same diagnostics from the memo."""
    broken = copy_minimal(tmp_path / "p")
    clinic = broken / "content/clinic.yaml"
    clinic.write_text(clinic.read_text() + "phone: 555\n")  # a duplicate key: composing's own
    yamlsource._memo.clear()
    first = [Diagnostics(), Diagnostics()]
    for root, diags in zip((REPO, broken), first, strict=True):
        build_run.load(root, diags)
    assert any(d.code == "yaml.duplicate-key" for d in first[1].items)
    for root, diags in zip((REPO, broken), first, strict=True):
        again = Diagnostics()
        build_run.load(root, again)
        assert [str(d) for d in again.items] == [str(d) for d in diags.items]
    assert len(yamlsource._memo) >= len(FILES) + 1
    for (shown, text, *_), (node, _, _) in yamlsource._memo.items():
        assert node == yamlsource._Composer(shown, Diagnostics()).compose(text), shown
