"""The registry: every kind of document, and the audiences whose content a project reads.

It is the only door between the engine (`build`, `cli`) and the audiences (`physician`,
`patient`): everything the engine needs of them is named here. A new kind of document is a
module in its audience's package and one line below (or, from outside the package, a call of
`register` before the project is loaded), and a folder in layouts/; nothing below changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from . import model as m
from . import patient, physician
from .diagnostics import Diagnostics
from .document_kind import DocumentKind
from .patient import readability
from .patient.handout import Handout
from .patient.text import PatientKind, add_records
from .patient.trifold import Trifold
from .physician import edition
from .physician.evidence_sheet import EvidenceSheet
from .physician.recipients import check_id_free, recipient_from_args
from .physician.referral_packet import LAYOUT as PACKET_LAYOUT
from .physician.referral_packet import ReferralPacket
from .physician.report import Report

# what the engine uses of the audiences besides the kinds (re-exported: the one door)
__all__ = ["AUDIENCES", "FILTERS", "KINDS", "PACKET_LAYOUT", "DocumentKind", "KindError",
           "PatientKind", "add_records", "check_id_free", "keep_edition", "kind_of", "parts_of",
           "read", "readability", "recipient_from_args", "register", "rules", "unregister"]

KINDS: dict[str, DocumentKind] = {}
FILTERS: dict[str, Callable[..., Any]] = {}
AUDIENCES = (physician, patient)  # read in this order: each adds its content to the project


class KindError(TypeError):
    """A kind that cannot be registered: what it lacks, said plainly."""


def register(kind: type[DocumentKind] | DocumentKind) -> DocumentKind:
    """Add a kind of document (a DocumentKind subclass or instance): its layouts' `subjects`
    word then plans, builds, checks and shelves its documents, and a patient kind's records
    (`PatientKind.record`, stored with `add_records` in its `read`) are under every patient
    rule. A kind missing a method or a declaration is refused here, not inside `check`."""
    cls = kind if isinstance(kind, type) else type(kind)
    if not (isinstance(cls, type) and issubclass(cls, DocumentKind)):
        raise KindError(f"{cls!r} is not a DocumentKind subclass")
    missing = cls.undeclared()
    if missing:
        raise KindError(f"document kind {cls.__module__}.{cls.__qualname__} cannot be "
                        f"registered: it does not define {'; '.join(missing)}")
    if cls.subjects in KINDS and type(KINDS[cls.subjects]) is not cls:
        raise KindError(f"document kind {cls.__qualname__}: subjects '{cls.subjects}' is "
                        f"taken by {type(KINDS[cls.subjects]).__qualname__}")
    instance = kind if isinstance(kind, DocumentKind) else cls()
    KINDS[cls.subjects] = instance
    for name, f in cls.filters.items():
        if FILTERS.get(name, f) is not f:
            raise KindError(f"document kind {cls.__qualname__}: its Jinja filter '{name}' "
                            "is another kind's")
        FILTERS[name] = f
    return instance


def unregister(subjects: str) -> None:
    """Remove a kind registered from outside (its filters stay: they are harmless)."""
    KINDS.pop(subjects, None)


for _kind in (EvidenceSheet, Report, ReferralPacket, Handout, Trifold):
    register(_kind)


def kind_of(document: m.Document) -> DocumentKind:
    return KINDS[document.layout.subjects]


# characters of HTML `parts_of` keeps at most: the default content's 54 documents, every
# alternative, are 0.93 million (1.9 MB in the main process, for about 0.1 s of CPU a cold
# build); a 50-location edition keeps no more than this
PARTS_KEPT = 1_000_000

V = TypeVar("V")


class ProjectMemo(Generic[V]):
    """Values per document for the project and Jinja environment last asked about: held, so
    `is` is safe; replaced whole for another pair, so a reader never mixes two projects'."""

    def __init__(self) -> None:
        self._owner: tuple[Any, Any] = (None, None)
        self.values: dict[m.Document, V] = {}
        self.size = 0  # what the values weigh, as their user counts it

    def of(self, project: m.Project, env: Any) -> ProjectMemo[V]:
        if self._owner[0] is not project or self._owner[1] is not env:
            self._owner, self.values, self.size = (project, env), {}, 0
        return self


_PARTS: ProjectMemo[list[m.Part]] = ProjectMemo()


def parts_of(document: m.Document, project: m.Project, env: Any,
             diags: Diagnostics) -> list[m.Part] | None:
    """`kind_of(document).parts(...)`, kept for the project and Jinja environment last asked
    about: a build renders a document's HTML for its cache key, again for its job, and for
    the sign-off gate, the claims ledger and the review page. Kept only when rendering
    reported nothing (a later caller's diagnostics would miss it), and up to PARTS_KEPT
    characters, so a 50-location edition does not hold all its HTML at once."""
    memo = _PARTS.of(project, env)
    kept = memo.values.get(document)
    if kept is not None:
        return list(kept)
    reported = len(diags.items)
    parts = kind_of(document).parts(document, project, env, diags)
    if parts is not None and len(diags.items) == reported:
        size = sum(len(html) for part in parts for html in part.htmls)
        if memo.size + size <= PARTS_KEPT:
            memo.values[document] = list(parts)
            memo.size += size
    return parts


def read(root: Path, project: m.Project, diags: Diagnostics) -> m.Project:
    """The project with every audience's content read, then every kind's own."""
    for audience in AUDIENCES:
        project = audience.read(root, project, diags)
    for kind in KINDS.values():
        project = kind.read(root, project, diags)
    return project


def rules(project: m.Project, today: dt.date, diags: Diagnostics) -> None:
    """Every audience's content rules (the patient rules walk every kind's records)."""
    for audience in AUDIENCES:
        audience.rules(project, today, diags)


def keep_edition(root: Path, project: m.Project) -> str | None:
    """Keep what the physician documents print now as the current edition's snapshot
    (content/editions/<edition>.yaml, the next edition's baseline); its path, or None when
    it already held exactly this."""
    return edition.path_of(project.edition) if edition.write(
        root, edition.snapshot(project)) else None
