"""What patient documents share: the Jinja filters (`tr`, `terms_in`), citations for the page,
the shared context, and the reading grade of a whole document."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import jinja2

from .. import model as m
from ..citations import Citations, first_author_year
from ..document_kind import DocumentKind
from . import numbers, readability


@jinja2.pass_context
def tr(ctx: Any, text: m.Text) -> str:
    """A patient text in the document's language, its placeholders filled from study YAML."""
    lang = ctx["lang"]
    return numbers.fill(text.raw(lang), ctx["studies"], lang)


@jinja2.pass_context
def terms_in(ctx: Any, glossary: tuple[m.Term, ...], texts: list[str]) -> list[m.Term]:
    """The glossary terms a document uses, in glossary order."""
    lang, body = ctx["lang"], " ".join(texts).lower()
    return [t for t in glossary
            if re.search(rf"(?<!\w){re.escape(t.term.raw(lang).lower())}", body)]


FILTERS = {"tr": tr, "terms_in": terms_in}


def short_reference(number: int, study: m.Study) -> dict[str, Any]:
    c = study.citation
    return {"number": number, "name": first_author_year(study), "journal": c.journal,
            "year": c.year, "doi": c.doi}


def cited(texts: list[m.Text],
          project: m.Project) -> tuple[dict[str, list[int]], list[dict[str, Any]]]:
    """Citation numbers per text, in reading order, and the short reference list."""
    citations = Citations(project.studies)
    numbers_of = {t.path: citations.numbers(t.cites) for t in texts}
    refs = [short_reference(i + 1, project.studies[s]) for i, s in enumerate(citations.order)]
    return numbers_of, refs


def shared_context(project: m.Project, reviewed_on: Any) -> dict[str, Any]:
    common = project.patient.common
    assert common is not None  # patient documents are planned only with patient.yaml
    return {"common": common, "labels": common.labels, "off_label": common.off_label,
            "glossary": project.patient.glossary, "studies": project.studies,
            "reviewed_on": reviewed_on}


class PatientKind(DocumentKind):
    """A patient document: bilingual filters, and a reading grade over the text it prints."""

    filters: ClassVar[dict[str, Any]] = FILTERS

    def texts(self, document: m.Document, project: m.Project) -> list[m.Text]:
        """The patient text a document prints (its own and the shared text)."""
        return []

    def reading_grade(self, document: m.Document, project: m.Project) -> float | None:
        """The reading grade of the whole document, in its language."""
        texts = self.texts(document, project) if project.patient.common else []
        if not texts:
            return None
        lang = document.language
        prose = [numbers.fill(t.raw(lang), project.studies, lang) for t in texts]
        # headings and other short texts are left out, as when each field is scored
        return readability.grade(
            readability.as_prose([p for p in prose if readability.scored(p)]), lang)
