"""Fault injection: out/ changes as one transaction under SIGKILL and a full disk, the cache
proves itself, one writer at a time, workers never outlive the build, and resource problems
are located errors. Every case runs the real build, most in a real process that is killed."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import PROJECT_FOLDERS, REPO, UNFINISHED, edit, run_cli, tree

from ketabrochure import files

DIAGNOSTIC = r"^out:1:1: error\[out\.[a-z]+\]: out/: "


def warm(built: Path, root: Path) -> Path:
    """A project copy whose out/ is the session build's (PDFs, manifest, shelf, cache)."""
    for folder in ("content", "layouts", "assets", "out"):
        shutil.copytree(built / folder, root / folder, ignore=UNFINISHED)
    return root


def python(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=REPO)


def build_dying_at(root: Path, target: str, after: int) -> subprocess.CompletedProcess[str]:
    """`build` in its own process, killed with SIGKILL as it makes call number `after` + 1 to
    `target`, a function of ketabrochure.files (after: -1, as that first call returns)."""
    code = f"""
import os, signal, sys
from ketabrochure import files
from ketabrochure.cli import main
calls = [0]
real = files.{target}
def dying(*args, **kwargs):
    calls[0] += 1
    if {after} >= 0 and calls[0] > {after}:
        os.kill(os.getpid(), signal.SIGKILL)
    done = real(*args, **kwargs)
    if {after} < 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return done
files.{target} = dying
sys.exit(main(['--project', {str(root)!r}, 'build', '--jobs', '1']))
"""
    return python(code)


def complete(out: Path) -> bool:
    """out/ is one whole edition: every PDF the manifest names, with its hash, and no other."""
    manifest = json.loads((out / "manifest.json").read_text())["documents"]
    pdfs = {p.name for p in out.glob("*.pdf")}
    return pdfs == {e["file"] for e in manifest} and all(
        hashlib.sha256((out / e["file"]).read_bytes()).hexdigest() == e["sha256"]
        for e in manifest)


def outputs(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(out).items() if not k.startswith(".cache/")}


@pytest.mark.parametrize(("target", "after", "published"), [
    ("_write_new", 0, False),   # before the first new file is written
    ("_write_new", 3, False),   # in the middle of writing the new edition
    ("exchange", 0, False),     # everything written, not yet swapped in
    ("exchange", -1, True),     # swapped in, the old edition not yet removed
])
def test_a_killed_build_leaves_the_old_edition_or_the_new_one_whole(
        built_minimal: Path, tmp_path: Path, target: str, after: int, published: bool) -> None:
    """On the minimal project (the claim is the publish's, for any content): the same four
    PDFs to publish again as from the default build, 8 documents to read and check, not 48."""
    built = built_minimal
    root = warm(built, tmp_path / "p")
    out = root / "out"
    for name in ("trifold-what-is-ketamine-therapy-letter-en.pdf", "handout-ptsd-letter-en.pdf",
                 "report-research-letter-en.pdf"):
        (out / name).unlink()  # the next build must publish them again (from the cache)
    (out / "evidence-sheet-ptsd-letter-en.pdf").write_bytes(b"%PDF-1.7 damaged by hand")
    before = outputs(out)
    killed = build_dying_at(root, target, after)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if published:
        assert complete(out) and outputs(out) == outputs(built / "out")
    else:
        assert outputs(out) == before, "the old edition, exactly as it was"
    again = run_cli(root, "build", "--jobs", "1")
    assert again.code == 0, again.stderr
    assert complete(out) and outputs(out) == outputs(built / "out")
    assert not (root / ".out.next").exists() and not list(out.rglob(".*.tmp"))


