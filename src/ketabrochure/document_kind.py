"""The DocumentKind base: what the engine asks of every kind of document.

A kind is what a layout's documents are about (`subjects:` in layout.yaml): conditions,
the research report, referral recipients, handouts, brochures. Each kind is one module in its
audience's package (physician/, patient/) and one line in kinds.py; the engine, the plan and
the shelf ask the kind and never branch on its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import jinja2

from . import checks, render
from . import model as m
from .diagnostics import Diagnostics, Location
from .typeset.jobs import Part
from .typeset.measure import Region, Spill


@dataclass(frozen=True)
class Laid:
    """What laying a document out gave, fresh or from the cache: enough to check it again."""

    pages: int
    part_pages: tuple[int, ...] = ()  # each part's pages (a referral packet's letter, sheets)
    regions: dict[str, Region] | None = None  # measured panels (kinds with `measure_css`)
    overflows: tuple[str, ...] = ()  # text that runs out of its box sideways
    near_edge: tuple[str, ...] = ()  # ink in an office printer's unprintable band
    contrasts: tuple[str, ...] = ()  # text too faint on its background (measure.contrasts)
    # what the accessibility audit found in the tagged PDF (typeset.tags.audit)
    accessibility: tuple[tuple[int | None, str, str], ...] = ()
    spill: Spill | None = None  # what runs past the page budget (measure.spill)
    rejected: str | None = None  # where a document over its budget was written to look at


class DocumentKind:
    """Defaults for one HTML per document, checked against its page budget."""

    subjects: ClassVar[str]  # the layout.yaml word: "conditions", "handouts", ...
    measure_css: ClassVar[str | None] = None  # CSS to lay out again with, to measure panels
    duplex: ClassVar[str] = "long-edge"  # printing on both sides (typeset.pdf.DUPLEX)
    filters: ClassVar[Mapping[str, Callable[..., Any]]] = {}  # Jinja filters its templates use

    def ids(self, project: m.Project) -> list[str]:
        """Every subject of this kind on file."""
        raise NotImplementedError

    def source(self, project: m.Project, subject: str) -> Location:
        """Where a subject is written: budget errors point here."""
        raise NotImplementedError

    def title(self, project: m.Project, subject: str) -> str:
        """The subject's name, as the print shelf shows it."""
        raise NotImplementedError

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        """The kind's own template variables (the common ones are added by `html`)."""
        raise NotImplementedError

    def optional_parts(self, project: m.Project, document: m.Document) -> list[dict[str, Any]]:
        """Context additions to try in order until one fits the budget (default: one try)."""
        return [{}]

    def html(self, document: m.Document, project: m.Project, env: jinja2.Environment,
             diags: Diagnostics, extra: dict[str, Any] | None = None) -> str | None:
        try:
            context = self.context(project, document)
        except (KeyError, AttributeError, TypeError) as exc:
            # a reference to content that failed to read: its error is already reported, and
            # a second one here would only repeat it; with no such error, this is our bug
            if not diags.errors:
                diags.error(self.source(project, document.subject), "internal.context",
                            document.label, f"cannot gather this document's content "
                            f"({type(exc).__name__}: {exc}); please report this")
            return None
        context.update(render.common_context(project, document))
        context.update(extra or {})
        return render.render(env, document, context, diags)

    def alternatives(self, document: m.Document, project: m.Project, env: jinja2.Environment,
                     diags: Diagnostics, extra: dict[str, Any] | None = None) -> list[str] | None:
        """Every HTML to try, in order, until one fits the page budget (see `jobs.fit`)."""
        htmls = []
        for optional in self.optional_parts(project, document):
            html = self.html(document, project, env, diags, {**(extra or {}), **optional})
            if html is None:
                return None
            htmls.append(html)
        return htmls

    def parts(self, document: m.Document, project: m.Project, env: jinja2.Environment,
              diags: Diagnostics) -> list[Part] | None:
        """What to lay out: by default one part, the document's alternatives."""
        htmls = self.alternatives(document, project, env, diags)
        return None if htmls is None else [Part(tuple(htmls), document.budget,
                                                document.layout.folder)]

    def check(self, document: m.Document, project: m.Project, laid: Laid,
              diags: Diagnostics) -> None:
        """Checks on the laid-out pages and the PDF (cache hits and fresh ones alike): the
        page budget, no text running out of its box sideways, text that stands out from its
        background, and a structure tree that passes the accessibility audit."""
        source = self.source(project, document.subject)
        checks.page_budget(document, laid.pages, source, diags,
                           self.overrun(document, project, laid))
        checks.no_overflow(document, laid.overflows, source, diags)
        checks.printable(document, laid.near_edge, document.layout.loc, diags)
        checks.enough_contrast(document, laid.contrasts, source, diags)
        checks.accessible(document, laid.accessibility, source, diags)

    def over_budget(self, document: m.Document, laid: Laid) -> bool:
        """Whether the laid-out document fails a page budget (its PDF is then kept apart, in
        out/.rejected/, to look at)."""
        return not document.budget.allows(laid.pages)

    def fields(self, document: m.Document, project: m.Project) -> dict[str, tuple[Location, str]]:
        """Each `data-field` the kind's templates print: where its YAML text is written and
        the field's name there (default: none marked)."""
        return {}

    def overrun(self, document: m.Document, project: m.Project,
                laid: Laid) -> checks.Overrun | None:
        """What runs past the budget, in YAML terms: the sections and the texts to shorten."""
        spill = laid.spill
        if spill is None:
            return None if laid.rejected is None else checks.Overrun(rejected=laid.rejected)
        where = self.fields(document, project)
        sections = []
        for heading, fields in spill.sections:
            shown = tuple(where[f][1] for f in fields if f in where)
            name = f"'{heading}'" if heading else ", ".join(dict.fromkeys(map(_prefix, fields)))
            if name:
                sections.append((name, shown if heading else ()))
        longest = sorted((f for f in spill.fields if f in where),
                         key=lambda f: -spill.fields[f])[:checks.LONGEST]
        # at the first text past the budget in the document's own file (a sheet's table cells
        # come from the studies' files), else at the longest text
        own = self.source(project, document.subject).path
        past = [where[f][0] for _, fields in spill.sections for f in fields if f in where]
        first = next((loc for loc in past if loc.path == own),
                     where[longest[0]][0] if longest else None)
        return checks.Overrun(
            page=spill.page, lines=spill.lines, words=spill.words, sections=tuple(sections),
            first=first, rejected=laid.rejected,
            longest=tuple((where[f][0], where[f][1], spill.fields[f]) for f in longest))

    def reading_grade(self, document: m.Document, project: m.Project) -> float | None:
        """The document's reading grade; None for kinds that are not scored."""
        return None


def _prefix(field: str) -> str:
    """A field's list or section: 'findings[2]' -> 'findings', 'panels.left[1]' -> 'panels'."""
    return field.split("[", 1)[0].split(".", 1)[0].split(":", 1)[0]
