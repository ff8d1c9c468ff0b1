"""A no-op build decided from what went in, before any YAML is read (build/inputs.py), and
commands that load only what they need (`--help` and `list` never load the pipeline)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
from helpers import REPO, UNFINISHED, Run, copy_minimal, run_cli

from ketabrochure import cli, layouts
from ketabrochure.build import inputs, scaffold
from ketabrochure.typeset import print_shop

# what only typesetting needs: never loaded by --help, list or a no-op build
PIPELINE = {"weasyprint", "pikepdf", "pypdfium2", "ketabrochure.build.run",
            "ketabrochure.build.engine", "ketabrochure.build.cache", "ketabrochure.typeset.pool"}
FRESH = """\
import io, json, sys
from ketabrochure.cli import main
out, err = io.StringIO(), io.StringIO()
code = main(sys.argv[1:], out, err)
loaded = sorted(sys.modules)  # (a module put off by lazy.lazy_module and never used is not)
print(json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
                  "loaded": loaded}))
"""


def fresh(*argv: str) -> tuple[Run, set[str]]:
    """A command in a new interpreter: what it printed, and every module it loaded."""
    run = subprocess.run([sys.executable, "-c", FRESH, *argv], capture_output=True,
                         text=True, check=True)
    found = json.loads(run.stdout)
    return Run(found["code"], found["stdout"], found["stderr"]), set(found["loaded"])


def warm(built_minimal: Path, target: Path) -> Path:
    """A copy of the minimal project with its session build's out/ (render cache and all)."""
    root = copy_minimal(target)
    shutil.copytree(built_minimal / "out", root / "out", ignore=UNFINISHED)
    return root


