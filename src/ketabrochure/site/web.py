"""The web edition, out/web/: a research page, a page per handout and a glossary in each
language, made from the same records and texts as the PDFs (patient texts filled by
patient/numbers.py, studies and certainty as the evidence sheets compute them). Static files
only: the pages, two stylesheets, the vendored fonts and copies of the printable PDFs.

    web/index.html                 the choice of language
    web/<lang>/index.html          the research, condition by condition
    web/<lang>/handouts/<id>.html  one handout
    web/<lang>/glossary.html       the words to know
    web/style.css, web/print.css   screen and print stylesheets
    web/fonts/*.woff2              the vendored fonts (assets/fonts)
    web/pdf/<file>.pdf             the printable copies the pages link to
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import model as m
from ..citations import Citations, first_author_year, reference
from ..files import beneath
from ..layouts import long_date
from ..physician import certainty, charts
from ..physician.report import studies_of
from . import pages, shelf
from .words import GRADE_WORDS, design, flags, words

WEB = "web"
PDF = "pdf"
LANG_NAMES = {"en": "English", "es": "Español"}
STATIC = ("style.css", "print.css")


@dataclass
class Edition:
    """What the web edition is made of: page and static file bytes by out/-relative name, and
    the PDFs (out/-relative names) it copies into web/pdf/."""

    files: dict[str, bytes] = field(default_factory=dict)
    pdfs: list[str] = field(default_factory=list)


UNREVIEWED = {"en": "not yet reviewed", "es": "sin revisar"}  # no sign-off in the ledger


def sign_off(project: m.Project, names: list[str]) -> tuple[dt.date | None, str | None]:
    """The oldest sign-off (content/approvals.yaml) of the documents whose text a page shows:
    its date and reviewer; with none signed, neither (no review is invented)."""
    found = [project.signoffs[n] for n in names if n in project.signoffs]
    if not found:
        return None, None
    oldest = min(found, key=lambda s: s.on)
    return oldest.on, oldest.by


def languages(project: m.Project) -> tuple[str, ...]:
    return ("en", "es") if project.patient.common is not None else ()


def printable(entries: list[dict[str, Any]], kind: str, subject: str | None,
              lang: str | None) -> list[dict[str, Any]]:
    """The manifest's office and large-print copies of one document, for the pages' links."""
    found = [e for e in entries if shelf.kind(e) == kind and shelf.variant(e) != "print-shop"
             and (subject is None or e.get("subject") == subject)
             and (lang is None or e.get("language") == lang)]
    return sorted(found, key=lambda e: (e.get("location", ""), e.get("paper") != "letter",
                                        shelf.variant(e) != "office", e["file"]))


def pdf_link(entry: dict[str, Any], say: dict[str, str], lang: str) -> dict[str, Any]:
    """One printable copy: its link, and the paper and two-sided setting to print it with."""
    sides = {"single-sided": "web_one_sided", "double-sided, flip on long edge": "web_long_edge",
             "double-sided, flip on short edge": "web_short_edge"}[shelf.sides(entry)]
    pages_n = int(entry.get("pages") or 1)
    # the link's own words tell copies apart (a screen reader lists links without details)
    label = ["PDF", shelf.PAPERS.get(entry.get("paper", ""), entry.get("paper", ""))]
    if shelf.variant(entry) == "large-print":
        label.append(say["web_large_print"])
    if entry.get("location_name"):
        label.append(str(entry["location_name"]))
    parts = [f"{pages_n} {say['web_page'] if pages_n == 1 else say['web_pages']}", say[sides]]
    if entry.get("audience") == "physician" and lang != "en":
        parts.append(say["web_for_physicians"])
    return {"file": entry["file"], "title": entry.get("title") or entry["file"],
            "lang": entry.get("language", "en"), "label": ", ".join(label),
            "details": ", ".join(parts)}


def size(study: m.Study, say: dict[str, str]) -> str:
    if study.n.value is None:
        return say["web_not_confirmed"]
    unit = {"participants": "web_people_unit", "studies": "web_studies_unit",
            "animals": "web_animals_unit"}[study.n.unit]
    return f"{study.n.value:,} {say[unit]}"


def study_row(study: m.Study, cites: Citations, say: dict[str, str],
              lang: str) -> dict[str, Any]:
    return {"study": study, "number": cites.number(study.id), "name": first_author_year(study),
            "design": design(study, lang), "size": size(study, say),
            "flags": flags(study, lang)}


def condition_section(project: m.Project, condition: m.Condition, cites: Citations,
                      say: dict[str, str], lang: str,
                      entries: list[dict[str, Any]]) -> dict[str, Any]:
    handout = project.patient.handouts.get(condition.id)
    if handout is not None:
        cites.numbers(tuple(s for t in (*handout.findings, handout.strength) for s in t.cites))
    ids = [s for s in studies_of(condition) if s in project.studies]
    ids.sort(key=lambda s: m.ROLES.index(project.studies[s].role))  # animal work last
    outcomes = [{"row": row, "points": row.certainty.points,
                 "grade": GRADE_WORDS["narrative" if row.certainty.narrative
                                  else row.certainty.grade][lang]}
                for row in certainty.rows(condition, project.studies)]
    found = charts.outcome_charts(condition, project.studies)
    reviewed, _ = sign_off(project, [f"evidence-sheet-{condition.id}-en"])
    return {"condition": condition, "handout": handout, "anchor": f"c-{condition.id}",
            "reviewed": reviewed,
            "studies": [study_row(project.studies[s], cites, say, lang) for s in ids],
            "outcomes": outcomes,
            "charts": [{"chart": c, "svg": c.svg(charts.SHEET)} for c in found],
            "regulatory": [project.regulatory[r] for r in condition.regulatory
                           if r in project.regulatory],
            "pdfs": [pdf_link(e, say, lang) for e in
                     printable(entries, "handouts", condition.id, lang)
                     + printable(entries, "conditions", condition.id, None)]}


def references(cites: Citations) -> list[dict[str, Any]]:
    return [{"ref": reference(i + 1, cites.studies[s]), "doi": cites.studies[s].citation.doi}
            for i, s in enumerate(cites.order)]


def metadata(title: str, lang: str, reviewed: dt.date | None, reviewer: str | None,
             clinic: m.Clinic) -> str:
    """schema.org MedicalWebPage as JSON-LD (escaped for a <script> element)."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "MedicalWebPage",
                            "name": title, "inLanguage": lang,
                            "publisher": {"@type": "MedicalClinic", "name": clinic.name}}
    if reviewed:
        data["lastReviewed"] = reviewed.isoformat()
    if reviewer:
        data["reviewedBy"] = {"@type": "Person", "name": reviewer}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def base_context(project: m.Project, lang: str, path: str, title: str,
                 signed: list[str]) -> dict[str, Any]:
    """What every page of one language shares: where it is, its words, its alternates."""
    common = project.patient.common
    assert common is not None
    depth = path.count("/")
    up = "../" * depth
    reviewed, reviewer = sign_off(project, signed)
    local = path.split("/", 1)[1] if "/" in path else path
    return {"lang": lang, "up": up, "path": path, "title": title, "labels": common.labels,
            "say": words(lang, common.labels), "studies": project.studies,
            "clinic": project.clinic, "common": common, "reviewed_on": reviewed,
            "reviewed_words": long_date(reviewed, lang) if reviewed else UNREVIEWED[lang],
            "reviewer": reviewer,
            "alternates": [{"lang": other, "name": LANG_NAMES[other],
                            "href": f"{up}{other}/{local}"} for other in languages(project)],
            "jsonld": metadata(title, lang, reviewed, reviewer, project.clinic),
            "location": m.contact(project.clinic, None), "indication": None}


