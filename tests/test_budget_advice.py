"""Budget advice that helps: a sheet whose key points overflow is told that the key points
are the taller column (shortening the bottom line beside them moves nothing), what a key
point, a row or a reference costs in lines, and, measured by laying the sheet out again
without it, how many lines leaving out a key point saves; the test then leaves it out and
finds the overflow smaller by about that much."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import edit, run_cli

SHEET = "evidence-sheet-ptsd-letter-en"
CONDITION = "content/conditions/ptsd.yaml"
POINT = ('  - text: "In a crossover trial of 41 adults, one 0.5 mg/kg infusion lowered IES-R scores '
         'about 12.7 points more than midazolam at 24 h; the effect was short-lived, and '
         'dissociation was transient."\n    cites: [feder2014]\n')
OVER = re.compile(r"about (\d+) lines? \(\d+ words?\) over")


def budget_error(root: Path) -> str:
    result = run_cli(root, "check", "--jobs", "1", SHEET)
    (line,) = [x for x in result.stderr.splitlines() if "check.page-count" in x]
    return line


def test_key_points_that_overflow_are_named_with_their_cost_and_saving(minimal: Path) -> None:
    condition = minimal / CONDITION
    edit(condition, "evidence: [", POINT * 7 + "evidence: [")
    error = budget_error(minimal)
    over = OVER.search(error)
    assert over, error
    assert "'Key points' is the taller column of its row (" in error, error
    taller = re.search(r"\((\d+) lines, beside 'Bottom line' (\d+)\): it sets the height, so "
                       r"shorten it, not 'Bottom line'", error)
    assert taller and int(taller[1]) > int(taller[2]), error
    longest = error.split("shorten the longest: ", 1)[1]
    assert "bottom_line" not in longest, "the shorter column's text does not set the height"
    costs = dict(re.findall(r"'([^']+)' (\d+\.\d) per (?:item|row)", error))
    assert {"Key points", "References"} <= set(costs), error
    assert 1 < float(costs["Key points"]) < 8, error
    saved = re.search(r"without content/conditions/ptsd\.yaml:(\d+):5 key_points\[(\d+)\]\.text"
                      r", it would save about (\d+) of the (\d+) lines over", error)
    assert saved and int(saved[3]) >= 1 and saved[4] == over[1], error

    # follow the advice: leave that key point out, and the overflow shrinks by what was said
    lines = condition.read_text().splitlines(keepends=True)
    start = int(saved[1]) - 1
    assert lines[start].startswith("  - text:") and lines[start + 1].startswith("    cites:")
    condition.write_text("".join(lines[:start] + lines[start + 2:]))
    after = OVER.search(budget_error(minimal))
    assert after, "still over (one key point was not enough), so it is measured again"
    assert abs((int(over[1]) - int(after[1])) - int(saved[3])) <= 1, (over[1], after[1], saved[3])
