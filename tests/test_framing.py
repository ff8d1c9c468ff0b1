"""Honest framing, enforced: every rule on content the test writes (a study of its own and a
finding that cites it), in English and Spanish, located at the line that breaks it.

The rules run on the minimal project with the anxiety handout added (`root`: 24 content files to
read and check, not 71); tests about the templates and statements of several real documents
run on a copy of the default project (`real`)."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from helpers import REPO, copy_minimal, copy_project, edit, line_of, run_cli, study

from ketabrochure import layouts
from ketabrochure import model as m
from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostic, Diagnostics
from ketabrochure.kinds import FILTERS, kind_of
from ketabrochure.patient import numbers

HANDOUT = "content/handouts/anxiety.yaml"
PATIENT = "content/patient.yaml"
BROCHURE = "content/brochures/what-is-ketamine-therapy.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The minimal project with the default content's anxiety handout and condition (no out/:
    these tests only read and check): the handout the rules are tried on, its studies and the
    shared statements of patient.yaml, as in the default project."""
    root = copy_minimal(tmp_path / "project")
    for name in (HANDOUT, "content/conditions/anxiety.yaml"):
        (root / name).write_bytes((REPO / name).read_bytes())
    return root


@pytest.fixture
def real(tmp_path: Path) -> Path:
    """A copy of the default project (no out/: these tests only read, render and check)."""
    return copy_project(tmp_path / "project")




def finding(root: Path, en: str, es: str, cites: str = "testtrial",
            section: str = "findings") -> Path:
    """A text of the test's own, first in the anxiety handout's findings (or side effects)."""
    path = root / HANDOUT
    edit(path, f"{section}:\n", f'{section}:\n  - en: "{en}"\n    es: "{es}"\n'
         f"    cites: [{cites}]\n")
    return path


def problems(root: Path, prefix: str = "") -> list[Diagnostic]:
    """The errors reading and the content rules give (no typesetting), of codes with prefix."""
    diags = Diagnostics()
    load(root, diags)
    return [d for d in diags.errors if d.code.startswith(prefix)]


def codes(found: list[Diagnostic]) -> list[str]:
    return sorted(d.code for d in found)


def at(found: list[Diagnostic], code: str, path: Path, needle: str) -> Diagnostic:
    """The one error of a code at the line of the file that holds needle."""
    line = line_of(path, needle)
    hits = [d for d in found if d.code == code and d.location.line == line]
    assert len(hits) == 1, [str(d) for d in found]
    assert hits[0].location.path == path.relative_to(path.parents[2]).as_posix()
    return hits[0]


# -- 1. framing ----------------------------------------------------------------------------
def test_rate_from_a_small_study_carries_its_size_in_the_same_sentence(root: Path) -> None:
    study(root)
    path = finding(root, "Ketamine helped. {testtrial.response} got better.",
                   "La ketamina ayudó. {testtrial.response} mejoraron.")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.small-study"] * 2
    d = at(found, "framing.small-study", path, "Ketamine helped.")
    assert d.where == "findings[1].en"
    assert "small study of 20 people" in d.message and "{testtrial.n}" in d.message
    assert at(found, "framing.small-study", path, "La ketamina ayudó.").where == "findings[1].es"
    # the size in the same sentence, as a placeholder or typed
    edit(path, "Ketamine helped. {testtrial.response} got better.",
         "In a small study of {testtrial.n} people, {testtrial.response} got better.")
    edit(path, "La ketamina ayudó. {testtrial.response} mejoraron.",
         "En un estudio pequeño de 20 personas, {testtrial.response} mejoraron.")
    assert problems(root, "framing.") == []


