"""Documents for referring physicians: evidence sheets, the research report, referral packets.

Never imports `patient`. `read` and `rules` are this audience's steps of loading a project.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostics
from ..read.reader import Reader
from . import edition, recipients
from .rules import content_rules


def read(root: Path, project: m.Project, diags: Diagnostics) -> m.Project:
    """The project with its referral recipients (content/recipients.yaml) and its signed
    editions' snapshots (content/editions/) read."""
    found = recipients.read(Reader(root, diags))
    recipients.check_conditions(found, project.conditions, project.broken, diags)
    return dataclasses.replace(project, recipients=found, editions=edition.read(root, diags))


def rules(project: m.Project, today: dt.date, diags: Diagnostics) -> None:
    """The research content rules (off-label statement, labels, citations, review dates)."""
    content_rules(project, today, diags)
