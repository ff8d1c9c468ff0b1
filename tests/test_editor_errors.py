"""What a tired content editor types, and what they are told: YAML slips in plain words at the
line to fix, stray quotes, English left in `es:`, and a forbidden phrase allowed with a reason.
Each case writes its own YAML; the rules run on a copy of the project, read in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import (
    WITH_DEPRESSION,
    copy_minimal,
    diagnostics,
    edit,
    line_of,
    real_files,
    run_cli,
)

from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.read.fields import Fields
from ketabrochure.read.yamlsource import load as load_yaml

# The parser's own words, which the editor must not have to decode
PARSER_WORDS = ("cannot start any token", "did not find expected", "mapping values are not",
                "while scanning", "while parsing", "end of stream")

SLIPS = [  # name, YAML, (line, column) to fix, words the message must hold
    ("tab", "title:\n\ten: Hello\n", (2, 1), ["indented with a tab", "spaces"]),
    ("tab among spaces", "title:\n  en: Hello\n\tes: Hola\n", (3, 1), ["tab"]),
    ("unclosed double quote", 'a:\n  en: "Hello there\n  es: Hola\nb: 1\n', (2, 7),
     ['not closed on this line', 'closing "']),
    ("unclosed quote, another quote later", 'a:\n  en: "Hello\n  es: "Hola"\nb: 1\n', (2, 7),
     ["not closed on this line"]),
    ("unclosed single quote", "a:\n  en: 'Hello there\n  es: Hola\n", (2, 7),
     ["not closed on this line", "closing '"]),
    ("text after the closing quote", 'a:\n  en: "Hello" there\n', (2, 14),
     ["takes only \"Hello\"", "'\"Hello\" there'"]),
    ("quotes inside quotes", 'a:\n  en: "He said "hi" to me"\n', (2, 17),
     ['\\"', "'He said \"hi\" to me'"]),
    ("apostrophe in single quotes", "a:\n  en: 'It's fine'\n", (2, 11),
     ["twice", '"It\'s fine"']),
    ("colon in unquoted text", "a:\n  en: Note: this is text\n", (2, 7),
     ["colon", 'en: "Note: this is text"']),
    ("colon in a list item", "a:\n  - en: Risk: low\n", (2, 9), ['en: "Risk: low"']),
    ("indented more", "a:\n  en: Hello\n   es: Hola\n", (3, 1),
     ["indented more (3 spaces)", "'es:' up with 'en:'"]),
    ("indented less", "a:\n  en: Hello\n es: Hola\n", (3, 1),
     ["indented by 1 space", "0 or 2 spaces"]),
    ("list item out of line", "a:\n  - en: a\n    es: b\n  - en: c\n   es: d\n", (5, 1),
     ["indented by 3 spaces", "0, 2 or 4 spaces"]),
    ("reserved first character", "a:\n  en: @home\n", (2, 7), ["'@'", 'en: "@home"']),
    ("alias star", "a:\n  en: *important* note\n", (2, 7), ["'*'", "alias"]),
    ("unclosed list", "a: [one, two\nb: 1\n", (1, 4), ["']'"]),
    ("backslash", 'a:\n  en: "C:\\path"\n', (2, 10), ["backslash", "single quotes"]),
]


@pytest.mark.parametrize(("name", "text", "at", "words"), SLIPS, ids=[s[0] for s in SLIPS])
def test_yaml_slip_is_explained_at_the_line_to_fix(tmp_path: Path, name: str, text: str,
                                                  at: tuple[int, int],
                                                  words: list[str]) -> None:
    path = tmp_path / "content" / "x.yaml"
    path.parent.mkdir()
    path.write_text(text)
    diags = Diagnostics()
    assert load_yaml(path, "content/x.yaml", diags, root=tmp_path) is None, name
    (error,) = diags.errors
    assert (error.location.line, error.location.col) == at, str(error)
    assert error.code == "yaml.syntax"
    for word in words:
        assert word in error.message, str(error)
    for jargon in PARSER_WORDS:
        assert jargon not in error.message, str(error)


TYPE_SLIPS = [  # YAML, what the editor is told
    ("items:\n  - Note: text here\n",
     "YAML reads 'Note: text here' as the key 'Note' and its value, because of the colon; "
     'put the whole text in quotes: "Note: text here"'),
    ("items:\n  -one\n  - two\n",
     "must be a list; got text ('-one - two'): each list item goes on its own line and needs "
     "a space after its '-'"),
]


@pytest.mark.parametrize(("text", "told"), TYPE_SLIPS)
def test_a_slip_that_changes_a_value_type_is_named(tmp_path: Path, text: str, told: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    diags = Diagnostics()
    node = load_yaml(path, "x.yaml", diags, root=tmp_path)
    assert node is not None and not diags.items
    Fields(node, "", diags, ("items",)).text_list("items")
    (error,) = diags.errors
    assert told in error.message, str(error)


def test_a_broken_file_reports_its_own_error_and_nothing_downstream(minimal: Path) -> None:
    """On the minimal project (its cache seeded): its sheet, report, packet and handout cite
    the broken study, as the default project's do."""
    root = minimal
    study = root / "content/studies/feder2014.yaml"
    edit(study, "  year: 2014", "\tyear: 2014")
    result = run_cli(root, "check")
    assert result.code == 1 and "Traceback" not in result.stderr
    found = [d for d in diagnostics(result.stderr) if d["sev"] == "error"]
    assert [(d["path"], d["code"]) for d in found] == [
        ("content/studies/feder2014.yaml", "yaml.syntax")], result.stderr
    assert int(found[0]["line"]) == line_of(study, "\tyear: 2014")
    assert "indented with a tab" in found[0]["msg"]


