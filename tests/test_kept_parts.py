"""`kinds.parts_of` keeps each document's rendered parts for one project and Jinja environment
(a build renders them for the cache key, the job, the sign-off gate, the claims ledger and the
review page): the same HTML as rendering afresh, rendered again for an edited project, kept
only within its bound; and `printed` gives the same sentences kept or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_minimal, edit

from ketabrochure import kinds, layouts, render
from ketabrochure import model as m
from ketabrochure.build.plan import load
from ketabrochure.diagnostics import Diagnostics
from ketabrochure.review.printed import printed

HANDOUT = "content/handouts/ptsd.yaml"
WORDS = "PTSD can follow a scary or violent event."


def loaded(root: Path) -> tuple[m.Project, list[m.Document]]:
    diags = Diagnostics()
    project, documents = load(root, diags)
    assert project is not None and documents and not diags.errors, diags.items
    return project, documents


def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the documents rendered from now on (each call of render.render)."""
    seen: list[str] = []
    original = render.render

    def counted(env, document, context, diags):  # type: ignore[no-untyped-def]
        seen.append(document.name)
        return original(env, document, context, diags)
    monkeypatch.setattr(render, "render", counted)
    return seen


def fresh(document: m.Document, project: m.Project, env: object) -> list[m.Part] | None:
    return kinds.kind_of(document).parts(document, project, env, Diagnostics())  # type: ignore[arg-type]


def test_parts_are_kept_per_project_and_environment(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_minimal(tmp_path / "project")
    project, documents = loaded(root)
    env = layouts.environment(root, kinds.FILTERS)
    seen = renders(monkeypatch)
    first = [kinds.parts_of(d, project, env, Diagnostics()) for d in documents]
    rendered = len(seen)
    assert rendered >= len(documents)
    again = [kinds.parts_of(d, project, env, Diagnostics()) for d in documents]
    assert len(seen) == rendered  # kept: nothing rendered again
    assert again == first == [fresh(d, project, env) for d in documents]
    handout = next(d for d in documents if d.name.startswith("handout-ptsd"))
    assert WORDS in kinds.parts_of(handout, project, env, Diagnostics())[0].htmls[0]  # type: ignore[index]

    # an edit makes a new project: its parts are rendered again, with the edit
    edit(root / HANDOUT, WORDS, "PTSD may follow a scary or violent event.")
    edited, documents = loaded(root)
    handout = next(d for d in documents if d.name == handout.name)
    before = len(seen)
    parts = kinds.parts_of(handout, edited, env, Diagnostics())
    assert len(seen) > before and parts == fresh(handout, edited, env)
    assert parts is not None and WORDS not in parts[0].htmls[0]
    assert "PTSD may follow" in parts[0].htmls[0]
    assert printed(handout, edited, env, Diagnostics()) == printed(handout, edited, env,
                                                                   Diagnostics())


def test_parts_kept_only_within_the_bound(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_minimal(tmp_path / "project")
    project, documents = loaded(root)
    env = layouts.environment(root, kinds.FILTERS)
    monkeypatch.setattr(kinds, "PARTS_KEPT", 0)
    seen = renders(monkeypatch)
    document = documents[0]
    first = kinds.parts_of(document, project, env, Diagnostics())
    count = len(seen)
    assert count and kinds.parts_of(document, project, env, Diagnostics()) == first
    assert len(seen) == 2 * count  # nothing kept: rendered again
