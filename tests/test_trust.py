"""Nothing followed out of the project, nothing trusted that the project did not derive: real
symlinks, real races (bounded loops), a cache and a grade memo the tests tamper with."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import jinja2
import pytest
from helpers import copy_minimal, run_cli

from ketabrochure import layouts
from ketabrochure.build.cache import Cache, Entry, entry_from_json
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.files import beneath, put_object
from ketabrochure.patient import readability
from ketabrochure.read.contentfile import read_bytes
from ketabrochure.typeset import pdf
from ketabrochure.typeset.findings import Findings

SECRET = b"root: $6$hunter2\n"
RACES = 5_000  # reads at most in a race loop (it stops once both outcomes were seen)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """(a project folder with content/a.yaml, a secret file outside it)."""
    root, secret = tmp_path / "p", tmp_path / "secret.txt"
    (root / "content").mkdir(parents=True)
    (root / "content/a.yaml").write_bytes(b"a: 1\n")
    secret.write_bytes(SECRET)
    return root, secret


def test_links_inside_are_resolved_beneath_links_out_refused(tree: tuple[Path, Path]) -> None:
    root, secret = tree
    (root / "content/in.yaml").symlink_to("a.yaml")
    (root / "content/sub").mkdir()
    (root / "content/sub/up.yaml").symlink_to("../../content/a.yaml")
    (root / "content/abs.yaml").symlink_to(secret)
    (root / "content/rel.yaml").symlink_to("../../secret.txt")
    (root / "content/dir").symlink_to(secret.parent)
    assert beneath.read(root, "content/in.yaml", links=True) == b"a: 1\n"
    assert beneath.read(root, "content/sub/up.yaml", links=True) == b"a: 1\n"
    for name in ("abs.yaml", "rel.yaml", "dir/secret.txt", "../../secret.txt", "/etc/hostname"):
        with pytest.raises(beneath.Outside):
            beneath.read(root, f"content/{name}" if "etc" not in name else name, links=True)
    with pytest.raises(beneath.Outside):  # out/ and the cache: no link at all
        beneath.read(root, "content/in.yaml")


def test_writes_and_deletes_never_go_through_a_link(tree: tuple[Path, Path]) -> None:
    root, secret = tree
    (root / "out").mkdir()
    (root / "out/.rejected").symlink_to(secret.parent)
    with pytest.raises(beneath.Outside):
        beneath.write(root, "out/.rejected/secret.txt", b"overwritten")
    with pytest.raises(beneath.Outside):
        beneath.unlink(root, "out/.rejected/secret.txt")
    beneath.remove_tree(root, "out/.rejected")  # the link itself goes, never what it leads to
    assert secret.read_bytes() == SECRET and not (root / "out/.rejected").exists()
    (root / "out/x.pdf").symlink_to(secret)
    beneath.write(root, "out/x.pdf", b"new")  # a link where a file goes is replaced
    assert secret.read_bytes() == SECRET and (root / "out/x.pdf").read_bytes() == b"new"


@contextmanager
def swapping(link: Path, target: Path, regular: bytes) -> Iterator[None]:
    """Swap `link` between a regular file and a symlink to `target`, as fast as it can,
    until the block ends (each swap is an atomic rename)."""
    stop = threading.Event()

    def swap() -> None:
        spare = link.with_name(".swap")
        while not stop.is_set():
            spare.unlink(missing_ok=True)
            spare.symlink_to(target)
            os.replace(spare, link)
            spare.write_bytes(regular)
            os.replace(spare, link)

    thread = threading.Thread(target=swap, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def test_a_symlink_swapped_in_is_never_read(tree: tuple[Path, Path]) -> None:
    """The content reader under a race: each read is the project file or a refusal."""
    root, secret = tree
    path, seen = root / "content/a.yaml", {"read": 0, "refused": 0}
    with swapping(path, secret, b"a: 1\n"):
        for _ in range(RACES):  # until the race has gone both ways (a few hundred reads)
            diags = Diagnostics()
            data = read_bytes(path, "content/a.yaml", diags, root)
            assert data in (None, b"a: 1\n")
            assert not any("hunter2" in str(d) for d in diags.errors)
            seen["read" if data else "refused"] += 1
            if min(seen.values()) >= 20:
                break
    assert seen["read"] and seen["refused"], seen  # the race was really run both ways


def test_a_folder_swapped_for_a_link_is_never_followed(tree: tuple[Path, Path]) -> None:
    """The same race one level up: content/sub/ a folder, then a link to one outside."""
    root, secret = tree
    outside = secret.parent / "outside"
    outside.mkdir()
    (outside / "a.yaml").write_bytes(SECRET)
    sub = root / "content/sub"
    sub.mkdir()
    (sub / "a.yaml").write_bytes(b"a: 1\n")
    stop, seen = threading.Event(), set()

    def swap() -> None:
        link, real = root / "content/.link", root / "content/.real"
        link.symlink_to(outside)
        while not stop.is_set():
            os.rename(sub, real)  # (two renames: for an instant there is no sub/ at all)
            os.rename(link, sub)
            os.rename(sub, link)
            os.rename(real, sub)

    thread = threading.Thread(target=swap, daemon=True)
    thread.start()
    try:
        for _ in range(RACES):  # until it has been read and refused as a link
            diags = Diagnostics()
            data = read_bytes(sub / "a.yaml", "content/sub/a.yaml", diags, root)
            assert data in (None, b"a: 1\n")
            assert not any("hunter2" in str(d) for d in diags.errors)
            seen.add("read" if data else diags.errors[0].code)
            if {"read", "yaml.outside"} <= seen:
                break
    finally:
        stop.set()
        thread.join(5)
    assert "read" in seen and "yaml.outside" in seen, seen
    assert seen <= {"read", "yaml.outside", "yaml.read"}  # (yaml.read: no sub/ for an instant)


def test_the_url_fetcher_under_a_race_serves_only_project_files(tree: tuple[Path, Path]) -> None:
    root, secret = tree
    (root / "assets").mkdir()
    (root / "assets/x.css").write_bytes(b"p {}")
    fetcher = pdf.project_fetcher((root / "layouts", root / "assets", root / "content"))
    url, refused = (root / "assets/x.css").as_uri(), pdf._classes()[1]
    with swapping(root / "assets/x.css", secret, b"p {}"):
        for _ in range(RACES):  # until it has been served and refused
            with suppress(refused):
                assert fetcher.fetch(url).read() == b"p {}"  # weasyprint's response object
            if len(fetcher.refused) >= 20 and fetcher.served:
                break
    assert fetcher.served and fetcher.refused  # both ways, and each refusal says why:
    assert all("outside the project" in r and "hunter2" not in r for r in fetcher.refused), \
        {r.split(" (")[-1] for r in fetcher.refused}


def test_prune_never_follows_a_linked_objects_folder(tree: tuple[Path, Path]) -> None:
    """out/.cache/objects linked to content/ (inside) or outside: nothing there is deleted."""
    root, secret = tree
    (root / "out/.cache/entries").mkdir(parents=True)
    for target in (root / "content", secret.parent):
        (root / "out/.cache/objects").unlink(missing_ok=True)
        (root / "out/.cache/objects").symlink_to(target)
        cache = Cache(root, root / "out")
        cache.prune()
        with pytest.raises(beneath.Outside):
            put_object(root, "out/.cache", b"%PDF", "pdf")
    assert (root / "content/a.yaml").read_bytes() == b"a: 1\n"
    assert secret.read_bytes() == SECRET


def sealed_cache(root: Path) -> tuple[Cache, str, str]:
    """A cache holding one sealed entry (key a), its PDF object, and another key b."""
    (root / "layouts").mkdir(parents=True)
    (root / "layouts/s.css").write_bytes(b"p {}")
    cache = Cache(root, root / "out")
    pdf_hash = put_object(root, "out/.cache", b"%PDF-a", "pdf")
    png_hash = put_object(root, "out/.cache", b"png-a", "png")
    a, b = hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()
    cache.store(a, Entry([], {"layouts/s.css": hashlib.sha256(b"p {}").hexdigest()},
                         Findings(2), pdf_hash, png_hash))
    return cache, a, b


def tamper(path: Path, change: object) -> None:
    data = json.loads(path.read_text())
    if callable(change):
        change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("how", ["moved", "pdf swapped", "pages absurd", "pages edited",
                                 "seal recomputed without key", "not json", "a link"])
def test_a_tampered_cache_entry_is_a_miss_then_replaced(tmp_path: Path, how: str) -> None:
    root = tmp_path / "p"
    _, a, b = sealed_cache(root)
    entries = root / "out/.cache/entries"
    assert Cache(root, root / "out").lookup(a, need_pdf=True) is not None
    other = put_object(root, "out/.cache", b"%PDF-other", "pdf")
    wanted = a
    if how == "moved":  # the entry of one document offered as another's
        (entries / f"{b}.json").write_bytes((entries / f"{a}.json").read_bytes())
        wanted = b
    elif how == "pdf swapped":
        tamper(entries / f"{a}.json", lambda d: d["entry"].update(pdf=other))
    elif how == "pages absurd":
        tamper(entries / f"{a}.json", lambda d: d["entry"]["findings"].update(pages=10**9))
    elif how == "pages edited":
        tamper(entries / f"{a}.json", lambda d: d["entry"]["findings"].update(pages=1))
    elif how == "seal recomputed without key":
        tamper(entries / f"{a}.json", lambda d: d.update(seal=hashlib.sha256(
            json.dumps(d["entry"], sort_keys=True).encode()).hexdigest()))
    elif how == "not json":
        (entries / f"{a}.json").write_bytes(b"\xff{")
    else:
        (entries / f"{a}.json").rename(tmp_path / "elsewhere.json")
        (entries / f"{a}.json").symlink_to(tmp_path / "elsewhere.json")
    fresh = Cache(root, root / "out")
    assert fresh.lookup(wanted, need_pdf=True) is None
    fresh.store(wanted, Entry([], {}, Findings(3), other, None))  # a miss is never sticky
    again = Cache(root, root / "out").lookup(wanted, need_pdf=False)
    assert again is not None and again.findings.pages == 3 and again.pdf == other


@pytest.mark.parametrize("field", [{"pages": 10**9}, {"part_pages": [1, 10**6]},
                                   {"regions": {"front": {"top": 1e300, "bottom": 0,
                                                          "fields": {}}}}])
def test_numbers_in_an_entry_are_bounded(field: dict[str, object]) -> None:
    """Even a validly sealed entry (a secret leaked, a bug) cannot claim absurd numbers."""
    entry: dict[str, Any] = {"warnings": [], "files": {}, "pdf": None, "thumb": None,
                             "findings": {**Findings(2).to_json(), **field}}
    assert entry_from_json(entry) is None
    assert entry_from_json({**entry, "findings": Findings(2).to_json()}) is not None


def test_an_edited_grade_memo_is_ignored(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    text = "Ketamine is a medicine that doctors have used for many years in hospitals. " * 3
    saved = dict(readability._GRADES)
    try:
        readability._GRADES.clear()
        grade = readability.grade(text, "en")
        readability.remember(root)
        memo = root / readability.GRADES
        data = json.loads(memo.read_text())
        data["grades"] = dict.fromkeys(data["grades"], -3.0)  # "easy", without a new seal
        memo.write_text(json.dumps(data))
        readability._GRADES.clear()
        readability._LOADED.discard(root)
        readability.recall(root)
        assert readability._GRADES == {}  # nothing taken from a memo that does not prove itself
        assert readability.grade(text, "en") == grade
    finally:
        readability._GRADES.clear()
        readability._GRADES.update(saved)


def test_a_template_linked_outside_is_not_rendered(tree: tuple[Path, Path]) -> None:
    root, secret = tree
    (root / "layouts/x").mkdir(parents=True)
    (root / "layouts/x/t.html").write_text("{% include 'x/leak.html' %}")
    (root / "layouts/x/leak.html").symlink_to(secret)
    env = layouts.environment(root)
    with pytest.raises(jinja2.TemplateNotFound, match="outside the project"):
        env.get_template("x/t.html").render()
    (root / "layouts/x/leak.html").unlink()
    (root / "layouts/x/leak.html").write_text("inside")
    assert env.get_template("x/t.html").render() == "inside"


@pytest.mark.parametrize("kind", ["folder", "link"])
def test_a_lock_that_is_not_a_file_is_one_located_error(tmp_path: Path, kind: str) -> None:
    root = copy_minimal(tmp_path / "p")
    if kind == "folder":
        (root / ".out.lock").mkdir()
    else:
        (root / ".out.lock").symlink_to(tmp_path / "elsewhere")
    result = run_cli(root, "check", "--jobs", "1")
    assert result.code == 1 and "Traceback" not in result.stderr
    what = "is a folder or other non-file" if kind == "folder" else "is a symbolic link"
    assert result.stderr.startswith(f".out.lock:1:1: error[out.lock]: .out.lock: {what}")
    assert not (tmp_path / "elsewhere").exists()


def test_out_a_link_is_refused_not_silently_unlinked(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    (tmp_path / "site").mkdir()
    (root / "out").symlink_to(tmp_path / "site")
    result = run_cli(root, "build", "--jobs", "1")
    assert result.code == 1
    assert "out:1:1: error[out.unwritable]: out/: out/ is a link (to " in result.stderr
    assert (root / "out").is_symlink() and not any((tmp_path / "site").iterdir())


def test_new_never_writes_through_a_link_out(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    (tmp_path / "elsewhere").mkdir()
    (root / "content/studies").rename(tmp_path / "studies")
    (root / "content/studies").symlink_to(tmp_path / "elsewhere")
    result = run_cli(root, "new", "study", "smith-2026-x")
    assert result.code == 2 and "Traceback" not in result.stderr
    assert "cannot write content/studies/smith-2026-x.yaml" in result.stderr
    assert not any((tmp_path / "elsewhere").iterdir())


def test_a_font_linked_out_is_not_read(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")
    font = root / "assets/fonts/atkinson-hyperlegible-en-es-400-normal.ttf"
    font.rename(tmp_path / "font.ttf")
    font.symlink_to(tmp_path / "font.ttf")
    with pytest.raises(beneath.Outside):
        beneath.read(font.parent, font.name, links=True)
    result = run_cli(root, "list")
    assert result.code == 1 and f"{font.name}:1:1: error[asset.font]" in result.stderr


def test_a_tampered_claims_memo_is_made_again(minimal: Path) -> None:
    """out/claims.json is remembered in out/.cache/claims/ sealed like the cache's entries: a
    memo edited by hand (or restored from another branch's cache) is not published. (The
    minimal project with its session build's cache: its PDFs come from there.)"""
    root = minimal
    assert run_cli(root, "build", "--jobs", "1").code == 0
    honest = (root / "out/claims.json").read_bytes()
    (memo,) = (root / "out/.cache/claims").glob("*.json")
    mark, data = memo.read_bytes().split(b"\n", 1)
    forged = data.replace(b'"sentence"', b'"sentence (forged)"')
    assert forged != data
    memo.write_bytes(mark + b"\n" + forged)
    (root / "out/claims.json").unlink()
    assert run_cli(root, "build", "--jobs", "1").code == 0
    assert (root / "out/claims.json").read_bytes() == honest