# -- warnings and rules on patient text, read in-process -----------------------------------
HANDOUT = "content/handouts/depression.yaml"
FINDING_EN = ('en: "In a small study of {berman2000.n} people, depression eased within 3 days '
              'of one dose of ketamine. It did not ease after salt water (a placebo). The study '
              'ended after 3 days. We do not know how long the effect lasted."')
FINDING_ES = ('es: "En un estudio pequeño de {berman2000.n} personas, la depresión bajó en los 3 '
              'días después de una dosis de ketamina. No bajó con agua con sal (un placebo). El '
              'estudio terminó a los 3 días. No sabemos cuánto duró el efecto."')


def problems(root: Path) -> list[tuple[str, str, int, str]]:
    """(severity, code, line, message) of every problem reading the project and its rules."""
    diags = Diagnostics()
    load(root, diags)
    return [(d.severity, d.code, d.location.line, d.message) for d in diags.items
            if d.location.path == HANDOUT]


@pytest.fixture
def handout(tmp_path: Path) -> Path:
    """The minimal project with the default content's depression handout (and what it needs)."""
    root = real_files(copy_minimal(tmp_path / "p"), *WITH_DEPRESSION)
    assert problems(root) == []  # the default content reads clean
    return root


def test_a_stray_quote_is_a_warning_at_its_line(handout: Path) -> None:
    path = handout / HANDOUT
    edit(path, FINDING_EN, FINDING_EN.replace('en: "', "en: "))  # the opening quote forgotten
    (found,) = problems(handout)
    assert found[:3] == ("warning", "content.stray-quote", line_of(path, "en: In a small"))
    assert 'ends with a " that no quote opens' in found[3]


def test_english_pasted_into_es_is_a_warning(handout: Path) -> None:
    path = handout / HANDOUT
    edit(path, FINDING_ES, FINDING_EN.replace("en: ", "es: "))
    found = [p for p in problems(handout) if p[1] == "content.untranslated"]
    assert len(found) == 1
    assert found[0][0] == "warning" and found[0][2] == line_of(path, 'es: "In a small study')
    assert "reads as English ('in', 'of', 'it', 'did', 'not', 'after', 'the', 'we'" in found[0][3]
    assert "english_only: true" in found[0][3]