def stamps(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under out/ (the cache too): modification time, inode and size."""
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino,
                                             p.stat().st_size)
            for p in sorted((root / "out").rglob("*")) if p.is_file()}


def replayed(root: Path, command: str, first: Run, wrote: str) -> dict[str, tuple[int, int, int]]:
    """A second `command` in a new interpreter replays `first` (one warning): the same
    diagnostics and exit code, the pipeline never loaded, nothing written in out/, not even
    the memo or the cache. Returns out/'s stamps."""
    before = stamps(root)
    second, loaded = fresh("--project", str(root), command)
    assert (second.code, second.stderr) == (first.code, first.stderr)
    documents = len(json.loads((root / "out" / "manifest.json").read_text())["documents"])
    assert re.fullmatch(rf"{command} passed: {documents} documents \(0 rendered, {documents} "
                        rf"from the cache\), {wrote}0 errors, 1 warning in 0\.\d s; nothing "
                        rf"changed since the last {command}\n", second.stdout), second.stdout
    assert not loaded & PIPELINE, loaded & PIPELINE
    assert stamps(root) == before
    return before


def test_help_and_list_never_load_the_pipeline() -> None:
    for argv in (["--help"], ["build", "--help"], ["--version"]):
        run, loaded = fresh(*argv)
        assert run.code == 0 and run.stdout, argv
        heavy = PIPELINE | {"jinja2", "yaml", "ketabrochure.model", "ketabrochure.kinds"}
        assert not loaded & heavy, (argv, loaded & heavy)
    run, loaded = fresh("--project", str(REPO), "list")
    assert run.code == 0 and "handout-ptsd-letter-en.pdf" in run.stdout, run.stderr
    assert not loaded & PIPELINE, loaded & PIPELINE
    assert "ketabrochure.kinds" in loaded  # (it did load what listing needs)
    typesetting = {name for name in loaded if name.startswith("ketabrochure.typeset")}
    assert not typesetting, typesetting  # no typesetting module at all


def test_the_help_lists_the_kinds_new_makes() -> None:
    assert tuple(scaffold.FOLDERS) == cli.NEW_KINDS
    assert inputs.SYSTEM_FILES == (print_shop.PROFILE,)


def test_a_no_op_build_writes_nothing_and_replays_its_warnings(built_minimal: Path,
                                                               tmp_path: Path) -> None:
    root = warm(built_minimal, tmp_path / "p")
    # a backup beside the content: a warning, and no document changes
    (root / "content" / "studies" / "feder2014.yaml~").write_text("an editor's backup\n")
    first = run_cli(root, "build")
    assert first.code == 0, first.stderr
    assert "warning[content.file-name]: feder2014.yaml~" in first.stderr
    assert "nothing changed" not in first.stdout
    before = replayed(root, "build", first, "wrote 0 PDFs, ")
    strict = run_cli(root, "build", "--strict")  # the same warnings fail it, as a full run
    assert (strict.code, strict.stderr) == (3, first.stderr)
    assert "failed under --strict" in strict.stdout and "nothing changed" in strict.stdout
    github = run_cli(root, "build", "--format", "github")
    assert "::warning file=content/studies/feder2014.yaml~" in github.stdout
    assert "nothing changed" in github.stdout
    assert stamps(root) == before


@pytest.mark.parametrize("edit", [
    ("content/clinic.yaml", "\n# touched\n"),  # a comment: no printed text changes
    ("layouts/handout/handout.html.j2", "{# touched #}"),  # the same HTML
    ("assets/fonts/OFL-AtkinsonHyperlegible.txt", "\n"),
    ("layouts/notes.txt", "a new file\n"),
])
def test_any_change_to_what_went_in_runs_the_build(built_minimal: Path, tmp_path: Path,
                                                   edit: tuple[str, str]) -> None:
    root = warm(built_minimal, tmp_path / "p")
    assert "nothing changed" in run_cli(root, "build").stdout  # the session build's memo
    path = root / edit[0]
    with path.open("a") as handle:
        handle.write(edit[1])
    again = run_cli(root, "build")
    assert again.code == 0 and "nothing changed" not in again.stdout, again.stdout
    assert "nothing changed" in run_cli(root, "build").stdout  # remembered again


def test_a_no_op_check_replays_its_diagnostics_and_exit_code(built_minimal: Path,
                                                             tmp_path: Path) -> None:
    """`check` keeps its own memo (out/.cache/check.json): the same inputs and out/ replay
    its diagnostics and exit code without loading the pipeline, and write nothing."""
    root = warm(built_minimal, tmp_path / "p")
    (root / "content" / "studies" / "feder2014.yaml~").write_text("an editor's backup\n")
    first = run_cli(root, "check")
    assert first.code == 0 and "warning[content.file-name]" in first.stderr, first.stderr
    assert "nothing changed" not in first.stdout and (root / "out" / inputs.CHECK_MEMO).is_file()
    replayed(root, "check", first, "")
    strict = run_cli(root, "check", "--strict")  # the replayed warning fails it, as in full
    assert (strict.code, strict.stderr) == (3, first.stderr)
    assert "failed under --strict (warnings only)" in strict.stdout
    assert "nothing changed" in strict.stdout
    github = run_cli(root, "check", "--format", "github")
    assert "::warning file=content/studies/feder2014.yaml~" in github.stdout
    assert "nothing changed" in github.stdout
    listed = run_cli(root, "check", "--format", "json")  # lists every document: it runs
    documents = json.loads((root / "out" / "manifest.json").read_text())["documents"]
    assert len(json.loads(listed.stdout)["documents"]) == len(documents)
    assert run_cli(root, "build").code == 0  # the same edition: a build's memo is apart
    assert "nothing changed" in run_cli(root, "check").stdout


def add_a_stray_pdf(root: Path) -> None:
    """A PDF in out/ that the manifest does not list: check warns (out.unlisted)."""
    shutil.copy(sorted((root / "out").glob("*.pdf"))[0], root / "out" / "stray.pdf")


@pytest.mark.parametrize("edit", [
    ("content/clinic.yaml", "\n# touched\n", ()),  # a comment: no printed text changes
    ("layouts/handout/handout.html.j2", "{# touched #}", ()),  # the same HTML
    ("", "", ("evidence-sheet",)),  # an option: the documents named
    ("out/stray.pdf", "", ()),  # out/ changed: its diagnostics depend on it
])
def test_any_change_to_what_went_in_runs_the_check(built_minimal: Path, tmp_path: Path,
                                                   edit: tuple[str, str, tuple[str, ...]]
                                                   ) -> None:
    root = warm(built_minimal, tmp_path / "p")
    assert "nothing changed" not in run_cli(root, "check").stdout
    assert "nothing changed" in run_cli(root, "check").stdout
    name, text, argv = edit
    if name == "out/stray.pdf":
        add_a_stray_pdf(root)
    elif name:
        with (root / name).open("a") as handle:
            handle.write(text)
    again = run_cli(root, "check", *argv)
    assert again.code == 0 and "nothing changed" not in again.stdout, again.stdout
    replayed = run_cli(root, "check", *argv)
    assert "nothing changed" in replayed.stdout  # remembered again
    assert (replayed.code, replayed.stderr) == (again.code, again.stderr)
    if name == "out/stray.pdf":
        assert "warning[out.unlisted]: out/stray.pdf" in replayed.stderr


def test_a_check_with_errors_or_mid_publish_runs_in_full(built_minimal: Path,
                                                        tmp_path: Path) -> None:
    """An error is no verdict to keep (a worker may have died, a disk filled): the next
    check runs; and none replays while a publish was cut short (.out.next, .out.prev)."""
    root = warm(built_minimal, tmp_path / "p")
    assert run_cli(root, "check").code == 0
    (root / ".out.next").mkdir()
    assert "nothing changed" not in run_cli(root, "check").stdout
    (root / ".out.next").rmdir()
    assert "nothing changed" in run_cli(root, "check").stdout
    # a study file no document cites yet, left unfinished: an error, and nothing to typeset
    # (a broken study that a document prints would have the report typeset without it)
    (root / "content" / "studies" / "unfinished.yaml").write_text("not a field: [\n")
    for _ in range(2):
        failed = run_cli(root, "check")
        assert failed.code == 1 and "nothing changed" not in failed.stdout, failed.stdout


def test_the_check_key_covers_its_options_not_how_it_reports(tmp_path: Path) -> None:
    """--release and the documents named change what a check finds; --strict, --format and
    --jobs only how its findings are counted and shown (a replay does so anew)."""
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "documents.yaml").write_text("documents: []\n")

    def key(*argv: str) -> str | None:
        return inputs.key(root, cli.key_options(cli.parser().parse_args(argv)))

    plain = key("check")
    assert plain is not None and plain != key("build")
    assert key("check", "--release") != plain and key("check", "report") != plain
    assert key("check", "--strict") == key("check", "--format", "github") == \
        key("check", "-j", "1") == plain


