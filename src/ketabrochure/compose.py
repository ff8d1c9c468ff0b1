"""Typeset a document: render, lay out, and leave optional parts out if they break the budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from . import charts, packet, pdf, render
from . import model as m
from .diagnostics import Diagnostics
from .render import Document


def typeset(document: Document, project: m.Project, env: jinja2.Environment,
            allowed: tuple[Path, ...], diags: Diagnostics) -> pdf.Typeset | None:
    """The laid-out document; a referral packet is a letter plus whole evidence sheets."""
    if document.layout.subjects == "recipients":
        return packet.typeset(document, project, env, allowed, diags)
    return fitted(document, project, env, allowed, diags)


def fitted(document: Document, project: m.Project, env: jinja2.Environment,
           allowed: tuple[Path, ...], diags: Diagnostics,
           extra: dict[str, Any] | None = None) -> pdf.Typeset | None:
    """Try with the optional parts first; if the pages break the budget, try without them."""
    choices = optional_parts(project, document)
    result = None
    for i, optional in enumerate(choices):
        html = render.render(env, project, document, diags, {**(extra or {}), **optional})
        if html is None:
            return None
        result = pdf.typeset(html, document.layout.folder, allowed)
        last = i == len(choices) - 1
        if last or result.document is None or document.budget.allows(result.pages):
            break
    return result


def alternatives(document: Document, project: m.Project, env: jinja2.Environment,
                 diags: Diagnostics, extra: dict[str, Any] | None = None) -> list[str] | None:
    """Every HTML `fitted` may try, in order (the build renders them all up front: they are
    the cache key, and a worker process lays them out)."""
    htmls = []
    for optional in optional_parts(project, document):
        html = render.render(env, project, document, diags, {**(extra or {}), **optional})
        if html is None:
            return None
        htmls.append(html)
    return htmls


def single_html(document: Document) -> bool:
    """Whether the document is one HTML (with alternatives); a referral packet is several."""
    return document.layout.subjects != "recipients"


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
