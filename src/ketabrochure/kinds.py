"""The registry: every kind of document, and the audiences whose content a project reads.

A new kind of document is a module in its audience's package, one line here, and a folder in
layouts/; nothing below this module changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import model as m
from . import patient, physician
from .document_kind import DocumentKind
from .patient.handout import Handout
from .patient.trifold import Trifold
from .physician.evidence_sheet import EvidenceSheet
from .physician.referral_packet import ReferralPacket
from .physician.report import Report

KINDS: dict[str, DocumentKind] = {kind.subjects: kind for kind in (
    EvidenceSheet(), Report(), ReferralPacket(), Handout(), Trifold())}
FILTERS: dict[str, Callable[..., Any]] = {
    name: f for kind in KINDS.values() for name, f in kind.filters.items()}
AUDIENCES = (physician, patient)  # read in this order: each adds its content to the project


def kind_of(document: m.Document) -> DocumentKind:
    return KINDS[document.layout.subjects]
