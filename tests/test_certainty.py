"""Certainty per outcome, computed GRADE-style, and complete rate charts.

Each rule is tested on content the test writes: a deliberately misleading condition (or study)
file in a throw-away copy of the minimal project (the real studies it cites copied in), which
must fail with the located message. The default content is read once per module. Most tests
only read and check the content (no typesetting); one runs the command line end to end."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pypdf
import pytest
from helpers import REPO, copy_minimal, copy_project, run_cli, text_at

from ketabrochure import model as m
from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostic, Diagnostics, Location
from ketabrochure.physician import certainty, charts
from ketabrochure.read.project import read_project

SVG = "{http://www.w3.org/2000/svg}"

# A condition that claims more than its evidence carries: the shape editors will write.
CONDITION = """\
name: "Test condition"
title: "Ketamine for a test condition"
bottom_line: "It is very uncertain whether ketamine helps."
key_points:
  - text: "Scores fell after one infusion."
    cites: [berman2000]
evidence: [berman2000, anand2023]
outcomes:
{outcomes}
regulatory: [iv-ketamine-off-label]
safety: ["Dissociation."]
"""
GOOD_DOWNGRADE = """downgrade:
      risk-of-bias: {by: -1, reason: "Saline is easy to tell from ketamine"}
      imprecision: {by: -2, reason: "7 people in one crossover trial"}"""
GOOD = f"""\
  - outcome: "Response after one infusion"
    importance: critical
    studies: [berman2000]
    {GOOD_DOWNGRADE}