def test_typed_numbers_and_small_arms_count_too(root: Path) -> None:
    study(root, n=120, arms="[40, 80]")  # 120 people, but an arm of 40
    path = finding(root, "About 7 in 10 people got better in 2 weeks.",
                   "Unas 7 de cada 10 personas mejoraron en 2 semanas.")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.small-study"] * 2
    assert "smallest arm had 40" in found[0].message
    edit(path, "About 7 in 10 people got better in 2 weeks.",
         "Of the 40 people on ketamine, about 7 in 10 got better in 2 weeks.")
    edit(path, "Unas 7 de cada 10 personas mejoraron en 2 semanas.",
         "De 120 personas, unas 7 de cada 10 mejoraron en 2 semanas.")
    assert problems(root, "framing.") == []


def test_short_term_result_names_its_time_point_and_how_long_it_lasted(root: Path) -> None:
    study(root, n=200, outcome='    timepoint: "90 minutes"\n    lasted: not-reported\n')
    path = finding(root, "In a study of {testtrial.n} people, {testtrial.response} felt better.",
                   "En un estudio de {testtrial.n} personas, {testtrial.response} mejoraron.")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.duration"] * 2 + ["framing.timepoint"] * 2
    timepoint = next(d for d in found if d.code == "framing.timepoint" and d.where.endswith("es"))
    assert "(e.g. '90 minutos')" in timepoint.message
    edit(path, "{testtrial.response} felt better.",
         "{testtrial.response} felt better 90 minutes after the dose.")
    edit(path, "{testtrial.response} mejoraron.",
         "{testtrial.response} mejoraron 90 minutos después.")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.duration"] * 2
    assert "We do not know how long it lasted" in found[0].message
    edit(path, "90 minutes after the dose.", "90 minutes after the dose. We do not know how "
         "long it lasted.")
    edit(path, "90 minutos después.", "90 minutos después. No sabemos cuánto duró.")
    assert problems(root, "framing.") == []


def test_reported_duration_must_be_said_and_words_like_within_hours_count(root: Path) -> None:
    study(root, n=200, outcome='    timepoint: "2 hours"\n    lasted: "1 week"\n')
    path = finding(root, "One dose eased anxiety within hours.",
                   "Una dosis alivió la ansiedad en unas horas.")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.duration"] * 2
    assert "lasted 1 week" in found[0].message
    edit(path, "within hours.", "within hours. The effect lasted about a week.")
    edit(path, "en unas horas.", "en unas horas. El efecto duró cerca de una semana.")
    assert problems(root, "framing.") == []


def test_an_active_treatment_is_compared_only_by_the_studys_conclusion(root: Path) -> None:
    study(root, n=400, kind="active-treatment", comparator="ECT",
          outcome="    comparison: noninferior\n")
    path = finding(root, "In a study of {testtrial.n} people, {testtrial.response} got better "
                   "with ketamine and {testtrial.response.control} with ECT.",
                   "En un estudio de {testtrial.n} personas, {testtrial.response} mejoraron "
                   "con ketamina y {testtrial.response.control} con TEC.")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.comparison"] * 2
    assert "side by side" in found[0].message and "{testtrial.comparison}" in found[0].message
    # in our own words: still not the study's conclusion
    edit(path, "{testtrial.response} got better with ketamine and {testtrial.response.control} "
         "with ECT.", "ketamine worked better than ECT.")
    edit(path, "{testtrial.response} mejoraron con ketamina y {testtrial.response.control} con "
         "TEC.", "la ketamina funcionó mejor que la TEC.")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.comparison"] * 2
    assert "'better than'" in found[0].message or "'better than'" in found[1].message
    edit(path, "ketamine worked better than ECT.", "ketamine {testtrial.comparison} ECT.")
    edit(path, "la ketamina funcionó mejor que la TEC.", "la ketamina {testtrial.comparison} la TEC.")
    assert problems(root, "framing.") == []


