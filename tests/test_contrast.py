"""Text contrast (WCAG 2.x SC 1.4.3): the ratio, the walk over the laid-out boxes
(`measure.contrasts`), and `check` failing a layout whose text is too faint, located at the
document's subject."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import Run, edit

from ketabrochure.typeset import measure, pdf

ORANGE = (0xC8 / 255, 0x70 / 255, 0x2A / 255)  # the clinic's accent, #c8702a
BLACK = (0.0, 0.0, 0.0)


# --- the ratio -------------------------------------------------------------------------------


def test_contrast_ratio_follows_wcag() -> None:
    assert measure.contrast_ratio(BLACK, measure.WHITE) == pytest.approx(21.0)
    assert measure.contrast_ratio(measure.WHITE, measure.WHITE) == pytest.approx(1.0)
    assert measure.contrast_ratio(ORANGE, measure.WHITE) == pytest.approx(3.616, abs=0.001)
    assert measure.contrast_ratio(measure.WHITE, ORANGE) == measure.contrast_ratio(ORANGE, measure.WHITE)
    grey = (0x76 / 255,) * 3  # #767676: the lightest grey that passes on white
    assert measure.contrast_ratio(grey, measure.WHITE) >= 4.5 > measure.contrast_ratio(
        (0x77 / 255,) * 3, measure.WHITE)


@pytest.mark.parametrize(("points", "weight", "large"), [
    (18, 400, True), (17.9, 700, True), (14, 700, True), (14, 400, False), (13.9, 700, False),
    (10, 400, False),
])
def test_large_text_is_18_pt_or_14_pt_bold(points: float, weight: int, large: bool) -> None:
    assert measure.large_text(points, weight) == large


# --- the walk over the laid-out boxes --------------------------------------------------------


def contrasts_of(body: str, tmp_path: Path, css: str = "") -> list[str]:
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>'
            f"<style>{css}</style></head><body>{body}</body></html>")
    typeset = pdf.typeset(html, tmp_path, (tmp_path,))
    assert typeset.document is not None
    return measure.contrasts(typeset)


def test_accent_orange_fails_at_10_pt_and_passes_at_20_pt(tmp_path: Path) -> None:
    found = contrasts_of('<p style="color: #c8702a; font-size: 10pt">Small orange</p>'
                         '<p style="color: #c8702a; font-size: 20pt">Large orange</p>', tmp_path)
    assert found == ["'Small orange' on page 1 (p): #c8702a on #ffffff is 3.61:1 at 10 pt "
                     "text, which needs 4.5:1"]


@pytest.mark.parametrize(("style", "fails"), [
    ("font-size: 14pt; font-weight: 700", False),  # large: 3:1 is enough
    ("font-size: 14pt", True),
    ("font-size: 10pt; color: #1b1b1b", False),
    ("font-size: 10pt; color: rgba(0, 0, 0, 0.3)", True),  # composited: #b3b3b3 on white
    ("font-size: 10pt; visibility: hidden", False),
])
def test_size_weight_and_translucency(tmp_path: Path, style: str, fails: bool) -> None:
    found = contrasts_of(f'<p style="color: #c8702a; {style}">Text</p>', tmp_path)
    assert bool(found) == fails, found


def test_background_is_what_is_painted_under_the_text(tmp_path: Path) -> None:
    """An ancestor's background, and a positioned box laid out before the text that covers
    it (the tri-fold's cover art); a translucent one is composited."""
    css = (".panel { position: relative; height: 3in; color: #fff; }"
           ".art { position: absolute; inset: 0; background: #1f4e6b; }"
           ".text { position: relative; }")
    assert contrasts_of('<div style="background: #1f4e6b; color: #fff"><p>On brand</p></div>',
                        tmp_path) == []
    assert contrasts_of('<div class="panel"><div class="art"></div>'
                        '<p class="text">On the cover art</p></div>', tmp_path, css) == []
    uncovered = contrasts_of('<div class="panel"><p class="text">No cover art</p></div>',
                             tmp_path, css)
    assert [f.split(": ")[1].split(" is ")[0] for f in uncovered] == ["#ffffff on #ffffff"]
    faint = contrasts_of('<div style="background: rgba(31, 78, 107, 0.2); color: #fff">'
                         "<p>On a tint</p></div>", tmp_path)
    assert len(faint) == 1 and "#ffffff on #d2dce1" in faint[0]


def test_each_failing_pair_is_reported_once_with_where_else(tmp_path: Path) -> None:
    css = ".a { color: #c8702a } .b { color: #c8702a; font-weight: 700 }"
    found = contrasts_of('<p class="a">First</p><p class="a">Second</p>'
                         '<p><span class="b">Third</span></p>'
                         '<p style="color: #999">Grey</p>', tmp_path, css)
    assert len(found) == 2
    assert found[0].startswith("'First' on page 1 (p.a): #c8702a on #ffffff is 3.61:1")
    assert found[0].endswith("(and 2 more: p.a, span.b)")
    assert found[1].startswith("'Grey' on page 1 (p): #999999 on #ffffff is 2.84:1")


# --- check: a layout the test writes ---------------------------------------------------------

PROBE_TEMPLATE = """{% extends "_shared/base.html.j2" %}
{% block title %}{{ condition.name }}: contrast probe{% endblock %}
{% block stylesheets %}<link rel="stylesheet" href="style.css">{% endblock %}
{% block body %}
<h1>{{ condition.title }}</h1>
<p class="certainty">Moderate certainty</p>
{% endblock %}
"""


def probe_project(root: Path, points: int) -> Path:
    """The default project with one document only: a layout this test writes, on one
    condition (depression), its `.certainty` line #c8702a on white at `points`."""
    folder = root / "layouts" / "probe"
    folder.mkdir()
    (folder / "layout.yaml").write_text("template: probe.html.j2\nsubjects: conditions\n"
                                        "audience: physician\n")
    (folder / "probe.html.j2").write_text(PROBE_TEMPLATE)
    (folder / "style.css").write_text(
        f".certainty {{ color: #c8702a; font-size: {points}pt; font-weight: 400; }}\n")
    (root / "content" / "documents.yaml").write_text(
        'edition: "2026.11"\ndocuments:\n  - layout: probe\n    subjects: [depression]\n'
        "    papers: [letter]\n    language: en\n    pages: {maximum: 2}\n")
    return root


def test_check_fails_faint_text_at_its_subject(cold_project: Path,
                                               cli: Callable[..., Run]) -> None:
    root = probe_project(cold_project, 10)
    result = cli(root, "check", "--jobs", "1")
    assert result.code == 1
    lines = [x for x in result.stderr.splitlines() if "error[check.contrast]" in x]
    assert lines == [
        "content/conditions/depression.yaml:1:1: error[check.contrast]: probe depression "
        "(letter, en): 'Moderate certainty' on page 1 (p.certainty): #c8702a on #ffffff is "
        "3.61:1 at 10 pt text, which needs 4.5:1: darken the text's colour or lighten its "
        "background (the layout's CSS, or the clinic's colours)"], result.stderr
    again = cli(root, "check", "--jobs", "1")  # from the cache: the finding is kept with it
    assert "1 from the cache" in again.stdout + again.stderr
    assert [x for x in again.stderr.splitlines() if "error[check.contrast]" in x] == lines


def test_check_passes_the_same_colour_at_20_pt(cold_project: Path,
                                               cli: Callable[..., Run]) -> None:
    root = probe_project(cold_project, 20)
    result = cli(root, "check", "--jobs", "1")
    assert result.code == 0, result.stderr
    assert "check.contrast" not in result.stderr
    edit(root / "layouts/probe/style.css", "font-size: 20pt", "font-size: 10pt")
    assert "error[check.contrast]" in cli(root, "check", "--jobs", "1").stderr
