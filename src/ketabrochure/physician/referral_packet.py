"""Kind `recipients`: a referral packet, a cover letter to a named physician, then the chosen
evidence sheets, each laid out exactly as on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2

from .. import layouts
from .. import model as m
from ..diagnostics import Diagnostics, Location
from ..document_kind import DocumentKind, Laid
from . import certainty, edition
from .evidence_sheet import EvidenceSheet
from .report import studies_of

if TYPE_CHECKING:  # `list` loads no typesetting code
    from ..typeset.findings import Findings

LAYOUT = "referral-packet"
SHEET_LAYOUT = "evidence-sheet"  # the enclosures: exactly the sheets `build` makes
ONE_PAGE = m.PageBudget(exactly=1)


def letter_context(project: m.Project, recipient: m.Recipient) -> dict[str, Any]:
    conditions = [project.conditions[c] for c in recipient.conditions if c in project.conditions]
    graded = {c.id: {"overall": certainty.overall(c, project.studies),
                     "rows": certainty.rows(c, project.studies)} for c in conditions}
    named = {s for c in conditions for s in studies_of(c)}
    return {"recipient": recipient, "conditions": conditions, "date": recipient.date,
            "certainty": graded, "reviewed_on": recipient.date,
            "off_label": project.off_label_fact,
            "changes": edition.changes(project, [c.id for c in conditions], named)}


class ReferralPacket(DocumentKind):
    subjects = "recipients"
    shelf = "packets"
    about = "enclosed"
    duplex = "simplex"  # the letter and each enclosed sheet stand alone

    def conditions(self, project: m.Project, subject: str) -> list[str] | None:
        return list(project.recipients[subject].conditions)  # the enclosed sheets

    def ids(self, project: m.Project) -> list[str]:
        return sorted(project.recipients)

    def optional_parts(self, project: m.Project, document: m.Document) -> list[dict[str, Any]]:
        """The letter lists what changed since the last edition where that fits on its one
        page; else one sentence says how many changes of each kind, and where they are listed
        (no change at all: that sentence only)."""
        found = letter_context(project, project.recipients[document.subject])["changes"]
        return [{"changes_in_full": full} for full in ((True, False) if found and not found.empty
                                                       else (False,))]

    def source(self, project: m.Project, subject: str) -> Location:
        return project.recipients[subject].loc

    def title(self, project: m.Project, subject: str) -> str:
        return project.recipients[subject].name

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        return letter_context(project, project.recipients[document.subject])

    def parts(self, document: m.Document, project: m.Project, env: jinja2.Environment,
              diags: Diagnostics) -> list[m.Part] | None:
        """The letter (one page), then each sheet rendered exactly as on its own."""
        recipient = project.recipients[document.subject]
        letter = self.alternatives(document, project, env, diags)
        if letter is None:
            return None
        root = document.layout.folder.parent.parent
        sheet_layout = layouts.read_layout(root, root / "layouts" / SHEET_LAYOUT,
                                           (EvidenceSheet.subjects,), Diagnostics())
        if sheet_layout is None:
            diags.error(document.layout.loc, "layout.missing-file", document.label,
                        f"a referral packet encloses {SHEET_LAYOUT} pages: "
                        f"no layouts/{SHEET_LAYOUT}")
            return None
        found = [m.Part(tuple(letter), ONE_PAGE, document.layout.folder)]
        sheets = EvidenceSheet()
        for condition in recipient.conditions:
            if condition not in project.conditions:
                return None  # reported by the content checks
            sheet = m.Document(sheet_layout, condition, document.paper, document.language,
                               ONE_PAGE, document.spec)
            htmls = sheets.alternatives(sheet, project, env, diags, {"anchor": f"{condition}-"})
            if htmls is None:
                return None
            found.append(m.Part(tuple(htmls), ONE_PAGE, sheet_layout.folder))
        return found

    def over_budget(self, document: m.Document, findings: Findings) -> bool:
        """Over the packet's budget, or a letter or sheet longer than its one page."""
        return (super().over_budget(document, findings)
                or any(p != 1 for p in findings.part_pages))

    def check(self, document: m.Document, project: m.Project, laid: Laid,
              diags: Diagnostics) -> None:
        """The packet's budget; and the letter and each enclosed sheet fit on one page."""
        super().check(document, project, laid, diags)
        if not laid.findings.part_pages:
            return
        recipient = project.recipients[document.subject]
        letter, *sheets = laid.findings.part_pages
        see = f"; see {laid.rejected}" if laid.rejected else ""
        if letter != 1:
            diags.error(recipient.loc, "check.page-count", f"{document.label}: cover letter",
                        f"runs to {letter} pages; it must fit on 1 (shorten the names){see}")
        enclosed = zip(recipient.conditions, recipient.condition_locs, sheets, strict=False)
        for condition, loc, pages in enclosed:
            if pages != 1:
                diags.error(loc, "check.enclosure", document.label,
                            f"the enclosed {condition} evidence sheet runs to {pages} pages; "
                            "it must fit on 1 (the sheet's own page-count error says what runs "
                            f"over){see}")
