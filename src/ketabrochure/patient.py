"""Patient documents in the build: read and check patient content, panels, bleed, reading grade."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from . import model as m
from . import panels, pdf, plain, readability
from . import patient_model as pm
from .diagnostics import Diagnostics
from .patient_checks import patient_rules
from .patient_content import read_patient
from .patient_render import patient_of
from .render import Document

BLEED_PT = {"letter": 0.125 * 72, "a4": 3 / 25.4 * 72}  # 0.125 in; 3 mm


def attach(root: Path, project: m.Project, diags: Diagnostics) -> m.Project:
    """The project with its patient content read and checked."""
    patient = read_patient(root, project.conditions, diags)
    patient_rules(project, patient, diags)
    return dataclasses.replace(project, patient=patient)


def bleed_points(document: Document) -> float | None:
    """The print-shop bleed in points (the PDF's BleedBox), or None for other variants."""
    return BLEED_PT[document.paper] if document.variant == "print-shop" else None


def texts_of(document: Document, project: m.Project) -> list[pm.Text]:
    """The patient text a document prints (its own and the shared text)."""
    patient = patient_of(project)
    if patient.common is None:
        return []
    if document.layout.subjects == "handouts":
        own = patient.handouts[document.subject].texts
        return [*own, *patient.common.texts]
    if document.layout.subjects == "brochures":
        return [*patient.brochures[document.subject].texts, patient.common.off_label]
    return []


def reading_grade(document: Document, project: m.Project) -> float | None:
    """The reading grade of the whole document, in its language; None for physician documents."""
    texts = texts_of(document, project)
    if not texts:
        return None
    lang = document.language
    prose = [plain.fill(t.raw(lang), project.studies, lang) for t in texts]
    # headings and other short texts are left out, as when each field is scored
    return readability.grade(readability.as_prose([p for p in prose if readability.scored(p)]),
                             lang)


def measure_css(document: Document) -> str | None:
    """Brochures are laid out again on one tall page to measure their panels; others are not."""
    return panels.MEASURE_CSS if document.layout.subjects == "brochures" else None


def check_panels(document: Document, project: m.Project, regions: dict[str, pdf.Region],
                 diags: Diagnostics) -> None:
    """Every brochure panel must fit: an error per panel that spills, at the longest field."""
    brochure = patient_of(project).brochures[document.subject]
    panels.overflows(brochure, regions, document.paper, document.language, document.label, diags)


def inspect(document: Document, project: m.Project, typeset: pdf.Typeset,
            allowed: tuple[Path, ...], diags: Diagnostics) -> None:
    """Layout-specific checks after typesetting (single-document path): brochure panels fit."""
    css = measure_css(document)
    if css is None or typeset.document is None:
        return
    split = not document.budget.allows(typeset.pages)
    regions = pdf.panels(typeset, document.layout.folder, allowed, css, split)
    check_panels(document, project, regions, diags)
