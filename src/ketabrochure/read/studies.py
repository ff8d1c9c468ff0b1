"""Stage 2, studies: a study file (citation, design, population, n, intervention, outcomes,
adverse events) read into the model, every problem collected and located."""

from __future__ import annotations

import re
from pathlib import Path

from .. import model as m
from ..diagnostics import Location
from .fields import DOI_RE, PMID_RE, Fields, describe, suggestion
from .reader import Reader
from .yamlsource import Node

SPAN_RE = re.compile(rf"^(\d+(?:\.\d+)?) ({'|'.join(m.TIME_UNITS)})s?$")
# free text standing in for a value the sources do not give: write the token instead
UNSTATED_TEXT = re.compile(r"\b(not confirmed|unconfirmed|not reported|not stated|unknown)\b",
                           re.IGNORECASE)
OUTCOME_FIELDS = ("measure", "result", "timepoint", "lasted", "comparison", "rates", "significant",
                  "measures", "rater", "effect", "events")


def parse_span(text: str) -> m.TimeSpan | None:
    """'90 minutes' -> TimeSpan(90, 'minute'); None for anything else."""
    match = SPAN_RE.match(text.strip())
    return m.TimeSpan(float(match.group(1)), match.group(2)) if match else None


class StudyReader(Reader):
    """Reads studies/: one file per study."""

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
        year = c.year("year")
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
        n = f.sub("n", ("value", "unit", "note", "arms", "started", "participants"))
        if n is None:
            return None
        unit = n.choice("unit", m.N_UNITS)
        value = n.integer("value", required=False, minimum=1)  # read first: all problems at once
        note = n.text("note", required=False)
        people = n.integer("participants", required=False, minimum=1)
        if people is not None and unit != "studies":
            n.error(n.loc("participants"), "n.participants is the people a synthesis pooled "
                    "(with unit: studies); for a study of people, n.value is the count",
                    where="n.participants")
        arms, started = self.people_list(n, "arms"), self.people_list(n, "started")
        if arms and value is not None and sum(arms) > value:
            n.error(n.loc("arms"), f"the arms add up to {sum(arms)}, more than n.value {value}",
                    where="n.arms")
        if started and (len(started) != len(arms)
                        or any(s > a for s, a in zip(started, arms, strict=False))):
            n.error(n.loc("started"), f"n.started {list(started)} must give, for each of the "
                    f"arms {list(arms)}, how many of its people began treatment (no more than "
                    "the arm had)", where="n.started")
        if unit is None:
            return None
        return m.SampleSize(value=value, unit=unit, note=note, arms=arms, started=started,
                            participants=people)

    @staticmethod
    def people_list(n: Fields, key: str) -> tuple[int, ...]:
        """`arms: [200, 203]`: whole numbers of people, each checked."""
        found: list[int] = []
        for i, node in enumerate(n.items(key, required=False)):
            if isinstance(node.value, int) and not isinstance(node.value, bool) and node.value > 0:
                found.append(node.value)
            else:
                n.error(node.loc, f"must be a number of people; got {describe(node.value)}",
                        code="content.type", where=f"n.{key}[{i + 1}]")
        return tuple(found)

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
        measures = o.choices("measures", m.MEASURES)
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
        rater = o.choice("rater", m.RATERS, required=False)
        effect = self.effect(o)
        events = o.integer("events", required=False, minimum=0)
        if measure is None or result is None:
            return None
        outcome = m.Outcome(measure=measure, result=result, timepoint=timepoint, lasted=lasted,
                            comparison=comparison, rates=rates, significant=significant,
                            measures=measures, loc=node.loc, rater=rater, effect=effect,
                            events=events)
        if outcome.short_term and lasted is None:
            o.error(o.loc("timepoint"), f"measured at {timepoint}: say how long the effect "
                    "lasted (lasted: '1 week', short-lived or not-reported)",
                    code="content.missing-field", where=f"{o.where}.lasted")
        contradicts = {"superior": False, "inferior": False, "no-difference": True}
        if comparison in contradicts and significant is contradicts[comparison]:
            o.error(o.loc("comparison"), f"comparison: {comparison} contradicts significant: "
                    f"{str(significant).lower()}", where=f"{o.where}.comparison")
        return outcome

    def effect(self, o: Fields) -> m.Effect | None:
        """`effect: {measure: OR, value: 2.85, low: 1.14, high: 7.15}` (a 95% interval: both
        ends or neither; the value inside it)."""
        e = o.sub("effect", ("measure", "value", "low", "high"), required=False)
        if e is None:
            return None
        measure, value = e.choice("measure", m.EFFECT_MEASURES), e.number("value")
        low, high = e.number("low", required=False), e.number("high", required=False)
        if (low is None) != (high is None):
            e.error(e.loc("low" if low is not None else "high"), "an interval needs both ends: "
                    "write low and high (the 95% interval), or neither", where=f"{o.where}.effect")
            return None
        if value is not None and low is not None and high is not None and \
                not low <= value <= high:
            e.error(e.loc("value"), f"{value} lies outside its interval {low} to {high}",
                    where=f"{o.where}.effect.value")
            return None
        if measure is None or value is None:
            return None
        return m.Effect(measure, value, low, high)

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
