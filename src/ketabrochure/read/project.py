"""Stage 2: the shared content (studies, conditions, regulatory facts, clinic, documents) read
into the model, every problem collected and located, references checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostics, Location
from .fields import COLOR_RE, DOI_RE, ID_RE, PMID_RE, Fields, describe, suggestion
from .reader import Reader
from .yamlsource import Node

LOCATION_FIELDS = ("id", "name", "address", "phone", "booking_url", "referral_url")
SPAN_RE = re.compile(rf"^(\d+(?:\.\d+)?) ({'|'.join(m.TIME_UNITS)})s?$")
# free text standing in for a value the sources do not give: write the token instead
UNSTATED_TEXT = re.compile(r"\b(not confirmed|unconfirmed|not reported|not stated|unknown)\b",
                           re.IGNORECASE)
OUTCOME_FIELDS = ("measure", "result", "timepoint", "lasted", "comparison", "rates", "significant")


def parse_span(text: str) -> m.TimeSpan | None:
    """'90 minutes' -> TimeSpan(90, 'minute'); None for anything else."""
    match = SPAN_RE.match(text.strip())
    return m.TimeSpan(float(match.group(1)), match.group(2)) if match else None


class ProjectReader(Reader):
    """Reads the content every audience shares."""

    # -- studies ---------------------------------------------------------------------------
    def study(self, path: Path) -> m.Study | None:
        f = self.fields(path, ("citation", "role", "design", "population", "n", "intervention",
                               "comparator", "comparator_kind", "outcomes", "key_result",
                               "follow_up", "limitations", "sources", "adverse_events"))
        if f is None:
            return None
        citation = self.citation(f)
        role = f.choice("role", m.ROLES)
        design = self.design(f)
        population = self.population(f)
        n = self.sample_size(f)
        intervention = self.intervention(f)
        outcomes = tuple(o for o in (self.outcome(f, i, node)
                                     for i, node in enumerate(f.items("outcomes"))) if o)
        limitations, _ = f.text_list("limitations")
        sources, _ = f.text_list("sources", required=False)
        comparator, key, follow = f.text("comparator"), f.text("key_result"), f.text("follow_up")
        comparator_kind = f.choice("comparator_kind", m.COMPARATOR_KINDS, required=False)
        adverse = self.adverse_events(f)
        if (citation is None or role is None or design is None or population is None
                or n is None or intervention is None or comparator is None or key is None
                or follow is None):
            return None
        self.comparisons(f, design, comparator_kind, outcomes)
        return m.Study(id=path.stem, citation=citation, role=role, design=design,
                       population=population, n=n, intervention=intervention,
                       comparator=comparator, outcomes=outcomes, key_result=key,
                       follow_up=follow, limitations=limitations, sources=sources,
                       loc=Location(self.shown(path)), locs=f.locs(),
                       comparator_kind=comparator_kind, adverse_events=adverse)

    def comparisons(self, f: Fields, design: m.Design, comparator_kind: str | None,
                    outcomes: tuple[m.Outcome, ...]) -> None:
        """A comparator kind and a study's conclusions need a comparator to speak of."""
        uncontrolled = not design.controlled or comparator_kind == "none"
        if comparator_kind == "none" and design.controlled:
            f.error(f.loc("comparator_kind"), "says none, but design.controlled is true: name the "
                    "kind of comparator (placebo, active-placebo, active-treatment)",
                    where="comparator_kind")
        elif comparator_kind not in (None, "none") and not design.controlled:
            f.error(f.loc("comparator_kind"), f"says {comparator_kind}, but design.controlled "
                    "is false: write comparator_kind: none", where="comparator_kind")
        for i, outcome in enumerate(outcomes):
            if outcome.comparison is not None and uncontrolled:
                f.error(f.loc("outcomes"), f"outcomes[{i + 1}] has a comparison "
                        f"({outcome.comparison}), but the study had no comparator: remove it",
                        where=f"outcomes[{i + 1}].comparison")

    def adverse_events(self, f: Fields) -> tuple[m.AdverseEvent, ...]:
        """`adverse_events: [dissociation, {id: blood-pressure, lasted: transient}]`."""
        found: list[m.AdverseEvent] = []
        for i, node in enumerate(f.items("adverse_events", required=False)):
            where = f"adverse_events[{i + 1}]"
            if node.is_map:
                a = Fields(node, where, self.diags, ("id", "lasted", "rare"))
                ident = a.choice("id", m.ADVERSE_EVENTS) if a.ok else None
                lasted = a.text("lasted", required=False) if a.ok else None
                if ident is not None:
                    found.append(m.AdverseEvent(ident, lasted, a.boolean("rare", False)))
            elif isinstance(node.value, str) and node.value in m.ADVERSE_EVENTS:
                found.append(m.AdverseEvent(node.value))
            else:
                shown = node.value if isinstance(node.value, str) else describe(node.value)
                self.diags.error(node.loc, "content.invalid", where,
                                 f"'{shown}' is not one of {', '.join(m.ADVERSE_EVENTS)}"
                                 f"{suggestion(str(node.value), m.ADVERSE_EVENTS)} (or write "
                                 "{id: ..., lasted: ..., rare: true})")
        return tuple(found)

    def citation(self, f: Fields) -> m.Citation | None:
        c = f.sub("citation", ("title", "authors", "et_al", "journal", "year", "volume",
                               "issue", "pages", "doi", "pmid"))
        if c is None:
            return None
        authors, _ = c.text_list("authors")
        doi = c.text("doi", required=False)
        if doi is not None and not DOI_RE.match(doi):
            hint = " (write it without the https://doi.org/ prefix)" if "doi.org/" in doi else ""
            c.error(c.loc("doi"), f"'{doi}' is not a DOI like 10.1234/abc{hint}",
                    code="content.doi", where="citation.doi")
            doi = None
        pmid = c.text("pmid", required=False, allow_number=True)
        if pmid is not None and not PMID_RE.match(pmid):
            c.error(c.loc("pmid"), f"'{pmid}' is not a PubMed id (digits only)",
                    code="content.pmid", where="citation.pmid")
            pmid = None
        title, journal = c.text("title"), c.text("journal")
        year = c.integer("year", minimum=1900)
        if title is None or journal is None or year is None:
            return None
        return m.Citation(title=title, authors=authors, et_al=c.boolean("et_al", False),
                          journal=journal, year=year,
                          volume=c.text("volume", False, allow_number=True),
                          issue=c.text("issue", False, allow_number=True),
                          pages=c.text("pages", False, allow_number=True), doi=doi, pmid=pmid)

    def design(self, f: Fields) -> m.Design | None:
        d = f.sub("design", ("type", "blinding", "controlled", "summary"))
        if d is None:
            return None
        kind, blinding = d.choice("type", m.DESIGN_TYPES), d.choice("blinding", m.BLINDING)
        summary = d.text("summary")
        controlled = d.boolean("controlled", True)
        if kind is None or blinding is None or summary is None:
            return None
        return m.Design(type=kind, blinding=blinding, controlled=controlled, summary=summary)

    def population(self, f: Fields) -> m.Population | None:
        p = f.sub("population", ("species", "diagnosis"))
        if p is None:
            return None
        species, diagnosis = p.choice("species", m.SPECIES), p.text("diagnosis")
        if species is None or diagnosis is None:
            return None
        return m.Population(species=species, diagnosis=diagnosis)

    def sample_size(self, f: Fields) -> m.SampleSize | None:
        n = f.sub("n", ("value", "unit", "note", "arms"))
        if n is None:
            return None
        unit = n.choice("unit", m.N_UNITS)
        value = n.integer("value", required=False, minimum=1)  # read first: all problems at once
        note = n.text("note", required=False)
        arms: list[int] = []
        for i, node in enumerate(n.items("arms", required=False)):
            if isinstance(node.value, int) and not isinstance(node.value, bool) and node.value > 0:
                arms.append(node.value)
            else:
                n.error(node.loc, f"must be a number of people; got {describe(node.value)}",
                        code="content.type", where=f"n.arms[{i + 1}]")
        if arms and value is not None and sum(arms) > value:
            n.error(n.loc("arms"), f"the arms add up to {sum(arms)}, more than n.value {value}",
                    where="n.arms")
        if unit is None:
            return None
        return m.SampleSize(value=value, unit=unit, note=note,
                            arms=tuple(arms))

    def intervention(self, f: Fields) -> m.Intervention | None:
        i = f.sub("intervention", ("drug", "route", "dose", "schedule"))
        if i is None:
            return None
        drug, route = i.choice("drug", m.DRUGS), i.choice("route", m.ROUTES)
        dose, schedule = i.text("dose"), i.text("schedule")
        for key, value in (("dose", dose), ("schedule", schedule)):
            if value is not None and value not in m.UNSTATED and UNSTATED_TEXT.search(value):
                i.error(i.loc(key), f"'{value}' says in words that the {key} is not known: write "
                        f"{key}: not-confirmed (a value quoted but not checked against the "
                        f"article) or {key}: not-reported (the sources do not give it), so it "
                        f"prints as '{key} not confirmed' or '{key} not reported'",
                        code="content.unstated", where=f"intervention.{key}")
        if drug is None or route is None or dose is None or schedule is None:
            return None
        return m.Intervention(drug, route, dose, schedule)

    def outcome(self, f: Fields, index: int, node: Node) -> m.Outcome | None:
        o = Fields(node, f"outcomes[{index + 1}]", self.diags, OUTCOME_FIELDS)
        if not o.ok:
            return None
        measure, result = o.text("measure"), o.text("result")
        timepoint, lasted = self.span(o, "timepoint"), self.lasted(o)
        comparison = o.choice("comparison", m.COMPARISONS, required=False)
        significant = self.significant(o)
        rates = None
        r = o.sub("rates", ("kind", "treatment", "control"), required=False)
        if r is not None:
            kind, treatment = r.choice("kind", m.RATE_KINDS), r.number("treatment")
            control = r.number("control", required=False)
            for key, value in (("treatment", treatment), ("control", control)):
                if value is not None and not 0 <= value <= 100:
                    r.error(r.loc(key), f"a percentage must lie between 0 and 100; got {value}")
            if kind is not None and treatment is not None:
                rates = m.Rates(kind=kind, treatment=treatment, control=control)
        if measure is None or result is None:
            return None
        outcome = m.Outcome(measure=measure, result=result, timepoint=timepoint, lasted=lasted,
                            comparison=comparison, rates=rates, significant=significant)
        if outcome.short_term and lasted is None:
            o.error(o.loc("timepoint"), f"measured at {timepoint}: say how long the effect "
                    "lasted (lasted: '1 week', short-lived or not-reported)",
                    code="content.missing-field", where=f"{o.where}.lasted")
        contradicts = {"superior": False, "inferior": False, "no-difference": True}
        if comparison in contradicts and significant is contradicts[comparison]:
            o.error(o.loc("comparison"), f"comparison: {comparison} contradicts significant: "
                    f"{str(significant).lower()}", where=f"{o.where}.comparison")
        return outcome

    def span(self, o: Fields, key: str) -> m.TimeSpan | None:
        text = o.text(key, required=False, allow_number=True)
        if text is None:
            return None
        found = parse_span(text)
        if found is None:
            o.error(o.loc(key), f"'{text}' is not a time span like '90 minutes', '1 day' or "
                    f"'2 weeks' (a number, then one of {', '.join(m.TIME_UNITS)})",
                    where=f"{o.where}.{key}")
        return found

    def lasted(self, o: Fields) -> m.TimeSpan | str | None:
        text = o.text("lasted", required=False, allow_number=True)
        if text is None or text in m.LASTED:
            return text
        found = parse_span(text)
        if found is None:
            o.error(o.loc("lasted"), f"'{text}' is not a time span like '1 week', nor one of "
                    f"{', '.join(m.LASTED)}", where=f"{o.where}.lasted")
        return found

    def significant(self, o: Fields) -> bool | None:
        """true, false, or absent / null (not reported)."""
        node = o.get("significant", required=False)
        if node is None:
            return None
        if not isinstance(node.value, bool):
            o.error(node.loc, f"must be true, false or null (not reported); got "
                    f"{describe(node.value)}", code="content.type", where=f"{o.where}.significant")
            return None
        return bool(node.value)

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
        reviewed_on = f.date("reviewed_on")
        if name is None or title is None or bottom_line is None or reviewed_on is None:
            return None
        return m.Condition(id=path.stem, name=name, title=title, bottom_line=bottom_line,
                           key_points=points, evidence=evidence, outcomes=outcomes,
                           regulatory=regulatory, safety=safety, reviewed_on=reviewed_on,
                           loc=Location(self.shown(path)), locs=f.locs(),
                           evidence_locs=evidence_locs, regulatory_locs=regulatory_locs,
                           safety_locs=safety_locs)

    def graded_outcome(self, index: int, node: Node) -> m.GradedOutcome | None:
        """One outcome of a condition: its studies and the GRADE judgements on them."""
        o = Fields(node, f"outcomes[{index + 1}]", self.diags,
                   ("outcome", "importance", "studies", "start", "downgrade", "upgrade", "chart"))
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
        if name is None or importance is None:
            return None
        return m.GradedOutcome(name=name, importance=importance, studies=studies,
                               ratings=ratings, loc=node.loc, start=start,
                               chart=o.boolean("chart", True), study_locs=study_locs)

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

    # -- regulatory, clinic, documents -----------------------------------------------------
    def regulatory(self, path: Path | None) -> dict[str, m.RegulatoryFact]:
        f = self.fields(path, ("facts",)) if path else None
        facts: dict[str, m.RegulatoryFact] = {}
        for fact_id, node, loc in f.entries("facts", "fact") if f else []:
            r = Fields(node, f"facts.{fact_id}", self.diags,
                       ("statement", "date", "year", "off_label"))
            statement = r.text("statement") if r.ok else None
            if statement is None:
                continue
            facts[fact_id] = m.RegulatoryFact(
                id=fact_id, statement=statement, date=r.date("date", required=False),
                year=r.integer("year", required=False, minimum=1900),
                off_label=r.boolean("off_label", False), loc=loc)
        return facts

    def clinic(self, path: Path | None) -> m.Clinic | None:
        if path is None:
            return None
        f = self.fields(path, ("name", "address", "phone", "email", "website", "referral_url",
                               "referral_line", "logo", "colors", "locations"))
        if f is None:
            return None
        address, _ = f.text_list("address")
        urls = {key: f.url(key) for key in ("website", "referral_url")}
        logo = f.text("logo", required=False)
        assets = (self.root / "assets").resolve()
        if logo is not None and not (assets / logo).resolve().is_relative_to(assets):
            f.error(f.loc("logo"), f"'{logo}' must name a file inside assets/",
                    code="content.invalid", where="logo")
        elif logo is not None and not (assets / logo).is_file():
            f.error(f.loc("logo"), f"no file assets/{logo}", code="content.missing-file",
                    where="logo")
        colors: dict[str, str] = {}
        c = f.sub("colors", ("primary", "accent"))
        if c is not None:
            for key in ("primary", "accent"):
                value = c.text(key)
                if value is not None and not COLOR_RE.match(value):
                    c.error(c.loc(key), f"'{value}' is not a colour like #1a5f7a",
                            where=f"colors.{key}")
                elif value is not None:
                    colors[key] = value
        name, phone, referral_line = f.text("name"), f.text("phone"), f.text("referral_line")
        website, referral_url = urls["website"], urls["referral_url"]
        if (name is None or phone is None or referral_line is None or website is None
                or referral_url is None or len(colors) != 2):
            return None
        return m.Clinic(name=name, address=address, phone=phone,
                        email=f.text("email", required=False), website=website,
                        referral_url=referral_url, referral_line=referral_line, logo=logo,
                        colors=colors, loc=Location(self.shown(path)), locs=f.locs(),
                        locations=read_locations(f, self.diags))

    def documents(self, path: Path | None) -> tuple[str | None, tuple[m.DocumentSpec, ...]]:
        f = self.fields(path, ("edition", "documents")) if path else None
        if f is None:
            return None, ()
        edition = f.text("edition", allow_number=True)
        specs = tuple(s for s in (self.document_spec(i, node)
                                  for i, node in enumerate(f.items("documents"))) if s)
        return edition, specs

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


