"""Kind `handouts`: a patient handout about one condition, in plain language."""

from __future__ import annotations

from typing import Any

from .. import model as m
from ..diagnostics import Location
from .text import PatientKind, cited, shared_context


class Handout(PatientKind):
    subjects = "handouts"

    def ids(self, project: m.Project) -> list[str]:
        return sorted(project.patient.handouts)

    def source(self, project: m.Project, subject: str) -> Location:
        return project.patient.handouts[subject].loc

    def title(self, project: m.Project, subject: str) -> str:
        condition = project.conditions.get(subject)  # a handout is named by its condition
        return condition.name if condition else subject

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        handout = project.patient.handouts[document.subject]
        numbers, refs = cited(list(handout.texts), project)
        ctx = shared_context(project, handout.reviewed_on)
        ctx.update(handout=handout, condition=project.conditions[document.subject],
                   cites=numbers, references=refs,
                   questions=(*ctx["common"].questions, *handout.questions))
        return ctx

    def texts(self, document: m.Document, project: m.Project) -> list[m.Text]:
        common = project.patient.common
        own = project.patient.handouts[document.subject].texts
        return [*own, *(common.texts if common else ())]
