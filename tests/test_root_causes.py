"""Root causes first: a catalogue of typical mistakes, each written into a copy of the minimal
project, each reported by `check` as exactly its own errors. No false `no study 'X'` from the
texts that quote a study which failed to read, no `layout.render ... PlaceholderError` echo of
a placeholder error, no `missing required field` twin of a did-you-mean line, no unknown
regulatory facts while regulatory.yaml itself is broken."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import diagnostics, edit, line_of, run_cli

STUDY = "content/studies/feder2021.yaml"  # quoted as {feder2021.n}, {feder2021.response}
HANDOUT = "content/handouts/ptsd.yaml"
EN_FINDING = "en: \"In a small study of {feder2021.n}"
ES_FINDING = "es: \"De {feder2021.n}"

# name, file, text, replaced by, [(file, code, the line's text, words the message holds)]
MISTAKES = [
    ("doi with its prefix", STUDY, 'doi: "10.1176', 'doi: "https://doi.org/10.1176',
     [(STUDY, "content.doi", "doi:", "without the https://doi.org/ prefix")]),
    ("misspelt required field", STUDY, "key_result:", "key_reslt:",
     [(STUDY, "content.unknown-field", "key_reslt:", "did you mean 'key_result'")]),
    ("tab in a study", STUDY, "\n  year:", "\n\tyear:",
     [(STUDY, "yaml.syntax", "\tyear:", "indented with a tab")]),
    ("value not among the choices", STUDY, "role: efficacy", "role: eficacy",
     [(STUDY, "content.invalid", "role: eficacy", "did you mean 'efficacy'")]),
    ("study without the rate a text quotes", STUDY,
     "    rates: {treatment: 67, control: 20, kind: response}\n", "",
     [(HANDOUT, "content.placeholder", EN_FINDING, "has no response rate"),
      (HANDOUT, "content.placeholder", ES_FINDING, "has no response rate")]),
    ("placeholder field mistyped (en)", HANDOUT, "of {feder2021.n} people",
     "of {feder2021.m} people",
     [(HANDOUT, "content.placeholder", "of {feder2021.m} people", "use .response")]),
    ("placeholder field mistyped (es)", HANDOUT, "De {feder2021.n} personas",
     "De {feder2021.nn} personas",
     [(HANDOUT, "content.placeholder", "De {feder2021.nn} personas", "use .response")]),
    ("study the brochure quotes", "content/studies/anand2023.yaml", "\ndesign:",
     "\ndesing:", [("content/studies/anand2023.yaml", "content.unknown-field", "desing:",
                    "did you mean 'design'")]),
    ("one regulatory fact without its statement", "content/regulatory.yaml",
     '    statement: "Racemic', '    statment: "Racemic',
     [("content/regulatory.yaml", "content.unknown-field", "statment:",
       "did you mean 'statement'")]),
    ("broken regulatory.yaml", "content/regulatory.yaml", "facts:", "fact:",
     [("content/regulatory.yaml", "content.unknown-field", "fact:", "did you mean 'facts'")]),
    ("misspelt field of a condition", "content/conditions/ptsd.yaml", "bottom_line:",
     "bottom_lin:", [("content/conditions/ptsd.yaml", "content.unknown-field", "bottom_lin:",
                      "did you mean 'bottom_line'")]),
    ("misspelt field of a handout", HANDOUT, "\nstrength:", "\nstrenght:",
     [(HANDOUT, "content.unknown-field", "strenght:", "did you mean 'strength'")]),
]


@pytest.mark.parametrize(("path", "old", "new", "expected"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_a_mistake_gives_exactly_its_root_errors(
        minimal: Path, path: str, old: str, new: str,
        expected: list[tuple[str, str, str, str]]) -> None:
    edit(minimal / path, old, new)
    result = run_cli(minimal, "check", "--jobs", "1")
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr
    found = diagnostics(result.stderr)
    assert [(d["path"], d["code"], int(d["line"])) for d in found] == [
        (file, code, line_of(minimal / file, needle)) for file, code, needle, _ in expected
    ], result.stderr
    for d, (*_, words) in zip(found, expected, strict=True):
        assert words in d["msg"], d