@pytest.mark.parametrize(("comparison", "en", "es"), [
    ("superior", "worked better than", "funcionó mejor que"),
    ("noninferior", "was not worse than", "no fue peor que"),
    ("no-difference", "worked about the same as", "funcionó más o menos igual que"),
    ("inferior", "did not work as well as", "funcionó peor que"),
])
def test_comparison_placeholder_in_plain_words(root: Path, comparison: str, en: str,
                                               es: str) -> None:
    study(root, n=400, kind="active-treatment", outcome=f"    comparison: {comparison}\n")
    diags = Diagnostics()
    project, _ = load(root, diags)
    assert project is not None
    assert numbers.fill("Ketamine {testtrial.comparison} ECT.", project.studies, "en") == \
        f"Ketamine {en} ECT."
    assert numbers.fill("La ketamina {testtrial.comparison} la TEC.", project.studies, "es") == \
        f"La ketamina {es} la TEC."


def test_open_label_result_says_so(root: Path) -> None:
    study(root, n=200, blinding="open-label", controlled="false", type="single-arm",
          kind="none", comparator="none")
    path = finding(root, "In a study of {testtrial.n} people, {testtrial.response} got better.",
                   "En un estudio de {testtrial.n} personas, {testtrial.response} mejoraron.")
    edit(root / "content/studies/testtrial.yaml", "    rates: {kind: response, treatment: 70, "
         "control: 20}", "    rates: {kind: response, treatment: 70}")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.open-label"] * 2
    assert "open-label" in found[0].message and "knew" in found[0].message
    edit(path, "got better.", "got better. Everyone knew they got ketamine.")
    edit(path, "mejoraron.", "mejoraron. Todos sabían que recibían ketamina.")
    assert problems(root, "framing.") == []


def test_a_controlled_open_label_result_may_come_with_its_comparator(root: Path) -> None:
    study(root, n=400, blinding="open-label", kind="active-treatment", comparator="ECT",
          outcome="    comparison: noninferior\n")
    finding(root, "In a study of {testtrial.n} people, ketamine {testtrial.comparison} ECT.",
            "En un estudio de {testtrial.n} personas, la ketamina {testtrial.comparison} la TEC.")
    assert problems(root, "framing.") == []


def test_a_number_from_a_non_significant_outcome_is_no_benefit(root: Path) -> None:
    study(root, n=200, outcome="    significant: false\n")
    path = finding(root, "In a study of {testtrial.n} people, {testtrial.response} got better.",
                   "En un estudio de {testtrial.n} personas, {testtrial.response} mejoraron.")
    found = problems(root, "framing.")
    assert codes(found) == ["framing.not-significant"] * 2
    assert "significant: false" in found[0].message
    edit(path, "got better.", "got better, with no clear difference from the placebo.")
    edit(path, "mejoraron.", "mejoraron, pero no hubo una diferencia clara con el placebo.")
    assert problems(root, "framing.") == []


# -- study schema ----------------------------------------------------------------------------
@pytest.mark.parametrize(("outcome", "dose", "code", "words"), [
    ('    timepoint: "soon"\n', "0.5 mg/kg", "content.invalid", "not a time span"),
    ('    timepoint: "1 day"\n', "0.5 mg/kg", "content.missing-field", "how long the effect"),
    ("    comparison: superior\n    significant: false\n", "0.5 mg/kg", "content.invalid",
     "contradicts"),
    ("", "dose not confirmed", "content.unstated", "dose: not-confirmed"),
    ("    significant: maybe\n", "0.5 mg/kg", "content.type", "true, false or null"),
])
def test_study_schema_is_checked(root: Path, outcome: str, dose: str, code: str,
                                 words: str) -> None:
    path = study(root, outcome=outcome, dose=dose)
    (d,) = [d for d in problems(root) if d.location.path.endswith("testtrial.yaml")]
    assert d.code == code and words in d.message, str(d)
    assert d.location.line == line_of(path, (outcome or dose).strip().split("\n")[0]
                                      if code != "content.missing-field" else "timepoint")


