"""What patient documents share: the Jinja filters (`tr`, `terms_in`), citations for the page,
the shared context, and the reading grade of a whole document."""

from __future__ import annotations

import abc
import dataclasses
import re
from typing import Any, ClassVar

import jinja2

from .. import model as m
from ..citations import Citations, first_author_year
from ..diagnostics import Diagnostics, Location
from ..document_kind import DocumentKind
from . import numbers, readability, statements


@jinja2.pass_context
def tr(ctx: Any, text: m.Text) -> str:
    """A patient text in the document's language, its placeholders filled from study YAML
    (and `{indication}` from the document's own indication)."""
    lang = ctx["lang"]
    indication = ctx.get("indication")
    return numbers.fill(text.raw(lang), ctx["studies"], lang,
                        indication.raw(lang) if indication is not None else None)


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


def shared_context(project: m.Project) -> dict[str, Any]:
    common = project.patient.common
    assert common is not None  # patient documents are planned only with patient.yaml
    return {"common": common, "labels": common.labels, "off_label": common.off_label,
            "crisis": common.crisis, "long_term_safety": common.long_term_safety,
            "glossary": project.patient.glossary, "studies": project.studies}


def add_records(project: m.Project, subjects: str,
                records: dict[str, m.PatientRecord]) -> m.Project:
    """The project with a kind's records added to its patient content, where every patient
    rule walks them (for a kind registered from outside, in its `read`)."""
    patient = project.patient
    more = {**patient.more, subjects: records}
    return dataclasses.replace(project, patient=dataclasses.replace(patient, more=more))


class PatientKind(DocumentKind):
    """A patient document: bilingual filters, the statements it must print, and a reading
    grade over the text it prints. Its content is one `m.PatientRecord` per subject."""

    filters: ClassVar[dict[str, Any]] = FILTERS
    shelf = "audience"

    @abc.abstractmethod
    def record(self, project: m.Project, subject: str) -> m.PatientRecord:
        """The subject's record: every patient rule reads its texts."""

    def source(self, project: m.Project, subject: str) -> Location:
        return self.record(project, subject).loc

    def texts(self, document: m.Document, project: m.Project) -> list[m.Text]:
        """The patient text a document prints (its own and the shared text)."""
        record, common = self.record(project, document.subject), project.patient.common
        return list(record.printed(common) if common else record.texts)

    def fields(self, document: m.Document, project: m.Project) -> dict[str, tuple[Location, str]]:
        """Each text's `data-field` (its path): where its words in the document's language are
        written, and its field there ('findings[2].es'). A path used twice (a handout's own
        questions and the shared ones) names the first."""
        found: dict[str, tuple[Location, str]] = {}
        for text in self.texts(document, project):
            lang = document.language if document.language in text.lang_locs else None
            found.setdefault(text.path, (text.where(document.language),
                                         f"{text.path}.{lang}" if lang else text.path))
        return found

    def indication(self, document: m.Document, project: m.Project) -> m.Text:
        """What the document's off-label statement says ketamine is not approved for."""
        return self.record(project, document.subject).indication

    def shows_crisis(self, document: m.Document, project: m.Project) -> bool:
        """Whether the document must print the crisis line."""
        common = project.patient.common
        return common is not None and any(t is common.crisis for t in self.texts(document,
                                                                                   project))

    def crisis_prominent(self, html: str, crisis: str, document: m.Document,
                         project: m.Project) -> bool:
        """Whether the crisis line stands where a frightened reader meets it first."""
        return True

    def required(self, document: m.Document, project: m.Project) -> list[tuple[str, str]]:
        """(field, text as printed) of each statement the document must print."""
        common = project.patient.common
        assert common is not None
        lang, studies = document.language, project.studies
        indication = self.indication(document, project).raw(lang)
        found = [("off_label", numbers.fill(common.off_label.raw(lang), studies, lang,
                                            indication)),
                 ("long_term_safety", numbers.fill(common.long_term_safety.raw(lang), studies,
                                                   lang))]
        if self.shows_crisis(document, project):
            found.append(("crisis", numbers.fill(common.crisis.raw(lang), studies, lang)))
        return found

    def parts(self, document: m.Document, project: m.Project, env: jinja2.Environment,
              diags: Diagnostics) -> list[m.Part] | None:
        """The document's HTML, checked for the statements it must print (a template that
        drops the crisis line, the off-label or the long-term safety statement fails). Without
        readable shared text (patient.yaml broken, empty, outside the project: its own error
        is reported), no patient document is made."""
        if project.patient.common is None or self.unfilled(document, project, diags):
            return None
        found = super().parts(document, project, env, diags)
        if found is None:
            return found
        required = self.required(document, project)
        crisis = dict(required).get("crisis")
        for html in found[0].htmls:
            before = len(diags.errors)
            statements.missing_slots(html, required, document.layout.template,
                                     document.label, diags)
            if len(diags.errors) > before:
                break
            if crisis and not self.crisis_prominent(html, crisis, document, project):
                diags.error(Location(f"layouts/{document.layout.template}"),
                            "check.template-slot", document.label,
                            "the crisis line is printed, but not where a reader meets it "
                            "first: print {{ crisis | tr }} above the document's findings "
                            "(a handout's first section; the tri-fold's front cover)")
                break
        return found

    def unfilled(self, document: m.Document, project: m.Project, diags: Diagnostics) -> bool:
        """Whether a text the document prints has a placeholder its studies cannot fill (or
        cites a study that failed to read). The content rules have already said so at the
        text; rendering it would only repeat that as a template error, once per copy."""
        lang = document.language
        indication = self.indication(document, project).raw(lang)
        for text in self.texts(document, project):
            if set(text.cites) & project.broken:
                return True
            try:
                numbers.fill(text.raw(lang), project.studies, lang, indication)
            except numbers.PlaceholderError as exc:
                if not diags.errors:  # not said yet (no rule reads this text): say it here
                    diags.error(text.where(lang), "content.placeholder",
                                f"{text.path}.{lang}", str(exc))
                return True
        return False

    def reading_grade(self, document: m.Document, project: m.Project) -> float | None:
        """The reading grade of the whole document, in its language."""
        texts = self.texts(document, project) if project.patient.common else []
        if not texts:
            return None
        lang = document.language
        indication = self.indication(document, project).raw(lang)
        prose = [numbers.fill(t.raw(lang), project.studies, lang, indication) for t in texts]
        # headings and other short texts are left out, as when each field is scored
        return readability.grade(
            readability.as_prose([p for p in prose if readability.scored(p)]), lang)
