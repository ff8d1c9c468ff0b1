"""One record for what laying a document out found (Findings), one for how to lay it out
(PrintOptions): the worker, the cache and the checks share the first; the job and the cache
key share the second, whose key covers every option and the typesetting code itself."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from ketabrochure.build.cache import Cache, Entry, entry_from_json
from ketabrochure.files import put_object, seal
from ketabrochure.model import PageBudget, Part
from ketabrochure.typeset import options, print_shop
from ketabrochure.typeset.findings import Findings
from ketabrochure.typeset.jobs import Job, Outcome, typeset_job
from ketabrochure.typeset.options import PrintOptions

# Two panels of text (measured with measure_css), too long for one page (a spill), a word
# that cannot break (an overflow), faint text (a contrast problem) and small print.
HTML = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>t</title>
<style>@page {{ size: 100mm 80mm; margin: 10mm }} body {{ font: 11pt sans-serif }}</style>
</head><body><main>
<div data-panel="front"><h1>{title}</h1><p data-field="intro">{text}</p></div>
<div data-panel="back"><p data-field="more" style="color: #ddd">{text} {text}</p>
<p data-field="wide">{long}</p><p style="font-size: 5pt">{small}</p></div>
</main></body></html>"""
WORDS = {"en": ("Ketamine", "Ketamine is a medicine used in hospitals for many years. ",
                "Small print."),
         "es": ("Ketamina", "La ketamina es un medicamento usado en hospitales desde hace años. ",
                "Letra pequeña.")}
MEASURE_CSS = "@page { size: 100mm 3000mm !important; margin: 0 !important; }"


def typeset(tmp_path: Path, lang: str, **chosen: Any) -> Outcome:
    title, text, small = WORDS[lang]
    html = HTML.format(lang=lang, title=title, text=text * 8, long="x" * 200, small=small)
    part = Part((html,), PageBudget(maximum=1), tmp_path)
    return typeset_job(Job(0, (part,), (tmp_path,), None, PrintOptions(**chosen)))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_what_a_real_layout_found_survives_its_json_form(tmp_path: Path, lang: str) -> None:
    """A fresh document's Findings read back from the JSON the cache keeps equal the fresh
    ones, so a cache hit is checked exactly as the run that typeset it."""
    outcome = typeset(tmp_path, lang, measure_css=MEASURE_CSS, least_pt=9.0)
    found = outcome.findings
    assert outcome.ok and found.pages >= 2
    assert found.spill is not None and found.spill.page == 2
    assert found.regions is not None and set(found.regions) == {"front", "back"}
    assert found.overflows and found.small_text and found.contrasts and found.near_edge
    data = json.loads(json.dumps(found.to_json()))
    assert set(data) == {f.name for f in dataclasses.fields(Findings)}
    assert Findings.from_json(data) == found
    entry = Entry(outcome.warnings, {}, found)
    again = entry_from_json(json.loads(json.dumps(entry.to_json())))
    assert again is not None and again.findings == found


def test_the_options_reach_the_worker(tmp_path: Path) -> None:
    """The same HTML without a least size has no small text, not for an office printer no
    ink in its unprintable band, and without measure_css no panels measured."""
    office = typeset(tmp_path, "en", least_pt=9.0).findings
    plain = typeset(tmp_path, "en", office=False).findings
    assert office.small_text and office.near_edge
    assert plain.small_text == () and plain.near_edge == () and plain.regions is None
    assert plain.overflows == office.overflows and plain.pages == office.pages


@pytest.mark.parametrize("broken", [
    lambda d: d.pop("spill"),
    lambda d: d.update(extra=1),
    lambda d: d.update(pages=-1),
    lambda d: d.update(pages=True),
    lambda d: d.update(part_pages=[1, "2"]),
    lambda d: d.update(overflows="text"),
    lambda d: d.update(contrasts=[3]),
    lambda d: d.update(accessibility=[[0, "P", "page 0"]]),
    lambda d: d.update(regions={"front": {"top": float("nan"), "bottom": 1, "fields": {}}}),
    lambda d: d.update(regions={"front": {"top": 0, "bottom": 1, "fields": {}, "x": 2}}),
    lambda d: d.update(spill={"page": 2}),
])
def test_a_malformed_findings_record_is_refused(broken: Callable[[dict[str, Any]], object]
                                               ) -> None:
    data = Findings(2, (1, 1), overflows=("a",)).to_json()
    broken(data)
    with pytest.raises(ValueError, match="findings"):
        Findings.from_json(data)
    entry: dict[str, Any] = {"warnings": [], "files": {}, "pdf": None, "thumb": None,
                             "findings": data}
    assert entry_from_json(entry) is None


FORMAT_10 = {"pages": 2, "warnings": [], "files": {}, "pdf": None, "thumb": None,
             "meta": {}, "regions": None, "part_pages": [2], "overflows": [], "near_edge": [],
             "small_text": [], "contrasts": [], "accessibility": [], "spill": None}