def test_unknown_adverse_event_and_comparator_kind_are_located(root: Path) -> None:
    path = study(root, kind="none", adverse="adverse_events: [nausia]\n")
    found = [d for d in problems(root) if d.location.path.endswith("testtrial.yaml")]
    assert codes(found) == ["content.invalid"] * 2
    assert any("did you mean 'nausea'" in d.message for d in found)
    assert any("design.controlled is true" in d.message for d in found)
    assert {d.location.line for d in found} == {line_of(path, "nausia"),
                                                line_of(path, "comparator_kind")}


def test_unstated_values_print_as_words() -> None:
    dose = m.Intervention("ketamine", "not-confirmed", "not-confirmed", "single dose")
    assert (dose.route_words, dose.dose_words, dose.schedule_words) == \
        ("route not confirmed", "dose not confirmed", "single dose")
    assert m.Design("rct", "not-reported", True, "x").blinding_words == "blinding not reported"
    assert m.Design("rct", "open-label", True, "x").blinding_words == "open-label"


# -- 2. safety -------------------------------------------------------------------------------
def test_side_effects_cover_every_adverse_event_of_the_cited_studies(root: Path) -> None:
    study(root, n=200, adverse="adverse_events: [bladder]\n")
    finding(root, "In a study of {testtrial.n} people, {testtrial.response} felt calmer.",
            "En un estudio de {testtrial.n} personas, {testtrial.response} se calmaron.")
    found = problems(root, "safety.")
    assert codes(found) == ["safety.coverage"] * 2
    handout = root / HANDOUT
    assert {d.location.line for d in found} == {line_of(handout, "Higher doses caused more"),
                                               line_of(handout, "Las dosis más altas")}
    assert "bladder ('bladder', 'urinary')" in found[0].message
    assert "citing testtrial" in found[0].message
    finding(root, "Ketamine can cause bladder problems.", "La ketamina puede dañar la vejiga.",
            section="side_effects")
    assert problems(root, "safety.") == []


def test_a_rare_event_may_be_left_out_where_the_list_says_so(root: Path) -> None:
    study(root, n=200, adverse="adverse_events: [{id: bladder, rare: true}]\n")
    finding(root, "In a study of {testtrial.n} people, {testtrial.response} felt calmer.",
            "En un estudio de {testtrial.n} personas, {testtrial.response} se calmaron.")
    assert problems(root, "safety.") == []  # long_term_safety: "Rare side effects, ..."
    edit(root / PATIENT, "Rare side effects, and some risks we could not check, are not listed "
         "here.", "Some risks we could not check are not listed here.")
    assert codes(problems(root, "safety.")) == ["safety.coverage"]


def test_a_side_effect_lasts_only_as_long_as_a_study_records(root: Path) -> None:
    study(root, n=200, adverse="adverse_events: [nausea]\n")
    path = finding(root, "Some people feel sick to their stomach. It did not last long.",
                   "Algunas personas tienen náuseas. No duró mucho.", section="side_effects")
    found = problems(root, "safety.")
    assert codes(found) == ["safety.duration"] * 2
    assert "how long nausea lasts" in found[0].message
    assert found[0].location.line == line_of(path, "It did not last long.")
    edit(root / "content/studies/testtrial.yaml", "adverse_events: [nausea]",
         "adverse_events: [{id: nausea, lasted: transient}]")
    assert problems(root, "safety.") == []


@pytest.mark.parametrize("key", ["long_term_safety", "crisis"])
def test_shared_statements_are_required(root: Path, key: str) -> None:
    """The long-term safety statement and the crisis line are one text each, in patient.yaml."""
    edit(root / PATIENT, f"\n{key}:\n", f"\n{key}_text:\n")
    found = problems(root, "content.")
    # one line for the slip: the unknown key, with the missing one it was meant to be (its
    # "missing required field" twin would say the same again)
    (unknown,) = [d for d in found if d.code == "content.unknown-field"]
    assert f"'{key}_text'" in unknown.message and f"'{key}'" in unknown.message.split("?")[0]
    assert unknown.location.path == PATIENT
    assert not [d for d in found if d.code == "content.missing-field"]


