"""A misleading text is refused, not merely listed: the edits a marketing-minded editor would
make (issue 18), each written by the test into a copy of the project, in English and Spanish,
each a located error of its own code; and the honest texts beside them pass.

One copy holds every case (one load for all: each case is a text on a line of its own)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import copy_project, diagnostics, edit, line_of, run_cli, study

from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostic, Diagnostics
from ketabrochure.wording import claims, record

HANDOUT = "content/handouts/anxiety.yaml"
CONDITION = "content/conditions/suicidal-ideation.yaml"
COMMON = "content/patient.yaml"
BROCHURE = "content/brochures/what-is-ketamine-therapy.yaml"
IN_BROCHURE = ("Ketamine is the fastest help there is, and it helps most people.",
               "La ketamina es la ayuda más rápida que hay, y ayuda a la mayoría.")
BOTTOM_LINE = "One IV ketamine dose cuts suicidal thoughts by 60%."
UNCITED = ("Ketamine works within minutes.", "La ketamina funciona en minutos.")
RECORD = '    timepoint: "1 day"\n    lasted: "1 week"\n    significant: true\n'

# (name, English, Spanish, cites, code): every one is refused in both languages
PATIENT = [
    ("typed-rate-with-size", "Ketamine cut suicidal thoughts by 60% in this study of 20 people.",
     "La ketamina redujo los pensamientos suicidas un 60% en este estudio de 20 personas.",
     "testtrial", "numbers.typed"),
    ("spelled-rate", "With ketamine, up to seven in ten people felt better after 1 day.",
     "Con la ketamina, hasta siete de cada diez personas se sintieron mejor al día.",
     "testtrial", "numbers.typed"),
    ("half-twice", "Twice as many felt better with ketamine, and half were well after 1 day.",
     "El doble se sintió mejor con la ketamina, y la mitad estaba bien al día.",
     "testtrial", "numbers.typed"),
    ("most", "Ketamine helps most patients.", "La ketamina ayuda a la mayoría de los pacientes.",
     "testtrial", "numbers.quantifier"),
    ("nearly-all", "Nearly all people in the study felt better for good.",
     "Casi todas las personas del estudio se sintieron mejor para siempre.",
     "testtrial", "numbers.quantifier"),
    ("count-not-in-record", "In a study of 50 people, the test drug was given once.",
     "En un estudio de 50 personas, se dio el medicamento una vez.",
     "testtrial", "numbers.record"),
    ("fda-cleared", "Our ketamine treatment is FDA-cleared.",
     "Nuestro tratamiento con ketamina está autorizado por la FDA.", "testtrial",
     "claims.approval"),
    ("esketamine-carried-over",
     "Esketamine is FDA-approved for depression, so IV ketamine is an approved kind of "
     "treatment too.",
     "La esketamina está aprobada por la FDA, así que la ketamina por la vena también es un "
     "tratamiento aprobado.", "testtrial", "claims.approval"),
    ("clinically-proven", "Ketamine is clinically proven.",
     "La ketamina está clínicamente comprobada.", "testtrial", "claims.proof"),
    ("fastest", "Ketamine is the fastest help there is.",
     "La ketamina es la ayuda más rápida que hay.", "testtrial", "claims.proof"),
    ("gold-standard", "Ketamine is the new gold standard.",
     "La ketamina es el nuevo estándar de oro.", "testtrial", "claims.proof"),
    ("miracle-breakthrough", "A breakthrough: ketamine is a miracle for depression.",
     "Un gran avance: la ketamina es un milagro para la depresión.", "testtrial",
     "claims.proof"),
    ("best", "Ketamine is the best treatment for depression.",
     "La ketamina es el mejor tratamiento para la depresión.", "testtrial", "claims.proof"),
    ("safe-non-addictive", "Ketamine is safe and non-addictive.",
     "La ketamina es segura y no adictiva.", "testtrial", "claims.safety"),
    ("no-serious-side-effects", "Studies found no serious side effects.",
     "Los estudios no encontraron efectos graves.", "testtrial", "claims.safety"),
    ("no-risk", "There is no risk and there are no side effects.",
     "No hay ningún riesgo y no hay efectos secundarios.", "testtrial", "claims.safety"),
    ("cure", "Ketamine can cure depression.", "La ketamina puede curar la depresión.",
     "testtrial", "claims.permanence"),
    ("permanent-guaranteed", "Relief is guaranteed and permanent.",
     "El alivio está garantizado y es permanente.", "testtrial", "claims.permanence"),
    ("lasting", "Ketamine brings lasting relief.", "La ketamina trae un alivio duradero.",
     "testtrial", "claims.permanence"),
    ("testimonial", "“I felt like myself again after one dose,” says a patient.",
     "“Me sentí yo misma otra vez después de una dosis”, dice una paciente.", "testtrial",
     "claims.testimonial"),
    ("promising", "Promising results from a pilot study.",
     "Resultados prometedores de un estudio piloto.", "testtrial", "claims.selling"),
    ("miracle-cure-new-kind", "Ketamine is a miracle cure, FDA-approved and completely safe.",
     "La ketamina es una cura milagrosa, aprobada por la FDA y totalmente segura.", "testtrial",
     "claims.approval"),
    ("time-not-in-record", "With ketamine, the relief came within minutes and lasted 3 weeks.",
     "Con la ketamina, el alivio llegó en minutos y duró 3 semanas.", "testtrial",
     "framing.time-claim"),
    ("later-null-hidden",
     "One study had {canuso2018.n} people at high risk of suicide. Esketamine eased their "
     "depression more than a placebo did at 4 hours and at 1 day. We do not know how long it "
     "lasted.",
     "Un estudio tuvo {canuso2018.n} personas con alto riesgo de suicidio. La esketamina alivió "
     "su depresión más que un placebo a las 4 horas y al día. No sabemos cuánto duró.",
     "canuso2018", "framing.later-null"),
    ("later-null-unsaid", "In a study of {canuso2018.n} people at high risk of suicide, "
     "esketamine eased depression more than a placebo did at 1 day.",
     "En un estudio de {canuso2018.n} personas con alto riesgo de suicidio, la esketamina "
     "alivió la depresión más que un placebo al día.", "canuso2018", "framing.later-null"),
]
# honest texts beside them: none of the codes above
HONEST = [
    ("placeholders", "In a study of {testtrial.n} people, {testtrial.response} felt better "
     "after 1 day, and {testtrial.response.control} with a placebo. It lasted about 1 week.",
     "En un estudio de {testtrial.n} personas, {testtrial.response} se sintieron mejor al día, "
     "y {testtrial.response.control} con un placebo. Duró cerca de 1 semana.", "testtrial"),
    ("record-counts", "Each group had 10 people. The dose was 0.5 mg/kg. Call 988 in a crisis.",
     "Cada grupo tuvo 10 personas. La dosis fue de 0,5 mg/kg. Llame al 988 si está en crisis.",
     "testtrial"),
    ("esketamine-own-approval", "Esketamine (Spravato) is a nasal spray. It is approved for "
     "some kinds of depression. IV ketamine is not approved for depression.",
     "La esketamina (Spravato) es un aerosol nasal. Está aprobada para algunos tipos de "
     "depresión. La ketamina por la vena no está aprobada para la depresión.", "testtrial"),
    ("named-study-no-serious", "The study of {testtrial.n} people found no serious side "
     "effects, but it was too small to show rare ones.",
     "El estudio de {testtrial.n} personas no vio efectos graves, pero era pequeño para ver "
     "los raros.", "testtrial"),
]
OURS = ("numbers.", "claims.", "framing.time-claim", "framing.later-null", "framing.duration",
        "physician.")

# physician texts: (name, key point, cites, code)
PHYSICIAN = [
    ("relative-bottom-line", "Ketamine cuts suicidal thoughts by 60% (80 adults).",
     "grunebaum2018", "physician.relative"),
    ("number-not-in-record", "Ketamine cut suicidal thoughts by 60% in 80 adults.",
     "grunebaum2018", "physician.number"),
    ("rate-without-size", "71% responded to repeated open-label infusions, then relapsed a "
     "median 18 days later.", "murrough2013", "physician.rate-size"),
    ("rate-without-relapse", "71% responded to repeated open-label infusions (n=24).",
     "murrough2013", "physician.duration"),
    ("verdict", "In 403 patients, ketamine was superior to ECT.", "anand2023",
     "physician.verdict"),
    ("most-patients", "Ketamine helps most patients with suicidal ideation.", "grunebaum2018",
     "numbers.quantifier"),
    ("gold-standard", "IV ketamine is the new gold standard for acute suicidal ideation.",
     "grunebaum2018", "claims.proof"),
    ("borrowed-approval", "Esketamine is FDA-approved for suicidal ideation, so IV ketamine "
     "is an approved option too.", "grunebaum2018", "claims.approval"),
]


def _yaml(text: str) -> str:
    return text.replace('"', '\\"')


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Diagnostic]]:
    """A copy of the project with every case written in, and the errors of one load."""
    root = copy_project(tmp_path_factory.mktemp("claims") / "project")
    study(root, n=20, arms="[10, 10]", outcome=RECORD)
    items = "".join(f'  - en: "{_yaml(en)}"\n    es: "{_yaml(es)}"\n    cites: [{cites}]\n'
                    for _, en, es, cites, *_ in [*PATIENT, *HONEST])
    edit(root / HANDOUT, "findings:\n", "findings:\n" + items)
    points = "".join(f'  - text: "{_yaml(text)}"\n    cites: [{cites}]\n'
                     for _, text, cites, _ in PHYSICIAN)
    edit(root / CONDITION, "key_points:\n", "key_points:\n" + points)
    path = root / CONDITION
    path.write_text(re.sub(r"(?m)^bottom_line: .*$", f'bottom_line: "{BOTTOM_LINE}"',
                           path.read_text(), count=1))
    edit(root / BROCHURE, "      section: findings\n      bullets:\n",
         f'      section: findings\n      bullets:\n        - en: "{IN_BROCHURE[0]}"\n'
         f'          es: "{IN_BROCHURE[1]}"\n          cites: [anand2023]\n')
    edit(root / COMMON, "not_for:\n", f'not_for:\n  - en: "{UNCITED[0]}"\n    es: "{UNCITED[1]}"\n')
    diags = Diagnostics()
    load(root, diags)
    return root, [d for d in diags.errors if d.code.startswith(OURS)]


def _at(root: Path, found: list[Diagnostic], file: str, needle: str) -> list[Diagnostic]:
    line = line_of(root / file, needle)
    return [d for d in found if d.location.path == file and d.location.line == line]


@pytest.mark.parametrize(("name", "en", "es", "_cites", "code"), PATIENT,
                         ids=[c[0] for c in PATIENT])
def test_each_misleading_patient_edit_is_refused_in_both_languages(
        checked: tuple[Path, list[Diagnostic]], name: str, en: str, es: str, _cites: str,
        code: str) -> None:
    root, found = checked
    for text, lang in ((en, "en"), (es, "es")):
        here = _at(root, found, HANDOUT, f'{lang}: "{_yaml(text)}"')
        assert code in {d.code for d in here}, (name, lang, [str(d) for d in here])
        (first,) = [d for d in here if d.code == code][:1]
        assert first.where.endswith(f".{lang}") and first.message  # names the text, says the fix


@pytest.mark.parametrize(("name", "en", "es", "_cites"), HONEST, ids=[c[0] for c in HONEST])
def test_honest_texts_beside_them_pass(checked: tuple[Path, list[Diagnostic]], name: str,
                                       en: str, es: str, _cites: str) -> None:
    root, found = checked
    for text, lang in ((en, "en"), (es, "es")):
        assert _at(root, found, HANDOUT, f'{lang}: "{_yaml(text)}"') == [], (name, lang)


@pytest.mark.parametrize(("name", "text", "_cites", "code"), PHYSICIAN,
                         ids=[c[0] for c in PHYSICIAN])
def test_each_misleading_physician_edit_is_refused(checked: tuple[Path, list[Diagnostic]],
                                                   name: str, text: str, _cites: str,
                                                   code: str) -> None:
    root, found = checked
    here = _at(root, found, CONDITION, f'text: "{_yaml(text)}"')
    assert code in {d.code for d in here}, (name, [str(d) for d in here])
    assert all(d.where.startswith("condition suicidal-ideation: key_points[") for d in here)


def test_the_duration_fix_names_the_later_null_not_we_do_not_know(
        checked: tuple[Path, list[Diagnostic]]) -> None:
    root, found = checked
    (_, en, es, _, _) = next(c for c in PATIENT if c[0] == "later-null-unsaid")
    for text, lang in ((en, "en"), (es, "es")):
        (duration,) = [d for d in _at(root, found, HANDOUT, f'{lang}: "{text}"')
                       if d.code == "framing.duration"]
        assert "no clear difference at 25 days: say so" in duration.message
        assert "We do not know" not in duration.message


def test_a_relative_effect_as_a_bottom_line_is_refused(
        checked: tuple[Path, list[Diagnostic]]) -> None:
    root, found = checked
    here = _at(root, found, CONDITION, "bottom_line:")
    assert {d.code for d in here} == {"physician.relative", "physician.number"}, here
    assert all(d.where == "condition suicidal-ideation: bottom_line" for d in here)


def test_a_brochure_text_is_under_the_same_rules(checked: tuple[Path, list[Diagnostic]]) -> None:
    root, found = checked
    for text, lang in zip(IN_BROCHURE, ("en", "es"), strict=True):
        here = _at(root, found, BROCHURE, f'{lang}: "{text}"')
        assert {d.code for d in here} == {"claims.proof", "numbers.quantifier"}, here


def test_a_time_claim_that_cites_nothing_is_refused(
        checked: tuple[Path, list[Diagnostic]]) -> None:
    root, found = checked
    for text, lang in zip(UNCITED, ("en", "es"), strict=True):
        here = _at(root, found, COMMON, f'{lang}: "{text}"')
        assert [d.code for d in here] == ["framing.time-claim"], [str(d) for d in here]
        assert "cites no study" in here[0].message


def test_the_default_content_beside_the_cases_passes(
        checked: tuple[Path, list[Diagnostic]]) -> None:
    root, found = checked
    written = {(CONDITION, line_of(root / CONDITION, f'text: "{_yaml(t)}"'))
               for _, t, _, _ in PHYSICIAN}
    written.add((CONDITION, line_of(root / CONDITION, "bottom_line:")))
    written |= {(BROCHURE, line_of(root / BROCHURE, f'{lang}: "{t}"'))
                for t, lang in zip(IN_BROCHURE, ("en", "es"), strict=True)}
    written |= {(COMMON, line_of(root / COMMON, f'{lang}: "{t}"'))
                for t, lang in zip(UNCITED, ("en", "es"), strict=True)}
    written |= {(HANDOUT, line_of(root / HANDOUT, f'{lang}: "{_yaml(t)}"'))
                for case in [*PATIENT, *HONEST] for t, lang in ((case[1], "en"), (case[2], "es"))}
    assert [str(d) for d in found if (d.location.path, d.location.line) not in written] == []


def test_placeholder_parity_refuses_a_translation_that_drops_or_changes_a_number(
        tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    study(root, n=20, arms="[10, 10]", outcome=RECORD)
    en = "In a study of {testtrial.n} people, {testtrial.response} felt better after 1 day."
    es = "En un estudio, el 70% se sintió mejor al día."
    edit(root / HANDOUT, "findings:\n",
         f'findings:\n  - en: "{en}"\n    es: "{es}"\n    cites: [testtrial]\n')
    diags = Diagnostics()
    load(root, diags)
    here = _at(root, list(diags.errors), HANDOUT, f'es: "{es}"')
    assert {"numbers.parity", "numbers.typed"} <= {d.code for d in here}
    (parity,) = [d for d in here if d.code == "numbers.parity"]
    assert "leaves out {testtrial.n}, {testtrial.response}" in parity.message


def test_allow_with_a_reason_lets_the_rare_sentence_say_the_word(tmp_path: Path) -> None:
    """'Ketamine is not a cure' needs `allow: {cure: ...}`; the check prints the located error
    without it, exits 1 and shows no traceback."""
    root = copy_project(tmp_path / "project")
    en, es = "Ketamine is not a cure.", "La ketamina no es una cura."
    edit(root / HANDOUT, "findings:\n",
         f'findings:\n  - en: "{en}"\n    es: "{es}"\n    cites: [taylor2018]\n')
    result = run_cli(root, "check", "evidence-sheet-anxiety-a4-en.pdf")
    assert result.code == 1 and "Traceback" not in result.stderr
    found = [d for d in diagnostics(result.stderr) if d["code"] == "claims.permanence"]
    assert sorted(int(d["line"]) for d in found) == [line_of(root / HANDOUT, en),
                                                      line_of(root / HANDOUT, es)]
    assert all(d["path"] == HANDOUT and "allow: {cure:" in d["msg"] for d in found)
    edit(root / HANDOUT, f'    es: "{es}"\n',
         f'    es: "{es}"\n    allow: {{cure: "says ketamine is not a cure"}}\n')
    diags = Diagnostics()
    load(root, diags)
    assert not [d for d in diags.errors if d.code.startswith(("claims.", "content.allow"))]


def test_every_claim_family_has_words_in_both_languages() -> None:
    for family in claims.FAMILIES:
        assert family.en and family.es and family.fix, family.key
        assert claims.find(re.sub(r"[()?:|\\\[\]]", " ", family.key), "en") or \
            family.key in ("approved",), family.key
    assert claims.is_key("Cure") and not claims.is_key("ketamine")


@pytest.mark.parametrize(("text", "lang", "kinds"), [
    ("Call 988 or 911. Reviewed in 2026. Adults aged 18 or older. On a 0 to 10 scale.", "en",
     []),
    ("Llame al 988. Revisado el 27 de noviembre de 2026. Adultos de 18 años o más.", "es", []),
    ("Reviewed November 27, 2026, or 5 March 2019.", "en", []),
    ("about 7 in 10 people", "en", ["rate"]),
    ("seven of the nine people; one of the largest studies", "en", ["rate"]),
    ("siete de los nueve pacientes", "es", ["rate"]),
    ("Seven people got better. Twelve adults took part.", "en", ["count"]),
    ("Siete personas mejoraron.", "es", ["count"]),
    ("unas siete de cada diez personas", "es", ["rate"]),
    ("a third of people, three times more", "en", ["rate", "rate"]),
    ("most people; the majority; almost everyone", "en", ["quantifier"] * 3),
    ("most studies were small", "en", []),
    ("la mayoría de los estudios fueron pequeños; la mayoría mejoró", "es", ["quantifier"]),
    ("No maneje hasta el día siguiente.", "es", []),
    ("up to 12 days", "en", []),
    ("up to 30 days", "en", ["quantifier", "count"]),
    ("ease by half or more", "en", []),
])
def test_what_a_typed_number_is(text: str, lang: str, kinds: list[str]) -> None:
    assert [f.kind for f in record.claims(text, lang, {12.0})] == kinds


@pytest.mark.parametrize(("text", "lang"), [
    ("Ketamine is a miracle cure, FDA-approved and completely safe.", "en"),
    ("La ketamina es una cura milagrosa, aprobada por la FDA y totalmente segura.", "es"),
])
def test_one_sentence_breaking_four_rules_gets_four_errors(text: str, lang: str) -> None:
    """The sentence a new document kind once printed with 0 errors."""
    assert {c.code for c in claims.find(text, lang)} == {
        "claims.proof", "claims.permanence", "claims.approval", "claims.safety"}


@pytest.mark.parametrize(("text", "lang", "keys"), [
    ("The evidence is preliminary.", "en", []),
    ("A pilot trial of 18 patients found lower scores.", "en", []),
    ("Preliminary results show ketamine works.", "en", ["preliminary"]),
    ("Patients stay until safe to leave.", "en", []),
    ("Ketamine is safe to use.", "en", ["safe"]),
    ("All trials but one had no risk of bias downgrade.", "en", []),
    ("The relief was lasting up to a week.", "en", []),
    ("Se ha probado en estudios pequeños.", "es", []),
    ("Es un tratamiento probado.", "es", ["proven"]),
    ("¿Es segura?", "es", []),
    ("Esketamine (Spravato) is a nasal spray. It is approved for some depression.", "en", []),
    ("It is FDA-cleared.", "en", ["approved"]),
    ("The FDA has approved ketamine only to put people to sleep for surgery.", "en", []),
    ("Ketamine is approved for depression.", "en", ["approved"]),
    ("What should I do if my symptoms come back?", "en", []),
    ("My depression lifted after one dose.", "en", ["testimonial"]),
])
def test_what_a_claim_word_is(text: str, lang: str, keys: list[str]) -> None:
    assert [c.key for c in claims.find(text, lang)] == keys
