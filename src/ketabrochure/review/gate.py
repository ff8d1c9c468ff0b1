"""The release gate: every document prints exactly the text that was signed off, and every
translation was made from the English that is printed now.

`check` warns (once a project keeps a ledger); `check --release` and `build --release` refuse,
and also refuse a document nobody signed. Each changed sentence is shown before and after, at
the YAML line it is printed from.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import model as m
from ..diagnostics import Diagnostics, Location
from ..kinds import kind_of
from . import clock, ledger
from .printed import Sources, counterpart, printed, units
from .text import Sentence, digest, joined

SHOWN = 8  # changed sentences shown per document; the diff command shows them all
NUMBER = re.compile(r"\d+(?:[.,]\d+)*\s?%?")
DUE_WITHIN = dt.timedelta(days=60)  # check warns this long before a sign-off expires
# printed text known to be out of date: (pattern, why); refused by every check
OUTDATED = (
    (re.compile(r"\b(press(ing)?|puls[ae]|marc[ae])\s+(el\s+)?3\b", re.IGNORECASE),
     "988's \"press 3\" option (LGBTQI+ youth) ended on 17 July 2025; remove it"),
)


@dataclass(frozen=True)
class Change:
    """One printed sentence: removed (after None), added (before None) or changed."""

    before: str | None
    after: Sentence | None


def changes(before: list[str], after: list[Sentence]) -> list[Change]:
    """The sentences that differ, paired where one replaced another."""
    found: list[Change] = []
    now = [s.text for s in after]
    matcher = difflib.SequenceMatcher(None, before, now, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old, new = before[i1:i2], after[j1:j2]
        found.extend(Change(old[k] if k < len(old) else None, new[k] if k < len(new) else None)
                     for k in range(max(len(old), len(new))))
    return found


def moved(change: Change) -> tuple[list[str], list[str]]:
    """The numbers a change removed and those it brought."""
    old = [n.strip() for n in NUMBER.findall(change.before or "")]
    new = [n.strip() for n in NUMBER.findall(change.after.text if change.after else "")]
    return [n for n in old if n not in new], [n for n in new if n not in old]


def numbers(change: Change) -> str:
    """The numbers that changed, e.g. ' (numbers: 26% -> 31%)': what a reviewer checks first."""
    gone, came = moved(change)
    if not gone and not came:
        return ""
    return f" (numbers: {', '.join(gone) or '-'} -> {', '.join(came) or '-'})"


def distinct(found: list[Change]) -> list[Change]:
    """Each change once, though the document prints the sentence in several places."""
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for c in found:
        key = (c.before, c.after.text if c.after else None)
        if key not in seen:
            seen.add(key)
            kept.append(c)
    return kept


def shown(change: Change) -> str:
    before = f'"{change.before}"' if change.before is not None else "(none)"
    after = f'"{change.after.text}"' if change.after is not None else "(removed)"
    return f"before: {before}; now: {after}{numbers(change)}"


class Gate:
    def __init__(self, root: Path, project: m.Project, env: jinja2.Environment,
                 diags: Diagnostics, release: bool) -> None:
        self.root, self.project, self.env, self.diags = root, project, env, diags
        self.release = release
        self.sources = Sources(root, project)
        self.texts: dict[str, list[Sentence] | None] = {}
        self.keeps_ledger = (root / ledger.LEDGER).is_file()
        self.today = clock.today()

    def report(self, loc: Location, code: str, where: str, message: str) -> None:
        if self.release:
            self.diags.error(loc, code, where, message)
        elif self.keeps_ledger:
            self.diags.warning(loc, code, where, message)

    def text(self, document: m.Document) -> list[Sentence] | None:
        if document.signed_name not in self.texts:
            self.texts[document.signed_name] = printed(document, self.project, self.env,
                                                       Diagnostics())
        return self.texts[document.signed_name]

    def check(self, chosen: list[m.Document], planned: list[m.Document]) -> None:
        every = units(planned)
        for name, document in units(chosen).items():
            now = self.text(document)
            if now is None:
                continue  # it does not render: that error is reported by the build
            self.outdated(document, now)
            signoff = self.project.signoffs.get(name)
            if signoff is None:
                self.unsigned(document)
                continue
            if signoff.text != digest(joined(now)):
                self.changed(document, signoff, now)
            self.cadence(document, signoff)
            english = every.get(counterpart(document))
            if document.language != "en" and english is not None and signoff is not None:
                self.translation(document, signoff, english)

    def unsigned(self, document: m.Document) -> None:
        source = kind_of(document).source(self.project, document.subject)
        self.report(source, "review.unsigned", document.signed_name,
                    "nobody has signed off this document's text: review it (ketabrochure diff "
                    f"{document.signed_name}), then ketabrochure approve {document.signed_name} "
                    "--by NAME --role ROLE")

    def changed(self, document: m.Document, signoff: m.SignOff, now: list[Sentence]) -> None:
        found = distinct(changes(ledger.approved(self.root, signoff.document), now))
        head = (f"prints text that differs from what {signoff.by} signed on "
                f"{signoff.on.isoformat()}")
        for change in found[:SHOWN]:
            where = self.sources.locate(document, change.after or change.before or "",
                                        tuple(moved(change)[1]))
            self.report(where, "review.changed", document.signed_name,
                        f"{head}: {shown(change)}")
        more = len(found) - SHOWN
        self.report(signoff.loc, "review.changed", document.signed_name,
                    f"{head} ({len(found)} sentence{'s' if len(found) != 1 else ''} changed"
                    f"{f', {more} not shown above' if more > 0 else ''}): review them "
                    f"(ketabrochure diff {document.signed_name}), then sign again "
                    f"(ketabrochure approve {document.signed_name} --by NAME --role ROLE)")

    def outdated(self, document: m.Document, now: list[Sentence]) -> None:
        for sentence in now:
            for pattern, why in OUTDATED:
                if pattern.search(sentence.text):
                    self.diags.error(self.sources.locate(document, sentence),
                                     "content.outdated", document.signed_name,
                                     f'prints "{sentence.text}": {why}')

    def facts(self) -> None:
        """Regulatory facts verified longer ago than the review cadence."""
        months = self.project.review_every_months
        for fact in self.project.regulatory.values():
            if months is None or fact.verified_on is None:
                continue
            expires = add_months(fact.verified_on, months)
            if self.today >= expires:
                say = self.diags.error if self.release else self.diags.warning
                say(fact.loc, "review.fact-expired", f"regulatory fact {fact.id}",
                    f"last verified {fact.verified_on.isoformat()} against {fact.source}; "
                    f"documents.yaml asks for a review every {months} months: check it again "
                    "and update verified_on")

    def cadence(self, document: m.Document, signoff: m.SignOff) -> None:
        """documents.yaml's review_every_months: due soon is a warning, expired is refused by
        --release."""
        months = self.project.review_every_months
        if months is None:
            return
        expires = add_months(signoff.on, months)
        source = kind_of(document).source(self.project, document.subject)
        said = (f"signed off by {signoff.by} on {signoff.on.isoformat()}; documents.yaml asks "
                f"for a review every {months} month{'s' if months != 1 else ''}")
        if self.today >= expires:
            self.report(source, "review.expired", document.signed_name,
                        f"review expired on {expires.isoformat()} ({said}): review it and sign "
                        f"it off again (ketabrochure approve {document.signed_name} --by NAME)")
        elif expires - self.today <= DUE_WITHIN:
            self.diags.warning(source, "review.due", document.signed_name,
                               f"review due by {expires.isoformat()} ({said})")

    def stale(self, document: m.Document, signoff: m.SignOff,
              english: m.Document) -> list[tuple[Location, Change]]:
        """The English sentences that changed since a translation was made, each at its YAML
        line (none: the translation is current, or records no source)."""
        now = self.text(english)
        if now is None or signoff.source is None or signoff.source == digest(joined(now)):
            return []
        found = distinct(changes(ledger.approved(self.root, document.signed_name, source=True),
                                 now))
        return [(self.sources.locate(english, c.after or c.before or "", tuple(moved(c)[1])), c)
                for c in found]

    def translation(self, document: m.Document, signoff: m.SignOff,
                    english: m.Document) -> None:
        if signoff.source is None:
            self.report(signoff.loc, "review.translation", document.signed_name,
                        "records no English text it was translated from: record it "
                        f"(ketabrochure translated {document.signed_name} --by NAME "
                        "--qualification TEXT)")
            return
        found = self.stale(document, signoff, english)
        if not found:
            return
        for where, change in found[:SHOWN]:
            self.report(where, "review.stale-translation", document.signed_name,
                        f"stale: its English changed since it was translated; English "
                        f"{shown(change)}")
        self.report(signoff.loc, "review.stale-translation", document.signed_name,
                    f"stale: {len(found)} English sentence{'s' if len(found) != 1 else ''} "
                    f"changed since it was translated: update the Spanish texts, then "
                    f"ketabrochure translated {document.signed_name} --by NAME "
                    "--qualification TEXT")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def gate(root: Path, project: m.Project, env: jinja2.Environment, chosen: list[m.Document],
         planned: list[m.Document], diags: Diagnostics, release: bool) -> None:
    found = Gate(root, project, env, diags, release)
    found.check(chosen, planned)
    found.facts()
    unplanned(project, planned, diags)


def unplanned(project: m.Project, planned: list[m.Document], diags: Diagnostics) -> None:
    """A sign-off of a document documents.yaml no longer makes (a subject, language or layout
    taken out): a stale entry that would sign the document again if it came back unreviewed."""
    every = units(planned)
    for name, signoff in sorted(project.signoffs.items()):
        if name not in every:
            diags.warning(signoff.loc, "review.unplanned", name,
                          f"is signed off ({signoff.by}, {signoff.on.isoformat()}), but "
                          "documents.yaml no longer makes it: remove the entry and its "
                          "approved text (ketabrochure approve --prune --by NAME), or delete "
                          f"it from {ledger.LEDGER.as_posix()} and "
                          f"{ledger.TEXTS.as_posix()}/{name}*.txt")