def research_page(project: m.Project, lang: str, entries: list[dict[str, Any]]) -> str:
    common = project.patient.common
    assert common is not None
    say = words(lang, common.labels)
    cites = Citations(project.studies)
    conditions = sorted(project.conditions.values(), key=lambda c: c.name.lower())
    ctx = base_context(project, lang, f"{lang}/index.html", say["web_title"],
                       [f"evidence-sheet-{c.id}-en" for c in conditions])
    brochure = next(iter(project.patient.brochures.values()), None)
    general = brochure.indication if brochure else next(
        (h.indication for h in project.patient.handouts.values()), None)
    ctx.update(sections=[condition_section(project, c, cites, say, lang, entries)
                         for c in conditions],
               indication=general, reference_list=references(cites), cite=cites.numbers,
               pdfs=[pdf_link(e, say, lang) for e in printable(entries, "brochures", None, lang)
                     + printable(entries, "report", None, None)])
    return pages.render("research.html.j2", **ctx)


def handout_page(project: m.Project, handout: m.Handout, lang: str,
                 entries: list[dict[str, Any]]) -> str:
    common = project.patient.common
    assert common is not None
    say = words(lang, common.labels)
    cites = Citations(project.studies)
    for text in (handout.condition, handout.treatment, *handout.findings, handout.strength,
                 *common.visit, *handout.side_effects, *common.not_for):
        cites.numbers(text.cites)  # numbered in reading order before the references are listed
    title = handout.title.raw(lang)
    ctx = base_context(project, lang, f"{lang}/handouts/{handout.id}.html", title,
                       [f"handout-{handout.id}-{lang}"])
    body = " ".join(x.raw(lang) for x in (*handout.texts, *common.texts)).lower()
    used = [t for t in project.patient.glossary  # as the printed handout's terms_in
            if re.search(rf"(?<!\w){re.escape(t.term.raw(lang).lower())}", body)]
    ctx.update(handout=handout, indication=handout.indication, cite=cites.numbers,
               reference_list=references(cites), terms=used,
               questions=(*common.questions, *handout.questions),
               pdfs=[pdf_link(e, say, lang)
                     for e in printable(entries, "handouts", handout.id, lang)])
    return pages.render("handout.html.j2", **ctx)


