"""GRADE's rules read from the record (physician/grade.py): each lenient judgement an editor
might type is refused with a located error naming the rule, on condition and study files the
tests write into a throw-away copy of the minimal project (the rules hold for any content); the
printed grade never follows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO, copy_minimal

from ketabrochure import model as m
from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostic, Diagnostics
from ketabrochure.physician import certainty

CONDITION = """\
name: "Test condition"
title: "Ketamine for a test condition"
bottom_line: "{bottom_line}"
key_points:
  - text: "Scores fell after one infusion."
    cites: [{first}]
evidence: [{first}]
outcomes:
{outcomes}
regulatory: [iv-ketamine-off-label]
safety: ["Dissociation."]
"""
# One open-label trial, self-rated, a third of one arm never treated: the ELEKT-D shape.
OPEN_TRIAL = """\
citation: {{title: "An open trial", authors: [Roe A], et_al: false, journal: "J Test", year: 2025}}
role: efficacy
design: {{type: {design}, blinding: open-label, controlled: true, summary: "Open-label vs ECT"}}
population: {{species: human, diagnosis: "Depression"}}
n: {{value: 400, unit: participants, arms: [200, 200], started: {started}}}
intervention: {{drug: ketamine, route: IV, dose: "0.5 mg/kg", schedule: "twice weekly"}}
comparator: "ECT"
comparator_kind: active-treatment
outcomes:
  - measure: "Response"
    result: "Response 55% vs 41%"
    rater: {rater}
    rates: {{kind: response, treatment: 55, control: 41}}
    effect: {{measure: OR, value: 6.1, low: 5.2, high: 7.4}}