"""


@pytest.fixture
def cold(tmp_path: Path) -> Path:
    """A copy of the minimal project with no out/ (the rules need no typesetting, and hold for
    any content: 22 content files to read and check, not 71)."""
    return copy_minimal(tmp_path / "p")


def real_studies(root: Path, *names: str) -> None:
    """Copy studies of the default content the minimal project lacks (an animal study...)."""
    for name in names:
        (root / "content/studies" / f"{name}.yaml").write_bytes(
            (REPO / "content/studies" / f"{name}.yaml").read_bytes())


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Project | None, list[Diagnostic]]:
    """The default content, read and checked once for the module's tests about it (which only
    read the project they are given)."""
    return checked(copy_project(tmp_path_factory.mktemp("default")))


def write_condition(root: Path, outcomes: str, name: str = "test-condition",
                    extra: str = "") -> Path:
    path = root / "content/conditions" / f"{name}.yaml"
    path.write_text(CONDITION.format(outcomes=outcomes.rstrip("\n")) + extra)
    return path


def checked(root: Path) -> tuple[m.Project | None, list[Diagnostic]]:
    diags = Diagnostics()
    project, _ = load(root, diags)
    return project, diags.items


def line_of(path: Path, needle: str, after: str = "") -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def only(found: list[Diagnostic], code: str) -> Diagnostic:
    matching = [d for d in found if d.code == code]
    assert len(matching) == 1, (code, [str(d) for d in found])
    return matching[0]


# -- the default content ---------------------------------------------------------------------

def test_default_content_has_no_certainty_problem(
        default: tuple[m.Project | None, list[Diagnostic]]) -> None:
    project, found = default
    assert project is not None
    codes = {d.code for d in found}
    assert not codes & {"content.certainty-typed", "content.no-reason", "content.not-efficacy",
                        "content.no-studies", "content.no-critical", "content.imprecision",
                        "content.rating", "content.chart-twice", "content.unknown-ref"}, found


def test_every_default_condition_is_graded_from_its_outcomes(
        default: tuple[m.Project | None, list[Diagnostic]]) -> None:
    project, _ = default
    assert project is not None
    overall = {c.id: certainty.overall(c, project.studies) for c in project.conditions.values()}
    assert {k: v.grade if v else None for k, v in overall.items()} == {
        "anxiety": "very-low", "chronic-pain": "very-low", "depression": "very-low",
        "ketamine-assisted-psychotherapy": None,  # a narrative review: nothing to grade
        "ptsd": "very-low", "suicidal-ideation": "very-low"}


def test_the_default_grades_follow_grades_rules_from_the_record(
        default: tuple[m.Project | None, list[Diagnostic]]) -> None:
    """The reading a Cochrane editor gave: suicidal thoughts LOW (98 people, OR 1.14-7.15),
    ECT noninferiority LOW (open-label, self-rated, uneven attrition), harms without rates
    narrative, chronic pain VERY LOW."""
    project, _ = default
    assert project is not None

    def row(condition: str, name: str) -> certainty.Row:
        rows = certainty.rows(project.conditions[condition], project.studies)
        return next(r for r in rows if r.outcome.name.startswith(name))

    si = row("suicidal-ideation", "Suicidal thoughts")
    assert si.certainty.grade == "low" and si.participants.counted == 98
    assert [(r.domain, r.by) for r in si.certainty.ratings] == [("imprecision", -2)]
    ect = row("depression", "Response after a 3-week course")
    assert ect.certainty.grade == "low" and ect.design == "one open-label RCT"
    assert [(r.domain, r.by) for r in ect.certainty.ratings] == [("risk-of-bias", -2)]
    assert row("chronic-pain", "Pain intensity").certainty.grade == "very-low"
    assert row("chronic-pain", "Pain intensity").participants.text == (
        "211 people + 1 study without a count")  # the meta-analysis' 211 are on file
    for condition, name in (("depression", "Adverse effects"), ("ptsd", "Adverse effects"),
                            ("chronic-pain", "Psychotomimetic"), ("anxiety", "Dissociation")):
        harms = row(condition, name)
        assert harms.certainty.narrative and harms.label == "NO ESTIMATE (NARRATIVE)", name
        assert str(harms.circles) == ""
    kap = row("ketamine-assisted-psychotherapy", "Mental health")
    assert kap.participants.text == "603 people" and kap.certainty.narrative
    acute = row("depression", "Depressive symptoms")
    assert acute.participants.counted == 7 and acute.certainty.grade == "very-low"
    anxiety = row("anxiety", "Anxiety symptoms")  # Glue 2020 is not randomised: starts low
    assert anxiety.certainty.start == "low" and "non-randomised" in anxiety.certainty.start_reason


# -- rules, each a located error with its fix --------------------------------------------------

def test_a_typed_certainty_is_refused_and_points_to_outcomes(cold: Path) -> None:
    path = write_condition(cold, GOOD, extra='certainty:\n  grade: moderate\n'
                                              '  rationale: "Trust us."\n')
    _, found = checked(cold)
    d = only(found, "content.certainty-typed")
    assert d.location.path == "content/conditions/test-condition.yaml"
    assert d.location.line == line_of(path, "grade: moderate")  # the value of `certainty:`
    assert "computed" in d.message and "outcomes:" in d.message


def test_an_unknown_study_is_located_with_a_suggestion(cold: Path) -> None:
    path = write_condition(cold, GOOD.replace("[berman2000]", "[berman2001]"))
    _, found = checked(cold)
    d = only(found, "content.unknown-ref")
    assert (d.location.line, d.location.col) == (line_of(path, "berman2001"), 15)
    assert "did you mean 'berman2000'" in d.message


@pytest.mark.parametrize(("study", "kind"), [("zhang2014", "an animal study"),
                                             ("li2016", "a mechanism study")])
def test_mechanism_and_animal_studies_cannot_back_an_outcome(cold: Path, study: str,
                                                             kind: str) -> None:
    real_studies(cold, study)
    path = write_condition(cold, GOOD.replace("[berman2000]", f"[berman2000, {study}]"))
    _, found = checked(cold)
    d = only(found, "content.not-efficacy")
    assert d.location.line == line_of(path, study, after="outcomes:")
    assert kind in d.message and "remove it" in d.message


def test_a_study_without_a_confirmed_result_cannot_back_an_outcome(cold: Path) -> None:
    real_studies(cold, "nikolin2023")
    write_condition(cold, GOOD.replace("[berman2000]", "[berman2000, nikolin2023, zarate2006]"))
    _, found = checked(cold)
    errors = [d.message for d in found if d.code == "content.no-result"]
    # Zarate 2006's onset and duration are no longer confirmed: it has no result on file
    assert len(errors) == 2 and "nikolin2023" in errors[0] and "zarate2006" in errors[1]


@pytest.mark.parametrize("judgement", [
    "imprecision: -2",                     # a number and no reason
    "imprecision: {by: -2}",               # a mapping without one
    'imprecision: {by: -2, reason: ""}',   # an empty one
])
def test_a_downgrade_needs_its_reason(cold: Path, judgement: str) -> None:
    outcomes = GOOD.replace('imprecision: {by: -2, reason: "7 people in one crossover trial"}',
                            judgement)
    path = write_condition(cold, outcomes)
    _, found = checked(cold)
    d = only(found, "content.no-reason")
    assert d.location.line == line_of(path, "imprecision:")
    assert d.where == "outcomes[1].downgrade.imprecision"
    assert "reason:" in d.message


@pytest.mark.parametrize(("judgement", "told"), [
    ('downgrade:\n      imprecision: {by: 1, reason: "x"}', "a downgrade is -1 or -2"),
    ('downgrade:\n      imprecision: {by: -3, reason: "x"}', "a downgrade is -1 or -2"),
    ('upgrade:\n      large-effect: {by: -1, reason: "x"}', "an upgrade is +1 or +2"),
])
def test_a_judgement_moves_one_or_two_levels_in_its_direction(cold: Path, judgement: str,
                                                               told: str) -> None:
    outcomes = GOOD.replace(GOOD_DOWNGRADE, judgement)
    write_condition(cold, outcomes)
    _, found = checked(cold)
    assert told in only(found, "content.rating").message


def test_an_unknown_domain_gets_a_suggestion(cold: Path) -> None:
    write_condition(cold, GOOD.replace("imprecision:", "imprecison:"))
    _, found = checked(cold)
    assert any("did you mean 'imprecision'" in d.message for d in found), found


def test_an_outcome_needs_its_studies(cold: Path) -> None:
    path = write_condition(cold, GOOD + '  - outcome: "Remission at 6 weeks"\n'
                                        "    importance: important\n    studies: []\n")
    _, found = checked(cold)
    d = only(found, "content.no-studies")
    assert d.location.line == line_of(path, "Remission at 6 weeks")
    assert "Remission at 6 weeks" in d.message and "studies: [id, ...]" in d.message


def test_a_condition_needs_a_critical_outcome(cold: Path) -> None:
    path = write_condition(cold, GOOD.replace("importance: critical", "importance: important"))
    _, found = checked(cold)
    d = only(found, "content.no-critical")
    assert d.location.line == line_of(path, "- outcome:")
    assert "importance: critical" in d.message


def test_the_same_rates_cannot_be_charted_for_two_outcomes(cold: Path) -> None:
    path = write_condition(cold, """\
  - outcome: "Response after 3 weeks"
    importance: critical
    studies: [anand2023]
    downgrade:
      risk-of-bias: {by: -1, reason: "Open-label"}
  - outcome: "Adverse effects"
    importance: important
    studies: [anand2023]
    downgrade:
      risk-of-bias: {by: -1, reason: "Open-label"}
