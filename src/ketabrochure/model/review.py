"""Sign-offs: who approved a document's printed text, when, and for which edition.

A sign-off belongs to a document's text, not to its paper, variant or layout CSS: every
paper and variant of `handout-ptsd-es` prints the same words, so one sign-off covers them all
(`signed_name`). The ledger itself is content/approvals.yaml (review/ledger.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..diagnostics import Location


@dataclass(frozen=True)
class Reviewer:
    """Someone clinic.yaml names as allowed to sign off documents (`reviewers:`)."""

    name: str
    role: str
    loc: Location


@dataclass(frozen=True)
class SignOff:
    """One entry of content/approvals.yaml."""

    document: str  # the signed name, e.g. handout-ptsd-es
    text: str  # sha256 of the approved text (content/approved/<document>.txt)
    by: str
    role: str
    on: dt.date
    edition: str
    loc: Location
    source: str | None = None  # a translation: sha256 of the English text it was made from
    translator: str | None = None  # a translation: "name, qualification"


@dataclass(frozen=True)
class EditionStudy:
    """A study as an edition printed it: its label and key numbers."""

    label: str  # "Berman 2000"
    n: int | None
    rates: dict[str, tuple[float, float | None]]  # outcome measure -> (treatment, control) %


@dataclass(frozen=True)
class Edition:
    """What the physician documents printed when an edition was signed
    (content/editions/<edition>.yaml, written by `approve`): the baseline that the next
    edition's "What changed in this edition" compares today's records with."""

    name: str
    loc: Location
    studies: dict[str, EditionStudy]
    grades: dict[str, dict[str, str]]  # condition id -> outcome name -> certainty word