def test_a_full_disk_is_one_error_and_the_old_edition_stays(built: Path, tmp_path: Path) -> None:
    """A real file system that fills up while the new edition is written (tmpfs, as root)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    # tmpfs keeps whole 4 KiB pages: a file takes its size rounded up
    need = sum(-(-p.stat().st_size // 4096) * 4096
               for folder in (built / "out", *(REPO / f for f in PROJECT_FOLDERS))
               for p in folder.rglob("*") if p.is_file())
    size = need + 600 * 1024  # the sources, out/, and too little for a new edition
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
                             capture_output=True, check=False)
    if mounted.returncode:
        pytest.skip(f"cannot mount tmpfs: {mounted.stderr.decode().strip()}")
    try:
        root = warm(built, disk / "p")
        out = root / "out"
        for pdf in sorted(out.glob("*.pdf"))[:30]:
            pdf.unlink()  # about 3 MB to write again: more than the disk has left
        filler = disk / "filler"
        free = shutil.disk_usage(disk).free
        filler.write_bytes(b"\0" * max(0, free - 700 * 1024))
        before = outputs(out)
        result = run_cli(root, "build", "--jobs", "1")
        assert result.code == 1 and "Traceback" not in result.stderr
        assert "error[out.write]: out/: cannot write the new edition (No space left on device)" \
            in result.stderr
        assert outputs(out) == before and not (root / ".out.next").exists()
        filler.unlink()
        assert run_cli(root, "build", "--jobs", "1").code == 0 and complete(out)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize("make", ["file", "dangling link", "immutable"])
def test_an_unwritable_out_is_one_located_error(project: Path, make: str) -> None:
    out = project / "out"
    if make == "file":
        shutil.rmtree(out)
        out.write_text("not a folder")
    elif make == "dangling link":
        shutil.rmtree(out)
        out.symlink_to(project / "gone")
    else:  # root can write anywhere except where the file system says no
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(out)], capture_output=True, check=False).returncode:
            pytest.skip("chattr +i is not available here")
    try:
        result = run_cli(project, "build", "--jobs", "1")
    finally:
        if make == "immutable":
            subprocess.run(["chattr", "-i", str(out)], check=False)
    assert result.code == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("out:1:1: error[out.unwritable]: out/: ")
    assert {"file": "is a file", "dangling link": "does not exist",
            "immutable": "read-only"}[make] in line


def test_a_damaged_cache_object_is_repaired_never_delivered(built: Path, tmp_path: Path) -> None:
    root = warm(built, tmp_path / "p")
    out = root / "out"
    name = "evidence-sheet-ptsd-a4-en.pdf"
    digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
    obj = out / ".cache/objects" / f"{digest}.pdf"
    obj.write_bytes(obj.read_bytes()[:500])  # truncated
    (out / name).unlink()
    for flags in ((), ("--no-cache",)):  # that one document, not the eight of PTSD
        result = run_cli(root, "build", "--jobs", "1", "evidence-sheet-ptsd-a4-en", *flags)
        assert result.code == 0, result.stderr
        assert (out / name).read_bytes() == (built / "out" / name).read_bytes()
        assert hashlib.sha256(obj.read_bytes()).hexdigest() == digest, "repaired in place"


def test_a_damaged_object_is_never_published() -> None:
    """The last line of defence: publish checks an object's bytes against its name."""
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"kb-publish-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    objects = folder / "objects"
    objects.mkdir(parents=True)
    bad = objects / f"{hashlib.sha256(b'good').hexdigest()}.pdf"
    bad.write_bytes(b"bad")
    (folder / "out").mkdir()
    (folder / "out/a.pdf").write_bytes(b"old")
    with pytest.raises(files.DamagedObject):
        files.publish(folder / "out", {"a.pdf": bad}, set())
    assert (folder / "out/a.pdf").read_bytes() == b"old"
    shutil.rmtree(folder)


@pytest.mark.parametrize("damage", [
    {"pages": "three"}, {"pages": -1}, {"warnings": "x"}, {"files": ["a"]},
    {"pdf": "../../etc/passwd"}, {"regions": {"front": {"top": "x"}}}, {"extra": 1},
    {"files": {"/etc/hostname": "0" * 64}}, {"files": {"../../../etc/hostname": "0" * 64}},
    {"part_pages": [1, "2"]}, None,
])
def test_a_malformed_cache_entry_of_any_shape_is_a_miss(minimal: Path,
                                                        damage: dict[str, object] | None) -> None:
    """On the minimal project: the cache's claim, whatever the content."""
    project = minimal
    entries = sorted((project / "out/.cache/entries").glob("*.json"))
    for path in entries:
        entry = json.loads(path.read_text())
        if damage is None:
            path.write_text('{"pages": [[[[[[')  # not JSON at all
        else:
            entry["entry"].update(damage)  # (its seal no longer matches, nor its shape)
            path.write_text(json.dumps(entry))
    result = run_cli(project, "build", "--jobs", "1", "evidence-sheet-ptsd-letter-en")
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "(1 rendered, 0 from the cache)" in result.stdout, "a damaged entry is a miss"


