"""Charts complete: an outcome's chart lists every study on file for its condition that measures
what the chart draws (the `measures` of the outcomes whose rates it draws), or leaves one out
with a reason its caption prints. `check` refuses a chart that leaves one out silently, at the
outcome, with the fix. Tested on content the tests write (physician documents are English)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import copy_minimal, run_cli

from ketabrochure import model as m
from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostic, Diagnostics
from ketabrochure.physician import charts

# A third trial of suicidal thoughts that found nothing: the one an editor would rather not chart.
NULL_TRIAL = """\
citation: {title: "A null trial", authors: [Roe J], et_al: false, journal: "J Test", year: 2024}
role: efficacy
design: {type: rct, blinding: double-blind, controlled: true, summary: "RCT vs midazolam"}
population: {species: human, diagnosis: "Depression with suicidal ideation"}
n: {value: 60, unit: participants}
intervention: {drug: ketamine, route: IV, dose: "0.5 mg/kg", schedule: "once"}
comparator: "midazolam"
outcomes:
  - measure: "Suicidal-ideation responders at day 1"
    measures: [suicidal-ideation]
    result: "30% vs 28%; no significant difference"
    rates: {kind: response, treatment: 30, control: 28}
    significant: false
key_result: "No difference in suicidal ideation at day 1"
follow_up: "1 day"
limitations: ["One site"]
"""
CONDITION = """\
name: "Suicidal thoughts"
title: "Ketamine for suicidal thoughts"
bottom_line: "Ketamine may help; the evidence is uncertain."
key_points:
  - text: "Three trials measured suicidal thoughts."
    cites: [grunebaum2018, domany2020, roe2024]
evidence: [grunebaum2018, domany2020, roe2024]
outcomes:
  - outcome: "Suicidal thoughts at day 1"
    importance: critical
    studies: [grunebaum2018]
{left_out}    downgrade:
      imprecision: {{by: -2, reason: "80 people in one trial"}}
