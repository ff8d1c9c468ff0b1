"""The preview loop draws only what changed: each page of a PDF has a version (a digest of
what it draws), so an edit on page 1 of a two-page handout gives page 1 a new version and
leaves page 2's, and serve's Live draws page 1 again and keeps page 2's picture. On real PDFs,
built from a minimal project copy; the browser side is tests/test_serve.py's."""

from __future__ import annotations

from pathlib import Path

from helpers import edit, run_cli

from ketabrochure.build.run import Result
from ketabrochure.serve.live import Live, page_versions

HANDOUT = "handout-ptsd-letter-en"


def test_an_edit_on_page_one_redraws_page_one_only(minimal: Path) -> None:
    assert run_cli(minimal, "build", HANDOUT).code == 0
    out = minimal / "out"
    before = page_versions((out / f"{HANDOUT}.pdf").read_bytes())
    assert len(before) == 2 and len(set(before)) == 2
    drawn: list[int] = []

    def draw(pdf: bytes, index: int) -> bytes:
        drawn.append(index + 1)
        return f"page {index + 1} of {len(pdf)} bytes".encode()

    live = Live(out, draw)
    first = [live.page(HANDOUT, n) for n in (1, 2)]
    assert drawn == [1, 2] and [live.page(HANDOUT, n) for n in (1, 2)] == first  # kept

    # one word on page 1, of the same length: page 2 stays as it was
    edit(minimal / "content/handouts/ptsd.yaml", "a scary or violent event", "a scary or hostile event")
    result = run_cli(minimal, "build", HANDOUT)
    assert result.code == 0 and f"wrote {HANDOUT}.pdf" in result.stdout, result.stdout
    after = page_versions((out / f"{HANDOUT}.pdf").read_bytes())
    assert after[0] != before[0] and after[1] == before[1]

    live.finished([HANDOUT], Result())  # as the watcher does after building it
    assert drawn == [1, 2, 1], "the open document's changed page drawn, before it is asked for"
    assert live.page(HANDOUT, 2) == first[1]  # the unchanged page: its old picture
    assert live.page(HANDOUT, 1) != first[0] and drawn == [1, 2, 1]

