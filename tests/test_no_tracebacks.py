"""What used to end in a traceback is one located error (or a usage error), and watch goes
on; escapes and follow-on errors: each case on content the test writes."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from helpers import copy_minimal, copy_project, run_cli

from ketabrochure.build import run, watch
from ketabrochure.diagnostics import Diagnostic, Location

FONT = "assets/fonts/atkinson-hyperlegible-en-es-400-normal.ttf"


def errors(stderr: str) -> list[str]:
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if ": error[" in line]


@pytest.mark.parametrize("how", ["broken", "empty", "linked outside"])
def test_a_bad_patient_yaml_is_its_one_error(tmp_path: Path, how: str) -> None:
    root = copy_minimal(tmp_path / "p")
    patient = root / "content/patient.yaml"
    if how == "broken":
        patient.write_text("off_label: [\n")
    elif how == "empty":
        patient.write_text("")
    else:
        patient.rename(tmp_path / "patient.yaml")
        patient.symlink_to(tmp_path / "patient.yaml")
    result = run_cli(root, "check", "--jobs", "1", "handout-ptsd-letter-en")
    assert result.code == 1
    (line,) = errors(result.stderr)
    assert line.startswith("content/patient.yaml:"), line


def test_watch_goes_on_after_a_bad_patient_yaml_and_a_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_minimal(tmp_path / "p")
    (root / "content/patient.yaml").write_text("")
    out, err = io.StringIO(), io.StringIO()
    watcher = watch.Watcher(root, run.Options(jobs=1), out, err)
    try:
        result = watcher.build(["handout-ptsd-letter-en"])
        assert result is not None and result.diags.has_errors()

        def crash(*_: object) -> run.Result:
            raise RuntimeError("boom")

        monkeypatch.setattr(run, "run", crash)
        result = watcher.build()
        assert result is not None
        (error,) = result.diags.errors
        assert str(error).startswith("ketabrochure:1:1: error[internal]: build: RuntimeError: "
                                     "boom (a bug in ketabrochure")
    finally:
        watcher.close()
    assert "Traceback" not in err.getvalue()


def test_a_font_that_is_not_a_font_is_one_located_error(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    (root / FONT).write_bytes(b"<html>not a font</html>")
    result = run_cli(root, "list")
    assert result.code == 1
    (line,) = errors(result.stderr)
    assert line.startswith(f"{FONT}:1:1: error[asset.font]: ")
    assert "is not a font file that can be read (TTLibError" in line


@pytest.mark.parametrize(("args", "said"), [
    (("serve", "--port", "70000"), "argument --port: '70000' is not a port"),
    (("serve", "--port", "٨٠"), "argument --port: '٨٠' is not a port"),
    (("watch", "--interval", "-1"), "argument --interval: '-1' seconds"),
    (("serve", "--interval", "nan"), "argument --interval: 'nan' seconds"),
    (("new", "study", "a" * 300), "the id is 300 characters long"),
])
def test_bad_command_lines_are_usage_errors(tmp_path: Path, args: tuple[str, ...],
                                            said: str) -> None:
    root = copy_minimal(tmp_path / "p")
    result = run_cli(root, *args)
    assert result.code == 2 and "Traceback" not in result.stderr
    assert said in result.stderr
    assert not list((root / "content/studies").glob("a" * 50 + "*"))


def test_a_broken_regulatory_yaml_is_one_error_not_a_cascade(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    (root / "content/regulatory.yaml").write_text("facts: [\n")
    result = run_cli(root, "list")
    assert result.code == 1
    (line,) = errors(result.stderr)
    assert line.startswith("content/regulatory.yaml:1:8: error[yaml.syntax]")


def test_github_annotations_escape_control_characters(tmp_path: Path) -> None:
    diagnostic = Diagnostic(Location("content/clinic.yaml", 3, 1), "error", "content.unknown",
                            "\x1b[31mred\x07", "unknown field '\x1b]0;title\x07'\nnext")
    line = diagnostic.github()
    assert not any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in line), repr(line)
    assert "\\x1b[31mred\\x07: unknown field '\\x1b]0;title\\x07'%0Anext" in line
    root = copy_minimal(tmp_path / "p")
    clinic = root / "content/clinic.yaml"
    clinic.write_text(clinic.read_text() + '"\\e[2Jwiped": 1\n')  # a YAML escape: a raw ESC
    result = run_cli(root, "check", "--format", "github", "--jobs", "1",
                     "evidence-sheet-ptsd-letter-en")
    assert result.code == 1 and "\x1b" not in result.stdout + result.stderr
    assert "\\x1b[2Jwiped" in result.stdout + result.stderr


def white_png(path: Path, side: int) -> None:
    """A valid 1-bit PNG, every pixel white: what Pillow's Image.new("1", (side, side), 1)
    saves, its rows compressed by zlib in blocks (Pillow's encoder took 3.6 s of CPU on this)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\0" + b"\xff" * -(-side // 8)  # filter type 0, then the row's bits
    packer = zlib.compressobj(9)
    data = [packer.compress(row * min(1000, side - start)) for start in range(0, side, 1000)]
    data.append(packer.flush())
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", b"".join(data)) + chunk(b"IEND", b""))


def test_a_decompression_bomb_logo_s_warning_gives_the_reason(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    white_png(root / "assets/bomb.png", 30_000)
    assert os.path.getsize(root / "assets/bomb.png") < 1_000_000
    clinic = root / "content/clinic.yaml"
    clinic.write_text(clinic.read_text().replace("logo: logo.svg", "logo: bomb.png"))
    result = run_cli(root, "check", "--jobs", "1", "evidence-sheet-ptsd-letter-en")
    assert "Traceback" not in result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "bomb.png" in x]
    assert "DecompressionBombError: Image size (900000000 pixels) exceeds limit" in line
