"""Citations: AMA references, numbering in reading order, and the labels for weak designs."""

from __future__ import annotations

from dataclasses import dataclass

from . import model as m

DESIGN_NAMES = {
    "rct": "RCT", "crossover-rct": "Crossover RCT",
    "nonrandomised-crossover": "Non-randomised crossover", "meta-analysis": "Meta-analysis",
    "systematic-review": "Systematic review", "single-arm": "Single-arm study",
    "cohort": "Cohort study", "animal": "Animal study",
}


SYNTHESES = ("meta-analysis", "systematic-review")


@dataclass(frozen=True)
class Reference:
    number: int
    study: m.Study
    authors: str
    title: str
    journal: str
    details: str  # 2023;388(25):2315-2325


def author_list(citation: m.Citation) -> str:
    """AMA: up to 6 authors; with more (or a list known to be partial), the first 3 and et al."""
    names = list(citation.authors)
    if len(names) > 6:
        names, et_al = names[:3], True
    else:
        et_al = citation.et_al
    if not names:
        return ""
    return ", ".join(names) + (", et al" if et_al else "")


def reference(number: int, study: m.Study) -> Reference:
    c = study.citation
    details = str(c.year)
    if c.volume:
        details += f";{c.volume}"
        if c.issue:
            details += f"({c.issue})"
        if c.pages:
            details += f":{c.pages}"
    return Reference(number, study, author_list(c), c.title.rstrip("."), c.journal, details)


def study_flags(study: m.Study) -> list[str]:
    """Labels that keep weak designs visible on the page."""
    flags = []
    if study.role == "preclinical":
        flags.append(f"Animal study ({study.population.species})")
    elif study.role == "mechanism":
        flags.append("Mechanism study, not evidence of benefit")
    if study.design.blinding == "open-label":
        flags.append("Open-label")
    if not study.design.controlled and study.design.type in SYNTHESES:
        flags.append("Controlled trials only: not confirmed")  # a review, not a study's arms
    elif not study.design.controlled:
        flags.append("No control group")
    if study.is_small:
        flags.append("Small n")
    return flags


def first_author_year(study: m.Study) -> str:
    """'Anand 2023'; without confirmed authors, the title's first words:
    '"R (-)-ketamine…" 2014'."""
    c = study.citation
    if c.authors:
        return f"{c.authors[0].split()[0]} {c.year}"
    return f"\u201c{' '.join(c.title.split()[:2])}\u2026\u201d {c.year}"


class Citations:
    """Numbers studies in the order the page first cites them."""

    def __init__(self, studies: dict[str, m.Study]) -> None:
        self.studies = studies
        self.order: list[str] = []

    def number(self, study_id: str) -> int:
        if study_id not in self.order:
            self.order.append(study_id)
        return self.order.index(study_id) + 1

    def numbers(self, study_ids: tuple[str, ...]) -> list[int]:
        return sorted(self.number(s) for s in study_ids)

    def references(self) -> list[Reference]:
        return [reference(i + 1, self.studies[s]) for i, s in enumerate(self.order)]
