"""Words stay apart where a line breaks, in every reader. WeasyPrint 70 drops the space at a
line break and tags each line as its own marked content, so a reader that follows the tag tree
(a screen reader; poppler's `pdfinfo -struct-text`) read "What isketaminetherapy?" until the
space was kept as a blank glyph at the line's end (typeset/linespace.py). Each heading's,
paragraph's, list item's and cell's words, as the tag tree gives them, must be words that
pdftotext (default and -raw) and pdf.js find: on every PDF of the build, and on a title this
test breaks at its spaces, in English and Spanish."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest
from helpers import copy_minimal, run_cli
from pdfjs import read

BLOCK = re.compile(r"^( *)(P|H\d?|LBody|Lbl|TD|TH|Caption|Note|BlockQuote) \(block\)")
# Addresses are the URL tests' job (tests/test_urls.py); the report's contents leaders are dots
LEADER = re.compile(r"\.{4,}")
ADDRESS = re.compile(r"://|^doi:|@|\.example")


# poppler's reading of each PDF's tag tree, by (path, size, change time): a test that reads a
# PDF's titles and then all its blocks runs `pdfinfo -struct-text` once
_TAG_TREES: dict[tuple[str, int, int, bool], str] = {}


def struct_text(path: Path, *, as_printed: bool = False) -> str:
    """poppler's reading of a PDF's tag tree. A print-shop copy is read without its PDF/X
    output intent (a colour profile, nothing of the text): poppler 22 loads that 139 KB profile
    again for each tagged element, 0.8 s of CPU a copy; `as_printed` reads the file as it is
    (test_the_output_intent_changes_no_word checks both readings agree)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, as_printed)
    if key not in _TAG_TREES:
        with tempfile.TemporaryDirectory() as folder:
            _TAG_TREES[key] = subprocess.run(
                ["pdfinfo", "-struct-text", str(path if as_printed else _colourless(path, folder))],
                check=True, capture_output=True, text=True).stdout
    return _TAG_TREES[key]


def _colourless(path: Path, folder: str) -> Path:
    with pikepdf.open(path) as pdf:
        if "/OutputIntents" not in pdf.Root:
            return path
        del pdf.Root["/OutputIntents"]
        copy = Path(folder) / path.name
        pdf.save(copy)
    return copy


def tagged(path: Path) -> list[tuple[str, str]]:
    """(role, text) of each block element, its marked content joined with nothing between,
    as a reader that follows the tag tree joins it (poppler's structure-tree reader)."""
    out = struct_text(path)
    blocks: list[tuple[str, str]] = []
    role, text, depth = "", "", -1
    for line in out.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if role and indent <= depth:
            blocks.append((role, text))
            role = ""
        if not role and (match := BLOCK.match(line)):
            role, text, depth = match.group(2), "", indent
        elif role and line.strip().startswith('"') and line.strip().endswith('"'):
            text += line.strip()[1:-1]
    if role:
        blocks.append((role, text))
    return blocks


def reader_words(paths: list[Path]) -> dict[Path, set[str]]:
    """Every word pdftotext (reading and -raw order) and pdf.js find; a word broken after a
    hyphen or slash, or an address before a dot, joined again, as a reader joins it."""
    texts = {path: [str(found["text"])] for path, found in read(paths).items()}
    for path in paths:
        for args in ([], ["-raw"]):
            texts[path].append(subprocess.run(["pdftotext", *args, str(path), "-"], check=True,
                                              capture_output=True, text=True).stdout)
    return {path: {word for text in found
                   for word in re.sub(r"(?<=[-\u2010/])\n|\n(?=\.\w)", "", text).split()}
            for path, found in texts.items()}


def run_together(token: str, words: set[str]) -> bool:
    """Whether the token is a reader's word with the next word of running text glued on: a
    lower-case letter after it ("is|ketamine", "(TEPT)|puede"), or any letter after a word
    that ends a clause ("years.|Some"). Pieces that layout, not a space, sets apart ("refer"
    then "Intake nurse" as two blocks, "Clinic<br>(503)", a reference number "2." after
    "Psychiatry") are no words of running text broken at a line's end."""
    return any(token[:i] in words and (token[i].islower() or (
        token[i].isalpha() and token[i - 1] in ".,;:?!)"))
        and any(token[i:].startswith(word) for word in words if len(word) > 1)
        for i in range(1, len(token)) if not LEADER.search(token))


def glued(paths: list[Path]) -> tuple[int, dict[str, list[str]]]:
    """How many words the tag tree gives, and per PDF those no reader finds as a word: two
    words run together where a line breaks or two elements meet."""
    words = reader_words(paths)
    seen, wrong = 0, {}
    for path in paths:
        found = [word for _, text in tagged(path) for word in text.split()]
        seen += len(found)
        if bad := [w for w in found if w not in words[path] and not ADDRESS.search(w)
                   and run_together(w, words[path])]:
            wrong[path.name] = bad
    return seen, wrong


def test_no_two_words_run_together_in_any_pdf(built: Path) -> None:
    pdfs = sorted((built / "out").glob("*.pdf"))
    assert len(pdfs) >= 48
    seen, wrong = glued(pdfs)
    assert seen > 40_000  # the tag tree holds the documents' text
    assert wrong == {}


def test_the_output_intent_changes_no_word(built: Path) -> None:
    """The print-shop copies are read above without their output intent: poppler gives the
    same tag tree, word for word, with it (checked on the smallest copy: 1 s of CPU)."""
    path = min((built / "out").glob("*-print-shop.pdf"), key=lambda p: p.stat().st_size)
    with pikepdf.open(path) as pdf:
        assert "/OutputIntents" in pdf.Root
    assert struct_text(path) == struct_text(path, as_printed=True)
    assert len(struct_text(path).split()) > 200


@pytest.fixture(scope="module")
def narrow_titles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project's handouts built once, in both languages, with a title that breaks
    after almost every word (a style written here); the tests read them (no writes)."""
    project = copy_minimal(tmp_path_factory.mktemp("narrow") / "p")
    with (project / "layouts" / "handout" / "style.css").open("a") as style:
        style.write("\nh1 { width: 5em; }\n")  # "Ketamine" fits a line, little more
    result = run_cli(project, "build", "--jobs", "1", "handout")
    assert result.code == 0, result.stderr
    return project


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_title_broken_at_its_spaces_reads_whole(narrow_titles: Path, language: str) -> None:
    """A handout whose title breaks after almost every word: the tag tree gives the title's
    words apart, and no paragraph runs two words together."""
    pdfs = sorted((narrow_titles / "out").glob(f"handout-*-{language}*.pdf"))
    assert pdfs
    for path in pdfs:
        titles = [text for role, text in tagged(path) if role == "H1"]
        assert titles, path.name
        assert all(len(t.split()) >= 3 and t == " ".join(t.split()) + " " * t.endswith(" ")
                   for t in titles), titles
    assert glued(pdfs)[1] == {}
