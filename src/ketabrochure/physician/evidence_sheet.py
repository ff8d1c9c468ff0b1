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
            "regulatory": [project.regulatory[r] for r in condition.regulatory]}


def condition_fields(project: m.Project,
                     condition: m.Condition) -> dict[str, tuple[Location, str]]:
    """Each `data-field` of an evidence sheet: where its text is written, and its field."""
    found = {"bottom_line": (condition.locs.get("bottom_line", condition.loc), "bottom_line")}
    for i, point in enumerate(condition.key_points, start=1):
        found[f"key_points[{i}]"] = (point.loc, f"key_points[{i}].text")
    for i, outcome in enumerate(condition.outcomes, start=1):
        found[f"outcomes[{i}]"] = (outcome.loc, f"outcomes[{i}]")
    for i, loc in enumerate(condition.safety_locs, start=1):
        found[f"safety[{i}]"] = (loc, f"safety[{i}]")
    for sid in condition.evidence:
        study = project.studies.get(sid)
        if study is None:
            continue
        for key, name in (("design", "design.summary"), ("population", "population.diagnosis"),
                          ("key_result", "key_result")):
            found[f"{sid}:{key}"] = (study.locs.get(key, study.loc), f"{sid}.{name}")
    for rid in condition.regulatory:
        fact = project.regulatory.get(rid)
        if fact is not None:
            found[f"regulatory:{rid}"] = (fact.loc, f"{rid}.statement")
    return found


class EvidenceSheet(DocumentKind):
    subjects = "conditions"
    shelf = "audience"
    about = "condition"
    duplex = "long-edge"

    def ids(self, project: m.Project) -> list[str]:
        return sorted(project.conditions)

    def source(self, project: m.Project, subject: str) -> Location:
        return project.conditions[subject].loc

    def title(self, project: m.Project, subject: str) -> str:
        return project.conditions[subject].name

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        return condition_context(project, project.conditions[document.subject])

    def fields(self, document: m.Document, project: m.Project) -> dict[str, tuple[Location, str]]:
        """The sheet's `data-field`s (sheet.html.j2): the condition's texts, and the studies'
        and regulatory facts' texts it prints."""
        return condition_fields(project, project.conditions[document.subject])

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