""")
    _, found = checked(cold)
    d = only(found, "content.chart-twice")
    assert d.location.line == line_of(path, "Adverse effects")
    assert "chart: false" in d.message


def test_the_command_line_reports_the_located_error_and_fails(cold: Path) -> None:
    real_studies(cold, "zhang2014")
    path = write_condition(cold, GOOD.replace("[berman2000]", "[berman2000, zhang2014]"))
    result = run_cli(cold, "build", "--jobs", "1", "evidence-sheet-ptsd-letter-en")
    assert result.code == 1
    line = line_of(path, "zhang2014", after="outcomes:")
    assert re.search(rf"^content/conditions/test-condition\.yaml:{line}:\d+: "
                     r"error\[content\.not-efficacy\]: condition test-condition: "
                     r"outcomes\[1\]\.studies: 'zhang2014' is an animal study",
                     result.stderr, re.MULTILINE), result.stderr
    assert not (cold / "out" / "manifest.json").exists()


# -- the computation ---------------------------------------------------------------------------

def study(cold: Path, sid: str) -> m.Study:
    project, _ = read_project(cold, Diagnostics())
    return project.studies[sid]


def outcome(*ratings: tuple[str, int], start: str | None = None) -> m.GradedOutcome:
    here = Location("x")
    return m.GradedOutcome(
        "o", "critical", (), tuple(m.Rating(d, by, "why", here) for d, by in ratings), here,
        start=m.StartLevel(start, "why", here) if start else None)


def precise(base: m.Study, **changes: Any) -> m.Study:
    """A study GRADE's rules find no fault with by default: 1,000 people, an active control,
    an effect on file; `changes` then replaces fields of its design or the study."""
    design = dataclasses.replace(base.design, **{k: v for k, v in changes.items()
                                                 if k in ("type", "blinding", "controlled")})
    rest = {"comparator_kind": "active-placebo", **{
        k: v for k, v in changes.items() if k not in ("type", "blinding", "controlled")}}
    result = m.Outcome("Score", "Lower", effect=m.Effect("MD", -3.0, -4.0, -2.0))
    return dataclasses.replace(base, n=m.SampleSize(1000, "participants"), design=design,
                               outcomes=(result,), **rest)


def test_levels_start_from_the_designs_and_clamp(cold: Path) -> None:
    base = study(cold, "berman2000")
    rct = precise(base)
    cohort = precise(base, type="cohort", controlled=False, comparator_kind="none")
    glue = precise(base, type="nonrandomised-crossover")
    assert certainty.compute(outcome(), [rct]).grade == "high"
    assert certainty.compute(outcome(), [cohort]).grade == "low"
    assert certainty.compute(outcome(), [glue]).grade == "low"  # not randomised: starts low
    assert certainty.compute(outcome(), [rct, cohort]).grade == "low"  # mixed: non-randomised
    assert certainty.compute(outcome(("imprecision", -1)), [rct]).grade == "moderate"
    worst = outcome(("risk-of-bias", -2), ("imprecision", -2), ("inconsistency", -1))
    assert certainty.compute(worst, [rct]).grade == "very-low"  # clamped, never below
    best = outcome(("dose-response", 2), ("plausible-confounding", 1))
    assert certainty.compute(best, [cohort]).grade == "high"  # 2 + 3, clamped at high
    assert certainty.compute(outcome(start="low"), [rct]).grade == "low"  # stricter: applies
    assert certainty.compute(outcome(start="high"), [cohort]).grade == "low"  # lenient: not
    meta = study(cold, "orhurhu2019")  # a meta-analysis of controlled trials, 211 people
    assert certainty.compute(outcome(), [meta]).start == "high"
    assert certainty.compute(outcome(), [study(cold, "drozdz2022")]).narrative


def test_the_stricter_of_the_record_and_the_rules_applies(cold: Path) -> None:
    """An outcome typed with no downgrades on 7 saline-controlled people is still graded by
    GRADE's rules (-1 risk of bias, -1 imprecision), with the rule as the printed reason."""
    berman = study(cold, "berman2000")
    result = certainty.compute(outcome(), [berman])
    assert result.grade == "low"
    assert [(r.domain, r.by) for r in result.ratings] == [("risk-of-bias", -1),
                                                         ("imprecision", -1)]
    assert "GRADE imprecision: 7 people, fewer than the about 400" in result.ratings[1].reason
    assert certainty.compute(outcome(("imprecision", -2)), [berman]).grade == "very-low"
    upgraded = certainty.compute(outcome(("large-effect", 2)), [precise(berman)])
    assert upgraded.grade == "high" and not upgraded.ratings  # randomised: no rating up


