"""What to make: documents.yaml x kinds x papers x languages x variants x locations -> the
documents; and the share of them a command asks for."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from .. import kinds, layouts
from .. import model as m
from ..diagnostics import Diagnostics, UsageError
from ..kinds import KINDS
from ..read.fields import suggestion
from ..read.project import read_project
from ..review import clock, ledger


def load(root: Path, diags: Diagnostics) -> tuple[m.Project | None, list[m.Document]]:
    """Stages 1-3: read the content and layouts, run the content rules, plan the documents
    (`list` needs no more: no typesetting code is imported for it)."""
    project, complete = read_project(root, diags)
    found = layouts.discover(root, KINDS, diags)
    project = kinds.read(root, project, diags)
    project = replace(project, signoffs=ledger.read(root, diags))
    kinds.rules(project, clock.today(), diags)
    if not complete or found is None:
        return None, []
    return project, plan(project, found, diags)


def locations(project: m.Project, layout: m.Layout) -> list[str | None]:
    """The location ids a layout's documents are made for: each location, or just one (None)."""
    if layout.per_location and project.clinic.locations:
        return [where.id for where in project.clinic.locations]
    return [None]


def plan(project: m.Project, found: dict[str, m.Layout],
         diags: Diagnostics) -> list[m.Document]:
    """documents.yaml, expanded to one Document per subject x paper."""
    documents: list[m.Document] = []
    for spec in project.documents:
        layout = found.get(spec.layout)
        if layout is None:
            diags.error(spec.locs.get("layout", spec.loc), "content.unknown-layout", "documents",
                        f"no layout '{spec.layout}' in layouts/")
            continue
        known = KINDS[layout.subjects].ids(project)
        subjects = known if spec.subjects == ("all",) else spec.subjects
        for subject in subjects:
            if subject in project.broken:
                continue  # its own errors are already reported
            if subject not in known:
                diags.error(spec.locs.get("subjects", spec.loc), "content.unknown-ref",
                            "documents", f"no {layout.subjects} subject '{subject}' for "
                            f"layout {spec.layout}{suggestion(subject, known)}")
                continue
            documents += [replace(m.Document(layout, subject, paper, language, spec.budget,
                                             spec, variant), location=where)
                          for language in spec.languages or (spec.language,)
                          for variant in spec.variants for paper in spec.papers
                          for where in locations(project, layout)]
        if spec.variants != ("office",) and layout.audience != "patient":
            diags.error(spec.locs.get("variants", spec.loc), "content.variant", "documents",
                        f"variants other than office are for patient layouts, not {spec.layout}")
    return documents


def select(documents: list[m.Document], names: list[str],
           content_errors: bool = False) -> list[m.Document]:
    """Documents matching any name: a file name, subject, layout or signed name (every paper
    and variant of one text, `handout-ptsd-es`). A name matching none is a
    usage error, unless the content has errors (then its document may just not be planned:
    its subject's file is broken, and that error is the one to read)."""
    if not names:
        return documents
    chosen = [d for d in documents
              if {d.name, d.file, d.subject, d.layout.name, d.signed_name} & set(names)]
    for name in names:
        if not content_errors and not any(
                name in (d.name, d.file, d.subject, d.layout.name, d.signed_name)
                for d in documents):
            raise UsageError(f"no document matches '{name}' (see `ketabrochure list`)")
    return chosen


def shard(documents: list[m.Document], k: int, n: int) -> list[m.Document]:
    """The K-th of N deterministic shares (1-based), by a stable hash of each document's name."""
    if not 1 <= k <= n:
        raise UsageError(f"--shard {k}/{n}: K must be between 1 and N")
    return [d for d in documents
            if int(hashlib.sha256(d.name.encode()).hexdigest()[:8], 16) % n == k - 1]
