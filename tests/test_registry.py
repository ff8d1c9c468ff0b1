"""The registry is the only door: a kind is complete or refused at registration; the shelf and
the engine read what a kind declares; every patient text of every kind is under the patient
rules (a guard walks the content model for texts the rules would miss); and a kind added by
the README's recipe, from outside the package, is built, shelved and refused like any other."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import PACKAGE, copy_minimal, copy_project, imports, part_of, run_cli

from ketabrochure import kinds
from ketabrochure import model as m
from ketabrochure.build.run import load
from ketabrochure.diagnostics import Diagnostics, Location
from ketabrochure.document_kind import DocumentKind
from ketabrochure.patient.read import PatientReader
from ketabrochure.patient.rules import walked
from ketabrochure.patient.text import PatientKind, add_records, cited, shared_context

# -- a kind of the test's own: an appointment reminder card (the README recipe) -------------


@dataclasses.dataclass(frozen=True)
class Reminder:
    """The card's record (content/reminders/<id>.yaml), a `m.PatientRecord`."""

    id: str
    title: m.Text
    indication: m.Text
    lines: tuple[m.Text, ...]
    loc: Location

    results: tuple[m.Text, ...] = ()  # a card reports no study
    claims: tuple[m.Text, ...] = ()
    side_effects: tuple[m.Text, ...] = ()
    about: tuple[str, ...] | None = ()  # about no condition

    @property
    def label(self) -> str:
        return f"reminder {self.id}"

    @property
    def texts(self) -> tuple[m.Text, ...]:
        return (self.title, *self.lines)

    def printed(self, common: m.Common) -> tuple[m.Text, ...]:
        return (common.crisis, *self.texts, common.off_label, common.long_term_safety)


class ReminderCard(PatientKind):
    subjects = "reminders"
    about = "none"  # not a medical condition: the shelf files it under none
    duplex = "simplex"

    def read(self, root: Path, project: m.Project, diags: Diagnostics) -> m.Project:
        reader = PatientReader(root, diags)

        def card(path: Path) -> Reminder | None:
            f = reader.fields(path, ("title", "indication", "lines"))
            if f is None:
                return None
            title, indication = reader.text(f, "title"), reader.text(f, "indication")
            lines = reader.texts(f, "lines")
            if title is None or indication is None:
                return None
            return Reminder(path.stem, title, indication, lines, Location(reader.shown(path)))

        return add_records(project, self.subjects, dict(reader.each("reminders", card)))

    def ids(self, project: m.Project) -> list[str]:
        return sorted(project.patient.more.get(self.subjects, {}))

    def record(self, project: m.Project, subject: str) -> m.PatientRecord:
        return project.patient.more[self.subjects][subject]

    def title(self, project: m.Project, subject: str) -> str:
        return self.record(project, subject).indication.en

    def context(self, project: m.Project, document: m.Document) -> dict[str, Any]:
        card = self.record(project, document.subject)
        assert isinstance(card, Reminder)
        numbers, refs = cited(list(card.texts), project)
        ctx = shared_context(project)
        ctx.update(card=card, cites=numbers, references=refs, indication=card.indication,
                   show_crisis=True)
        return ctx


LAYOUT = {
    "layout.yaml": "template: card.html.j2\nsubjects: reminders\naudience: patient\n",
    "card.html.j2": """{% extends "_shared/base.html.j2" %}
{% block title %}{{ card.title | tr }}{% endblock %}
{% block subject %}{{ card.title | tr }}{% endblock %}
{% block stylesheets %}<link rel="stylesheet" href="../_shared/patient.css">
<link rel="stylesheet" href="style.css">{% endblock %}
{% block body %}
<h1 data-field="{{ card.title.path }}">{{ card.title | tr }}</h1>
<aside class="crisis"><p data-field="{{ crisis.path }}">{{ crisis | tr }}</p></aside>
{% for t in card.lines %}<p data-field="{{ t.path }}">{{ t | tr }}</p>{% endfor %}
<p data-field="{{ off_label.path }}">{{ off_label | tr }}</p>
<p data-field="{{ long_term_safety.path }}">{{ long_term_safety | tr }}</p>
<p>{{ location.name }} · {{ location.phone }}</p>
{% endblock %}
""",
    "style.css": "@page { size: letter; margin: 0.6in; }\n",
}
CARD = """title: {en: "Your next visit", es: "Su próxima visita"}
indication: {en: "depression", es: "la depresión"}
lines:
  - en: "Please come a little early. Bring someone to drive you home."
    es: "Por favor, llegue un poco antes. Traiga a alguien que lo lleve a casa."
"""
DOCUMENTS = """  - layout: reminder-card
    subjects: all
    papers: [letter]
    languages: [en, es]
    pages: {maximum: 2}
"""
CLAIM = ("Ketamine is a miracle cure, FDA-approved and completely safe.",
         "La ketamina es una cura milagrosa, aprobada por la FDA y completamente segura.")