def test_the_condition_is_as_certain_as_its_weakest_critical_outcome(cold: Path) -> None:
    write_condition(cold, GOOD + """\
  - outcome: "Response after 3 weeks"
    importance: critical
    studies: [anand2023]
    left_out: {murrough2013: "no comparison group", berman2000: "one infusion"}  # charts: complete
    results: {anand2023: 1}
    downgrade:
      risk-of-bias: {by: -2, reason: "Open-label, self-rated, uneven attrition"}
  - outcome: "Harms"
    importance: important
    studies: [murrough2013]
    chart: false
    results: {murrough2013: 1}
    downgrade:
      risk-of-bias: {by: -2, reason: "No control group"}
      imprecision: {by: -1, reason: "24 people"}
  - outcome: "Narrative harms"
    importance: critical
    studies: [anand2023]
    chart: false
    results: {anand2023: 2}
""")
    project, found = checked(cold)
    assert project is not None and not [d for d in found if "test-condition" in d.location.path]
    condition = project.conditions["test-condition"]
    grades = [r.label for r in certainty.rows(condition, project.studies)]
    assert grades == ["VERY LOW (1 of 4)", "LOW (2 of 4)", "VERY LOW (1 of 4)",
                      "NO ESTIMATE (NARRATIVE)"]
    result = certainty.overall(condition, project.studies)
    assert result is not None and result.grade == "very-low"  # narrative and important: out


