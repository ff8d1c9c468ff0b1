"""The DocumentKind base: what the engine asks of every kind of document.

A kind is what a layout's documents are about (`subjects:` in layout.yaml): conditions,
the research report, referral recipients, handouts, brochures. Each kind is one module in its
audience's package (physician/, patient/) and one line in kinds.py; the engine, the plan and
the shelf ask the kind and never branch on its name. A kind is abstract until it defines every
abstract method and declares `subjects`, `shelf`, `about` and `duplex`; `kinds.register`
refuses it otherwise, at start-up, naming what is missing.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import jinja2

from . import checks, render
from . import model as m
from .diagnostics import Diagnostics, Location

if TYPE_CHECKING:  # `list` loads no typesetting code: a kind only names what laying out found
    from .typeset.findings import Findings

# Where the print shelf files a kind's documents (print-shop copies are filed apart): in its
# layout's audience's section (patients, physicians), or with the referral packets.
SHELVES = ("audience", "packets")
# What a kind's documents are about, for the shelf's condition filter: the condition that is
# its subject, every condition (general), the conditions a packet encloses, or none.
ABOUT = ("condition", "all", "enclosed", "none")
DUPLEX = ("long-edge", "short-edge", "simplex")  # typeset.pdf.DUPLEX
DECLARED = {"subjects": None, "shelf": SHELVES, "about": ABOUT, "duplex": DUPLEX}


@dataclass(frozen=True)
class Laid:
    """What laying a document out found, fresh or from the cache, and where a document over
    its budget was written to look at: enough to check it again."""

    findings: Findings
    rejected: str | None = None  # out/.rejected/...: the document over its budget


class DocumentKind(abc.ABC):
    """Defaults for one HTML per document, checked against its page budget."""

    subjects: ClassVar[str]  # the layout.yaml word: "conditions", "handouts", ...
    shelf: ClassVar[str]  # the print shelf's section: one of SHELVES
    about: ClassVar[str]  # what its documents are about: one of ABOUT
    duplex: ClassVar[str]  # printing on both sides: one of DUPLEX (one page: simplex)
    measure_css: ClassVar[str | None] = None  # CSS to lay out again with, to measure panels
    filters: ClassVar[Mapping[str, Callable[..., Any]]] = {}  # Jinja filters its templates use

    @classmethod
    def undeclared(cls) -> list[str]:
        """What the kind fails to define: abstract methods, and declarations missing or not
        one of their values (empty: the kind is complete)."""
        missing = [f"{name}()" for name in sorted(getattr(cls, "__abstractmethods__", ()))]
        for name, values in DECLARED.items():
            value = getattr(cls, name, None)
            if not isinstance(value, str) or (values is not None and value not in values):
                missing.append(f"{name} = one of {', '.join(values)}" if values else
                               f"{name} = \"<the layout.yaml subjects word>\"")
        return missing

    def read(self, root: Path, project: m.Project, diags: Diagnostics) -> m.Project:
        """The project with this kind's own content read (default: its audience reads it)."""
        return project

    def shelf_section(self, layout: m.Layout) -> str:
        """The print shelf's section for its documents: patients, physicians or packets."""
        return f"{layout.audience}s" if self.shelf == "audience" else self.shelf

    def conditions(self, project: m.Project, subject: str) -> list[str] | None:
        """The conditions a document is about, as the shelf files it (None: all of them)."""
        return {"condition": [subject], "none": []}.get(self.about)

    @abc.abstractmethod
    def ids(self, project: m.Project) -> list[str]:
        """Every subject of this kind on file."""

    @abc.abstractmethod
    def source(self, project: m.Project, subject: str) -> Location:
        """Where a subject is written: budget errors point here."""

    @abc.abstractmethod
    def title(self, project: m.Project, subject: str) -> str:
        """The subject's name, as the print shelf shows it."""

    @abc.abstractmethod
    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        """The kind's own template variables (the common ones are added by `html`)."""

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
              diags: Diagnostics) -> list[m.Part] | None:
        """What to lay out: by default one part, the document's alternatives."""
        htmls = self.alternatives(document, project, env, diags)
        return None if htmls is None else [m.Part(tuple(htmls), document.budget,
                                                  document.layout.folder)]

    def check(self, document: m.Document, project: m.Project, laid: Laid,
              diags: Diagnostics) -> None:
        """Checks on the laid-out pages and the PDF (cache hits and fresh ones alike): the
        page budget, no text running out of its box sideways, text that stands out from its
        background, and a structure tree that passes the accessibility audit."""
        source, found = self.source(project, document.subject), laid.findings
        checks.page_budget(document, found.pages, source, diags,
                           self.overrun(document, project, laid))
        checks.no_overflow(document, found.overflows, source, diags)
        checks.printable(document, found.near_edge, document.layout.loc, diags)
        checks.text_size(document, found.small_text, document.layout.loc, diags)
        checks.enough_contrast(document, found.contrasts, source, diags)
        checks.accessible(document, found.accessibility, source, diags)

    def over_budget(self, document: m.Document, findings: Findings) -> bool:
        """Whether the laid-out document fails a page budget (its PDF is then kept apart, in
        out/.rejected/, to look at)."""
        return not document.budget.allows(findings.pages)

    def fields(self, document: m.Document, project: m.Project) -> dict[str, tuple[Location, str]]:
        """Each `data-field` the kind's templates print: where its YAML text is written and
        the field's name there (default: none marked)."""
        return {}

    def overrun(self, document: m.Document, project: m.Project,
                laid: Laid) -> checks.Overrun | None:
        """What runs past the budget, in YAML terms: the sections and the texts to shorten."""
        spill = laid.findings.spill
        if spill is None:
            return None if laid.rejected is None else checks.Overrun(rejected=laid.rejected)
        where = self.fields(document, project)
        sections = []
        for heading, fields in spill.sections:
            shown = tuple(where[f][1] for f in fields if f in where)
            name = f"'{heading}'" if heading else ", ".join(dict.fromkeys(map(_prefix, fields)))
            if name:
                sections.append((name, shown if heading else ()))
        # a text in the shorter column of a side-by-side row does not set the page's height
        beside = {f for column in spill.columns for f in column[5]}
        longest = sorted((f for f in spill.fields if f in where and f not in beside),
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
            longest=tuple((where[f][0], where[f][1], spill.fields[f]) for f in longest),
            columns=tuple((c[0], c[1], c[2], c[3]) for c in spill.columns),
            costs=tuple((c[0], c[1], c[2], c[3]) for c in spill.costs),
            saves=tuple((where[f][0], where[f][1], lines) for f, lines in spill.saves.items()
                        if f in where))

    def reading_grade(self, document: m.Document, project: m.Project) -> float | None:
        """The document's reading grade; None for kinds that are not scored."""
        return None


def _prefix(field: str) -> str:
    """A field's list or section: 'findings[2]' -> 'findings', 'panels.left[1]' -> 'panels'."""
    return field.split("[", 1)[0].split(".", 1)[0].split(":", 1)[0]
