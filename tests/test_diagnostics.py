"""Bad input: one located line per problem, all problems in one run, exit 1, no traceback."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import diagnostics, edit, line_of, run_cli


def test_default_content_checks_clean_even_under_strict(project: Path) -> None:
    result = run_cli(project, "check", "--jobs", "1", "--strict")
    assert result.code == 0, result.stderr
    assert "error" not in result.stderr and "warning" not in result.stderr
    assert "check passed" in result.stdout and ", 0 warnings" in result.stdout


def test_yaml_syntax_error_is_located(minimal: Path) -> None:
    # on the minimal project: the PTSD files as in the real content, 8 documents, not 48
    study = minimal / "content/studies/feder2014.yaml"
    edit(study, "role: efficacy", "role: [efficacy")
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1
    assert "Traceback" not in result.stderr
    (d,) = [d for d in diagnostics(result.stderr) if d["code"] == "yaml.syntax"]
    assert d["path"] == "content/studies/feder2014.yaml"
    assert int(d["line"]) >= line_of(study, "role: [efficacy")


def test_every_problem_reported_in_one_run(minimal: Path) -> None:
    # on the minimal project: the PTSD files as in the real content, 8 documents, not 48
    ptsd = minimal / "content/conditions/ptsd.yaml"
    study = minimal / "content/studies/feder2014.yaml"
    edit(ptsd, "\nsafety:", "\nsafty:")
    edit(study, 'doi: "10.1001/jamapsychiatry.2014.62"', 'doi: "https://doi.org/10.1001/jamapsychiatry.2014.62"')
    edit(study, "year: 2014", "year: twenty14")
    edit(ptsd, "[feder2014", "[fedder2014")
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1
    found = {(d["path"], d["code"]): d for d in diagnostics(result.stderr)}

    unknown = found["content/conditions/ptsd.yaml", "content.unknown-field"]
    assert int(unknown["line"]) == line_of(ptsd, "safty:")
    assert "did you mean 'safety'" in unknown["msg"]
    # the did-you-mean line replaces its "missing required field 'safety'" twin
    assert ("content/conditions/ptsd.yaml", "content.missing-field") not in found

    doi = found["content/studies/feder2014.yaml", "content.doi"]
    assert int(doi["line"]) == line_of(study, "doi:")
    assert "without the https://doi.org/ prefix" in doi["msg"]
    year = found["content/studies/feder2014.yaml", "content.type"]
    assert int(year["line"]) == line_of(study, "year: twenty14")
    assert "whole number" in year["msg"]


def test_unknown_study_reference_suggests_near_miss(minimal: Path) -> None:
    # on the minimal project: the PTSD files as in the real content, 8 documents, not 48
    ptsd = minimal / "content/conditions/ptsd.yaml"
    text = ptsd.read_text()
    ptsd.write_text(text.replace("abdallah2022", "abdalah2022"))
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1
    refs = [d for d in diagnostics(result.stderr) if d["code"] == "content.unknown-ref"]
    assert refs and all(d["path"] == "content/conditions/ptsd.yaml" for d in refs)
    assert "did you mean 'abdallah2022'" in refs[0]["msg"]
    assert {int(d["line"]) for d in refs} <= {
        n for n, line in enumerate(ptsd.read_text().splitlines(), 1) if "abdalah2022" in line}


def test_bad_date_and_mistyped_value(minimal: Path) -> None:
    # on the minimal project: the claim holds for any condition; 8 documents, not 48
    ptsd = minimal / "content/conditions/ptsd.yaml"
    regulatory = minimal / "content/regulatory.yaml"
    edit(regulatory, "date: 2019-03-05", "date: 2019-13-45")
    edit(ptsd, "importance: ", "importance: medium #")
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1
    codes = {d["code"]: d for d in diagnostics(result.stderr)}
    assert codes["content.date"]["path"] == "content/regulatory.yaml"
    assert int(codes["content.date"]["line"]) == line_of(regulatory, "date: 2019-13-45")
    assert "YYYY-MM-DD" in codes["content.date"]["msg"]
    assert "'medium' is not one of critical, important" in codes["content.invalid"]["msg"]


def test_off_label_statement_required(minimal: Path) -> None:
    # on the minimal project: the claim holds for any condition; 8 documents, not 48
    ptsd = minimal / "content/conditions/ptsd.yaml"
    text = ptsd.read_text()
    ptsd.write_text(re.sub(r"iv-ketamine-off-label,? ?", "", text))
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1
    (d,) = [d for d in diagnostics(result.stderr) if d["code"] == "content.off-label"]
    assert d["path"] == "content/conditions/ptsd.yaml"


def test_duplicate_key_and_not_a_mapping(project: Path) -> None:
    clinic = project / "content/clinic.yaml"
    clinic.write_text(clinic.read_text() + "phone: 555\n")
    (project / "content/studies/empty-list.yaml").write_text("- just a list\n")
    result = run_cli(project, "check", "--jobs", "1")
    assert result.code == 1
    codes = {(d["path"], d["code"]) for d in diagnostics(result.stderr)}
    assert ("content/clinic.yaml", "yaml.duplicate-key") in codes
    assert ("content/studies/empty-list.yaml", "content.type") in codes