key_result: "Response 55% vs 41%"
follow_up: "3 weeks"
limitations: ["Open-label"]
"""


@pytest.fixture
def cold(tmp_path: Path) -> Path:
    """The minimal project: 22 content files to read and check for each test, not 71."""
    return copy_minimal(tmp_path / "p")


def write(root: Path, outcomes: str, first: str = "grunebaum2018",
          bottom_line: str = "Ketamine may reduce it; the rest is very uncertain.") -> Path:
    path = root / "content/conditions/test-condition.yaml"
    path.write_text(CONDITION.format(outcomes=outcomes.rstrip("\n"), first=first,
                                     bottom_line=bottom_line))
    return path


def open_trial(root: Path, design: str = "rct", started: str = "[195, 130]",
               rater: str = "self") -> None:
    (root / "content/studies/roe2025.yaml").write_text(
        OPEN_TRIAL.format(design=design, started=started, rater=rater))


def checked(root: Path) -> tuple[m.Project, list[Diagnostic]]:
    diags = Diagnostics()
    project, _ = load(root, diags)
    assert project is not None
    return project, [d for d in diags.items if d.location.path.endswith("test-condition.yaml")
                     or "roe2025" in d.location.path]


def lenient(found: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in found if d.code == "content.grade-lenient"]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines()) if needle in line) + 1


def grade_of(project: m.Project, name: str = "Outcome") -> m.Certainty:
    rows = certainty.rows(project.conditions["test-condition"], project.studies)
    return next(r for r in rows if r.outcome.name == name).certainty


SUICIDAL = """\
  - outcome: "Outcome"
    importance: critical
    studies: [grunebaum2018, domany2020]
    results: {{grunebaum2018: [1, 2], domany2020: [1, 2]}}
{downgrade}"""


@pytest.mark.parametrize(("downgrade", "said"), [
    # the imprecision downgrade removed on 98 people (a warning only, before)
    ("", "records no downgrade"),
    # halved: -1 where the odds ratio runs from trivial (1.14) to large (7.15)
    ('    downgrade:\n      imprecision: {by: -1, reason: "98 people"}', "records -1"),
])
def test_a_lenient_imprecision_on_98_people_is_refused(cold: Path, downgrade: str,
                                                       said: str) -> None:
    path = write(cold, SUICIDAL.format(downgrade=downgrade))
    project, found = checked(cold)
    (d,) = lenient(found)
    needle = "imprecision:" if downgrade else "- outcome:"
    assert (d.location.line, d.where) == (line_of(path, needle),
                                          "condition test-condition: outcomes[1].downgrade.imprecision")
    assert said in d.message and "GRADE imprecision" in d.message
    assert "Grunebaum 2018 (1.14 to 7.15) runs from a trivial to a large effect" in d.message
    assert "by: -2" in d.message  # the fix
    result = grade_of(project)  # and what is printed follows the rule, not the record
    assert result.grade == "low" and result.ratings[-1].by == -2


def test_the_stricter_record_is_accepted(cold: Path) -> None:
    write(cold, SUICIDAL.format(downgrade='    downgrade:\n      imprecision: {by: -2, reason: '
                                          '"98 people; OR 1.14 to 7.15"}\n      indirectness: '
                                          '{by: -1, reason: "one dose"}'),
          bottom_line="It is very uncertain whether ketamine reduces it.")
    project, found = checked(cold)
    assert not found, found
    assert grade_of(project).grade == "very-low"


def test_fewer_than_400_people_need_an_imprecision_downgrade(cold: Path) -> None:
    """Feder 2021 (30 people, d 0.36 to 1.91: no ratio) against midazolam: no risk of bias,
    but 30 is far below the optimal information size."""
    path = write(cold, '  - outcome: "Outcome"\n    importance: critical\n'
                       '    studies: [feder2021]\n    results: {feder2021: 1}\n',
                 first="feder2021")
    _, found = checked(cold)
    (d,) = lenient(found)
    assert d.location.line == line_of(path, "- outcome:")
    assert "30 people, fewer than the about 400 an optimal information size needs" in d.message


def test_open_label_self_rated_uneven_attrition_needs_minus_two(cold: Path) -> None:
    open_trial(cold)  # 5 of 200 vs 70 of 200 never treated
    path = write(cold, '  - outcome: "Outcome"\n    importance: critical\n    studies: [roe2025]\n'
                       '    downgrade:\n      risk-of-bias: {by: -1, reason: "Open-label"}\n',
                 first="roe2025", bottom_line="It is very uncertain whether ketamine helps.")
    project, found = checked(cold)
    (d,) = lenient(found)
    assert d.location.line == line_of(path, "risk-of-bias:")
    assert "Roe 2025 (open-label with a subjective outcome); self-rated" in d.message
    assert "70 of 200 in arm 2 never began treatment" in d.message and "by: -2" in d.message
    assert grade_of(project).grade == "low"


@pytest.mark.parametrize(("started", "rater", "required"), [
    ("[195, 190]", "self", -1),        # even attrition: open-label alone, -1
    ("[195, 130]", "clinician", -1),   # uneven, but not self-rated: -1
])
def test_open_label_alone_needs_minus_one(cold: Path, started: str, rater: str,
                                          required: int) -> None:
    open_trial(cold, started=started, rater=rater)
    write(cold, '  - outcome: "Outcome"\n    importance: critical\n    studies: [roe2025]\n',
          first="roe2025", bottom_line="Ketamine probably helps.")
    project, found = checked(cold)
    (d,) = lenient(found)
    assert f"at least {required}" in d.message and "open-label" in d.message
    assert grade_of(project).grade == "moderate"


def test_saline_with_a_subjective_outcome_needs_minus_one_an_objective_one_not(
        cold: Path) -> None:
    """Domany 2020 (saline): its suicidal-ideation ratings are at risk; its serious adverse
    events, rated objectively, are not (but zero events are very imprecise)."""
    path = write(cold, """\
  - outcome: "Outcome"
    importance: critical
    studies: [domany2020]
    results: {domany2020: [1, 2]}
    downgrade:
      imprecision: {by: -1, reason: "18 people"}
  - outcome: "Serious harms"
    importance: important
    chart: false
    studies: [domany2020]
    results: {domany2020: 3}
