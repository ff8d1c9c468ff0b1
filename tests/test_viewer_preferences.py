"""Print that prints right first time: every PDF asks the viewer for actual size (no "fit to
page", which shrinks a tri-fold and moves its folds), for the tray that holds its paper size
(an A4 copy on A4, a Letter copy on Letter: each at 100%), and for the right duplex mode."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pikepdf

# each paper's size in points; a print-shop copy's TrimBox is the paper, its MediaBox larger
PAPERS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


def test_actual_size_and_the_right_duplex_mode(built: Path) -> None:
    entries = json.loads((built / "out/manifest.json").read_text())["documents"]
    seen: set[str] = set()
    for entry in entries:
        with pikepdf.open(built / "out" / entry["file"]) as pdf:
            preferences = pdf.Root.ViewerPreferences
            assert preferences.PrintScaling == pikepdf.Name("/None"), entry["file"]
            pick: object = preferences.PickTrayByPDFSize  # a PDF boolean, not the string
            assert pick is True, entry["file"]
            for page in pdf.pages:
                left, bottom, right, top = (float(v) for v in page.trimbox)
                size = sorted((right - left, top - bottom))  # the tri-fold is landscape
                assert all(abs(a - b) < 0.1 for a, b in zip(size, PAPERS[entry["paper"]],
                                                             strict=True)), entry["file"]
            if entry["layout"] == "trifold":
                wanted = "/DuplexFlipShortEdge"
            elif entry["layout"] == "referral-packet" or len(pdf.pages) == 1:
                wanted = "/Simplex"
            else:
                wanted = "/DuplexFlipLongEdge"
            assert preferences.Duplex == pikepdf.Name(wanted), entry["file"]
            seen.add(wanted)
    assert seen == {"/DuplexFlipShortEdge", "/Simplex", "/DuplexFlipLongEdge"}
    assert {entry["paper"] for entry in entries} == set(PAPERS)


def ink_box(path: Path) -> tuple[float, float, float, float]:
    """The box around every page's ink, in points (Ghostscript's bbox device)."""
    err = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=bbox", str(path)],
                         check=True, capture_output=True, text=True).stderr
    boxes = [[float(v) for v in m] for m in re.findall(
        r"%%HiResBoundingBox: ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", err)]
    assert boxes, path.name
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def test_each_paper_has_a_copy_that_prints_at_100_percent(built: Path) -> None:
    """A4 copies exist only where their Letter twin does (the evidence sheets): an A4 page on
    Letter is shrunk to 94% or cut. A Letter handout, printed at actual size and centred on
    A4 paper, keeps all its ink 0.3 in or more from the A4 sheet's edge: it serves both."""
    entries = json.loads((built / "out/manifest.json").read_text())["documents"]
    files = {entry["file"] for entry in entries}
    a4 = [entry for entry in entries if entry["paper"] == "a4"]
    assert a4
    for entry in a4:
        assert entry["file"].replace("-a4-", "-letter-") in files, entry["file"]
    width, height = PAPERS["a4"]
    handouts = [e for e in entries if e["layout"] == "handout" and e["variant"] != "print-shop"]
    assert handouts
    for entry in handouts:
        left, bottom, right, top = ink_box(built / "out" / entry["file"])
        dx, dy = (width - PAPERS["letter"][0]) / 2, (height - PAPERS["letter"][1]) / 2
        least = min(left + dx, width - right - dx, bottom + dy, height - top - dy)
        assert least >= 0.3 * 72, (entry["file"], round(least / 72, 2))