@pytest.fixture
def reminder_kind() -> Iterator[DocumentKind]:
    """The card kind registered as the README says, for this test only."""
    yield kinds.register(ReminderCard)
    kinds.unregister(ReminderCard.subjects)


def card_project(root: Path) -> Path:
    """A copy of the minimal project with the card's layout, content and documents entry."""
    copy_minimal(root)
    folder = root / "layouts" / "reminder-card"
    folder.mkdir()
    for name, text in LAYOUT.items():
        (folder / name).write_text(text)
    (root / "content" / "reminders").mkdir()
    (root / "content" / "reminders" / "next-visit.yaml").write_text(CARD)
    documents = root / "content" / "documents.yaml"
    documents.write_text(documents.read_text() + DOCUMENTS)
    return root


@pytest.mark.usefixtures("reminder_kind")
def test_a_kind_added_by_the_readme_recipe_is_built_shelved_and_under_every_rule(
        tmp_path: Path) -> None:
    root = card_project(tmp_path / "p")
    built = run_cli(root, "build", "--jobs", "1", "reminder-card")
    assert built.code == 0, built.stderr + built.stdout
    out = root / "out"
    for lang, words in (("en", "Your next visit"), ("es", "Su próxima visita")):
        pdf = out / f"reminder-card-next-visit-letter-{lang}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert words in text and "988" in text  # its own text and the crisis line
    entries = {e["file"]: e for e in json.loads((out / "manifest.json").read_text())["documents"]}
    entry = entries["reminder-card-next-visit-letter-en.pdf"]
    assert (entry["shelf"], entry["about"], entry["duplex"]) == ("patients", "none", "simplex")
    shelf = (out / "index.html").read_text()
    card = shelf[shelf.index('id="doc-reminder-card-next-visit-letter-en"'):]
    card = card[:card.index("</li>")]
    assert 'data-condition="*"' in card and "single-sided" in card  # not filed as a condition
    assert '<option value="next-visit"' not in shelf  # nor offered as one in the filter

    # the claim, in English and in Spanish, is refused by the patient rules, located
    content = root / "content" / "reminders" / "next-visit.yaml"
    content.write_text(CARD.replace(
        '"Please come a little early. Bring someone to drive you home."', f'"{CLAIM[0]}"')
        .replace('"Por favor, llegue un poco antes. Traiga a alguien que lo lleve a casa."',
                 f'"{CLAIM[1]}"'))
    checked = run_cli(root, "check", "--jobs", "1", "reminder-card")
    assert checked.code == 1, checked.stdout + checked.stderr
    errors = [line for line in checked.stderr.splitlines() if ": error[" in line]
    where = "content/reminders/next-visit.yaml"
    # (the claim-word rules, in the code: miracle, cure, FDA-approved, completely safe)
    for lang, line in (("en", 4), ("es", 5)):
        mine = {e.split("error[")[1].split("]")[0] for e in errors
                if e.startswith(f"{where}:{line}:9: error[") and f"lines[1].{lang}:" in e}
        assert {"claims.proof", "claims.permanence", "claims.approval",
                "claims.safety"} <= mine, errors
    assert "Traceback" not in checked.stdout + checked.stderr


STUDY_LINE = """  - en: "In one study of {murrough2013.n} people, {murrough2013.response} felt better."
    es: "En un estudio de {murrough2013.n} personas, {murrough2013.response} se sintieron mejor."
    cites: [murrough2013]
"""


@pytest.mark.usefixtures("reminder_kind")
def test_framing_and_safety_reach_a_registered_kind(tmp_path: Path) -> None:
    """A card that reports an open-label study's result must say it was open-label (framing)
    and list that study's side effects (safety), as a handout must."""
    root = card_project(tmp_path / "p")
    (root / "content" / "reminders" / "next-visit.yaml").write_text(
        CARD + STUDY_LINE)
    diags = Diagnostics()
    load(root, diags)
    found = [str(d) for d in diags.errors]
    where = "content/reminders/next-visit.yaml"
    assert f"{where}:1:1: error[safety.section]: reminder next-visit: it cites studies but " \
        "lists no side effects" in "\n".join(found), found
    for lang, line in (("en", 6), ("es", 7)):
        assert any(e.startswith(f"{where}:{line}:9: error[framing.open-label]: lines[2].{lang}")
                   for e in found), found


