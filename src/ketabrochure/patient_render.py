"""Patient documents for the templates: the handouts and brochures subject kinds, Jinja filters."""

from __future__ import annotations

import re
from typing import Any

import jinja2

from . import model as m
from . import patient_model as pm
from . import plain
from .diagnostics import Location
from .render import SUBJECT_KINDS, Citations, SubjectKind, first_author_year

READING_ORDER = ("front", "left", "middle", "right", "flap", "back")


def patient_of(project: m.Project) -> pm.PatientContent:
    patient = getattr(project, "patient", None)
    return patient if patient is not None else pm.PatientContent(None, {}, {}, ())


def short_reference(number: int, study: m.Study) -> dict[str, Any]:
    c = study.citation
    return {"number": number, "name": first_author_year(study), "journal": c.journal,
            "year": c.year, "doi": c.doi}


def _cited(texts: list[pm.Text], project: m.Project) -> tuple[dict[str, list[int]], list[dict]]:
    citations = Citations(project.studies)
    numbers = {t.path: citations.numbers(t.cites) for t in texts}
    refs = [short_reference(i + 1, project.studies[s]) for i, s in enumerate(citations.order)]
    return numbers, refs


def _shared(project: m.Project, reviewed_on: Any) -> dict[str, Any]:
    patient = patient_of(project)
    assert patient.common is not None
    return {"common": patient.common, "labels": patient.common.labels,
            "off_label": patient.common.off_label, "glossary": patient.glossary,
            "studies": project.studies, "reviewed_on": reviewed_on}


def handout_context(project: m.Project, handout_id: str) -> dict[str, Any]:
    handout = patient_of(project).handouts[handout_id]
    numbers, refs = _cited(list(handout.texts), project)
    ctx = _shared(project, handout.reviewed_on)
    ctx.update(handout=handout, condition=project.conditions[handout_id], cites=numbers,
               references=refs, questions=(*ctx["common"].questions, *handout.questions))
    return ctx


def brochure_context(project: m.Project, brochure_id: str) -> dict[str, Any]:
    brochure = patient_of(project).brochures[brochure_id]
    texts = [t for name in READING_ORDER for t in brochure.panels[name].texts]
    numbers, refs = _cited(texts, project)
    ctx = _shared(project, brochure.reviewed_on)
    ctx.update(brochure=brochure, panels=brochure.panels, cites=numbers, references=refs)
    return ctx


def _ids(kind: str):
    def ids(project: m.Project) -> list[str]:
        return sorted(getattr(patient_of(project), kind))
    return ids


def _location(kind: str):
    def location(project: m.Project, subject: str) -> Location:
        return getattr(patient_of(project), kind)[subject].loc
    return location


SUBJECT_KINDS["handouts"] = SubjectKind(_ids("handouts"), _location("handouts"), handout_context)
SUBJECT_KINDS["brochures"] = SubjectKind(_ids("brochures"), _location("brochures"),
                                         brochure_context)


# -- Jinja filters ---------------------------------------------------------------------------
@jinja2.pass_context
def tr(ctx: Any, text: pm.Text) -> str:
    """A patient text in the document's language, its placeholders filled from study YAML."""
    lang = ctx["lang"]
    return plain.fill(text.raw(lang), ctx["studies"], lang)


@jinja2.pass_context
def terms_in(ctx: Any, glossary: tuple[pm.Term, ...], texts: list[str]) -> list[pm.Term]:
    """The glossary terms a document uses, in glossary order."""
    lang, body = ctx["lang"], " ".join(texts).lower()
    return [t for t in glossary
            if re.search(rf"(?<!\w){re.escape(t.term.raw(lang).lower())}", body)]


FILTERS = {"tr": tr, "terms_in": terms_in}
