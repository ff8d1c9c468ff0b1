"""One document -> HTML text. Pure: reads templates, writes nothing."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from . import model as m
from .diagnostics import Diagnostics, Location
from .layouts import Layout
from .locations import contact

DESIGN_NAMES = {
    "rct": "RCT", "crossover-rct": "Crossover RCT", "meta-analysis": "Meta-analysis",
    "systematic-review": "Systematic review", "single-arm": "Single-arm study",
    "cohort": "Cohort study", "animal": "Animal study",
}


@dataclass(frozen=True)
class Document:
    """One PDF to make: a layout applied to a subject, on one paper, in one language."""

    layout: Layout
    subject: str
    paper: str
    language: str
    budget: m.PageBudget
    spec: m.DocumentSpec
    variant: str = "office"
    location: str | None = None  # a clinic location's id, for per-location layouts

    @property
    def name(self) -> str:
        parts = [self.layout.name, self.subject, self.paper, self.language]
        if self.variant != "office":
            parts.append(self.variant)
        if self.location:
            parts.append(self.location)
        return "-".join(parts)

    @property
    def file(self) -> str:
        return f"{self.name}.pdf"

    @property
    def label(self) -> str:
        details = ", ".join(p for p in (self.paper, self.language, self.variant, self.location)
                            if p and p != "office")
        return f"{self.layout.name} {self.subject} ({details})"


@dataclass(frozen=True)
class Reference:
    number: int
    study: m.Study
    authors: str
    title: str
    journal: str
    details: str  # 2023;388(25):2315-2325


def author_list(citation: m.Citation) -> str:
    """AMA: up to 6 authors; with more (or a list known to be partial), the first 3 and et al."""
    names = list(citation.authors)
    if len(names) > 6:
        names, et_al = names[:3], True
    else:
        et_al = citation.et_al
    if not names:
        return ""
    return ", ".join(names) + (", et al" if et_al else "")


def reference(number: int, study: m.Study) -> Reference:
    c = study.citation
    details = str(c.year)
    if c.volume:
        details += f";{c.volume}"
        if c.issue:
            details += f"({c.issue})"
        if c.pages:
            details += f":{c.pages}"
    return Reference(number, study, author_list(c), c.title.rstrip("."), c.journal, details)


def study_flags(study: m.Study) -> list[str]:
    """Labels that keep weak designs visible on the page."""
    flags = []
    if study.role == "preclinical":
        flags.append(f"Animal study ({study.population.species})")
    elif study.role == "mechanism":
        flags.append("Mechanism study, not evidence of benefit")
    if study.design.blinding == "open-label":
        flags.append("Open-label")
    if not study.design.controlled:
        flags.append("No control group")
    if study.is_small:
        flags.append("Small n")
    return flags


def first_author_year(study: m.Study) -> str:
    """'Anand 2023'; without confirmed authors, the title's first words: '"R (-)-ketamine…" 2014'."""
    c = study.citation
    if c.authors:
        return f"{c.authors[0].split()[0]} {c.year}"
    return f"\u201c{' '.join(c.title.split()[:2])}\u2026\u201d {c.year}"


class Citations:
    """Numbers studies in the order the page first cites them."""

    def __init__(self, studies: dict[str, m.Study]) -> None:
        self.studies = studies
        self.order: list[str] = []

    def number(self, study_id: str) -> int:
        if study_id not in self.order:
            self.order.append(study_id)
        return self.order.index(study_id) + 1

    def numbers(self, study_ids: tuple[str, ...]) -> list[int]:
        return sorted(self.number(s) for s in study_ids)

    def references(self) -> list[Reference]:
        return [reference(i + 1, self.studies[s]) for i, s in enumerate(self.order)]


def condition_context(project: m.Project, condition: m.Condition) -> dict[str, Any]:
    citations = Citations(project.studies)
    points = [(p.text, citations.numbers(p.cites)) for p in condition.key_points]
    rows = [project.studies[s] for s in condition.evidence]
    rows.sort(key=lambda s: m.ROLES.index(s.role))  # efficacy first, then mechanism, animal
    evidence = [{"study": s, "number": citations.number(s.id), "name": first_author_year(s),
                 "design": DESIGN_NAMES[s.design.type], "flags": study_flags(s)} for s in rows]
    return {"condition": condition, "points": points, "evidence": evidence,
            "references": citations.references(),
            "regulatory": [project.regulatory[r] for r in condition.regulatory],
            "reviewed_on": condition.reviewed_on}


@dataclass(frozen=True)
class SubjectKind:
    """What a layout's documents are about: how to list them, locate them and describe them."""

    ids: Callable[[m.Project], list[str]]
    location: Callable[[m.Project, str], Location]
    context: Callable[[m.Project, str], dict[str, Any]]


def _report_context(project: m.Project, subject: str) -> dict[str, Any]:
    from . import report  # imported here: report builds on this module's helpers
    return report.context(project)


def _letter_context(project: m.Project, subject: str) -> dict[str, Any]:
    from . import packet  # imported here: packet builds on this module's helpers
    return packet.letter_context(project, project.recipients[subject])


SUBJECT_KINDS: dict[str, SubjectKind] = {
    "conditions": SubjectKind(
        ids=lambda p: sorted(p.conditions),
        location=lambda p, i: p.conditions[i].loc,
        context=lambda p, i: condition_context(p, p.conditions[i])),
    "report": SubjectKind(  # one document about all the research on file
        ids=lambda p: ["research"],
        location=lambda p, i: next((s.loc for s in p.documents if s.layout == "report"),
                                   Location("content/documents.yaml")),
        context=_report_context),
    "recipients": SubjectKind(  # referral packets: content/recipients.yaml or the command line
        ids=lambda p: sorted(p.recipients),
        location=lambda p, i: p.recipients[i].loc,
        context=_letter_context),
}


def context(project: m.Project, document: Document,
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
    ctx = SUBJECT_KINDS[document.layout.subjects].context(project, document.subject)
    ctx.update(clinic=project.clinic, edition=project.edition, paper=document.paper,
               lang=document.language, variant=document.variant, document=document,
               location=contact(project.clinic, document.location))
    ctx.update(extra or {})
    return ctx


def render(env: jinja2.Environment, project: m.Project, document: Document,
           diags: Diagnostics, extra: dict[str, Any] | None = None) -> str | None:
    """Fill the layout's template; a template error is located in the template file.
    `extra` adds to the context (e.g. whether an optional chart is shown)."""
    try:
        template = env.get_template(document.layout.template)
        return template.render(context(project, document, extra))
    except jinja2.TemplateSyntaxError as exc:
        where = Location(f"layouts/{exc.name or document.layout.template}", exc.lineno or 1)
        diags.error(where, "layout.syntax", document.label, exc.message or "template syntax error")
    except jinja2.TemplateNotFound as exc:
        diags.error(document.layout.loc, "layout.missing-file", document.label,
                    f"template {exc.name} not found")
    except Exception as exc:  # noqa: BLE001 - any template runtime error is the layout's bug
        diags.error(_template_location(exc, document), "layout.render", document.label,
                    f"{type(exc).__name__}: {exc}")
    return None


def _template_location(exc: Exception, document: Document) -> Location:
    """The innermost template line in the traceback (Jinja keeps template file names there)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".html")):
            path = Path(frame.filename)
            return Location(f"layouts/{path.parent.name}/{path.name}", frame.lineno or 1)
    return document.layout.loc
