"""Kind `handouts`: a patient handout about one condition, in plain language."""

from __future__ import annotations

from typing import Any

from .. import model as m
from .statements import position
from .text import PatientKind, cited, shared_context


class Handout(PatientKind):
    subjects = "handouts"
    about = "condition"
    duplex = "long-edge"

    def ids(self, project: m.Project) -> list[str]:
        return sorted(project.patient.handouts)

    def record(self, project: m.Project, subject: str) -> m.PatientRecord:
        return project.patient.handouts[subject]

    def title(self, project: m.Project, subject: str) -> str:
        condition = project.conditions.get(subject)  # a handout is named by its condition
        return condition.name if condition else subject

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        handout = project.patient.handouts[document.subject]
        numbers, refs = cited(list(handout.texts), project)
        ctx = shared_context(project)
        ctx.update(handout=handout, condition=project.conditions[document.subject],
                   cites=numbers, references=refs, indication=handout.indication,
                   show_crisis=handout.crisis,
                   questions=(*ctx["common"].questions, *handout.questions))
        return ctx

    def crisis_prominent(self, html: str, crisis: str, document: m.Document,
                         project: m.Project) -> bool:
        """Above what studies found: in the opening of the first page."""
        common = project.patient.common
        label = common.labels.get("findings") if common else None
        findings = position(html, label.raw(document.language)) if label else -1
        return findings < 0 or position(html, crisis) < findings