@pytest.mark.parametrize("body", [FORMAT_10, {"entry": "old"}, [], None, 3])
def test_an_old_format_or_corrupt_entry_is_a_miss_not_a_crash(tmp_path: Path,
                                                              body: object) -> None:
    """An entry of the format before these records (or anything else), even one sealed for
    its key, is a miss; storing the document again replaces it."""
    root = tmp_path / "p"
    root.mkdir()
    doc = hashlib.sha256(b"doc").hexdigest()
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    path = root / "out/.cache/entries" / f"{doc}.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"seal": seal("entry", doc, text), "entry": body}))
    cache = Cache(root, root / "out")
    assert cache.lookup(doc, need_pdf=False) is None
    pdf = put_object(root, "out/.cache", b"%PDF-1.7", "pdf")
    cache.store(doc, Entry([], {}, Findings(2, (2,)), pdf))
    found = Cache(root, root / "out").lookup(doc, need_pdf=False)
    assert found is not None and found.findings == Findings(2, (2,)) and found.pdf == pdf


# For each option a value other than its default: the test fails when an option is added
# without one, so every option is shown to change the key.
OTHER: dict[str, Any] = {"bleed": 8.5, "duplex": "short-edge", "office": False,
                         "measure_css": "p {}", "pdf_variant": print_shop.PDF_VARIANT,
                         "least_pt": 18.0}


def test_changing_any_option_changes_the_key() -> None:
    names = {f.name for f in dataclasses.fields(PrintOptions)}
    assert set(OTHER) == names
    default = PrintOptions()
    keys = {default.cache_key()}
    for name, value in OTHER.items():
        changed = dataclasses.replace(default, **{name: value})
        assert changed.cache_key() != default.cache_key(), name
        keys.add(changed.cache_key())
    assert len(keys) == len(OTHER) + 1
    assert PrintOptions(least_pt=18.0).cache_key() == PrintOptions(least_pt=18.0).cache_key()


def test_the_key_covers_the_typesetting_code_and_its_libraries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit to any module of the typesetting package (here a copy of it), or another
    version of a library it uses, changes the key: no format number to bump by hand."""
    package = tmp_path / "typeset"
    shutil.copytree(Path(options.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = options.source_digest(package)
    assert options.source_digest(package) == before
    tags = package / "tags" / "repairing.py"
    tags.write_text(tags.read_text() + "\n# a change to how tags are mended\n")
    assert options.source_digest(package) != before
    key = PrintOptions().cache_key()
    real = metadata.version  # what options.py reads the versions with
    monkeypatch.setattr(metadata, "version",
                        lambda name: "99.0" if name == "weasyprint" else real(name))
    options.code_digest.cache_clear()
    try:
        assert PrintOptions().cache_key() != key
    finally:
        monkeypatch.undo()
        options.code_digest.cache_clear()
    assert PrintOptions().cache_key() == key


def test_the_key_covers_what_the_worker_imports_from_outside_typeset(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PageBudget decides which alternative of a document is kept, but lives outside
    typeset/ (pages.py): an edit to it changes the key, found from the imports (no list kept
    by hand); an edit to a module the worker never imports (the command line, the content
    model, the diagnostic codes) does not."""
    copy = tmp_path / "ketabrochure"
    shutil.copytree(Path(options.__file__).parent.parent, copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    real = options.code_digest
    monkeypatch.setattr(options, "code_digest", lambda: real(copy / "typeset"))
    before = PrintOptions().cache_key()
    for name in ("cli.py", "model/research.py", "codes.py"):
        module = copy / name
        module.write_text(module.read_text() + "\n# a change the worker never runs\n")
        real.cache_clear()
        assert PrintOptions().cache_key() == before, name
    budget = copy / "pages.py"
    text = budget.read_text()
    assert "return pages == self.exactly" in text
    budget.write_text(text.replace("return pages == self.exactly",
                                   "return pages <= self.exactly"))
    real.cache_clear()
    assert PrintOptions().cache_key() != before
    real.cache_clear()


def test_every_module_a_worker_loads_is_in_the_key() -> None:
    """By construction: in a fresh interpreter that imports every typesetting module (the
    pool's workers run them) and typesets a document, every ketabrochure module loaded is
    one the key hashes."""
    here = Path(options.__file__).parent
    code = ("import importlib, pkgutil, sys\n"
            "import ketabrochure.typeset as t\n"
            "from pathlib import Path\n"
            "for m in pkgutil.walk_packages(t.__path__, 'ketabrochure.typeset.'):\n"
            "    importlib.import_module(m.name)\n"
            "from ketabrochure.pages import PageBudget, Part\n"
            "from ketabrochure.typeset.jobs import Job, typeset_job\n"
            "html = '<html lang=en><title>t</title><p>x</p></html>'\n"
            "here = Path.cwd()\n"
            "out = typeset_job(Job(0, (Part((html,), PageBudget(maximum=1), here),),"
            " (here,), None))\n"
            "assert out.ok and out.findings.pages == 1, out\n"
            "print('\\n'.join(m.__file__ for n, m in sys.modules.items()"
            " if n.split('.')[0] == 'ketabrochure'))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=here)
    loaded = {Path(line).resolve() for line in run.stdout.splitlines()}
    hashed = {path.resolve() for path in options.worker_modules(here)}
    assert len(loaded) > 20 and here.parent / "pages.py" in loaded
    assert loaded <= hashed, sorted(map(str, loaded - hashed))


def test_the_print_shop_key_covers_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unsigned print-shop copy is dated from SOURCE_DATE_EPOCH (PDF/X needs dates): a new
    value must not reuse a cached copy with the old date. The office copy has no such date."""
    shop, office = PrintOptions(pdf_variant=print_shop.PDF_VARIANT), PrintOptions()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    before = shop.cache_key(), office.cache_key()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796515200")
    assert shop.cache_key() != before[0]
    assert office.cache_key() == before[1]