# -- 3. crisis -------------------------------------------------------------------------------
def test_crisis_text_must_give_988_in_every_language(root: Path) -> None:
    path = root / PATIENT
    edit(path, "Llame o envíe un texto al 988, la Línea de Prevención",
         "Llame a la Línea de Prevención")
    (d,) = problems(root, "content.crisis")
    assert d.where == "crisis.es" and "988" in d.message
    assert d.location.line == line_of(path, "Llame a la Línea de Prevención")


@pytest.mark.parametrize(("lang", "old", "new"), [
    ("en", "Call or text 988", "Call or text 988 (press 3 for LGBTQ+ youth)"),
    ("es", "marque 2;", "marque 2 (o marque 3);"),
])
def test_the_ended_press_3_option_is_refused(root: Path, lang: str, old: str, new: str) -> None:
    """988's 'press 3' ended on 17 July 2025: the crisis line never prints it."""
    path = root / PATIENT
    edit(path, old, new)
    (d,) = problems(root, "content.forbidden")
    assert d.where == f"crisis.{lang}" and "3'" in d.message
    assert d.location.line == line_of(path, new)


def test_crisis_line_is_one_text_not_copied(root: Path) -> None:
    path = finding(root, "Call 988 if you are in crisis.", "Llame al 988 si está en crisis.",
                   cites="taylor2018")
    found = problems(root, "content.crisis")
    assert len(found) == 1 and "crisis: true" in found[0].message
    assert found[0].location.line == line_of(path, "Call 988 if you are in crisis.")


def test_every_handout_says_whether_it_needs_the_crisis_line(root: Path) -> None:
    edit(root / HANDOUT, "crisis: true\n", "")
    (d,) = [d for d in problems(root) if d.where == "crisis"]
    assert d.code == "content.missing-field" and "crisis: true" in d.message
    assert d.location.path == HANDOUT


def html_problems(root: Path, name: str) -> list[Diagnostic]:
    """The errors rendering one document gives (its HTML, checked; nothing typeset)."""
    diags = Diagnostics()
    project, documents = load(root, diags)
    assert project is not None and not diags.errors, [str(d) for d in diags.errors]
    document = next(d for d in documents if d.name == name)
    kind_of(document).parts(document, project, layouts.environment(root, FILTERS), diags)
    return diags.errors


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_template_that_drops_the_crisis_slot_fails(real: Path, lang: str) -> None:
    assert html_problems(real, f"handout-ptsd-letter-{lang}") == []
    template = real / "layouts/handout/handout.html.j2"
    edit(template, '<p data-field="{{ crisis.path }}">{{ crisis | tr }}</p>', "")
    (d,) = html_problems(real, f"handout-ptsd-letter-{lang}")
    assert d.code == "check.template-slot" and d.location.path == "layouts/handout/handout.html.j2"
    assert "crisis" in d.message and d.where == f"handout ptsd (letter, {lang})"
    # a handout marked crisis: false does not need it
    edit(real / HANDOUT, "\ncrisis: true\n", "\ncrisis: false\n")
    assert html_problems(real, f"handout-anxiety-letter-{lang}") == []


def test_the_crisis_line_stands_first(real: Path) -> None:
    template = real / "layouts/handout/handout.html.j2"
    text = template.read_text()
    start = text.index("{% if show_crisis %}")
    end = text.index("{% endif %}", start) + len("{% endif %}")
    last = text.rindex("{% endblock %}")  # the box moved to the end of the body
    template.write_text(text[:start] + text[end:last] + text[start:end] + "\n" + text[last:])
    (d,) = html_problems(real, "handout-depression-letter-en")
    assert d.code == "check.template-slot" and "where a reader meets it first" in d.message
    trifold = real / "layouts/trifold/trifold.html.j2"
    edit(trifold, '<p data-field="{{ crisis.path }}">{{ crisis | tr }}</p>', "")
    edit(trifold, "<h3>{{ labels.sources | tr }}</h3>",
         '<h3>{{ labels.sources | tr }}</h3><p>{{ crisis | tr }}</p>')
    (d,) = html_problems(real, "trifold-what-is-ketamine-therapy-letter-es")
    assert "front cover" in d.message