def test_an_incomplete_kind_is_refused_at_registration() -> None:
    class Half(PatientKind):  # forgets `title`, `record` and what it is about
        subjects = "halves"
        duplex = "long-edge"

        def ids(self, _project: m.Project) -> list[str]:
            return []

        def context(self, _project: m.Project, _document: m.Document) -> dict[str, Any]:
            return {}

    with pytest.raises(kinds.KindError) as refused:
        kinds.register(Half)
    message = str(refused.value)
    assert "Half cannot be registered: it does not define record(); title(); about = one " \
        "of condition, all, enclosed, none" in message
    assert "halves" not in kinds.KINDS
    with pytest.raises(TypeError):
        Half()  # type: ignore[abstract]  # abstract: no instance can reach `check`
    with pytest.raises(kinds.KindError, match="duplex = one of long-edge, short-edge, simplex"):
        kinds.register(type("Odd", (Half,), {"duplex": "sideways", "about": "all",
                                             "record": lambda *_: None,
                                             "title": lambda *_: ""}))
    taken = type("Taken", (Half,), {"subjects": "handouts", "about": "all",
                                    "record": lambda *_: None, "title": lambda *_: ""})
    with pytest.raises(kinds.KindError, match="subjects 'handouts' is taken by Handout"):
        kinds.register(taken)


# -- the guard: every text reachable from the content model is walked by the rules ---------


def reachable(value: object, path: str = "project") -> Iterator[tuple[str, m.Text]]:
    """Every m.Text reachable from a content record: dataclass fields, mappings and sequences
    (a new Text field anywhere in the model is found here, whatever its name)."""
    if isinstance(value, m.Text):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from reachable(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from reachable(item, f"{path}[{key!r}]")
    elif isinstance(value, tuple | list | frozenset | set):
        for i, item in enumerate(value):
            yield from reachable(item, f"{path}[{i}]")


def unwalked(project: m.Project) -> list[str]:
    """The texts in the project that the patient rules' walk does not reach."""
    seen = {id(text) for text, _ in walked(project.patient)}
    return [path for path, text in reachable(project) if id(text) not in seen]


@pytest.mark.parametrize("copy", [copy_project, copy_minimal], ids=["default", "minimal"])
def test_every_text_of_the_content_model_is_under_the_rules(tmp_path: Path, copy: Any) -> None:
    project, _ = load(copy(tmp_path / "p"), Diagnostics())
    assert project is not None
    texts = list(reachable(project))
    assert len(texts) > 50  # the walk really found the patient texts
    assert unwalked(project) == []


def test_the_guard_fails_on_a_text_field_the_walk_misses(tmp_path: Path) -> None:
    """A record whose `texts` forgets one of its Text fields is caught by the guard."""
    project, _ = load(copy_minimal(tmp_path / "p"), Diagnostics())
    assert project is not None
    handout = next(iter(project.patient.handouts.values()))

    @dataclasses.dataclass(frozen=True)
    class Leaky(Reminder):
        footnote: m.Text = handout.title  # printed, say, but not in `texts`

    leaky = Leaky("x", dataclasses.replace(handout.title, path="title"), handout.indication,
                  (), handout.loc,
                  footnote=dataclasses.replace(handout.title, path="footnote"))
    patched = add_records(project, "leaky", {"x": leaky})
    assert unwalked(patched) == ["project.patient.more['leaky']['x'].footnote"]


def test_build_and_cli_reach_the_audiences_only_through_the_registry() -> None:
    """No import in cli.py or build/ names physician or patient (kinds.py re-exports what the
    engine needs of them); the import contract (test_architecture) lets them, the registry
    does not."""
    found = [f"{path.name}:{line}: {target}"
             for path in [PACKAGE / "cli.py", *sorted((PACKAGE / "build").glob("*.py"))]
             for line, target, _ in imports(path, PACKAGE)
             if part_of(target) in ("physician", "patient")]
    assert found == []
    assert part_of("ketabrochure.patient.readability") == "patient"  # the check can fail
