"""What laying a document out found: one record, made by the worker, kept in the cache and
read by the checks, with one JSON form.

A new measurement is a field here (and a line in `to_json`/`from_json`): the worker fills it,
the cache keeps it and a cache hit is checked with it, with nothing copied field by field
elsewhere. `from_json` checks every field and every number (a cache may be restored from
elsewhere, or damaged): anything malformed is a ValueError, which the cache takes as a miss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from .measure import Region, regions_from_json, regions_to_json
from .spill import Spill, spill_from_json, spill_to_json
from .tags import Problem

MAX_PAGES = 400  # no document of this project has more; a record saying so is refused
MAX_FIELD = 1_000_000  # points or words: a measure beyond it is refused


@dataclass(frozen=True)
class Findings:
    """What laying out found, fresh or from the cache: enough to check the document again."""

    pages: int = 0
    part_pages: tuple[int, ...] = ()  # each part's pages (a referral packet's letter, sheets)
    regions: dict[str, Region] | None = None  # measured panels (kinds with `measure_css`)
    overflows: tuple[str, ...] = ()  # text that runs out of its box sideways
    near_edge: tuple[str, ...] = ()  # ink in an office printer's unprintable band
    small_text: tuple[str, ...] = ()  # text under the document's least size (typeset.legible)
    contrasts: tuple[str, ...] = ()  # text too faint on its background (measure.contrasts)
    # what the accessibility audit found in the tagged PDF (typeset.tags.audit)
    accessibility: tuple[Problem, ...] = ()
    spill: Spill | None = None  # what runs past the page budget (spill.spill)

    def to_json(self) -> dict[str, Any]:
        return {"pages": self.pages, "part_pages": list(self.part_pages),
                "regions": None if self.regions is None else regions_to_json(self.regions),
                "overflows": list(self.overflows), "near_edge": list(self.near_edge),
                "small_text": list(self.small_text), "contrasts": list(self.contrasts),
                "accessibility": [list(p) for p in self.accessibility],
                "spill": spill_to_json(self.spill)}

    @classmethod
    def from_json(cls, data: object) -> Findings:
        """The record `to_json` wrote; ValueError for anything else (a field missing, one too
        many, or one of the wrong shape)."""
        if not isinstance(data, dict) or set(data) != NAMES:
            raise ValueError("not a findings record")
        regions, spill, accessibility = data["regions"], data["spill"], data["accessibility"]
        if not (_whole(data["pages"], MAX_PAGES) and isinstance(data["part_pages"], list)
                and all(_whole(p, MAX_PAGES) for p in data["part_pages"])
                and (regions is None or _regions(regions))
                and all(_texts(data[name]) for name in TEXTS)
                and _problems(accessibility) and (spill is None or _spill(spill))):
            raise ValueError("a findings field of the wrong shape")
        return cls(data["pages"], tuple(data["part_pages"]),
                   None if regions is None else regions_from_json(regions),
                   overflows=tuple(data["overflows"]), near_edge=tuple(data["near_edge"]),
                   small_text=tuple(data["small_text"]), contrasts=tuple(data["contrasts"]),
                   accessibility=tuple((page, element, problem)  # JSON keeps them as lists
                                       for page, element, problem in accessibility),
                   spill=spill_from_json(spill))


NAMES = {f.name for f in fields(Findings)}
TEXTS = ("overflows", "near_edge", "small_text", "contrasts")


def _whole(value: object, most: int = MAX_FIELD) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= most


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _problems(value: object) -> bool:
    """Audit findings: [[page number (1 or more) or null, element, problem], ...]."""
    return isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 3 and (v[0] is None or (_whole(v[0]) and v[0] >= 1))
        and isinstance(v[1], str) and isinstance(v[2], str) for v in value)


def _number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= MAX_FIELD)


def _regions(value: object) -> bool:
    """Measured panels: {name: {top, bottom, fields: {path: [top, bottom, words]}}}."""
    if not isinstance(value, dict):
        return False
    for region in value.values():
        if not (isinstance(region, dict) and set(region) == {"top", "bottom", "fields"}
                and _number(region["top"]) and _number(region["bottom"])
                and isinstance(region["fields"], dict)):
            return False
        for box in region["fields"].values():
            if not (isinstance(box, list) and len(box) == 3 and _number(box[0])
                    and _number(box[1]) and _whole(box[2])):
                return False
    return True


def _spill(value: object) -> bool:
    """What runs past the budget: {page, lines, words, sections: [[heading, [field, ...]]],
    fields: {field: words}}, and the advice: columns [[name, lines, name, lines, [field],
    [field]]], costs [[section, word, count, lines]], saves {field: lines}."""
    if not (isinstance(value, dict)
            and {"page", "lines", "words", "sections", "fields"} <= set(value)
            <= {"page", "lines", "words", "sections", "fields", "columns", "costs", "saves"}):
        return False
    columns, costs = value.get("columns", []), value.get("costs", [])
    saves, sections, found = value.get("saves", {}), value["sections"], value["fields"]
    if not (isinstance(columns, list) and all(
                isinstance(c, list) and len(c) == 6 and isinstance(c[0], str)
                and _number(c[1]) and isinstance(c[2], str) and _number(c[3]) and _texts(c[4])
                and _texts(c[5])
                for c in columns)
            and isinstance(costs, list) and all(
                isinstance(c, list) and len(c) == 4 and _texts(c[:2]) and _whole(c[2])
                and _number(c[3]) for c in costs)
            and isinstance(saves, dict)
            and all(isinstance(k, str) and _number(v) for k, v in saves.items())):
        return False
    return (_whole(value["page"]) and _number(value["lines"]) and _whole(value["words"])
            and isinstance(sections, list)
            and all(isinstance(s, list) and len(s) == 2 and isinstance(s[0], str)
                    and _texts(s[1]) for s in sections)
            and isinstance(found, dict)
            and all(isinstance(k, str) and _whole(v) for k, v in found.items()))