@pytest.mark.parametrize(("template", "slot", "name"), [
    ("handout/handout.html.j2", '<li data-field="{{ long_term_safety.path }}">'
     "{{ long_term_safety | tr }}</li>", "handout-anxiety-letter-es"),
    ("handout/handout.html.j2", '<p data-field="{{ off_label.path }}">{{ off_label | tr }}</p>',
     "handout-chronic-pain-letter-en"),
    ("trifold/trifold.html.j2", '<li data-field="{{ long_term_safety.path }}">'
     "{{ long_term_safety | tr }}</li>", "trifold-what-is-ketamine-therapy-letter-en"),
])
def test_a_template_that_drops_a_shared_statement_fails(real: Path, template: str, slot: str,
                                                       name: str) -> None:
    edit(real / "layouts" / template, slot, "")
    (d,) = html_problems(real, name)
    assert d.code == "check.template-slot" and d.location.path == f"layouts/{template}"


# -- 4. off-label per indication -------------------------------------------------------------
def test_off_label_statement_names_each_documents_indication(real: Path) -> None:
    path = real / PATIENT
    edit(path, "It is not approved for {indication}.", "It is not approved for depression.")
    found = problems(real, "content.off-label-indication")
    pain = [d for d in found if d.where == "handout chronic-pain (en)"]
    assert len(pain) == 1 and "'long-term pain'" in pain[0].message
    assert "write {indication}" in pain[0].message
    assert pain[0].location.line == line_of(path, "It is not approved for depression.")
    assert not [d for d in found if d.where == "handout depression (en)"]


def test_brochure_indication_names_every_condition_it_reports_on(real: Path) -> None:
    path = real / BROCHURE
    edit(path, 'en: "long-term pain, depression,', 'en: "depression,')
    found = problems(real, "content.off-label-indication")
    assert {d.where for d in found} == {"brochure what-is-ketamine-therapy (en)"}
    (d,) = [d for d in found if "('chronic-pain')" in d.message]  # (and KAP's 'pain')
    assert "'long-term pain'" in d.message
    assert d.location.line == line_of(path, 'en: "depression, thoughts of suicide')


# -- in the PDF --------------------------------------------------------------------------------
def test_the_pdfs_carry_the_statements(real: Path) -> None:
    edit(real / HANDOUT, "\ncrisis: true\n", "\ncrisis: false\n")
    names = ["handout-ptsd-letter-es.pdf", "handout-anxiety-letter-en.pdf"]
    result = run_cli(real, "build", "--jobs", "1", *names)
    assert result.code == 0, result.stderr
    ptsd = pypdf.PdfReader(real / "out" / names[0])
    first = " ".join(ptsd.pages[0].extract_text().split())
    assert "Línea de Prevención del Suicidio y Crisis" in first and "marque 2" in first
    ptsd_all = " ".join(" ".join(p.extract_text().split()) for p in ptsd.pages)
    # a Spanish date (the sign-off's, from content/approvals.yaml)
    assert re.search(r"Revisado el \d{1,2} de [a-z]+ de 20\d\d", ptsd_all), ptsd_all
    assert "No está aprobada para el TEPT." in first
    anxiety = " ".join(" ".join(p.extract_text().split())
                       for p in pypdf.PdfReader(real / "out" / names[1]).pages)
    assert "988" not in anxiety
    assert "It is not approved for anxiety." in anxiety
    assert "Rare side effects, and some risks we could not check, are not listed here." in anxiety
