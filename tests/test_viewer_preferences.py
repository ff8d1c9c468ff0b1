"""Print that prints right first time: every PDF asks the viewer for actual size (no "fit to
page", which shrinks a tri-fold and moves its folds), for the tray that holds its paper size
(an A4 copy on A4, a Letter copy on Letter: each at 100%), and for the right duplex mode."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf

# each paper's size in points; a print-shop copy's TrimBox is the paper, its MediaBox larger
PAPERS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


def test_actual_size_and_the_right_duplex_mode(built: Path) -> None:
    entries = json.loads((built / "out/manifest.json").read_text())["documents"]
    seen = set()
    for entry in entries:
        with pikepdf.open(built / "out" / entry["file"]) as pdf:
            preferences = pdf.Root.ViewerPreferences
            assert preferences.PrintScaling == pikepdf.Name("/None"), entry["file"]
            assert preferences.PickTrayByPDFSize is True, entry["file"]
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
