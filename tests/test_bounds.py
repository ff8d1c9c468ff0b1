"""Every input bounded: the text a YAML file stands for (a bomb of long text), the project's
text, what a document may become before and while it is laid out, a worker's memory; and
SIGTERM ends any command within seconds, on a real process group under load, repeated."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import copy_minimal, run_cli

from ketabrochure.diagnostics import Diagnostics
from ketabrochure.read import reader, yamlsource
from ketabrochure.typeset import jobs, pdf, pool


def test_an_alias_of_a_long_text_counts_its_full_length(tmp_path: Path) -> None:
    """42 KB of YAML that would stand for 1.7 MB of text: refused at once, located."""
    long = "word " * 8_000  # 40,000 characters, written once
    lines = [f'long: &t "{long}"', "copies:"] + ["  - *t"] * 40
    (tmp_path / "content").mkdir()
    path = tmp_path / "content/bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size < 45_000
    diags, started = Diagnostics(), time.monotonic()
    assert yamlsource.load(path, "content/bomb.yaml", diags, tmp_path) is None
    assert time.monotonic() - started < 2
    (error,) = diags.errors
    assert str(error).startswith("content/bomb.yaml:26:5: error[yaml.too-large]: YAML: the "
                                 "file's text, every alias written out in full, is more than "
                                 "1,000,000 characters here")
    lines[-17:] = []  # 23 copies: under the bound, read
    path.write_text("\n".join(lines) + "\n")
    assert yamlsource.load(path, "content/bomb.yaml", Diagnostics(), tmp_path) is not None


def test_the_project_s_text_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_minimal(tmp_path / "p")
    monkeypatch.setattr(reader, "MAX_PROJECT_TEXT", 3_000)
    result = run_cli(root, "list")
    assert result.code == 1 and "Traceback" not in result.stderr
    refused = [line for line in result.stderr.splitlines() if "error[content.too-large]" in line]
    assert refused, result.stderr
    assert refused[0].endswith("the most one run reads; split the project, or remove what is "
                               "no longer printed")


def test_html_past_the_bounds_is_not_laid_out() -> None:
    with pytest.raises(pdf.TooLarge, match="HTML is 2,000,001 characters"):
        pdf.check_size("x" * 2_000_001)
    with pytest.raises(pdf.TooLarge, match="50,001 HTML elements"):
        pdf.check_size("<b>" * 50_001)


def test_layout_stops_at_the_page_bound(tmp_path: Path) -> None:
    """A document that would run to 5,000 pages is stopped at page 201, within seconds."""
    (tmp_path / "layouts").mkdir()
    html = '<p style="break-after: page">x</p>' * 5_000
    started = time.monotonic()
    with pytest.raises(pdf.TooLarge, match="layout stopped at page 201"):
        pdf.typeset(html, tmp_path / "layouts", (tmp_path / "layouts",))
    assert time.monotonic() - started < 60
    few = pdf.typeset('<p style="break-after: page">x</p>' * 3, tmp_path / "layouts",
                      (tmp_path / "layouts",))
    assert few.pages == 3  # the progress log is put back as it was, and small ones pass


def test_a_document_past_the_page_bound_is_one_located_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_minimal(tmp_path / "p")
    monkeypatch.setattr(pdf, "MAX_PAGES", 1)  # the report has more: as if it ran to 1,702
    result = run_cli(root, "check", "--jobs", "1", "--no-cache", "report-research-letter-en")
    assert result.code == 1 and "Traceback" not in result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "error[pdf.failed]" in x]
    assert re.match(r"content/documents.yaml:\d+:\d+: error\[pdf\.failed\]: report research "
                    r"\(letter, en\): "
                    r"layout stopped at page 2: 1 pages is the most one document may have; "
                    r"it prints far too much: shorten or remove what it prints", line), line


def test_a_worker_past_its_memory_is_a_located_error(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_minimal(tmp_path / "p")
    monkeypatch.setattr(pool, "WORKER_MEMORY", 150 * 2**20)  # read by each worker as it forks
    result = run_cli(root, "check", "--jobs", "2", "--no-cache", "evidence-sheet-ptsd-letter-en",
                     "handout-ptsd-letter-en")
    assert result.code == 1 and "Traceback" not in result.stderr
    failed = [x for x in result.stderr.splitlines() if "error[pdf.failed]" in x]
    assert failed and all(("ran out of memory" in x or pool.DIED in x) for x in failed), failed


class _Unreportable(Exception):
    def __str__(self) -> str:  # as an interpreter near its memory limit fails: anywhere
        raise SystemError("error return without exception set")


def _fails_unreportably(_job: jobs.Job) -> jobs.Outcome:
    raise _Unreportable


def _raises_in_worker(_job: jobs.Job) -> jobs.Outcome:
    raise RuntimeError("no outcome at all")


@pytest.mark.parametrize("where", ["report", "worker"])
def test_a_worker_that_cannot_report_its_failure_is_a_located_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Past its memory limit a worker's interpreter fails in odd ways, even while it reports
    a failure: still one located error per document, never a traceback."""
    root = copy_minimal(tmp_path / "p")
    if where == "report":  # typeset_job's own report fails: it still returns an outcome
        monkeypatch.setattr(jobs, "typeset_one", _fails_unreportably)
    else:  # no outcome comes back at all: the pool makes one
        monkeypatch.setattr(pool, "typeset_job", _raises_in_worker)
    result = run_cli(root, "check", "--jobs", "2", "--no-cache", "evidence-sheet-ptsd-letter-en",
                     "handout-ptsd-letter-en")
    assert result.code == 1 and "Traceback" not in result.stderr
    failed = [x for x in result.stderr.splitlines() if "error[pdf.failed]" in x]
    expected = jobs.OUT_OF_MEMORY if where == "report" else pool.DIED
    assert len(failed) == 2 and all(expected in x for x in failed), result.stderr