regulatory: [iv-ketamine-off-label]
safety: ["Dissociation."]
"""
WHERE = "content/conditions/test-si.yaml"


def write(root: Path, left_out: str = "") -> None:
    (root / "content/studies/roe2024.yaml").write_text(NULL_TRIAL)
    (root / "content/conditions/test-si.yaml").write_text(CONDITION.format(left_out=left_out))


def errors(root: Path) -> tuple[m.Project | None, list[Diagnostic]]:
    diags = Diagnostics()
    project, _ = load(root, diags)
    return project, diags.errors


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path / "p")


def test_a_chart_of_one_trial_of_three_is_refused_naming_each_left_out(root: Path) -> None:
    write(root)
    _, found = errors(root)
    mine = [str(d) for d in found if d.location.path == WHERE]
    assert len(mine) == 2, mine
    for study, measure in (("domany2020", "Suicidal ideation, 90 to 180 min after dosing"),
                           ("roe2024", "Suicidal-ideation responders at day 1")):
        assert any(e.startswith(f"{WHERE}:9:5: error[chart.incomplete]: condition test-si: "
                                f"outcomes[1]: its chart ('Suicidal thoughts at day 1') leaves "
                                f"out {study}") and f"'{measure}'" in e and
                   f'left_out: {{{study}: "<the reason>"}}' in e for e in mine), mine


def test_a_study_left_out_with_its_reason_is_named_in_the_caption(root: Path) -> None:
    write(root, '    left_out:\n      domany2020: "remission at 90 minutes, not day 1"\n'
                '      roe2024: "not yet reviewed"\n')
    project, found = errors(root)
    assert project is not None and [d for d in found if d.location.path == WHERE] == []
    (chart,) = charts.outcome_charts(project.conditions["test-si"], project.studies)
    assert {r.study.id for r in chart.rows} == {"grunebaum2018"}
    assert chart.missing == ("Not shown: Domany 2020 (remission at 90 minutes, not day 1); "
                             "Roe 2024 (not yet reviewed).")
    assert "Not shown: Domany 2020" in str(chart.svg())  # the chart's text alternative too


def test_charting_every_trial_needs_no_reason(root: Path) -> None:
    write(root)
    path = root / "content/conditions/test-si.yaml"
    path.write_text(path.read_text().replace("studies: [grunebaum2018]",
                                             "studies: [grunebaum2018, domany2020, roe2024]"))
    project, found = errors(root)
    assert project is not None and [d for d in found if d.location.path == WHERE] == []
    (chart,) = charts.outcome_charts(project.conditions["test-si"], project.studies)
    assert [r.study.id for r in chart.rows] == ["grunebaum2018", "domany2020", "roe2024"]
    assert chart.missing == ""


@pytest.mark.parametrize(("left_out", "line", "code", "words"), [
    ('    left_out: {domany2020: "", roe2024: "x"}\n', 12, "content.no-reason",
     "say why 'domany2020' is not charted"),
    ('    left_out: {domany2020: "x", roe2024: "x", doe2099: "x"}\n', 12, "content.unknown-ref",
     "no study 'doe2099'"),
    ('    left_out: {domany2020: "x", roe2024: "x", grunebaum2018: "x"}\n', 12, "chart.left-out",
     "'grunebaum2018' is one of the outcome's studies"),
])
def test_a_left_out_entry_must_be_a_reason_for_a_study_not_charted(
        root: Path, left_out: str, line: int, code: str, words: str) -> None:
    write(root, left_out)
    _, found = errors(root)
    mine = [d for d in found if d.location.path == WHERE]
    assert [(d.location.line, d.code) for d in mine] == [(line, code)], [str(d) for d in mine]
    assert words in mine[0].message


def test_a_charted_rate_must_say_what_it_measures(root: Path) -> None:
    """Without `measures`, what the chart draws is unknown, and so is what it leaves out."""
    write(root, '    left_out: {domany2020: "x"}\n')
    study = root / "content/studies/roe2024.yaml"
    study.write_text(study.read_text().replace("    measures: [suicidal-ideation]\n", ""))
    path = root / "content/conditions/test-si.yaml"
    path.write_text(path.read_text().replace("studies: [grunebaum2018]",
                                             "studies: [grunebaum2018, roe2024]"))
    _, found = errors(root)
    (missing,) = [d for d in found if d.code == "content.missing-field"]
    assert (missing.location.path, missing.location.line) == ("content/studies/roe2024.yaml", 9)
    assert missing.where == "roe2024: outcomes[1].measures"
    assert "measures: [one or more of depression, suicidal-ideation" in missing.message


def test_the_report_prints_what_its_chart_leaves_out_and_why(root: Path) -> None:
    write(root, '    left_out:\n      domany2020: "remission at 90 minutes, not day 1"\n'
                '      roe2024: "not yet reviewed"\n')
    built = run_cli(root, "build", "--jobs", "1", "report")
    assert built.code == 0, built.stderr
    text = subprocess.run(["pdftotext", str(root / "out/report-research-letter-en.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    said = " ".join(text.split())
    assert "Suicidal thoughts at day 1: response rates by study" in said
    assert ("Not shown: Domany 2020 (remission at 90 minutes, not day 1); Roe 2024 (not yet "
            "reviewed).") in said


def test_a_study_cannot_hide_from_a_chart_by_not_saying_what_it_measures(root: Path) -> None:
    write(root, '    left_out: {domany2020: "x"}\n')
    study = root / "content/studies/roe2024.yaml"
    study.write_text(study.read_text().replace("    measures: [suicidal-ideation]\n", ""))
    _, found = errors(root)
    assert [d.code for d in found if d.location.path == WHERE] == []  # unknown: not matched
    (missing,) = [d for d in found if d.code == "content.missing-field"]
    assert str(missing).startswith("content/studies/roe2024.yaml:9:5: error[content.missing-"
                                   "field]: roe2024: outcomes[1].measures: say what it measures")
    assert "a chart of test-si ('Suicidal thoughts at day 1')" in missing.message