def glossary_page(project: m.Project, lang: str) -> str:
    common = project.patient.common
    assert common is not None
    title = words(lang, common.labels)["web_glossary"]
    ctx = base_context(project, lang, f"{lang}/glossary.html", title,
                       [f"handout-{h}-{lang}" for h in project.patient.handouts])
    ctx.update(terms=sorted(project.patient.glossary, key=lambda t: t.term.raw(lang).lower()))
    return pages.render("glossary.html.j2", **ctx)


def edition(project: m.Project, entries: list[dict[str, Any]], fonts: Path) -> Edition:
    """Every file of the web edition (none for a project without patient content)."""
    found = Edition()
    langs = languages(project)
    if not langs:
        return found
    out: dict[str, str] = {"index.html": pages.render(
        "choose.html.j2", languages=[(lang, LANG_NAMES[lang]) for lang in langs],
        say={lang: words(lang, project.patient.common.labels if project.patient.common
                         else {}) for lang in langs})}
    for lang in langs:
        out[f"{lang}/index.html"] = research_page(project, lang, entries)
        out[f"{lang}/glossary.html"] = glossary_page(project, lang)
        for handout in sorted(project.patient.handouts.values(), key=lambda h: h.id):
            out[f"{lang}/handouts/{handout.id}.html"] = handout_page(project, handout, lang,
                                                                     entries)
    found.files = {f"{WEB}/{name}": text.encode() for name, text in out.items()}
    found.files.update({f"{WEB}/{name}": pages.asset(name) for name in STATIC})
    for font in sorted(fonts.glob("*.woff2")) if fonts.is_dir() else ():
        # no link followed out of the project (files.beneath), as for every other read
        found.files[f"{WEB}/fonts/{font.name}"] = beneath.read(fonts, font.name)
    # what the shelf files for patients and physicians (not packets: one recipient's letter)
    linked = {e["file"] for e in entries if shelf.section(e) in ("patients", "physicians")}
    found.pdfs = sorted(linked)
    return found


def pdf_name(file: str) -> str:
    """Where a printable PDF is copied to in out/."""
    return f"{WEB}/{PDF}/{file}"