""", first="domany2020")
    project, found = checked(cold)
    first, second = lenient(found)
    assert first.where == "condition test-condition: outcomes[1].downgrade.risk-of-bias"
    assert "an inert placebo (easy to tell from ketamine) with a subjective outcome" in \
        first.message
    assert second.where == "condition test-condition: outcomes[2].downgrade.imprecision"
    assert "zero events" in second.message and second.location.line == line_of(path,
                                                                              "Serious harms")
    assert grade_of(project, "Serious harms").grade == "low"


def test_a_large_effect_upgrade_on_one_open_label_trial_is_refused(cold: Path) -> None:
    """It printed HIGH once: a randomised trial starts high and is never rated up."""
    open_trial(cold)
    path = write(cold, """\
  - outcome: "Outcome"
    importance: critical
    studies: [roe2025]
    downgrade:
      risk-of-bias: {by: -2, reason: "Open-label, self-rated, uneven attrition"}
    upgrade:
      large-effect: {by: 2, reason: "OR above 5"}
""", first="roe2025")
    project, found = checked(cold)
    (d,) = lenient(found)
    assert (d.location.line, d.where) == (line_of(path, "large-effect"),
                                          "condition test-condition: outcomes[1].upgrade.large-effect")
    assert "GRADE rates up only non-randomised evidence" in d.message
    assert "remove the upgrade" in d.message
    assert grade_of(project).grade == "low"  # not HIGH: the upgrade does not count


def test_non_randomised_evidence_is_rated_up_only_on_grades_criteria(cold: Path) -> None:
    """A non-randomised, open-label study is at risk of bias: no rating up at all."""
    open_trial(cold, design="nonrandomised-crossover")
    write(cold, """\
  - outcome: "Outcome"
    importance: critical
    studies: [roe2025]
    downgrade:
      risk-of-bias: {by: -2, reason: "Open-label, self-rated, uneven attrition"}
    upgrade:
      dose-response: {by: 1, reason: "Rose with dose"}
""", first="roe2025", bottom_line="It is very uncertain whether ketamine helps.")
    project, found = checked(cold)
    (d,) = lenient(found)
    assert "no serious risk of bias" in d.message
    result = grade_of(project)
    assert result.start == "low" and result.grade == "very-low"


def test_a_recorded_start_above_the_designs_is_refused(cold: Path) -> None:
    pfeiffer = "content/studies/pfeiffer2024.yaml"  # a study of the default content
    (cold / pfeiffer).write_bytes((REPO / pfeiffer).read_bytes())
    path = write(cold, """\
  - outcome: "Outcome"
    importance: critical
    studies: [murrough2013, pfeiffer2024]
    start: {grade: high, reason: "Large and consistent"}
    downgrade:
      risk-of-bias: {by: -1, reason: "Open-label"}
      imprecision: {by: -1, reason: "239 people"}
""", first="murrough2013", bottom_line="It is very uncertain whether ketamine helps.")
    project, found = checked(cold)
    (d,) = lenient(found)
    assert d.location.line == line_of(path, "start:") and d.where == "condition test-condition: outcomes[1].start"
    assert "above the 'low' GRADE gives" in d.message and "single-arm" in d.message
    assert grade_of(project).grade == "very-low"


def test_an_outcome_with_no_estimate_is_narrative_not_graded(cold: Path) -> None:
    write(cold, """\
  - outcome: "Outcome"
    importance: critical
    studies: [grunebaum2018, domany2020]
    results: {grunebaum2018: [1, 2], domany2020: [1, 2]}
    downgrade:
      imprecision: {by: -2, reason: "98 people; OR 1.14 to 7.15"}
  - outcome: "Dose relation"
    importance: critical
    chart: false
    studies: [glue2020]
    results: {glue2020: 2}
