"""`join`: three `build --shard K/3` runs of the minimal project, each typesetting its share cold
in its own copy, joined into one out/ that is the one-machine build's, file for file; and
every refusal (a missing or repeated share, a shard from changed content, a record or cache
that is not whole), each located at the shard's shard.json, with nothing written."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from helpers import copy_minimal, run_cli

from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostics

pytestmark = pytest.mark.xdist_group("join")


def digests(out: Path) -> dict[str, str]:
    """Every file of an edition (not its render cache) with its SHA-256."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file() and ".cache" not in p.relative_to(out).parts}


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The out/ folders of `build --shard K/3`, K = 1, 2, 3, each in its own cold copy (as
    three CI jobs have them)."""
    base = tmp_path_factory.mktemp("shards")
    made = []
    for k in (1, 2, 3):
        root = copy_minimal(base / f"job-{k}")
        result = run_cli(root, "build", "--jobs", "1", "--shard", f"{k}/3", "--quiet")
        assert result.code == 0, result.stderr + result.stdout
        made.append(root / "out")
    return made


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error[" in line]


def test_join_makes_the_edition_one_build_makes(built_minimal: Path, shards: list[Path],
                                                tmp_path: Path) -> None:
    one = digests(built_minimal / "out")
    listed = [set(json.loads((s / "shard.json").read_text())["documents"]) for s in shards]
    assert all(0 < len(names) < 8 for names in listed) and len(set.union(*listed)) == 8
    root = copy_minimal(tmp_path / "join")
    result = run_cli(root, "join", *map(str, shards))
    assert result.code == 0, result.stderr + result.stdout
    assert "join passed: 8 documents (0 rendered, 8 from the cache), wrote 8 PDFs" in result.stdout
    joined = digests(root / "out")
    assert joined == one  # every PDF, thumbnail, the manifest, shelf, web edition, claims
    assert {"manifest.json", "index.html", "claims.json", "review.html",
            "web/index.html"} <= set(joined) and "shard.json" not in joined
    # takes everything from the cache join filled
    check = run_cli(root, "check", "--jobs", "1", "--quiet")
    assert check.code == 0 and "(0 rendered, 8 from the cache)" in check.stdout, check.stdout


def test_a_missing_or_repeated_share_is_refused(shards: list[Path], tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "join")
    first, second, third = map(str, shards)
    missing = run_cli(root, "join", first, third)
    assert missing.code == 1
    assert errors(missing.stderr) == [
        f"{first}/shard.json:1:1: error[join.shards]: shards: shard 2/3 missing: join needs "
        "the out/ of every `build --shard K/3` (1 to 3)"]
    repeated = run_cli(root, "join", first, second, second, third)
    assert repeated.code == 1
    assert errors(repeated.stderr) == [
        f"{second}/shard.json:1:1: error[join.shards]: {second}: is shard "
        f"{json.loads((shards[1] / 'shard.json').read_text())['shard']} again (so is "
        f"{second}): each share once"]
    assert "nothing written, out/ is unchanged" in repeated.stdout
    assert not (root / "out").exists()


def test_a_shard_from_changed_content_is_refused(shards: list[Path], tmp_path: Path) -> None:
    # the second job's checkout had one more line in a content file
    job = tmp_path / "job-2"
    shutil.copytree(shards[1].parent, job)
    with (job / "content/glossary.yaml").open("a") as glossary:
        glossary.write("# a comment: no printed word changes, the content does\n")
    assert run_cli(job, "build", "--jobs", "1", "--shard", "2/3", "--quiet").code == 0
    root = copy_minimal(tmp_path / "join")
    result = run_cli(root, "join", str(shards[0]), str(job / "out"), str(shards[2]))
    assert result.code == 1
    assert errors(result.stderr) == [
        f"{job / 'out'}/shard.json:1:1: error[join.inputs]: {job / 'out'}: was built from "
        "other content than this project has (a shard from another commit or content, or an "
        "install with other libraries): build every shard from the commit join runs on"]
    assert not (root / "out").exists()
    # and the other way round: the join's checkout changed, so every shard is refused
    with (root / "content/glossary.yaml").open("a") as glossary:
        glossary.write("# a comment\n")
    every = run_cli(root, "join", *map(str, shards))
    assert [line.split(":")[0] for line in errors(every.stderr)] == [
        f"{s}/shard.json" for s in shards]
    assert all("error[join.inputs]" in line for line in errors(every.stderr))


def test_a_record_or_cache_that_is_not_whole_is_refused(shards: list[Path],
                                                        tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "join")
    bare, named, linked = tmp_path / "bare", tmp_path / "named", tmp_path / "linked"
    shutil.copytree(shards[0], bare, ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(shards[1], named)
    record = json.loads((named / "shard.json").read_text())
    record["documents"]["../../escape.pdf"] = next(iter(record["documents"].values()))
    (named / "shard.json").write_text(json.dumps(record))
    shutil.copytree(shards[2], linked)
    (linked / "shard.json").rename(tmp_path / "elsewhere.json")
    (linked / "shard.json").symlink_to(tmp_path / "elsewhere.json")
    result = run_cli(root, "join", str(bare), str(named), str(linked))
    assert result.code == 1
    found = errors(result.stderr)
    assert [line.split(": error[")[1].split("]")[0] for line in found] == [
        "join.record", "join.record"], found  # the linked record, the one naming a path
    assert found[0].startswith(f"{linked}/shard.json:1:1: ") and "symbolic link" in found[0]
    assert found[1].startswith(f"{named}/shard.json:1:1: ")
    assert "not a shard record this version of ketabrochure writes" in found[1]
    # with whole records, the share without its render cache is named
    (linked / "shard.json").unlink()
    shutil.copy(shards[2] / "shard.json", linked / "shard.json")
    lacking = run_cli(root, "join", str(bare), str(shards[1]), str(linked))
    assert lacking.code == 1
    (line,) = errors(lacking.stderr)
    assert line.startswith(f"{bare}/shard.json:1:1: error[join.documents]: {bare}: its render "
                           "cache (.cache/) lacks what it made of ")
    assert line.endswith("include-hidden-files: true)")
    # a record that leaves a document out: the build finds no result for it, typesets nothing
    record = json.loads((shards[2] / "shard.json").read_text())
    left_out = sorted(record["documents"])[0]
    del record["documents"][left_out]
    (linked / "shard.json").write_text(json.dumps(record))
    short = run_cli(root, "join", *map(str, shards[:2]), str(linked))
    assert short.code == 1 and "(0 rendered" in short.stdout
    (line,) = errors(short.stderr)
    (document,) = [d for d in load(root, Diagnostics())[1] if d.file == left_out]
    assert f"error[pdf.failed]: {document.label}: join typesets nothing" in line
    assert {p.name for p in (root / "out").iterdir()} == {".cache"}  # no edition written
    inside = run_cli(root, "join", str(shards[0]), str(root / "out" / "shard-2"),
                     str(shards[2]))
    assert "error[join.shards]" in inside.stderr and "lies in this project's out/" in inside.stderr


def test_a_build_other_than_a_shard_drops_the_record(built_minimal: Path,
                                                     tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    shutil.copytree(built_minimal / "out", root / "out")
    assert run_cli(root, "build", "--jobs", "1", "--shard", "1/2", "--quiet").code == 0
    record = json.loads((root / "out/shard.json").read_text())
    assert record["shard"] == "1/2" and record["documents"]
    # all from the cache: nothing typeset
    assert run_cli(root, "build", "--jobs", "1", "--quiet").code == 0
    assert not (root / "out/shard.json").exists()


def test_join_out_writes_the_edition_into_dir(built_minimal: Path, shards: list[Path],
                                              tmp_path: Path) -> None:
    """`join --out DIR`: the same edition in DIR (made beside it, then put in place in one
    step); the project's out/ is never written; a failed join leaves DIR as it was."""
    root = copy_minimal(tmp_path / "join")
    target = tmp_path / "site" / "edition"  # its folder does not exist yet
    result = run_cli(root, "join", *map(str, shards), "--out", str(target))
    assert result.code == 0, result.stderr + result.stdout
    assert "join passed: 8 documents (0 rendered, 8 from the cache), wrote 8 PDFs" in result.stdout
    assert digests(target) == digests(built_minimal / "out")
    assert not (root / "out").exists()
    assert {p.name for p in target.parent.iterdir()} == {"edition", ".edition.lock"}
    pdf = sorted(target.glob("*.pdf"))[0]
    inode = pdf.stat().st_ino
    again = run_cli(root, "join", *map(str, shards), "--out", str(target))
    assert again.code == 0 and "wrote 0 PDFs" in again.stdout, again.stdout
    assert pdf.stat().st_ino == inode  # the same bytes: the same file, not rewritten
    before = {p: p.stat().st_ino for p in target.rglob("*")}
    missing = run_cli(root, "join", str(shards[0]), str(shards[2]), "--out", str(target))
    assert missing.code == 1 and "error[join.shards]" in missing.stderr
    assert {p: p.stat().st_ino for p in target.rglob("*")} == before
    assert {p.name for p in target.parent.iterdir()} == {"edition", ".edition.lock"}
    inside = run_cli(root, "join", str(shards[0]), str(target / "shard-2"), str(shards[2]),
                     "--out", str(target))
    assert f"lies in {target}, which join replaces as a whole" in inside.stderr
    # a join killed midway: its working copy left, the old edition moved aside (files.exchange
    # without renameat2); the next join puts the edition back and drops the copy first
    edition = digests(target)
    target.rename(tmp_path / "site" / ".edition.prev")
    (tmp_path / "site" / ".edition.next" / "content").mkdir(parents=True)
    refused = run_cli(root, "join", str(shards[0]), "--out", str(target))
    assert refused.code == 1 and digests(target) == edition
    assert {p.name for p in target.parent.iterdir()} == {"edition", ".edition.lock"}


@pytest.mark.parametrize("where", ["content/edition", "out/edition", "a-file", "."])
def test_join_out_refuses_a_folder_it_must_not_replace(shards: list[Path], tmp_path: Path,
                                                       where: str) -> None:
    root = copy_minimal(tmp_path / "join")
    (root / "a-file").write_text("not a folder\n")
    result = run_cli(root, "join", *map(str, shards), "--out", str(root / where))
    assert result.code == 2 and result.stderr.startswith("ketabrochure: error: --out "), \
        result.stderr
    assert not (root / "out").exists() and not (root / "content" / "edition").exists()