def test_a_forbidden_phrase_is_allowed_on_one_text_with_a_reason(handout: Path) -> None:
    path = handout / HANDOUT
    edit(path, "We do not know how long the effect lasted.", "We do not know how long the "
         "effect lasted. It is not a cure.")
    (refused,) = problems(handout)
    assert refused[:2] == ("error", "claims.permanence")  # a claim word, refused in the code
    assert "says 'cure'" in refused[3] and 'allow: {cure: "<the reason>"}' in refused[3]

    edit(path, "    cites: [berman2000]", "    cites: [berman2000]\n"
         "    allow: {cure: \"says that ketamine is not a cure\"}")
    assert problems(handout) == []


@pytest.mark.parametrize(("allow", "expected"), [
    ('{cure: ""}', ("error", "content.allow", "'cure' needs a reason")),
    ("[cure]", ("error", "content.invalid", "must map each forbidden phrase to why")),
    ('{wonder: "a typo"}', ("error", "content.allow", "'wonder' is not a forbidden phrase")),
    ('{promising: "a typo"}', ("warning", "content.allow", "no longer says 'promising'")),
    ('{cure: "it used to say so"}', ("warning", "content.allow", "no longer says 'cure'")),
])
def test_an_allowance_must_have_a_reason_and_a_use(handout: Path, allow: str,
                                                   expected: tuple[str, str, str]) -> None:
    path = handout / HANDOUT
    edit(path, "    cites: [berman2000]", f"    cites: [berman2000]\n    allow: {allow}")
    (found,) = problems(handout)
    assert found[:2] == expected[:2] and expected[2] in found[3], found
    assert found[2] == line_of(path, f"allow: {allow}")


def test_unquoted_text_cut_short_by_a_hash_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a:\n  en: Take pill #1 first\n  es: Hola  # a comment, as meant\n")
    diags = Diagnostics()
    node = load_yaml(path, "x.yaml", diags, root=tmp_path)
    assert node is not None and node.value["a"].value["en"].value == "Take pill"
    (warning,) = diags.items
    assert (warning.severity, warning.code, warning.location.line) == ("warning", "yaml.comment", 2)
    assert "stops before '#1 first'" in warning.message and "quotes" in warning.message


def test_naming_a_document_whose_file_is_broken_shows_the_file_error(minimal: Path) -> None:
    """Not `no document matches` (exit 2): the document is missing because its file is broken,
    and that error is the one to read. On the minimal project (its cache seeded): its PTSD
    sheet is the one named."""
    root = minimal
    ptsd = root / "content/conditions/ptsd.yaml"
    edit(ptsd, "\nsafety:", "\nsafty:")
    for command in ("build", "check"):
        result = run_cli(root, command, "evidence-sheet-ptsd-letter-en")
        assert result.code == 1 and "no document matches" not in result.stderr, result.stderr
        assert f"content/conditions/ptsd.yaml:{line_of(ptsd, 'safty:')}:1: error[content." \
            "unknown-field]: safty: unknown field 'safty' (did you mean 'safety'?)" in result.stderr
    assert run_cli(root, "build", "no-such-document").code == 1  # content errors come first
    edit(ptsd, "\nsafty:", "\nsafety:")
    missing = run_cli(root, "check", "no-such-document")
    assert missing.code == 2 and "no document matches 'no-such-document'" in missing.stderr


def test_a_project_without_layouts_is_one_located_error(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path / "p")  # any content: the layouts are what is missing
    shutil.rmtree(root / "layouts")
    for command in ("check", "list"):
        result = run_cli(root, command)
        assert result.code == 1 and "Traceback" not in result.stderr
        errors = [d for d in diagnostics(result.stderr) if d["sev"] == "error"]
        assert [(d["path"], d["code"]) for d in errors] == [("layouts", "layout.missing")]