def test_nothing_in_the_cache_is_ever_executed(minimal: Path) -> None:
    """Jinja's bytecode cache would load marshalled code from out/.cache/jinja/: a file there
    that would write a marker if run is never run (on the minimal project)."""
    project = minimal
    marker = project / "ran"
    code = compile(f"open({str(marker)!r}, 'w').write('ran')", "<cache>", "exec")
    jinja = project / "out/.cache/jinja"
    jinja.mkdir(parents=True, exist_ok=True)
    for template in ("evidence-sheet/sheet.html.j2", "_shared/base.html.j2"):
        key = hashlib.sha1(template.encode()).hexdigest()  # what Jinja's cache names it by
        (jinja / f"__jinja2_{key}.cache").write_bytes(
            b"j2" + bytes([2]) + b"x" * 40 + marshal.dumps(code))
    grades = project / "out/.cache/grades.json"
    grades.write_text('{"x": NaN, "y": "z", "w": [1]}')
    result = run_cli(project, "build", "--jobs", "2", "ptsd")
    assert result.code == 0, result.stderr
    assert not marker.exists()
    json.loads((project / "out/manifest.json").read_text(), parse_constant=_no_nan)


def _no_nan(value: str) -> None:
    raise AssertionError(f"{value} in manifest.json: not JSON")


