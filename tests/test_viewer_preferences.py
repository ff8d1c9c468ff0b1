"""Print that prints right first time: every PDF asks the viewer for actual size (no "fit to
page", which shrinks a tri-fold and moves its folds) and for the right duplex mode."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf


def test_actual_size_and_the_right_duplex_mode(built: Path) -> None:
    entries = json.loads((built / "out/manifest.json").read_text())["documents"]
    seen = set()
    for entry in entries:
        with pikepdf.open(built / "out" / entry["file"]) as pdf:
            preferences = pdf.Root.ViewerPreferences
            assert preferences.PrintScaling == pikepdf.Name("/None"), entry["file"]
            if entry["layout"] == "trifold":
                wanted = "/DuplexFlipShortEdge"
            elif entry["layout"] == "referral-packet" or len(pdf.pages) == 1:
                wanted = "/Simplex"
            else:
                wanted = "/DuplexFlipLongEdge"
            assert preferences.Duplex == pikepdf.Name(wanted), entry["file"]
            seen.add(wanted)
    assert seen == {"/DuplexFlipShortEdge", "/Simplex", "/DuplexFlipLongEdge"}