def read_project(root: Path, diags: Diagnostics) -> tuple[m.Project, bool]:
    """Read and cross-check all content, and whether it is complete enough to make documents
    from. Without a readable clinic.yaml or documents.yaml the project still comes back (with
    an empty clinic), so the audiences' content is read and checked and every file's errors
    are reported in one run."""
    reader = ProjectReader(root, diags)
    studies = reader.each("studies", reader.study)
    conditions = reader.each("conditions", reader.condition)
    regulatory = reader.regulatory(reader.named("regulatory.yaml"))
    clinic = reader.clinic(reader.named("clinic.yaml"))
    edition, documents = reader.documents(reader.named("documents.yaml"))
    check_references(conditions, studies, regulatory, reader.broken, diags)
    complete = clinic is not None and edition is not None
    placeholder = m.Clinic("", (), "", None, "", "", "", None, {},
                           Location(reader.shown(reader.content / "clinic.yaml")))
    return m.Project(clinic=clinic or placeholder, studies=studies, conditions=conditions,
                     regulatory=regulatory, edition=edition or "", documents=documents,
                     broken=frozenset(reader.broken)), complete


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
        refs += [(rid, loc, "regulatory", regulatory)
                 for rid, loc in zip(condition.regulatory, condition.regulatory_locs, strict=False)]
        for ref, loc, where, known in refs:
            if ref not in known and ref not in broken:
                kind = "study" if known is studies else "regulatory fact"
                diags.error(loc, "content.unknown-ref", where,
                            f"no {kind} '{ref}'{suggestion(ref, known)}")


