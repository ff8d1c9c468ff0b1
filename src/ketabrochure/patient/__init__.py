"""Documents for patients: handouts and the tri-fold brochure, bilingual, in plain language.

Never imports `physician`. `read` and `rules` are this audience's steps of loading a project.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostics
from .read import read_patient
from .rules import patient_rules


def read(root: Path, project: m.Project, diags: Diagnostics) -> m.Project:
    """The project with its patient content (patient.yaml, handouts/, brochures/, glossary)."""
    return dataclasses.replace(project, patient=read_patient(root, project.conditions, diags))


def rules(project: m.Project, today: dt.date, diags: Diagnostics) -> None:  # noqa: ARG001
    """Citations, numbers from the data, banned phrases and reading grades of patient text."""
    patient_rules(project, project.patient, diags)
