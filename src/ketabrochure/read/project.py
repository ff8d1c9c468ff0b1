"""Stage 2: the shared content (studies, conditions, regulatory facts, clinic, documents) read
into the model, every problem collected and located, references checked. Studies are read by
read/studies.py, the clinic by read/clinic.py."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostics, Location
from . import glyphs
from .clinic import ClinicReader
from .fields import Fields, suggestion
from .studies import StudyReader
from .yamlsource import Node


class ProjectReader(StudyReader, ClinicReader):
    """Reads the content every audience shares."""

    # -- conditions ------------------------------------------------------------------------
    def condition(self, path: Path) -> m.Condition | None:
        f = self.fields(path, ("name", "title", "bottom_line", "key_points", "evidence",
                               "outcomes", "certainty", "regulatory", "safety", "reviewed_on"))
        if f is None:
            return None
        points = tuple(p for p in (self.key_point(i, node)
                                   for i, node in enumerate(f.items("key_points"))) if p)
        evidence, evidence_locs = f.text_list("evidence")
        regulatory, regulatory_locs = f.text_list("regulatory")
        safety, safety_locs = f.text_list("safety")
        if f.get("certainty", required=False) is not None:
            f.error(f.loc("certainty"), "certainty is computed from the outcomes now, never "
                    "typed: delete `certainty:` and list `outcomes:`, each with its studies, "
                    "importance and downgrades (the rationale's reasons go into each downgrade's "
                    "`reason`)", code="content.certainty-typed", where="certainty")
        outcomes = tuple(o for o in (self.graded_outcome(i, node)
                                     for i, node in enumerate(f.items("outcomes"))) if o)
        name, title, bottom_line = f.text("name"), f.text("title"), f.text("bottom_line")
        f.retired_review_date()
        if name is None or title is None or bottom_line is None:
            return None
        return m.Condition(id=path.stem, name=name, title=title, bottom_line=bottom_line,
                           key_points=points, evidence=evidence, outcomes=outcomes,
                           regulatory=regulatory, safety=safety,
                           loc=Location(self.shown(path)), locs=f.locs(),
                           evidence_locs=evidence_locs, regulatory_locs=regulatory_locs,
                           safety_locs=safety_locs)

    def graded_outcome(self, index: int, node: Node) -> m.GradedOutcome | None:
        """One outcome of a condition: its studies and the GRADE judgements on them."""
        o = Fields(node, f"outcomes[{index + 1}]", self.diags,
                   ("outcome", "importance", "studies", "start", "downgrade", "upgrade", "chart",
                    "left_out", "results"))
        if not o.ok:
            return None
        name = o.text("outcome")
        importance = o.choice("importance", m.IMPORTANCE)
        studies, study_locs = o.text_list("studies", required=False)  # none: a rule says so
        ratings = (self.ratings(o, "downgrade", m.DOWNGRADES, (-1, -2))
                   + self.ratings(o, "upgrade", m.UPGRADES, (1, 2)))
        start = None
        s = o.sub("start", ("grade", "reason"), required=False)
        if s is not None:
            grade, reason = s.choice("grade", m.GRADES), s.text("reason")
            if grade is not None and reason is not None:
                start = m.StartLevel(grade, reason, s.node.loc)
        results = self.results(o, studies)
        if name is None or importance is None:
            return None
        return m.GradedOutcome(name=name, importance=importance, studies=studies,
                               ratings=ratings, loc=node.loc, start=start,
                               chart=o.boolean("chart", True), study_locs=study_locs,
                               left_out=self.left_out(o), results=results)

    def left_out(self, o: Fields) -> tuple[tuple[str, str, Location], ...]:
        """`left_out: {canuso2018: "esketamine spray, not IV ketamine"}`: studies the chart
        does not draw, each with the reason its caption prints."""
        if o.get("left_out", required=False) is None:
            return ()
        found = []
        for study_id, node, loc in o.entries("left_out", "study"):
            if not isinstance(node.value, str) or not node.value.strip():
                o.error(node.loc, f"say why '{study_id}' is not charted (the chart's caption "
                        f"prints it): left_out: {{{study_id}: \"<the reason>\"}}",
                        code="content.no-reason", where=f"{o.where}.left_out.{study_id}")
                continue
            found.append((study_id, node.value.strip(), loc))
        return tuple(found)

    def results(self, o: Fields, studies: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
        """`results: {grunebaum2018: 2, domany2020: [1, 2]}`: the outcome numbers (from 1) of
        each study whose results this outcome rests on; whether they exist is checked with the
        studies."""
        if o.get("results", required=False) is None:
            return ()
        found: list[tuple[str, int]] = []
        for study_id, node, loc in o.entries("results", "study"):
            where = f"{o.where}.results.{study_id}"
            if study_id not in studies:
                o.error(loc, f"'{study_id}' is not one of this outcome's studies "
                        f"({', '.join(studies) or 'none'}): add it to `studies` or remove it here",
                        code="content.unknown-ref", where=where)
                continue
            values = node.value if isinstance(node.value, list) else [node]
            for item in values:
                number = item.value
                if isinstance(number, int) and not isinstance(number, bool) and number > 0:
                    found.append((study_id, number))
                else:
                    o.error(item.loc, "must be an outcome number of the study (1 for its first "
                            "`outcomes:` entry) or a list of them", code="content.type",
                            where=where)
        return tuple(found)

    def ratings(self, o: Fields, key: str, domains: tuple[str, ...],
                allowed: tuple[int, ...]) -> tuple[m.Rating, ...]:
        """`downgrade:` or `upgrade:`: domain -> {by, reason}; a judgement without a reason, or
        by more than GRADE allows, is an error at its line."""
        if o.get(key, required=False) is None:
            return ()
        found = []
        shown = " or ".join(f"{n:+d}" for n in allowed)
        a = "an" if key[0] in "aeiou" else "a"
        for domain, node, loc in o.entries(key, "domain"):
            where = f"{o.where}.{key}.{domain}"
            if domain not in domains:
                o.error(loc, f"'{domain}' is not one of {', '.join(domains)}"
                        f"{suggestion(domain, domains)}", code="content.invalid", where=where)
                continue
            if not node.is_map or "reason" not in node.value or node.value["reason"].value in (
                    None, ""):
                by = node.value if isinstance(node.value, int) else allowed[0]
                o.error(node.loc, f"{a} {key} needs its reason: write `{domain}: {{by: {by:+d}, "
                        'reason: "what in these studies lowers (or raises) the certainty"}`',
                        code="content.no-reason", where=where)
                continue
            r = Fields(node, where, self.diags, ("by", "reason"))
            by_node, reason = r.get("by"), r.text("reason")
            if by_node is None or reason is None:
                continue
            by = by_node.value
            if isinstance(by, bool) or by not in allowed:
                r.error(by_node.loc, f"{a} {key} is {shown} ({allowed[0]:+d}: serious, "
                        f"{allowed[1]:+d}: very serious); got {by!r}",
                        code="content.rating", where=f"{where}.by")
                continue
            found.append(m.Rating(domain=domain, by=int(by), reason=reason, loc=loc))
        return tuple(found)

    def key_point(self, index: int, node: Node) -> m.KeyPoint | None:
        k = Fields(node, f"key_points[{index + 1}]", self.diags, ("text", "cites"))
        if not k.ok:
            return None
        text = k.text("text")
        cites, cite_locs = k.text_list("cites")
        if text is None:
            return None
        return m.KeyPoint(text=text, cites=cites, loc=node.loc, cite_locs=cite_locs)

    # -- regulatory, documents -------------------------------------------------------------
    def regulatory(self, path: Path | None) -> tuple[dict[str, m.RegulatoryFact],
                                                    dict[str, m.RegulatoryRisk]]:
        before = len(self.diags.errors)
        f = self.fields(path, ("facts", "risks")) if path else None
        facts: dict[str, m.RegulatoryFact] = {}
        for fact_id, node, loc in f.entries("facts", "fact") if f else []:
            r = Fields(node, f"facts.{fact_id}", self.diags,
                       ("statement", "date", "year", "off_label", "source", "verified_on"))
            statement = r.text("statement") if r.ok else None
            if statement is None:
                continue
            facts[fact_id] = m.RegulatoryFact(
                id=fact_id, statement=statement, date=r.date("date", required=False),
                year=r.year("year", required=False),
                off_label=r.boolean("off_label", False), loc=loc,
                source=r.text("source", required=False),
                verified_on=r.date("verified_on", required=False))
            if facts[fact_id].verified_on is not None and facts[fact_id].source is None:
                r.error(r.loc("verified_on"), "verified against what? add `source:` (a URL or "
                        "citation) beside verified_on", code="content.missing-field",
                        where=f"facts.{fact_id}.source")
        # facts that failed to read are not reported again as unknown where a risk names them
        return facts, self.risks(f, facts, len(self.diags.errors) == before) if f else {}

    def risks(self, f: Fields, facts: dict[str, m.RegulatoryFact],
              facts_read: bool = True) -> dict[str, m.RegulatoryRisk]:
        """`risks: {sedation: {facts: [spravato-rems]}, bladder: {left_out: "why"}}`: each an
        adverse-event id, backed by facts on file or left out with its reason."""
        found: dict[str, m.RegulatoryRisk] = {}
        if f.get("risks", required=False) is None:
            return found
        for ident, node, loc in f.entries("risks", "risk"):
            where = f"risks.{ident}"
            if ident not in m.ADVERSE_EVENTS:
                f.error(loc, f"'{ident}' is not an adverse-event id: use one of "
                        f"{', '.join(m.ADVERSE_EVENTS)}{suggestion(ident, m.ADVERSE_EVENTS)}",
                        code="content.unknown-ref", where=where)
                continue
            r = Fields(node, where, self.diags, ("facts", "left_out"))
            if not r.ok:
                continue
            backing, backing_locs = r.text_list("facts", required=False)
            left_out = r.text("left_out", required=False)
            for fact, fact_loc in zip(backing, backing_locs, strict=True):
                if fact not in facts and facts_read:
                    r.error(fact_loc, f"no fact '{fact}' in facts:{suggestion(fact, facts)}",
                            code="content.unknown-ref", where=f"{where}.facts")
            if bool(backing) == bool(left_out):
                r.error(loc, "give either `facts: [ids]` (the confirmed facts that state the "
                        "risk) or `left_out: \"why it is not printed\"`, not both or neither",
                        code="content.missing-field", where=where)
                continue
            found[ident] = m.RegulatoryRisk(ident, backing, left_out, loc)
        return found

    def documents(self, path: Path | None
                  ) -> tuple[str | None, tuple[m.DocumentSpec, ...], int | None]:
        """The edition, the document specs and the review cadence (months between reviews)."""
        f = self.fields(path, ("edition", "documents", "review_every_months")) if path else None
        if f is None:
            return None, (), None
        edition = f.text("edition", allow_number=True)
        specs = tuple(s for s in (self.document_spec(i, node)
                                  for i, node in enumerate(f.items("documents"))) if s)
        return edition, specs, f.integer("review_every_months", required=False, minimum=1)

    def document_spec(self, index: int, node: Node) -> m.DocumentSpec | None:
        d = Fields(node, f"documents[{index + 1}]", self.diags,
                   ("layout", "subjects", "papers", "language", "languages", "variants", "pages"))
        if not d.ok:
            return None
        layout = d.text("layout")
        subjects_node = d.get("subjects")
        subjects: tuple[str, ...] = ()
        if subjects_node is not None and subjects_node.value == "all":
            subjects = ("all",)
        elif subjects_node is not None:
            subjects, _ = d.text_list("subjects")
        papers, paper_locs = d.text_list("papers")
        for paper, loc in zip(papers, paper_locs, strict=False):
            if paper not in m.PAPERS:
                d.error(loc, f"'{paper}' is not one of {', '.join(m.PAPERS)}"
                        f"{suggestion(paper, m.PAPERS)}", where=f"{d.where}.papers")
        languages = d.choices("languages", m.LANGUAGES)
        language = languages[0] if languages else d.choice("language", m.LANGUAGES)
        variants = d.choices("variants", m.VARIANTS) or ("office",)
        budget = self.budget(d)
        if layout is None or language is None or budget is None or not papers:
            return None
        return m.DocumentSpec(layout=layout, subjects=subjects,
                              papers=tuple(p for p in papers if p in m.PAPERS),
                              language=language, budget=budget, loc=node.loc, locs=d.locs(),
                              languages=languages, variants=variants)

    def budget(self, d: Fields) -> m.PageBudget | None:
        p = d.sub("pages", ("exactly", "maximum"))
        if p is None:
            return None
        exactly = p.integer("exactly", required=False, minimum=1)
        maximum = p.integer("maximum", required=False, minimum=1)
        if (exactly is None) == (maximum is None):
            p.error(p.node.loc, "give exactly one of 'exactly' or 'maximum'",
                    where=f"{d.where}.pages")
            return None
        return m.PageBudget(exactly=exactly, maximum=maximum)


REGULATORY = "regulatory.yaml"  # in Project.broken when it cannot be read (not an id: no clash)


def read_project(root: Path, diags: Diagnostics) -> tuple[m.Project, bool]:
    """Read and cross-check all content, and whether it is complete enough to make documents
    from. Without a readable clinic.yaml or documents.yaml the project still comes back (with
    an empty clinic), so the audiences' content is read and checked and every file's errors
    are reported in one run."""
    reader = ProjectReader(root, diags)
    # a font that is not a font: no document is made with a stand-in (nothing downstream)
    fonts_ok = glyphs.report_unreadable(root / "assets" / "fonts", "assets/fonts", diags)
    studies = reader.each("studies", reader.study)
    conditions = reader.each("conditions", reader.condition)
    before = len(diags.errors)
    regulatory, risks = reader.regulatory(reader.named("regulatory.yaml"))
    if len(diags.errors) > before:  # its facts are not all known: a fact it does not
        reader.broken.add(REGULATORY)  # list may be in a part that failed (no follow-on errors)
    clinic = reader.clinic(reader.named("clinic.yaml"))
    edition, documents, cadence = reader.documents(reader.named("documents.yaml"))
    check_references(conditions, studies, regulatory, reader.broken, diags)
    complete = (clinic is not None and edition is not None and fonts_ok
                and REGULATORY not in reader.broken)
    placeholder = m.Clinic("", (), "", None, "", "", "", None, {},
                           Location(reader.shown(reader.content / "clinic.yaml")))
    return m.Project(clinic=clinic or placeholder, studies=studies, conditions=conditions,
                     regulatory=regulatory, edition=edition or "", documents=documents,
                     broken=frozenset(reader.broken), risks=risks,
                     review_every_months=cadence), complete


def check_references(conditions: dict[str, m.Condition], studies: dict[str, m.Study],
                     regulatory: dict[str, m.RegulatoryFact], broken: set[str],
                     diags: Diagnostics) -> None:
    """Every study and regulatory id a condition names must exist (broken files: already said)."""
    for condition in conditions.values():
        refs: list[tuple[str, Location, str, Mapping[str, object]]] = []
        for i, point in enumerate(condition.key_points):
            refs += [(sid, loc, f"key_points[{i + 1}].cites", studies)
                     for sid, loc in zip(point.cites, point.cite_locs, strict=False)]
        refs += [(sid, loc, "evidence", studies)
                 for sid, loc in zip(condition.evidence, condition.evidence_locs, strict=False)]
        if REGULATORY not in broken:  # (a broken regulatory.yaml: its own errors said)
            refs += [(rid, loc, "regulatory", regulatory) for rid, loc in
                     zip(condition.regulatory, condition.regulatory_locs, strict=False)]
        for ref, loc, where, known in refs:
            if ref not in known and ref not in broken:
                kind = "study" if known is studies else "regulatory fact"
                diags.error(loc, "content.unknown-ref", where,
                            f"no {kind} '{ref}'{suggestion(ref, known)}")
