"""`ketabrochure new study|condition|handout ID`: a scaffold that fails `check` at each of its
TODO placeholders, and only there, until the test fills every one in; then `check` passes."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from helpers import Run, copy_project

from ketabrochure.cli import main
from ketabrochure.read.fields import is_placeholder

DOCUMENTS = {  # documents.yaml of each test project: only the new subject's documents
    "study": "documents: []\n",
    "condition": """documents:
  - layout: evidence-sheet
    subjects: [insomnia]
    papers: [letter]
    language: en
    pages: {exactly: 1}
""",
    "handout": """documents:
  - layout: handout
    subjects: all          # the project keeps no other handout
    papers: [letter]
    languages: [en, es]
    pages: {maximum: 2}
""",
}
IDS = {"study": "smith2024", "condition": "insomnia", "handout": "ptsd"}
# What the test writes over each placeholder, in the order they stand in the file.
FILLS = {
    "study": ['"A Randomized Trial of Ketamine for Chronic Insomnia"', '"Smith AB"',
              '"J Sleep Res"', "2024", "efficacy", "rct", "double-blind",
              '"Double-blind parallel trial vs midazolam"', "human",
              '"Chronic insomnia, ages 18-65"', "40", "participants", "ketamine", "IV",
              '"0.5 mg/kg over 40 min"', '"one infusion"', '"midazolam (active placebo)"',
              '"Insomnia Severity Index change at day 7 (primary)"',
              '"3 points lower with ketamine"', '"ISI 3 points lower than midazolam at day 7"',
              '"7 days"', '"Small sample (40 participants)"', '"Written by the test"'],
    "condition": ['"Insomnia"', '"IV ketamine for chronic insomnia"',
                  '"In one small trial, ketamine may have given a slight, short-lived benefit. '
                  'Ketamine is not an established insomnia treatment."',
                  '"In a trial of 30 adults, six infusions lowered symptom scores more than '
                  'midazolam."', "feder2021", "feder2021",
                  '"Symptoms 1 day to 2 weeks after infusions, vs midazolam"', "feder2021",
                  '"30 people in one trial, in another condition"',
                  '"Transient dissociation during infusions."'],
    "handout": ['"Ketamine for PTSD"', '"Ketamina para el TEPT"', '"PTSD"', '"el TEPT"',
                '"PTSD can follow a scary event."', '"El TEPT puede seguir a un susto grande."',
                '"Ketamine is not approved for PTSD."',
                '"La ketamina no está aprobada para el TEPT."',
                '"In the biggest study, it did not help."',
                '"En el estudio más grande, no ayudó."', "abdallah2022",
                '"We are not sure that it helps."', '"No sabemos si ayuda."', "abdallah2022",
                '"You may feel dreamy for a while. Your blood pressure may go up."',
                '"Puede sentirse como en un sueño. Su presión puede subir."',
                "feder2014",
                '"The nasal spray can make you very sleepy. Ketamine can be misused."',
                '"El aerosol nasal puede darle mucho sueño. La ketamina se puede usar mal."',
                "spravato-rems, spravato-label-blood-pressure",
                '"Can I drive home after a dose?"',
                '"¿Puedo manejar después de una dosis?"'],
}
PLACEHOLDER = re.compile(r'"TODO[^"]*"|\bTODO\b')


def cli(root: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main([*args, "--project", str(root)], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def small_project(root: Path, kind: str) -> Path:
    copy_project(root)
    (root / "content/documents.yaml").write_text(f'edition: "2026.11"\n{DOCUMENTS[kind]}')
    (root / "content/approvals.yaml").unlink()  # the new file's text is nobody's to sign yet
    if kind == "handout":  # no handouts but the new one (ptsd's handout is made again)
        shutil.rmtree(root / "content/handouts")
        shutil.rmtree(root / "content/brochures")  # it would ask for every condition's handout
    if kind == "condition":  # the patient documents' rules would ask for its handout too
        shutil.rmtree(root / "content/handouts")
        shutil.rmtree(root / "content/brochures")
    return root


def placeholder_lines(path: Path) -> list[int]:
    """Lines with a placeholder in their value (comments may mention TODO too)."""
    return [i for i, line in enumerate(path.read_text().splitlines(), 1)
            if not line.lstrip().startswith("#") and PLACEHOLDER.search(line.split(" #")[0])]


def fill(path: Path, values: list[str]) -> None:
    """Write the values over the placeholders, one each, in order."""
    lines, queue = path.read_text().splitlines(), iter(values)
    for i in placeholder_lines(path):
        value, comment = [*lines[i - 1].split(" #", 1), ""][:2]
        lines[i - 1] = PLACEHOLDER.sub(next(queue), value, count=1) + \
            (f" #{comment}" if comment else "")
    assert next(queue, None) is None, "a value left over: the scaffold has fewer placeholders"
    path.write_text("\n".join(lines) + "\n")


def errors(result: Run) -> list[tuple[str, int, str]]:
    """(path, line, code) of every error printed."""
    found = []
    for line in result.stderr.splitlines():
        m = re.match(r"(\S+?):(\d+):\d+: error\[([\w.-]+)\]", line)
        if m:
            found.append((m.group(1), int(m.group(2)), m.group(3)))
    return found


@pytest.mark.parametrize("kind", ["study", "condition", "handout"])
def test_a_scaffold_fails_check_at_its_placeholders_until_they_are_filled(
        tmp_path: Path, kind: str) -> None:
    root = small_project(tmp_path / "p", kind)
    ident = IDS[kind]
    made = cli(root, "new", kind, ident)
    assert made.code == 0, made.stderr
    path = root / "content" / {"study": "studies", "condition": "conditions",
                               "handout": "handouts"}[kind] / f"{ident}.yaml"
    shown = path.relative_to(root).as_posix()
    lines = placeholder_lines(path)
    assert made.stdout.startswith(f"wrote {shown}: replace its {len(lines)} TODO placeholders")
    text = path.read_text()
    assert text.count("\n#") >= 1 and "  # " in text, "comments explain the fields"
    if kind == "handout":
        assert text.count('es: "TODO: traducir"') == 9  # every text

    first = cli(root, "check", "--jobs", "1")
    assert first.code == 1
    assert errors(first) == [(shown, line, "content.todo") for line in lines], first.stderr
    if kind == "handout":
        assert "title.es: still a TODO placeholder (\"TODO: traducir\"): write the Spanish " \
            "translation of 'en' here" in first.stderr

    fill(path, FILLS[kind])
    second = cli(root, "check", "--jobs", "1")
    assert second.code == 0, second.stderr
    if kind != "study":
        assert "check passed: " in second.stdout and "0 errors" in second.stdout
        assert re.search(r"\n(ok|FAIL) \S+\.pdf", second.stdout), "its documents were made"


def test_new_refuses_a_taken_or_bad_id_and_a_handout_for_no_condition(tmp_path: Path) -> None:
    root = small_project(tmp_path / "p", "study")
    study = root / "content/studies/anand2023.yaml"
    before = study.read_bytes()
    taken = cli(root, "new", "study", "anand2023")
    assert taken.code == 2 and study.read_bytes() == before
    assert "content/studies/anand2023.yaml already exists" in taken.stderr
    bad = cli(root, "new", "condition", "Sleep Problems")
    assert bad.code == 2 and "'Sleep Problems' is not an id" in bad.stderr
    assert not list((root / "content/conditions").glob("Sleep*"))
    none = cli(root, "new", "handout", "ptsdd")
    assert none.code == 2
    assert "no condition 'ptsdd' in content/conditions/ (did you mean 'ptsd'?)" in none.stderr
    unknown = cli(root, "new", "brochure", "x")
    assert unknown.code == 2 and "invalid choice" in unknown.stderr


@pytest.mark.parametrize(("value", "placeholder"), [
    ("TODO", True), ("TODO: traducir", True), ("  TODO write it", True),
    ("TODOS los pacientes", False),  # Spanish "all": not a placeholder
    ("todo", False), ("Nothing TODO here", False), (12, False), (None, False),
])
def test_what_counts_as_a_placeholder(value: object, placeholder: bool) -> None:
    assert is_placeholder(value) is placeholder