def test_a_second_writer_waits_for_the_first(minimal: Path) -> None:
    """Two builds on one out/: the second says it waits, then runs after the first (on the
    minimal project)."""
    project = minimal
    with files.lock(project / ".out.lock"):
        second = subprocess.Popen([sys.executable, "-m", "ketabrochure", "--project",
                                   str(project), "build", "--jobs", "1", "ptsd"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  cwd=REPO)
        time.sleep(3)
        assert second.poll() is None, "it must wait while another run holds out/"
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "waiting for another ketabrochure run" in out  # progress: stderr keeps diagnostics


def test_check_shares_out_with_other_readers(minimal: Path) -> None:
    project = minimal  # the claim holds for any content
    with files.lock(project / ".out.lock", shared=True):
        result = run_cli(project, "check", "--jobs", "1")
    assert result.code == 0 and "waiting" not in result.stderr


def test_workers_end_when_the_build_is_killed(project: Path) -> None:
    edit(project / "layouts/_shared/base.css", "--tint: #eef3f6;", "--tint: #eef3f7;")
    build = subprocess.Popen([sys.executable, "-m", "ketabrochure", "--project", str(project),
                              "build", "--jobs", "2"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=REPO)
    workers: list[int] = []
    for _ in range(200):  # the workers appear as children of the build
        time.sleep(0.1)
        workers = _children(build.pid)
        if len(workers) >= 2:
            break
    assert workers, "the build started no worker"
    build.send_signal(signal.SIGKILL)
    build.wait()
    for _ in range(50):
        if not any(_alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "a worker outlived the build"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = task.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(task.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("pause", [0.0, 3.0])
def test_a_worker_that_dies_is_a_located_error_and_the_others_are_made(project: Path,
                                                                      pause: float) -> None:
    """`pause`: the next job is handed out only once the pool has broken (under load, that
    submit raised BrokenProcessPool in the main process: a traceback)."""
    code = f"""
import os, signal, sys, time
from ketabrochure.build import engine
from ketabrochure.typeset import pool
from ketabrochure.cli import main
real = pool.typeset_job
def kills(job):
    return any('evidence sheet for referring' in html and '<title>PTSD' in html
               for part in job.parts for html in part.htmls)
def typeset_job(job):
    if kills(job):
        os.kill(os.getpid(), signal.SIGKILL)  # this worker dies on the PTSD sheets
    return real(job)
pool.typeset_job = typeset_job
real_jobs = engine._jobs
def jobs(*args):
    for job in real_jobs(*args):
        yield job
        if kills(job):
            time.sleep({pause})
engine._jobs = jobs
sys.exit(main(['--project', {str(project)!r}, 'build', '--jobs', '2', '--no-cache',
               'evidence-sheet-ptsd-a4-en', 'evidence-sheet-anxiety-a4-en']))
"""
    result = python(code, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    died = [line for line in result.stderr.splitlines() if "error[pdf.failed]" in line]
    assert died and all("evidence-sheet ptsd" in line and
                        line.startswith("content/conditions/ptsd.yaml:1:1:") for line in died)
    assert "ok evidence-sheet-anxiety-a4-en.pdf" in result.stdout
    assert "nothing written" in result.stdout


def test_a_word_too_long_for_its_column_is_a_located_error(minimal: Path) -> None:
    # on the minimal project: its PTSD sheet cites the same study; 8 documents, not 48
    token = "Midazolam" + "x" * 60
    edit(minimal / "content/studies/feder2014.yaml",
         "midazolam 0.045 mg/kg (an active drug as control)", token)
    # the sheet alone is typeset (the report and the packet cite the study too: the claim is
    # the sheet's line)
    result = run_cli(minimal, "check", "--jobs", "1", "evidence-sheet-ptsd-letter-en")
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = [x for x in result.stderr.splitlines() if "error[check.overflow]" in x]
    sheet = [x for x in lines if "evidence-sheet ptsd (letter, en)" in x]
    assert sheet and sheet[0].startswith("content/conditions/ptsd.yaml:1:1:")
    assert f"'{token[:60]}' on page 1" in sheet[0] and "pt past its box" in sheet[0]


def test_a_brochure_that_cannot_be_made_is_an_error_not_a_missing_file(minimal: Path) -> None:
    project = minimal  # the default brochure, in the minimal project
    path = project / "content/brochures/what-is-ketamine-therapy.yaml"
    lines = path.read_text().splitlines()
    panel_keys = ("  flap:", "  back:", "  front:", "  left:", "  middle:", "  right:")
    kept, skipping = [], False
    for line in lines:  # every panel emptied: `flap: []` and so on
        if line.startswith(panel_keys):
            kept.append(line.split(":")[0] + ": []")
            skipping = True
        elif skipping and (line.startswith("    ") or not line.strip()):
            continue
        else:
            skipping = False
            kept.append(line)
    path.write_text("\n".join(kept) + "\n")
    result = run_cli(project, "check", "--jobs", "1")
    assert result.code == 1
    empty = [x for x in result.stderr.splitlines() if "has no text" in x]
    assert len(empty) == 6 and all(x.startswith("content/brochures/what-is-ketamine-therapy"
                                                ".yaml:") for x in empty)


def test_ink_in_the_office_printers_unprintable_band_fails(minimal: Path) -> None:
    """On the minimal project, its evidence sheet made on A4 too (a layout whose margin did not
    move must not fail): the Letter and the A4 sheet checked, not six, the packet and twelve
    (the packet encloses the Letter sheet: its lines, were it checked, would name the layout
    as well)."""
    project = minimal
    edit(project / "content/documents.yaml", "subjects: all\n    papers: [letter]\n    language: en\n"
         "    pages: {exactly: 1}", "subjects: all\n    papers: [letter, a4]\n    language: en\n"
         "    pages: {exactly: 1}")
    edit(project / "layouts/evidence-sheet/paper-letter.css",
         "margin: 0.5in 0.33in 0.8in 0.33in;", "margin: 0.5in 0.1in 0.8in 0.33in;")
    result = run_cli(project, "check", "--jobs", "1", "evidence-sheet")
    assert result.code == 1 and "Traceback" not in result.stderr
    near = [x for x in result.stderr.splitlines() if "error[check.margin]" in x]
    assert near and all(x.startswith(("layouts/evidence-sheet/layout.yaml:1:1:",
                                      "layouts/referral-packet/layout.yaml:1:1:"))  # it encloses
                        for x in near)  # the Letter sheets
    assert any("from the right edge (keep 0.3 in clear)" in x for x in near)
    assert not any("(a4, en)" in x for x in near), "only the layout that moved its margin"