def test_the_key_covers_the_package_the_date_and_the_options(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "documents.yaml").write_text("documents: []\n")
    package = tmp_path / "package"
    (package / "__pycache__").mkdir(parents=True)
    (package / "engine.py").write_text("X = 1\n")
    monkeypatch.setattr(inputs, "PACKAGE", package)
    monkeypatch.setenv("KETABROCHURE_TODAY", "2026-12-07")
    first = inputs.key(root, ["command build"])
    (package / "__pycache__" / "engine.cpython-311.pyc").write_bytes(b"bytecode")
    assert inputs.key(root, ["command build"]) == first  # no bytecode caches
    assert inputs.key(root, ["command build", "shard (1, 2)"]) != first
    (package / "engine.py").write_text("X = 2\n")
    changed = inputs.key(root, ["command build"])
    assert changed != first
    monkeypatch.setenv("KETABROCHURE_TODAY", "2027-06-07")  # a review may have expired
    assert inputs.key(root, ["command build"]) != changed
    monkeypatch.setenv("KETABROCHURE_TODAY", "2026-12-07")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the print-shop copies' dates
    assert inputs.key(root, ["command build"]) != changed
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert inputs.key(root, ["command build"]) == changed


def test_a_damaged_output_or_memo_runs_the_build(built_minimal: Path, tmp_path: Path) -> None:
    root = warm(built_minimal, tmp_path / "p")
    pdf = sorted((root / "out").glob("*.pdf"))[0]
    good, status = pdf.read_bytes(), pdf.stat()
    # the same size and modification time, one byte changed: hashed, so not fooled
    pdf.write_bytes(good[:-2] + bytes([good[-2] ^ 1]) + good[-1:])
    os.utime(pdf, ns=(status.st_atime_ns, status.st_mtime_ns))
    repaired = run_cli(root, "build")
    assert repaired.code == 0 and "nothing changed" not in repaired.stdout
    assert pdf.read_bytes() == good
    memo = root / "out" / inputs.MEMO
    data = json.loads(memo.read_text())
    data["memo"]["documents"] += 1  # an edited memo no longer matches its seal
    memo.write_text(json.dumps(data))
    assert "nothing changed" not in run_cli(root, "build").stdout
    assert "nothing changed" in run_cli(root, "build").stdout
    listed = run_cli(root, "build", "--format", "json")  # lists every document: it runs
    assert len(json.loads(listed.stdout)["documents"]) == len(list(root.glob("out/*.pdf")))


