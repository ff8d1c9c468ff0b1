"""What to lay out for a document: its HTML, alternatives without optional parts that may
break the page budget, and the parts of combined documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from . import charts, packet, pdf, render
from . import model as m
from .diagnostics import Diagnostics
from .parallel import Part, typeset_parts
from .render import Document


def parts(document: Document, project: m.Project, env: jinja2.Environment,
          diags: Diagnostics) -> list[Part] | None:
    """What to lay out for a document: its HTML with any alternatives, or, for a referral
    packet, a letter and whole evidence sheets (their pages are combined)."""
    if document.layout.subjects == "recipients":
        return packet.parts(document, project, env, diags)
    htmls = alternatives(document, project, env, diags)
    return None if htmls is None else [Part(tuple(htmls), document.budget, document.layout.folder)]


def check_parts(document: Document, project: m.Project, part_pages: list[int],
                diags: Diagnostics) -> None:
    """Each part of a combined document must keep its own page budget."""
    if document.layout.subjects == "recipients":
        packet.check_parts(document, project, part_pages, diags)


def typeset(document: Document, project: m.Project, env: jinja2.Environment,
            allowed: tuple[Path, ...], diags: Diagnostics) -> pdf.Typeset | None:
    """Render and lay out one document in this process (the build uses worker processes)."""
    found = parts(document, project, env, diags)
    if found is None:
        return None
    result, part_pages = typeset_parts(tuple(found), allowed)
    if result.document is not None:
        check_parts(document, project, part_pages, diags)
    return result


def alternatives(document: Document, project: m.Project, env: jinja2.Environment,
                 diags: Diagnostics, extra: dict[str, Any] | None = None) -> list[str] | None:
    """Every HTML to try, in order, until one fits the page budget (see `parallel.fit`)."""
    htmls = []
    for optional in optional_parts(project, document):
        html = render.render(env, project, document, diags, {**(extra or {}), **optional})
        if html is None:
            return None
        htmls.append(html)
    return htmls


def optional_parts(project: m.Project, document: Document) -> list[dict[str, Any]]:
    """Evidence sheets for physicians show their rate chart where it fits on the page."""
    if document.layout.subjects != "conditions" or document.layout.audience != "physician":
        return [{}]
    condition = project.conditions[document.subject]
    studies = [project.studies[s] for s in condition.evidence if s in project.studies]
    rows = charts.rows(studies, {s.id: render.first_author_year(s) for s in studies})
    if not rows:
        return [{}]
    title = charts.title(condition, rows)
    chart = charts.svg(rows, title, f"chart-{condition.id}", charts.SHEET)
    return [{"sheet_chart": {"title": title, "svg": chart}}, {}]
