"""Referral packets: a cover letter to a named physician, then the chosen evidence sheets."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import jinja2

from . import build, compose, glyphs, layouts, render
from . import model as m
from .diagnostics import Diagnostics, Location
from .fields import suggestion
from .parallel import Part
from .recipients import slug

LAYOUT = "referral-packet"
SHEET_LAYOUT = "evidence-sheet"  # the enclosures: exactly the sheets `build` makes
ONE_PAGE = m.PageBudget(exactly=1)


def letter_context(project: m.Project, recipient: m.Recipient) -> dict[str, Any]:
    conditions = [project.conditions[c] for c in recipient.conditions if c in project.conditions]
    off_label = next((f for f in project.regulatory.values() if f.off_label), None)
    return {"recipient": recipient, "conditions": conditions, "date": recipient.date,
            "reviewed_on": recipient.date, "off_label": off_label}


def parts(document: render.Document, project: m.Project, env: jinja2.Environment,
          diags: Diagnostics) -> list[Part] | None:
    """The letter (one page), then each sheet rendered exactly as on its own."""
    recipient = project.recipients[document.subject]
    letter = compose.alternatives(document, project, env, diags)
    if letter is None:
        return None
    sheet_layout = _sheet_layout(document.layout.folder.parent.parent)
    if sheet_layout is None:
        diags.error(document.layout.loc, "layout.missing-file", document.label,
                    f"a referral packet encloses {SHEET_LAYOUT} pages: no layouts/{SHEET_LAYOUT}")
        return None
    found = [Part(tuple(letter), ONE_PAGE, document.layout.folder)]
    for condition in recipient.conditions:
        if condition not in project.conditions:
            return None  # reported by the content checks
        sheet = render.Document(sheet_layout, condition, document.paper, document.language,
                                ONE_PAGE, document.spec)
        htmls = compose.alternatives(sheet, project, env, diags, {"anchor": f"{condition}-"})
        if htmls is None:
            return None
        found.append(Part(tuple(htmls), ONE_PAGE, sheet_layout.folder))
    return found


def check_parts(document: render.Document, project: m.Project, part_pages: list[int],
                diags: Diagnostics) -> None:
    """The letter and each enclosed sheet must fit on one page."""
    recipient = project.recipients[document.subject]
    letter, *sheets = part_pages
    if letter != 1:
        diags.error(recipient.loc, "check.page-count", f"{document.label}: cover letter",
                    f"runs to {letter} pages; it must fit on 1 (shorten the names)")
    for condition, loc, pages in zip(recipient.conditions, recipient.condition_locs, sheets):
        if pages != 1:
            diags.error(loc, "check.enclosure", document.label,
                        f"the enclosed {condition} evidence sheet runs to {pages} pages; "
                        "it must fit on 1")


def _sheet_layout(root: Path) -> layouts.Layout | None:
    found = layouts.discover(root, tuple(render.SUBJECT_KINDS), Diagnostics())
    return found.get(SHEET_LAYOUT)


def recipient_from_args(name: str, practice: str, conditions: list[str], date: dt.date,
                        address: tuple[str, ...] = ()) -> m.Recipient:
    """A recipient named on the command line; its id (and file name) comes from the name."""
    where = Location("command line")
    chosen = tuple(dict.fromkeys(conditions))  # each sheet once, in the order given
    return m.Recipient(id=slug(name), name=name.strip(), practice=practice.strip(),
                       conditions=chosen, date=date, loc=where, address=address,
                       condition_locs=tuple(where for _ in chosen))


def make(root: Path, recipient: m.Recipient, write: bool = True) -> build.Result:
    """`ketabrochure packet`: check and write one packet into out/ (atomically, like build)."""
    result = build.Result()
    project, _ = build.load(root, result.diags)
    if project is None:
        return result
    for condition in recipient.conditions:
        if condition not in project.conditions:
            raise build.UsageError(f"no condition '{condition}'"
                                   f"{suggestion(condition, project.conditions)} "
                                   f"(known: {', '.join(sorted(project.conditions))})")
    charset = glyphs.coverage(root / "assets" / "fonts")
    text = " ".join((recipient.name, recipient.practice, *recipient.address))
    missing = sorted({c for c in text if charset and c not in charset})
    if missing:
        raise build.UsageError(f"the vendored fonts cannot print {', '.join(map(repr, missing))}"
                               " in the recipient's name, practice or address")
    found = layouts.discover(root, tuple(render.SUBJECT_KINDS), Diagnostics())
    if LAYOUT not in found:
        raise build.UsageError(f"no layout '{LAYOUT}' in layouts/")
    project = dataclasses.replace(project, recipients={**project.recipients,
                                                       recipient.id: recipient})
    spec = next((s for s in project.documents if s.layout == LAYOUT), None)
    paper = spec.papers[0] if spec else "letter"
    budget = spec.budget if spec else m.PageBudget(maximum=1 + len(recipient.conditions))
    spec = spec or m.DocumentSpec(LAYOUT, (recipient.id,), (paper,), "en", budget,
                                  recipient.loc)
    document = render.Document(found[LAYOUT], recipient.id, paper, spec.language, budget, spec)
    built = build.produce(document, project, layouts.environment(root), root, write,
                          result.diags)
    if built is not None:
        result.built.append(built)
    if write and built is not None and not result.diags.has_errors():
        result.written = build.write_outputs(root / "out", [built], full=False)
    return result