def read_locations(clinic: Fields, diags: Diagnostics) -> tuple[m.ClinicLocation, ...]:
    """clinic.yaml's optional `locations` list; ids must be unique file-name words. A site's
    address, phone and web addresses are optional: left out, they are the clinic's own
    (see `model.contact`), so they are written once."""
    found: list[m.ClinicLocation] = []
    for i, node in enumerate(clinic.items("locations", required=False)):
        f = Fields(node, f"locations[{i + 1}]", diags, LOCATION_FIELDS)
        if not f.ok:
            continue
        ident, name = f.text("id"), f.text("name")
        phone = f.text("phone", required=False)
        lines, _ = f.text_list("address", required=False)
        address = lines or None
        booking_url = f.url("booking_url", required=False)
        referral_url = f.url("referral_url", required=False)
        if ident is not None and not ID_RE.match(ident):
            f.error(f.loc("id"), f"'{ident}' must be lower-case letters, digits and hyphens",
                    code="content.id", where=f"{f.where}.id")
            ident = None
        if ident is not None and any(x.id == ident for x in found):
            f.error(f.loc("id"), f"a location '{ident}' is already listed",
                    code="content.duplicate", where=f"{f.where}.id")
            ident = None
        if ident and name:
            found.append(m.ClinicLocation(ident, name, address, phone, booking_url,
                                          referral_url, node.loc))
    return tuple(found)
