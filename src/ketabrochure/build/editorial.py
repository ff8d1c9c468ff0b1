"""The editorial commands: `approve` (sign off documents' printed text) and `translated`
(record the English a translation was made from, and who translated it)."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import layouts
from .. import model as m
from ..diagnostics import Diagnostics, Location, UsageError
from ..kinds import FILTERS, keep_edition, kind_of
from ..read.fields import suggestion
from ..review import clock, ledger, xliff
from ..review.diff import DocumentDiff, Locate, against_signed, compare
from ..review.gate import Gate, shown
from ..review.printed import Sources, counterpart, printed, units
from ..review.text import Sentence, digest, joined
from .plan import select
from .run import load


@dataclass
class Signed:
    """What an editorial command did: the documents it signed (or recorded), and problems."""

    diags: Diagnostics = field(default_factory=Diagnostics)
    names: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already signed exactly so
    edition: str | None = None  # the edition snapshot `approve` wrote (content/editions/)
    pruned: list[str] = field(default_factory=list)  # sign-offs of unplanned documents removed


def _chosen(root: Path, names: list[str], diags: Diagnostics, lenient: bool = False
            ) -> tuple[m.Project | None, dict[str, m.Document], dict[str, m.Document]]:
    """The project, the documents named (by signed name, file name, subject or layout; none:
    all) and every document, one per signed name. Content errors stop it, unless `lenient`
    (the diff shows what changed even while a content rule objects to it)."""
    project, documents = load(root, Diagnostics() if lenient else diags)
    if project is None or diags.has_errors():
        if project is None and lenient:
            diags.error(Location("content"), "diff.unreadable", "content",
                        "the content cannot be read: run ketabrochure check")
        return None, {}, {}
    every = units(documents)
    signed = [n for n in names if n in every]
    rest = [n for n in names if n not in every]
    chosen = units(select(documents, rest)) if rest else {}
    chosen.update({n: every[n] for n in signed})
    return project, (chosen if names else every), every


def reviewer(project: m.Project, name: str, role: str | None) -> m.Reviewer:
    """The clinic.yaml reviewer called `name`; --role, when given, is what is recorded."""
    known = {r.name: r for r in project.clinic.reviewers}
    if name not in known:
        listed = ", ".join(sorted(known)) or "nobody yet: add `reviewers:` to clinic.yaml"
        raise UsageError(f"'{name}' is not a reviewer in content/clinic.yaml"
                         f"{suggestion(name, known)} (reviewers: {listed})")
    found = known[name]
    return dataclasses.replace(found, role=role) if role else found


def approve(root: Path, names: list[str], by: str, role: str | None,
            prune: bool = False) -> Signed:
    """Sign off the printed text of the documents named (default: all) as it is now; `prune`:
    also remove the sign-offs of documents documents.yaml no longer makes."""
    result = Signed()
    project, chosen, every = _chosen(root, names, result.diags)
    if project is None:
        return result
    who = reviewer(project, by, role)
    today = clock.today()
    env = layouts.environment(root, FILTERS)
    signoffs, texts, sources = dict(project.signoffs), {}, {}
    for name, document in sorted(chosen.items()):
        sentences = printed(document, project, env, result.diags)
        if sentences is None:
            continue
        text = joined(sentences)
        before = signoffs.get(name)
        if before is not None and before.text == digest(text):
            result.unchanged.append(name)
            continue
        signoff = ledger.signed(name, text, who, today, project.edition, before)
        english = every.get(counterpart(document))
        if document.language != "en" and english is not None and signoff.source is None:
            # a first sign-off records the English it was made from; after that only
            # `translated` does, so that approving never hides a stale translation
            source = printed(english, project, env, result.diags)
            if source is not None:
                signoff = ledger.with_source(signoff, digest(joined(source)), None)
                sources[name] = joined(source)
        signoffs[name], texts[name] = signoff, text
        result.names.append(name)
    if prune:
        result.pruned = sorted(n for n in signoffs if n not in every)
        for name in result.pruned:
            del signoffs[name]
    if not result.diags.has_errors() and (result.names or result.pruned):
        ledger.write(root, signoffs, texts, sources)
        ledger.remove_texts(root, result.pruned)
    if not result.diags.has_errors():
        result.edition = keep_edition(root, project)
    return result


def translated(root: Path, names: list[str], by: str, qualification: str) -> Signed:
    """Record that the translations named were made from the English printed now, by whom."""
    result = Signed()
    project, chosen, every = _chosen(root, names, result.diags)
    if project is None:
        return result
    env = layouts.environment(root, FILTERS)
    signoffs, sources = dict(project.signoffs), {}
    for name, document in sorted(chosen.items()):
        english = every.get(counterpart(document))
        if document.language == "en" or english is None:
            continue
        if name not in signoffs:
            raise UsageError(f"{name} is not signed off yet: approve it first "
                             f"(ketabrochure approve {name} --by NAME --role ROLE)")
        source = printed(english, project, env, result.diags)
        if source is None:
            continue
        signoffs[name] = ledger.with_source(signoffs[name], digest(joined(source)),
                                            f"{by}, {qualification}")
        sources[name] = joined(source)
        result.names.append(name)
    if not result.diags.has_errors() and result.names:
        ledger.write(root, signoffs, {}, sources)
    return result


def export_xliff(root: Path) -> tuple[Diagnostics, str | None]:
    """Every bilingual patient text as XLIFF 2.0, the units whose English changed since their
    translation marked stale (state="initial", a note with the English before and now)."""
    diags = Diagnostics()
    project, documents = load(root, diags)
    if project is None or diags.has_errors():
        return diags, None
    gate = Gate(root, project, layouts.environment(root, FILTERS), Diagnostics(), False)
    every = units(documents)
    stale: dict[tuple[str, int], str] = {}
    for name, document in every.items():
        english, signoff = every.get(counterpart(document)), project.signoffs.get(name)
        if document.language == "en" or english is None or signoff is None:
            continue
        for where, change in gate.stale(document, signoff, english):
            stale.setdefault((where.path, where.line), f"English {shown(change)}")
    return diags, xliff.export(xliff.units(root), stale)


def import_xliff(root: Path, path: Path, by: str, qualification: str) -> Signed:
    """Write a translator's targets into the `es:` texts, then record the translations of
    every signed Spanish document none of whose units is still marked initial (stale)."""
    result = Signed()
    shown_as = path.name
    targets = xliff.read(path, shown_as, result.diags)
    if result.diags.has_errors():
        return result
    xliff.apply(root, targets, shown_as, result.diags)
    if result.diags.has_errors():
        return result
    pending = {t.file for t in targets if t.state == "initial"}
    project, documents = load(root, result.diags)
    if project is None or result.diags.has_errors():
        return result
    shared = any(not f.startswith(("content/handouts/", "content/brochures/")) for f in pending)
    names = [n for n, d in units(documents).items() if d.language != "en"
             and n in project.signoffs and not shared
             and kind_of(d).source(project, d.subject).path not in pending]
    if names:
        done = translated(root, names, by, qualification)
        result.diags.extend(done.diags)
        result.names = done.names
    return result


def diff(root: Path, names: list[str], since: str | None
         ) -> tuple[Diagnostics, list[DocumentDiff]]:
    """Each document's printed sentences now against its signed text (or, with `since`, its
    text at that git revision)."""
    diags = Diagnostics()
    project, chosen, _ = _chosen(root, names, diags, lenient=True)
    if project is None:
        return diags, []
    env = layouts.environment(root, FILTERS)
    if since is None:
        return diags, against_signed(root, project, env, list(chosen.values()))
    earlier = texts_at(root, since)
    sources = Sources(root, project)
    found = []
    for name, document in sorted(chosen.items()):
        now = printed(document, project, env, diags)
        if now is not None:
            found.append(compare(name, document.language, earlier.get(name), now,
                                 _locator(sources, document)))
    return diags, found


def _locator(sources: Sources, document: m.Document) -> Locate:
    def locate(_: str, sentence: Sentence | str, numbers: tuple[str, ...]) -> Location:
        return sources.locate(document, sentence, numbers)
    return locate


def texts_at(root: Path, revision: str) -> dict[str, list[str]]:
    """Every document's printed sentences as the project stood at a git revision (its own
    content, layouts and assets, read from git into a temporary folder)."""
    def git(*args: str) -> bytes:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise UsageError(f"--since {revision}: {message[-1] if message else 'git failed'}")
        return done.stdout

    prefix = git("rev-parse", "--show-prefix").decode().strip()
    archive = git("archive", "--format=tar", f"{revision}:{prefix}", "content", "layouts",
                  "assets")
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        old = Path(folder)
        project, documents = load(old, Diagnostics())
        if project is None:
            raise UsageError(f"--since {revision}: the content at that revision does not load")
        env = layouts.environment(old, FILTERS)
        found = {}
        for name, document in units(documents).items():
            sentences = printed(document, project, env, Diagnostics())
            if sentences is not None:
                found[name] = [s.text for s in sentences]
        return found