def _busy() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"],
                            start_new_session=True)


@pytest.mark.parametrize("delay", [1.0, 2.5, 4.0])
def test_sigterm_ends_a_typesetting_check_within_seconds(tmp_path: Path, delay: float) -> None:
    """A CI cancel (SIGTERM to the process group) mid-typeset, under load: exit 143 within a
    few seconds, no worker left, nothing written; repeated at three moments."""
    root = copy_minimal(tmp_path / "p")
    load = [_busy() for _ in range(2)]
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "ketabrochure", "--project", str(root), "check", "--jobs",
             "2", "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGTERM)
        sent = time.monotonic()
        _, stderr = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        for busy in load:
            busy.kill()
            busy.wait()
    # -15: the signal came before Python had started far enough to handle it (default action)
    assert process.returncode in (143, -signal.SIGTERM), stderr
    assert took < 10, f"took {took:.1f} s"
    assert b"Traceback" not in stderr
    assert process.returncode == -signal.SIGTERM or b"terminated (SIGTERM)" in stderr
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("a worker outlived the command")
    assert not list((root / "out").glob("*.pdf")) if (root / "out").exists() else True


HANGS = """
import os, signal, sys, time
from ketabrochure.cli import Termination
with Termination():
    try:
        print("ready", flush=True)
        time.sleep(60)
    except KeyboardInterrupt:
        time.sleep(60)  # a clean-up that hangs (a worker deadlocked, a library's lock)
sys.exit(0)
"""


def test_sigterm_ends_the_process_even_when_its_clean_up_hangs() -> None:
    process = subprocess.Popen([sys.executable, "-c", HANGS], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    took = time.monotonic() - sent
    assert process.returncode == 143, stderr
    assert 7 < took < 12, took  # the watchdog's 8 s
    assert b"terminated (SIGTERM)" in stderr


def test_sigterm_at_any_moment_of_start_up_ends_cleanly(tmp_path: Path) -> None:
    """Start-up imports the pipeline; SIGTERM in the middle of any import (a half-run module,
    a dataclass being made by exec) still ends with 143 and no traceback."""
    root = copy_minimal(tmp_path / "p")
    for step in range(12):
        process = subprocess.Popen(
            [sys.executable, "-m", "ketabrochure", "--project", str(root), "check", "--jobs",
             "2", "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        time.sleep(0.1 + 0.1 * step)
        os.killpg(process.pid, signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode in (143, -signal.SIGTERM), (step, stderr)
        assert b"Traceback" not in stderr, (step, stderr)


IGNORED = """
import gc, sys
from ketabrochure.cli import Termination
class Finalized:
    def __del__(self):  # Python drops what is raised here ("Exception ignored in ...")
        import os, signal
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs (and raises) in here
            pass
with Termination():
    try:
        Finalized()  # gone at once
        for _ in range(10**9):  # a minute of work: the second delivery must stop it
            pass
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(143)
"""


def test_a_sigterm_python_swallowed_is_delivered_again() -> None:
    """Not left to the watchdog: that ends the process only after TERMINATION_DEADLINE."""
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", IGNORED], capture_output=True, timeout=60)
    assert run.returncode == 143, run.stderr
    assert time.monotonic() - started < 4, run.stderr
    assert b"terminated (SIGTERM)" not in run.stderr  # (what the watchdog writes)


FORGETS = """
from ketabrochure.cli import _forget_interrupt
try:
    exec("raise KeyboardInterrupt")  # as in a dataclass made while an import is interrupted
except KeyboardInterrupt:
    _forget_interrupt()
raise SystemExit(143)
"""


def test_a_handled_interrupt_keeps_the_exit_code(tmp_path: Path) -> None:
    """`python -m` on CPython 3.11 ends by SIGINT after a KeyboardInterrupt raised inside
    exec() of a string, even one that was caught, unless that record is reset."""
    (tmp_path / "forgets.py").write_text(FORGETS)
    run = subprocess.run([sys.executable, "-m", "forgets"], cwd=tmp_path, capture_output=True,
                         timeout=60)
    assert run.returncode == 143, run.stderr
