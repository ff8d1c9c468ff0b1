"""Patient content rules: located errors for overflow, reading grade, translations, sources.

The rules run on the minimal project with the default content's depression handout, its
condition and studies added (`rules`: 27 content files to read and check, not 71); tests about
the default documents run on a copy of the default project (`project`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import WITH_DEPRESSION, diagnostics, edit, line_of, real_files, run_cli

from ketabrochure.patient import numbers as plain

BROCHURE = "content/brochures/what-is-ketamine-therapy.yaml"
DEPRESSION = "content/handouts/depression.yaml"


@pytest.fixture
def rules(minimal: Path) -> Path:
    """The minimal project (its cache seeded) with the depression handout the rules are tried
    on, as the default content has it."""
    return real_files(minimal, *WITH_DEPRESSION)


def errors(project: Path, *names: str) -> list[dict[str, str]]:
    """Errors of a build of a few documents (content rules cover all content in any build)."""
    result = run_cli(project, "build", "--jobs", "1", *(names or ("evidence-sheet-ptsd-letter-en.pdf",)))
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return [d for d in diagnostics(result.stderr) if d["sev"] == "error"]


def test_too_long_panel_names_the_panel_and_field(rules: Path) -> None:
    path = rules / BROCHURE
    sentence = "Blood pressure can go up for a short time. We check it before and after each dose."
    edit(path, f'- en: "{sentence}"', f'- en: "{" ".join([sentence] * 12)}"')
    found = errors(rules, "trifold")
    (d,) = [d for d in found if d["code"] == "check.panel-overflow" and "(letter, en)" in d["where"]]
    assert d["path"] == BROCHURE
    assert int(d["line"]) == line_of(path, "Blood pressure can go up for a short time. We check")
    assert "panel 'right'" in d["where"]
    assert "taller than the panel" in d["msg"] and " in (" in d["msg"]
    assert "longest text is panels.right[1].bullets[2]: shorten it by about" in d["msg"]
    # the Spanish brochure still fits: its error would point at the es line instead
    assert not [d for d in found if d["code"] == "check.panel-overflow" and "es" in d["where"]]


def test_hard_sentence_fails_the_reading_grade(rules: Path) -> None:
    path = rules / DEPRESSION
    hard = ("Randomized controlled investigations demonstrated statistically significant "
            "antidepressant efficacy of subanesthetic intravenous ketamine administration.")
    edit(path, 'en: "In a small study of {berman2000.n} people, depression eased within 3 days of '
         'one dose of ketamine. It did not ease after salt water (a placebo). The study ended '
         'after 3 days. We do not know how long the effect lasted."', f'en: "{hard}"')
    (d,) = [d for d in errors(rules) if d["code"] == "check.readability"]
    assert d["path"] == DEPRESSION and int(d["line"]) == line_of(path, hard)
    assert d["where"] == "findings[1].en"
    assert "Flesch-Kincaid" in d["msg"] and "above 8" in d["msg"]


def test_hard_spanish_sentence_is_scored_with_crawford(rules: Path) -> None:
    path = rules / DEPRESSION
    hard = ("Investigaciones aleatorizadas demostraron eficacia antidepresiva estadísticamente "
            "significativa de la administración intravenosa subanestésica de ketamina, "
            "independientemente de características sociodemográficas, psicopatológicas, "
            "farmacológicas y terapéuticas concomitantes.")
    edit(path, 'es: "En un estudio pequeño de {berman2000.n} personas, la depresión bajó en los 3 '
         'días después de una dosis de ketamina. No bajó con agua con sal (un placebo). El '
         'estudio terminó a los 3 días. No sabemos cuánto duró el efecto."', f'es: "{hard}"')
    (d,) = [d for d in errors(rules) if d["code"] == "check.readability"]
    assert d["where"] == "findings[1].es" and "Crawford" in d["msg"]


def test_missing_spanish_fails_at_its_line(rules: Path) -> None:
    path = rules / DEPRESSION
    line = line_of(path, "The good effect often fades.")
    edit(path, '    es: "El buen efecto a menudo se pasa.', '    # es: "El buen efecto a menudo se pasa.')
    (d,) = [d for d in errors(rules) if d["code"] == "content.translation"]
    assert (d["path"], int(d["line"])) == (DEPRESSION, line)
    assert d["where"] == "findings[3]" and "english_only" in d["msg"]


def test_english_only_field_needs_no_spanish(project: Path) -> None:
    path = project / DEPRESSION
    edit(path, '    es: "El buen efecto a menudo se pasa.', '    english_only: true\n'
         '    # es: "El buen efecto a menudo se pasa.')
    result = run_cli(project, "build", "--jobs", "1", "handout-depression-letter-es.pdf")
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(("old", "new", "code"), [
    ("felt much better after 6 weeks.", "were cured after 6 weeks.", "claims.permanence"),
    ("Doctors call this hard-to-treat depression.", "IV ketamine is FDA-approved for it.",
     "claims.approval"),
    ("Doctors call this hard-to-treat depression.", "The FDA has approved ketamine for it.",
     "claims.approval"),
    ("Los médicos la llaman depresión difícil de tratar.",
     "La ketamina está aprobada por la FDA para esto.", "claims.approval"),
    ("cites: [murrough2013]", "cites: [zhang2014]", "content.patient-evidence"),
    ("{pfeiffer2024.response}", "{pfeiffer2024.response.control}", "content.placeholder"),
    ("{pfeiffer2024.response}", "{pfeiffer2024.response} ({anand2023.n})", "content.uncited"),
    ("cites: [berman2000]", "cites: [berman2001]", "content.unknown-ref"),
])
def test_content_rules_are_located(rules: Path, old: str, new: str, code: str) -> None:
    path = rules / DEPRESSION
    edit(path, old, new)
    found = [d for d in errors(rules) if d["code"] == code]
    assert found and all(d["path"] == DEPRESSION for d in found)
    assert int(found[0]["line"]) == line_of(path, new)


def test_off_label_statement_must_cite_the_off_label_fact(rules: Path) -> None:
    path = rules / "content/patient.yaml"
    edit(path, "facts: [iv-ketamine-off-label, spravato-2019-trd, spravato-rems]",
         "facts: [spravato-2019-trd, spravato-rems]")
    (d,) = [d for d in errors(rules) if d["code"] == "content.off-label"]
    assert d["path"] == "content/patient.yaml"


def test_check_reports_the_grade_of_every_patient_document(project: Path) -> None:
    result = run_cli(project, "check", "--jobs", "1")
    assert result.code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines()
             if line.startswith(("ok handout-", "ok trifold-"))]
    # the tri-fold's 4 copies; 6 handouts: EN and ES office, print shop and large print
    assert len(lines) == 4 + 6 * 6
    for line in lines:
        formula = "Crawford" if "-es" in line else "Flesch-Kincaid"
        assert "reading grade" in line and f"({formula})" in line, line


@pytest.mark.parametrize(("percent", "en", "es"), [
    (55.4, "5 or 6 in 10 people", "5 o 6 de cada 10 personas"),
    (70.8, "about 7 in 10 people", "unas 7 de cada 10 personas"),
    (41.2, "about 4 in 10 people", "unas 4 de cada 10 personas"),
    (26, "2 or 3 in 10 people", "2 o 3 de cada 10 personas"),
    (88, "about 9 in 10 people", "unas 9 de cada 10 personas"),
    (0, "no one", "ninguna persona"),
    (4, "fewer than 1 in 10 people", "menos de 1 de cada 10 personas"),
])
def test_rates_in_words_patients_use(percent: float, en: str, es: str) -> None:
    assert plain.in_ten(percent, "en") == en
    assert plain.in_ten(percent, "es") == es


def test_patient_text_must_be_bilingual_mapping(rules: Path) -> None:
    path = rules / DEPRESSION
    edit(path, 'title: {en: "Ketamine for depression", es: "Ketamina para la depresión"}',
         'title: "Ketamine for depression"')
    (d,) = [d for d in errors(rules) if d["code"] == "content.bilingual"]
    assert (d["path"], int(d["line"]), d["where"]) == (DEPRESSION, 2, "title")


def test_print_variants_are_for_patient_layouts(rules: Path) -> None:
    edit(rules / "content/documents.yaml", "    language: en\n    pages: {exactly: 1}",
         "    language: en\n    variants: [print-shop]\n    pages: {exactly: 1}")
    (d,) = [d for d in errors(rules, "handout-ptsd-letter-en.pdf") if d["code"] == "content.variant"]
    assert d["path"] == "content/documents.yaml" and "patient layouts" in d["msg"]

