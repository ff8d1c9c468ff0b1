"""Stage 2: the shared content (studies, conditions, regulatory facts, clinic, documents) read
into the model, every problem collected and located, references checked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .. import model as m
from ..diagnostics import Diagnostics, Location
from .fields import COLOR_RE, DOI_RE, ID_RE, PMID_RE, Fields, suggestion
from .reader import Reader
from .yamlsource import Node

LOCATION_FIELDS = ("id", "name", "address", "phone", "booking_url", "referral_url")


class ProjectReader(Reader):
    """Reads the content every audience shares."""

    # -- studies ---------------------------------------------------------------------------
    def study(self, path: Path) -> m.Study | None:
        f = self.fields(path, ("citation", "role", "design", "population", "n", "intervention",
                               "comparator", "outcomes", "key_result", "follow_up",
                               "limitations", "sources"))
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
        if (citation is None or role is None or design is None or population is None
                or n is None or intervention is None or comparator is None or key is None
                or follow is None):
            return None
        return m.Study(id=path.stem, citation=citation, role=role, design=design,
                       population=population, n=n, intervention=intervention,
                       comparator=comparator, outcomes=outcomes, key_result=key,
                       follow_up=follow, limitations=limitations, sources=sources,
                       loc=Location(self.shown(path)), locs=f.locs())

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
        n = f.sub("n", ("value", "unit", "note"))
        if n is None:
            return None
        unit = n.choice("unit", m.N_UNITS)
        if unit is None:
            return None
        return m.SampleSize(value=n.integer("value", required=False, minimum=1), unit=unit,
                            note=n.text("note", required=False))

    def intervention(self, f: Fields) -> m.Intervention | None:
        i = f.sub("intervention", ("drug", "route", "dose", "schedule"))
        if i is None:
            return None
        drug, route = i.choice("drug", m.DRUGS), i.choice("route", m.ROUTES)
        dose, schedule = i.text("dose"), i.text("schedule")
        if drug is None or route is None or dose is None or schedule is None:
            return None
        return m.Intervention(drug, route, dose, schedule)

    def outcome(self, f: Fields, index: int, node: Node) -> m.Outcome | None:
        o = Fields(node, f"outcomes[{index + 1}]", self.diags, ("measure", "result", "rates"))
        if not o.ok:
            return None
        measure, result = o.text("measure"), o.text("result")
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
        return m.Outcome(measure=measure, result=result, rates=rates)

    # -- conditions ------------------------------------------------------------------------
    def condition(self, path: Path) -> m.Condition | None:
        f = self.fields(path, ("name", "title", "bottom_line", "key_points", "evidence",
                               "certainty", "regulatory", "safety", "reviewed_on"))
        if f is None:
            return None
        points = tuple(p for p in (self.key_point(i, node)
                                   for i, node in enumerate(f.items("key_points"))) if p)
        evidence, evidence_locs = f.text_list("evidence")
        regulatory, regulatory_locs = f.text_list("regulatory")
        safety, _ = f.text_list("safety")
        c = f.sub("certainty", ("grade", "rationale"))
        certainty = None
        if c is not None:
            grade, rationale = c.choice("grade", m.GRADES), c.text("rationale")
            if grade and rationale:
                certainty = m.Certainty(grade=grade, rationale=rationale)
        name, title, bottom_line = f.text("name"), f.text("title"), f.text("bottom_line")
        reviewed_on = f.date("reviewed_on")
        if (name is None or title is None or bottom_line is None or reviewed_on is None
                or certainty is None):
            return None
        return m.Condition(id=path.stem, name=name, title=title, bottom_line=bottom_line,
                           key_points=points, evidence=evidence, certainty=certainty,
                           regulatory=regulatory, safety=safety, reviewed_on=reviewed_on,
                           loc=Location(self.shown(path)), locs=f.locs(),
                           evidence_locs=evidence_locs, regulatory_locs=regulatory_locs)

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


def read_project(root: Path, diags: Diagnostics) -> m.Project | None:
    """Read and cross-check all content; None when anything essential failed."""
    reader = ProjectReader(root, diags)
    studies = reader.each("studies", reader.study)
    conditions = reader.each("conditions", reader.condition)
    regulatory = reader.regulatory(reader.named("regulatory.yaml"))
    clinic = reader.clinic(reader.named("clinic.yaml"))
    edition, documents = reader.documents(reader.named("documents.yaml"))
    check_references(conditions, studies, regulatory, reader.broken, diags)
    if clinic is None or edition is None:
        return None
    return m.Project(clinic=clinic, studies=studies, conditions=conditions,
                     regulatory=regulatory, edition=edition, documents=documents,
                     broken=frozenset(reader.broken))


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
    """clinic.yaml's optional `locations` list; ids must be unique file-name words."""
    found: list[m.ClinicLocation] = []
    for i, node in enumerate(clinic.items("locations", required=False)):
        f = Fields(node, f"locations[{i + 1}]", diags, LOCATION_FIELDS)
        if not f.ok:
            continue
        ident, name, phone = f.text("id"), f.text("name"), f.text("phone")
        address, _ = f.text_list("address")
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
        if ident and name and phone:
            found.append(m.ClinicLocation(ident, name, address, phone, booking_url,
                                          referral_url, node.loc))
    return tuple(found)
