"""Safety from the regulatory record (patient/safety.py, `safety.regulatory`): every patient
document's side effects name the risks regulatory.yaml gives for this use and cite a fact that
states each, whatever studies the document cites; a risk left out is never printed, and the
side effects then say that some risks are not listed. Each case on content the test edits, in
English and Spanish, located at its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_project, edit, line_of

from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostic, Diagnostics

ANXIETY = "content/handouts/anxiety.yaml"
BROCHURE = "content/brochures/what-is-ketamine-therapy.yaml"
PATIENT = "content/patient.yaml"
REGULATORY = "content/regulatory.yaml"
SEDATION_EN = ('  - en: "The nasal spray form, esketamine, can make you very sleepy. Ketamine and '
               'esketamine can be misused."\n')
SEDATION_ES = ('    es: "La esketamina, en aerosol nasal, puede darle mucho sueño. La ketamina y '
               'la esketamina se pueden usar mal."\n')


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def problems(root: Path, code: str = "safety.regulatory") -> list[Diagnostic]:
    diags = Diagnostics()
    load(root, diags)
    return [d for d in diags.errors if d.code == code]


def test_the_default_content_names_every_regulatory_risk(root: Path) -> None:
    assert problems(root) == []


def test_a_side_effect_deleted_with_its_citation_is_refused(root: Path) -> None:
    """The anxiety handout cites no esketamine study: only the regulatory record keeps its
    sedation and misuse line in place."""
    path = root / ANXIETY
    edit(path, SEDATION_EN + SEDATION_ES + "    facts: [spravato-rems]\n", "")
    found = problems(root)
    missing = {(d.where, d.message.split(" (")[0].split("do not name ")[-1]) for d in found
               if "do not name" in d.message}
    assert missing == {("handout anxiety (en)", "sedation"), ("handout anxiety (en)", "misuse"),
                       ("handout anxiety (es)", "sedation"), ("handout anxiety (es)", "misuse")}
    # dissociation is still named, but no text cites the REMS that states it any more
    uncited = [d for d in found if "cite none of the facts" in d.message]
    assert len(uncited) == 2 and all("dissociation" in d.message for d in uncited)
    en = next(d for d in found if d.where.endswith("(en)"))
    assert en.location.path == ANXIETY
    assert en.location.line == line_of(path, "Higher doses caused more dissociation")
    assert "the regulatory record gives for this use (spravato-rems)" in en.message
    assert "citing `facts: [spravato-rems]`" in en.message
    es = next(d for d in found if d.where.endswith("(es)"))
    assert es.location.line == line_of(path, "Las dosis más altas")
    assert "'mucho sueño'" in next(d.message for d in found
                                   if d.where.endswith("(es)") and "sedation" in d.message)


def test_sedation_dropped_from_the_brochure_is_refused(root: Path) -> None:
    path = root / BROCHURE
    edit(path, "The nasal spray can make you very sleepy. With it,", "With the nasal spray,")
    found = problems(root)
    assert [(d.where, "sedation" in d.message) for d in found] == [
        ("brochure what-is-ketamine-therapy (en)", True)]
    assert found[0].location.line == line_of(path, "During a dose, you may feel dreamy")


def test_a_risk_named_without_its_fact_is_refused(root: Path) -> None:
    path = root / ANXIETY
    edit(path, SEDATION_ES + "    facts: [spravato-rems]\n", SEDATION_ES + "    cites: [glue2020]\n")
    found = problems(root)
    assert len(found) == 6 and all("cite none of the facts" in d.message for d in found)
    assert {d.message.split(" but ")[0] for d in found} == {
        "its side effects name sedation", "its side effects name misuse",
        "its side effects name dissociation"}
    assert found[0].location.line == line_of(path, "Higher doses caused more dissociation")


@pytest.mark.parametrize(("old", "new", "langs"), [
    ("Rare side effects, and some risks we could not check, are not listed here.",
     "Rare side effects may not be known.", ["en"]),
    ("Los efectos raros, y algunos riesgos que no pudimos revisar, no están en esta lista.",
     "Puede haber efectos raros.", ["es"]),
])
def test_a_risk_left_out_must_be_said_plainly(root: Path, old: str, new: str,
                                              langs: list[str]) -> None:
    edit(root / PATIENT, old, new)
    found = problems(root)
    # every patient document (six handouts, one brochure), once per risk left out (two)
    assert len(found) == 7 * 2 and {d.where[-3:-1] for d in found} == set(langs)
    assert any("leaves bladder out (Bladder and urinary problems" in d.message for d in found)
    assert all("some risks are not listed" in d.message for d in found)


@pytest.mark.parametrize(("old", "new", "code", "told"), [
    ("  misuse: {facts: [spravato-rems]}", "  misuze: {facts: [spravato-rems]}",
     "content.unknown-ref", "did you mean 'misuse'"),
    ("  misuse: {facts: [spravato-rems]}", "  misuse: {facts: [spravato-remz]}",
     "content.unknown-ref", "no fact 'spravato-remz'"),
    ("  misuse: {facts: [spravato-rems]}", '  misuse: {facts: [spravato-rems], left_out: "x"}',
     "content.missing-field", "not both or neither"),
])
def test_the_risks_of_the_record_are_checked(root: Path, old: str, new: str, code: str,
                                             told: str) -> None:
    path = root / REGULATORY
    edit(path, old, new)
    found = problems(root, code)
    hit = next(d for d in found if told in d.message)
    assert hit.location.path == REGULATORY
    assert hit.location.line == line_of(path, new.strip()[:20])