def test_compiled_templates_are_shared_in_memory_and_follow_their_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """watch and serve make an environment per rebuild: compiled code is reused from memory
    only while the template's source and the environment's filters are the same."""
    template = tmp_path / "layouts" / "x" / "t.html.j2"
    template.parent.mkdir(parents=True)
    template.write_text("{{ name | shout }}")
    filters = {"shout": lambda text: f"{text}!"}
    first = layouts.environment(tmp_path, filters)
    assert first.get_template("x/t.html.j2").render(name="a") == "a!"
    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, *args: Any, **kwargs: Any) -> Any:
        compiled.append(source)
        return compile_(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    again = layouts.environment(tmp_path, filters)
    assert again.get_template("x/t.html.j2").render(name="b") == "b!"
    assert compiled == []  # from memory
    with pytest.raises(jinja2.TemplateAssertionError):  # no `shout` here: compiled anew
        layouts.environment(tmp_path).get_template("x/t.html.j2")
    template.write_text("{{ name | shout }}?")
    assert layouts.environment(tmp_path, filters).get_template("x/t.html.j2").render(
        name="c") == "c!?"
    assert compiled == ["{{ name | shout }}", "{{ name | shout }}?"]


def test_the_key_reads_no_file_a_link_names(tmp_path: Path) -> None:
    """A link under content/ to a file outside the project is hashed as the path it names:
    the file itself is never opened (nothing outside the project is read)."""
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret: 1\n")
    folder = tmp_path / "project" / "content"  # the project: tmp_path/project
    (folder / "studies").mkdir(parents=True)
    (folder / "studies" / "a.yaml").write_text("id: a\n")
    (folder / "studies" / "linked.yaml").symlink_to(outside)
    (folder / "elsewhere").symlink_to(tmp_path)  # a link to a folder: not entered
    before = inputs.folder_digest(folder)
    outside.write_text("secret: 2\n")
    assert inputs.folder_digest(folder) == before, "the linked file was read"
    (folder / "studies" / "linked.yaml").unlink()
    (folder / "studies" / "linked.yaml").symlink_to(tmp_path / "other.yaml")
    assert inputs.folder_digest(folder) != before, "a link's target is part of the key"
    (folder / "studies" / "a.yaml").write_text("id: b\n")
    assert inputs.folder_digest(folder) != before


def test_the_key_follows_a_link_that_stays_in_the_project(tmp_path: Path) -> None:
    """A link under content/ to a file or folder elsewhere in the project is read by the build
    (files.beneath allows it), so what it leads to is part of the key; a loop is not walked
    for ever."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "study.yaml").write_text("id: a\n")
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "study.yaml").symlink_to(notes / "study.yaml")
    (folder / "more").symlink_to(notes)
    (folder / "loop").symlink_to(folder)
    before = inputs.folder_digest(folder)
    (notes / "study.yaml").write_text("id: b\n")
    assert inputs.folder_digest(folder) != before
    changed = inputs.folder_digest(folder)
    (notes / "other.yaml").write_text("id: c\n")  # seen through the linked folder
    assert inputs.folder_digest(folder) != changed