def test_words_and_reasons_read_in_black_and_white() -> None:
    assert certainty.grade_words("low") == "LOW (2 of 4)"
    assert certainty.grade_words("very-low") == "VERY LOW (1 of 4)"
    rating = m.Rating("imprecision", -2, "25 people", Location("x"))
    assert certainty.judgement(rating) == "Imprecision \u22122: 25 people"
    circles = ET.fromstring(str(certainty.circles("moderate")))
    assert text_at(circles, f"{SVG}title") == "GRADE certainty: 3 of 4 circles filled"
    assert len(circles.findall(f"{SVG}circle")) == 4 and len(circles.findall(f"{SVG}path")) == 3
    assert {e.get("stroke") for e in circles.iter() if e.get("stroke")} == {"#000000"}


# -- complete, honest charts -------------------------------------------------------------------

MISLEADING_STUDY = """\
citation: {title: "A small trial", authors: [Doe J], et_al: false, journal: "J Test", year: 2024}
role: efficacy
design: {type: rct, blinding: double-blind, controlled: true, summary: "Small RCT vs saline"}
population: {species: human, diagnosis: "Depression"}
n: {value: 18, unit: participants}
intervention: {drug: ketamine, route: IV, dose: "0.5 mg/kg", schedule: "once"}
comparator: "saline"
outcomes:
  - measure: "Response at 24 h"
    measures: [depression]
    result: "55.4% vs 41.2%; no significant difference (p = 0.95)"
    rates: {kind: response, treatment: 55.4, control: 41.2}
    significant: false
key_result: "Response 55.4% vs 41.2%, not significant"
follow_up: "1 day"
limitations: ["Small"]
"""