""")
    project, found = checked(cold)
    assert not found, found
    narrative = grade_of(project, "Dose relation")
    assert narrative.narrative and narrative.word == "no estimate (narrative)"
    overall = certainty.overall(project.conditions["test-condition"], project.studies)
    assert overall is not None and overall.grade == "low"  # the narrative one is not graded


@pytest.mark.parametrize(("bottom_line", "told"), [
    ("Ketamine probably reduces suicidal thoughts.", "'probably' states moderate certainty"),
    ("Ketamine reduces suicidal thoughts within a day.", "'reduces' states a benefit flatly"),
    ("Ketamine eases suicidal thoughts; it is not known for how long.",
     "does not say so: use GRADE's words, e.g. 'Ketamine may reduce ...'"),
])
def test_the_bottom_line_follows_the_grade(cold: Path, bottom_line: str, told: str) -> None:
    path = write(cold, SUICIDAL.format(downgrade='    downgrade:\n      imprecision: {by: -2, '
                                                 'reason: "98 people; OR 1.14 to 7.15"}'),
                 bottom_line=bottom_line)
    _, found = checked(cold)
    verbs = [d for d in found if d.code == "content.grade-verb"]
    assert verbs and all(d.location.line == line_of(path, "bottom_line") for d in verbs)
    assert any(told in d.message for d in verbs), [d.message for d in verbs]


@pytest.mark.parametrize(("edit", "code", "told"), [
    (("results: {grunebaum2018: [1, 2], domany2020: [1, 2]}",
      "results: {grunebaum2018: [1, 9], domany2020: [1, 2]}"),
     "content.unknown-ref", "'grunebaum2018' has 3 outcomes; there is no outcome 9"),
    (("results: {grunebaum2018: [1, 2], domany2020: [1, 2]}",
      "results: {grunebaum2018: [1, 2], feder2014: 1}"),
     "content.unknown-ref", "'feder2014' is not one of this outcome's studies"),
])
def test_measures_name_real_outcomes_of_the_outcomes_studies(cold: Path, edit: tuple[str, str],
                                                            code: str, told: str) -> None:
    outcomes = SUICIDAL.format(downgrade='    downgrade:\n      imprecision: {by: -2, '
                                         'reason: "98 people"}')
    write(cold, outcomes.replace(*edit))
    _, found = checked(cold)
    assert any(d.code == code and told in d.message for d in found), found


@pytest.mark.parametrize(("old", "new", "told"), [
    ("started: [195, 130]", "started: [195]", "n.started [195] must give, for each of the arms"),
    ("started: [195, 130]", "started: [195, 230]", "no more than the arm had"),
    ("low: 5.2, high: 7.4", "low: 6.5, high: 7.4", "6.1 lies outside its interval 6.5 to 7.4"),
    ("low: 5.2, high: 7.4", "low: 5.2", "an interval needs both ends"),
    ("rater: self", "rater: patient", "'patient' is not one of self, clinician, objective"),
])
def test_the_study_fields_grade_reads_are_checked(cold: Path, old: str, new: str,
                                                  told: str) -> None:
    open_trial(cold)
    path = cold / "content/studies/roe2025.yaml"
    path.write_text(path.read_text().replace(old, new))
    _, found = checked(cold)
    hits = [d for d in found if told in d.message]
    assert hits and hits[0].location.path == "content/studies/roe2025.yaml", found
    assert hits[0].location.line == line_of(path, new.split(":")[0].split(",")[0])


def test_an_interval_that_takes_in_no_effect_needs_an_imprecision_downgrade(cold: Path) -> None:
    """400 people (the optimal information size) but an odds ratio from 0.9 to 1.2."""
    open_trial(cold, started="[195, 190]", rater="objective")
    path = cold / "content/studies/roe2025.yaml"
    path.write_text(path.read_text().replace("value: 6.1, low: 5.2, high: 7.4",
                                             "value: 1.05, low: 0.9, high: 1.2"))
    write(cold, '  - outcome: "Outcome"\n    importance: critical\n    studies: [roe2025]\n'
                '    downgrade:\n      risk-of-bias: {by: -1, reason: "Open-label"}\n',
          first="roe2025", bottom_line="Ketamine may make little difference.")
    project, found = checked(cold)
    (d,) = lenient(found)
    assert "the OR interval of Roe 2025 (0.9 to 1.2) takes in no effect" in d.message
    assert grade_of(project).grade == "low"
