"""out/ and serve: never through a link, true about a full mount point, a Content-Length
that is the body's, ASCII numbers, 200 long polls answered."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import copy_minimal, run_cli

from ketabrochure import files
from ketabrochure.serve.live import Live
from ketabrochure.serve.server import Server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    """serve's HTTP server, in this process, on an out/ folder the test makes."""
    out = tmp_path / "p/out"
    out.mkdir(parents=True)
    (out / "manifest.json").write_text('{"documents": [{"file": "a.pdf"}]}')
    (out / "a.pdf").write_bytes(b"%PDF-a" * 1000)
    httpd = Server(("127.0.0.1", 0), Live(out), public=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd, out
    finally:
        httpd.shutdown()
        httpd.server_close()


def fetch(httpd: Server, path: str, timeout: float = 30) -> tuple[int, bytes, int | None]:
    """(status, body, Content-Length) of one GET."""
    host, port = httpd.server_address[:2]
    connection = http.client.HTTPConnection(str(host), port, timeout=timeout)
    connection.request("GET", path)
    response = connection.getresponse()
    body, length = response.read(), response.getheader("Content-Length")
    connection.close()
    return response.status, body, None if length is None else int(length)


def test_serve_never_follows_a_link_out(server: tuple[Server, Path], tmp_path: Path) -> None:
    httpd, out = server
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/private.pdf").write_bytes(b"%PDF-private")
    (out / ".rejected").symlink_to(tmp_path / "elsewhere")
    (out / "b.pdf").symlink_to(tmp_path / "elsewhere/private.pdf")
    assert fetch(httpd, "/a.pdf")[:2] == (200, b"%PDF-a" * 1000)
    for path in ("/_rejected/private.pdf", "/b.pdf"):
        status, body, _ = fetch(httpd, path)
        assert status == 404 and b"private" not in body, path


def test_serve_sends_the_length_of_the_body_it_sends(server: tuple[Server, Path]) -> None:
    """Each response's Content-Length is its body's, while the file is replaced all along."""
    httpd, out = server
    stop = threading.Event()

    def republish() -> None:
        size = 1
        while not stop.is_set():
            size = size % 5000 + 997
            (out / ".a.tmp").write_bytes(b"x" * size)
            os.replace(out / ".a.tmp", out / "a.pdf")

    thread = threading.Thread(target=republish, daemon=True)
    thread.start()
    try:
        for _ in range(150):
            status, body, length = fetch(httpd, "/a.pdf")
            assert status == 200 and length == len(body)
    finally:
        stop.set()
        thread.join(5)


def test_serve_takes_only_ascii_numbers(server: tuple[Server, Path]) -> None:
    httpd, _ = server
    for since in ("²", "٣", "-", "1" * 40, "%00"):
        status, body, _ = fetch(httpd, f"/_version?since={quote(since)}")
        assert status == 200 and json.loads(body)["generation"] == 0, since
    assert fetch(httpd, f"/_page/a/{quote('²')}.png")[0] == 404


def test_serve_answers_200_long_polls_at_once(server: tuple[Server, Path]) -> None:
    """200 pages each holding a long poll: every one is answered when the build finishes."""
    httpd, _ = server
    answers: list[int] = []

    def poll() -> None:
        answers.append(fetch(httpd, "/_version?since=0&open=a", timeout=60)[0])

    threads = [threading.Thread(target=poll) for _ in range(200)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 15  # (under the poll's own 20 s)
    while time.monotonic() < deadline and httpd.live.waiting.get("a", 0) < 200:
        time.sleep(0.05)
    assert httpd.live.waiting.get("a") == 200  # all accepted, all waiting at once
    with httpd.live.changed:
        httpd.live._bump()
    for thread in threads:
        thread.join(60)
    assert answers == [200] * 200


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at `folder` (root only; the test is skipped elsewhere)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_mount_point_out_keeps_its_old_edition(tmp_path: Path) -> None:
    """out/ a mount point of its own that fills up while publishing: nothing in it changes."""
    with tmpfs(tmp_path / "out", "64k") as out:
        (out / "a.pdf").write_bytes(b"old a")
        (out / "manifest.json").write_bytes(b"old manifest")
        changes: dict[str, bytes | Path] = {"a.pdf": b"A" * 30_000, "b.pdf": b"B" * 30_000,
                                            "c.pdf": b"C" * 30_000, "manifest.json": b"new"}
        with pytest.raises(OSError, match="No space left") as raised:
            files.publish(out, changes, set())
        assert not isinstance(raised.value, files.PartlyPublished)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == {
            "a.pdf": b"old a", "manifest.json": b"old manifest"}  # no temporary file left
        files.publish(out, {"a.pdf": b"A" * 20_000, "manifest.json": b"new"}, set())
        assert (out / "a.pdf").read_bytes() == b"A" * 20_000


def test_a_build_into_a_full_mount_point_says_so_truly(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    with tmpfs(root / "out", "100k") as out:
        (out / "kept.txt").write_bytes(b"kept")
        result = run_cli(root, "build", "--jobs", "1", "evidence-sheet-ptsd-letter-en")
        assert result.code == 1 and "Traceback" not in result.stderr
        assert ("out:1:1: error[out.write]: out/: cannot write the new edition (No space left "
                "on device); out/ still holds the previous one, unchanged") in result.stderr
        assert sorted(p.name for p in out.iterdir() if p.name != ".cache") == ["kept.txt"]


def test_links_in_out_s_own_folders_are_replaced_never_followed(tmp_path: Path) -> None:
    """out/.cache/objects linked to content/studies (a build once deleted every study) and
    out/.rejected linked outside: the build replaces the links, touches neither target."""
    root = copy_minimal(tmp_path / "p")
    studies = {p.name: p.read_bytes() for p in (root / "content/studies").iterdir()}
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/keep.pdf").write_bytes(b"%PDF-keep")
    (root / "out/.cache").mkdir(parents=True)
    (root / "out/.cache/objects").symlink_to(root / "content/studies")
    (root / "out/.rejected").symlink_to(tmp_path / "elsewhere")
    # one document is enough: a build replaces both links whatever it typesets
    result = run_cli(root, "build", "--jobs", "1", "evidence-sheet-ptsd-letter-en")
    assert result.code == 0, result.stderr
    assert {p.name: p.read_bytes() for p in (root / "content/studies").iterdir()} == studies
    assert [p.name for p in (tmp_path / "elsewhere").iterdir()] == ["keep.pdf"]
    for own in (".cache/objects", ".rejected"):
        assert not (root / "out" / own).is_symlink()
    assert any((root / "out/.cache/objects").iterdir())


def test_out_html_linked_outside_is_replaced(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    (tmp_path / "elsewhere").mkdir()
    (root / "out").mkdir()
    (root / "out/html").symlink_to(tmp_path / "elsewhere")
    result = run_cli(root, "build", "--jobs", "1", "--html", "evidence-sheet-ptsd-letter-en")
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert not any((tmp_path / "elsewhere").iterdir())
    assert (root / "out/html/evidence-sheet-ptsd-letter-en.html").is_file()