def test_a_chart_shows_every_rated_study_names_the_rest_and_rounds_to_n(cold: Path) -> None:
    real_studies(cold, "berman2000")  # with what it measures (the minimal copy leaves it out)
    (cold / "content/studies/doe2024.yaml").write_text(MISLEADING_STUDY)
    write_condition(cold, """\
  - outcome: "Response at 24 h"
    importance: critical
    studies: [doe2024, berman2000, anand2023]
    downgrade:
      risk-of-bias: {by: -2, reason: "x"}
""")
    project, found = checked(cold)
    assert project is not None and not [d for d in found if d.severity == "error"], found
    (chart,) = charts.outcome_charts(project.conditions["test-condition"], project.studies)
    # Berman 2000 has no rates on file: no bar, and the caption says so
    assert {r.study.id for r in chart.rows} == {"doe2024", "anand2023"}
    assert chart.missing == ("Not shown: Berman 2000 (n = 7) reports no response or remission "
                             "rates on file.")
    svg = ET.fromstring(str(chart.svg()))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    values = [t for t in texts if t and t[0].isdigit() and t not in ("0%", "25%", "50%", "75%",
                                                                     "100%")]
    # n = 18: whole numbers, the non-significant difference marked; n = 403: one decimal, and
    # the noninferiority test marked as such (not as a significant difference: 'better')
    assert values == ["55%", "41% n.s.", "55.4%", "41.2% noninf."], texts
    alt = text_at(svg, f"{SVG}title")
    assert "Doe 2024, response: 55% with ketamine vs 41% with saline, not a significant" in alt
    assert "Not shown: Berman 2000" in alt
    assert "41.2% with ECT 3 times weekly for 3 weeks, noninferior by the study's own test" in alt
    assert chart.marks == ("n.s. = the study found no significant difference; noninf. = the "
                           "study's test found ketamine noninferior.")


@pytest.mark.parametrize(("value", "n", "printed"), [
    (55.4, 18, "55%"), (70.8, 24, "71%"), (12.5, 40, "13%"), (33.33, 18, "33%"),
    (55.4, 403, "55.4%"), (26, 215, "26%"), (88.89, 150, "88.9%"), (0, 18, "0%"),
])
def test_percentages_carry_no_more_precision_than_n(cold: Path, value: float, n: int,
                                                    printed: str) -> None:
    base = study(cold, "zarate2006")
    sized = m.Study(**{**base.__dict__, "n": m.SampleSize(n, "participants")})
    assert charts.percent(value, sized) == printed


# -- what the documents print ------------------------------------------------------------------

def test_sheets_report_and_letter_print_certainty_per_outcome(built: Path) -> None:
    def text(name: str) -> str:
        reader = pypdf.PdfReader(built / "out" / name)
        return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)

    sheet = text("evidence-sheet-depression-letter-en.pdf").replace("\u2212", "-")
    assert "OVERALL VERY LOW, THE LOWEST OF THE CRITICAL OUTCOMES" in sheet
    assert "Imprecision -2: 7 people" in sheet and "NO ESTIMATE (NARRATIVE)" in sheet
    assert "Starts low (non-randomised or uncontrolled studies)" in sheet
    assert "No significance test on file" not in sheet  # Anand's test is its noninferiority
    assert "no count of people on file" not in text("evidence-sheet-chronic-pain-letter-en.pdf")
    ptsd = text("evidence-sheet-ptsd-letter-en.pdf")
    assert "Not shown: Feder 2014 (n = 41) and Abdallah 2022 (n = 158)" in ptsd
    report = text("report-research-letter-en.pdf").replace("\u2212", "-")
    assert "VERY LOW (1 of 4)" in report and "Inconsistency -1: Two small trials" in report
    letter = text("referral-packet-sample-letter-en.pdf").split("Enclosures")[0]
    assert "VERY LOW Depressive symptoms up to 3 days after one infusion" in letter


def test_certainty_text_is_pure_black(built: Path) -> None:
    for css in ("evidence-sheet", "report"):
        style = (built / "layouts" / css / "style.css").read_text()
        block = style.split("pure black (fax) */")[1].split("\n\n")[0]
        colours = set(re.findall(r"color: ([^;]+);", block))
        assert colours == {"#000"}, (css, colours)

