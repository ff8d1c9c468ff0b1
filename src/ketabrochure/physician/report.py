"""Kind `report`: the research report, a chapter per condition, then mechanism research,
regulation and references."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import model as m
from ..citations import DESIGN_NAMES, Citations, first_author_year, study_flags
from ..diagnostics import Location
from ..document_kind import DocumentKind
from . import certainty, charts, edition

SUBJECT = "research"  # the report has one subject: the whole body of research on file
NON_EFFICACY = ("mechanism", "preclinical")


def studies_of(condition: m.Condition) -> list[str]:
    """Every study a condition names: its evidence table first, then the key points' citations,
    then the studies behind its outcomes."""
    ids = list(condition.evidence)
    for cited in [p.cites for p in condition.key_points] + [o.studies for o in condition.outcomes]:
        ids += [s for s in cited if s not in ids]
    return ids


def entry(study: m.Study, cites: Citations) -> dict[str, Any]:
    """One study set out in full, with its citation number and the labels for weak designs."""
    return {"study": study, "anchor": f"study-{study.id}", "number": cites.number(study.id),
            "name": first_author_year(study),
            "design": DESIGN_NAMES[study.design.type], "flags": study_flags(study)}


def condition_chapter(project: m.Project, condition: m.Condition, cites: Citations,
                      placed: dict[str, str]) -> dict[str, Any]:
    ids = [s for s in studies_of(condition) if s in project.studies]
    points = [(p.text, cites.numbers(p.cites)) for p in condition.key_points]
    efficacy = [project.studies[s] for s in ids if project.studies[s].is_efficacy]
    entries, elsewhere = [], []
    for study in efficacy:
        if study.id in placed:
            elsewhere.append(entry(study, cites) | {"chapter": placed[study.id]})
        else:
            placed[study.id] = condition.name
            entries.append(entry(study, cites))
    others = [entry(project.studies[s], cites) for s in ids
              if project.studies[s].role in NON_EFFICACY]
    found = [{"chart": c, "svg": c.svg()}
             for c in charts.outcome_charts(condition, project.studies)]
    regulatory = [project.regulatory[r] for r in condition.regulatory if r in project.regulatory]
    overall = certainty.overall(condition, project.studies)
    return {"kind": "condition", "anchor": f"ch-{condition.id}", "title": condition.name,
            "condition": condition, "points": points, "entries": entries,
            "elsewhere": elsewhere, "others": others, "charts": found,
            "outcomes": certainty.table(condition, project.studies, cites),
            "overall": overall, "regulatory": regulatory,
            "overall_circles": certainty.circles(overall.grade) if overall else ""}


def _fact_order(fact: m.RegulatoryFact) -> tuple[int, int, str]:
    """Off-label statement first, then by date (undated facts, such as the REMS, last)."""
    when = fact.date or (dt.date(fact.year, 1, 1) if fact.year else dt.date.max)
    return (0 if fact.off_label else 1, when.toordinal(), fact.id)


def context(project: m.Project) -> dict[str, Any]:
    """Everything the report template needs; citations numbered in reading order."""
    cites = Citations(project.studies)
    placed: dict[str, str] = {}
    conditions = sorted(project.conditions.values(), key=lambda c: c.name.lower())
    chapters = [condition_chapter(project, c, cites, placed) for c in conditions]
    research = sorted((s for s in project.studies.values() if s.role in NON_EFFICACY),
                      key=lambda s: (m.ROLES.index(s.role), s.citation.year, s.id))
    chapters.append({"kind": "mechanism", "anchor": "ch-mechanism",
                     "title": "Mechanism and animal research",
                     "entries": [entry(s, cites) for s in research]})
    rest = sorted((s for s in project.studies.values()
                   if s.is_efficacy and s.id not in placed), key=lambda s: s.id)
    if rest:
        chapters.append({"kind": "other", "anchor": "ch-other", "title": "Other studies on file",
                         "entries": [entry(s, cites) for s in rest if s.outcomes],
                         "awaiting": [entry(s, cites) for s in rest if not s.outcomes]})
    cited_by = {f: [c.name for c in conditions if f in c.regulatory] for f in project.regulatory}
    chapters.append({"kind": "regulation", "anchor": "ch-regulation",
                     "title": "How ketamine and esketamine are regulated",
                     "facts": sorted(project.regulatory.values(), key=_fact_order),
                     "cited_by": cited_by})
    chapters.append({"kind": "references", "anchor": "ch-references", "title": "References",
                     "references": cites.references()})
    return {"chapters": chapters, "conditions": conditions,
            "studies_on_file": len(project.studies),
            "off_label": project.off_label_fact, "changes": edition.changes(project)}


class Report(DocumentKind):
    """One document about all the research on file."""

    subjects = "report"
    shelf = "audience"
    about = "all"
    duplex = "long-edge"

    def ids(self, project: m.Project) -> list[str]:
        return [SUBJECT]

    def source(self, project: m.Project, subject: str) -> Location:
        return next((s.loc for s in project.documents if s.layout == "report"),
                    Location("content/documents.yaml"))

    def title(self, project: m.Project, subject: str) -> str:
        return "All conditions"

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        return context(project)
