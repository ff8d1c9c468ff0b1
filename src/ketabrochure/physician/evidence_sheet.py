"""Kind `conditions`: the one-page evidence sheet per condition, with the certainty of each of
its outcomes, and its outcomes' rate charts where they fit on the page."""

from __future__ import annotations

from typing import Any

from .. import model as m
from ..citations import DESIGN_NAMES, Citations, first_author_year, study_flags
from ..diagnostics import Location
from ..document_kind import DocumentKind
from . import certainty, charts


def condition_context(project: m.Project, condition: m.Condition) -> dict[str, Any]:
    citations = Citations(project.studies)
    points = [(p.text, citations.numbers(p.cites)) for p in condition.key_points]
    rows = [project.studies[s] for s in condition.evidence]
    rows.sort(key=lambda s: m.ROLES.index(s.role))  # efficacy first, then mechanism, animal
    evidence = [{"study": s, "number": citations.number(s.id), "name": first_author_year(s),
                 "design": DESIGN_NAMES[s.design.type], "flags": study_flags(s)} for s in rows]
    outcomes = certainty.table(condition, project.studies, citations)
    return {"condition": condition, "points": points, "evidence": evidence,
            "outcomes": outcomes, "overall": certainty.overall(condition, project.studies),
            "references": citations.references(),
            "regulatory": [project.regulatory[r] for r in condition.regulatory],
            "reviewed_on": condition.reviewed_on}


class EvidenceSheet(DocumentKind):
    subjects = "conditions"

    def ids(self, project: m.Project) -> list[str]:
        return sorted(project.conditions)

    def source(self, project: m.Project, subject: str) -> Location:
        return project.conditions[subject].loc

    def title(self, project: m.Project, subject: str) -> str:
        return project.conditions[subject].name

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        return condition_context(project, project.conditions[document.subject])

    def optional_parts(self, project: m.Project, document: m.Document) -> list[dict[str, Any]]:
        """A physician's sheet shows its outcomes' rate charts where they fit on the page: all
        of them or none, so that no outcome's numbers stand alone."""
        if document.layout.audience != "physician":
            return [{}]
        found = charts.outcome_charts(project.conditions[document.subject], project.studies)
        if not found:
            return [{}]
        sheet_charts = [{"chart": c, "svg": c.svg(charts.SHEET)} for c in found]
        return [{"sheet_charts": sheet_charts}, {}]
