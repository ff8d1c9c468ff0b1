"""The tag tree keeps what a reader hears whole. A list split by a column break stays one
list: WeasyPrint 70 tags each column's piece of a box as an element of its own (a screen
reader heard "list, 4 items", then "list, 1 item"); typeset/tags/repairing.py joins them, as
it joins a page's pieces. Read back from every built handout and brochure with pikepdf. And a
packet keeps each sheet's own footer."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
import yaml
from helpers import run_cli

from ketabrochure.typeset.tags.structure import Tree


def kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    found = element.get("/K")
    if found is None:
        return []
    listed = list(found) if isinstance(found, pikepdf.Array) else [found]
    return [k for k in listed if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def walk(element: pikepdf.Object) -> Iterator[pikepdf.Object]:
    yield element
    for kid in kids(element):
        yield from walk(kid)


def split_lists(path: Path) -> list[str]:
    """Each place a list is followed by its own continuation: a sibling element that starts
    with a list right after one that ends with a list, or two lists side by side."""
    found = []
    with pikepdf.open(path) as pdf:
        for parent in walk(kids(pdf.Root.StructTreeRoot)[0]):
            siblings = kids(parent)
            for a, b in itertools.pairwise(siblings):
                ends, starts = kids(a), kids(b)
                if (ends and starts and ends[-1].S == "/L" and starts[0].S == "/L") or \
                        (a.S == "/L" and b.S == "/L"):
                    found.append(f"{parent.S} > {a.S}, {b.S}")
    return found


def list_items(path: Path) -> list[int]:
    with pikepdf.open(path) as pdf:
        return [len([k for k in kids(e) if k.S == "/LI"])
                for e in walk(kids(pdf.Root.StructTreeRoot)[0]) if e.S == "/L"]


@pytest.mark.parametrize("pattern", ["handout-*.pdf", "trifold-*.pdf"])
def test_no_list_is_split_in_the_tag_tree(built: Path, pattern: str) -> None:
    pdfs = sorted((built / "out").glob(pattern))
    assert pdfs
    split = {path.name: found for path in pdfs if (found := split_lists(path))}
    assert not split, split


def test_the_list_a_column_break_split_is_one_list(built: Path) -> None:
    """The English PTSD handout's five questions to ask were split by a column break, four
    and one (before the repair); they are one list of five items, in the office copy and the
    print-shop copy alike."""
    for name in ("handout-ptsd-letter-en", "handout-ptsd-letter-en-print-shop"):
        items = list_items(built / "out" / f"{name}.pdf")
        assert 5 in items and 1 not in items, (name, items)


def test_each_sheet_footer_of_a_packet_stays_in_the_tag_tree(project: Path) -> None:
    """A packet whose sheets carry different review dates keeps each sheet's footer (its
    address, phone and date) in the tag tree, not only the first: assistive technology
    reads them all."""
    ledger = project / "content" / "approvals.yaml"  # the sheets' sign-offs: two dates
    entries = yaml.safe_load(ledger.read_text())
    for name, entry in entries["documents"].items():
        entry["date"] = "2026-11-20" if name == "evidence-sheet-ptsd-en" else "2026-11-27"
    ledger.write_text(yaml.safe_dump(entries))
    result = run_cli(project, "build", "referral-packet")
    assert result.code == 0, result.stderr
    with pikepdf.open(project / "out" / "referral-packet-sample-letter-en.pdf") as pdf:
        tree = Tree(pdf)
        tagged = " ".join(mark.text for element in tree.walk() for mark in tree.marks(element))
    assert "Reviewed 27 November 2026" in tagged and "Reviewed 20 November 2026" in tagged
