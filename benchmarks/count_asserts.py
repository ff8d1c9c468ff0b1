"""Count the assert statements in tests/: all of them, and those in tests that read real PDFs.

A test reads PDFs when its body, or a helper it calls (followed through the test modules,
including helpers imported from another test module and fixtures it asks for), names a PDF
reader: pypdf, pikepdf, pypdfium2, pdfplumber, pdfminer, or a poppler / ghostscript command.
Run it before and after a change to the tests to show that no check was lost:

    .venv/bin/python benchmarks/count_asserts.py
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
READERS = {"pypdf", "pikepdf", "pypdfium2", "pdfplumber", "pdfminer", "pdfua"}
COMMANDS = {"pdftotext", "pdffonts", "pdfinfo", "pdfimages", "pdftoppm", "gs", "pdftocairo"}

Key = tuple[str, str]  # (module, function name)


def reads_directly(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in READERS:
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and \
                sub.value in COMMANDS:
            return True
    return False


def names_used(node: ast.AST) -> set[str]:
    used = {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)}
    if isinstance(node, ast.FunctionDef):  # fixtures a test or fixture asks for
        used |= {a.arg for a in node.args.args}
    return used


def load() -> tuple[dict[Key, ast.FunctionDef], dict[str, dict[str, str]], dict[str, bool]]:
    functions: dict[Key, ast.FunctionDef] = {}
    imports: dict[str, dict[str, str]] = {}  # module -> imported name -> source module
    module_reads: dict[str, bool] = {}
    for path in sorted(TESTS.glob("*.py")):
        tree = ast.parse(path.read_text())
        module = path.stem
        imports[module] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                functions[module, node.name] = node
            elif isinstance(node, ast.ImportFrom) and node.module and \
                    (TESTS / f"{node.module}.py").exists():
                for alias in node.names:
                    imports[module][alias.asname or alias.name] = node.module
        module_reads[module] = any(reads_directly(n) for n in tree.body
                                   if not isinstance(n, ast.FunctionDef))
    return functions, imports, module_reads


def resolve(module: str, name: str, functions: dict[Key, ast.FunctionDef],
            imports: dict[str, dict[str, str]]) -> Key | None:
    if (module, name) in functions:
        return module, name
    source = imports[module].get(name)
    if source and (source, name) in functions:
        return source, name
    if ("conftest", name) in functions:  # fixtures come from conftest without an import
        return "conftest", name
    return None


def reads_pdfs(key: Key, functions: dict[Key, ast.FunctionDef],
               imports: dict[str, dict[str, str]], seen: set[Key]) -> bool:
    if key in seen:
        return False
    seen.add(key)
    node = functions[key]
    if reads_directly(node):
        return True
    for name in names_used(node):
        callee = resolve(key[0], name, functions, imports)
        if callee and reads_pdfs(callee, functions, imports, seen):
            return True
    return False


def asserts(node: ast.AST) -> int:
    return sum(isinstance(sub, ast.Assert) for sub in ast.walk(node))


def main() -> int:
    functions, imports, _ = load()
    everything = sum(asserts(ast.parse(p.read_text())) for p in TESTS.glob("*.py"))
    tests = {k: f for k, f in functions.items() if k[1].startswith("test_")}
    reading = {k for k in tests if reads_pdfs(k, functions, imports, set())}
    in_tests = sum(asserts(f) for f in tests.values())
    in_reading = sum(asserts(tests[k]) for k in reading)
    print(f"assert statements in tests/:            {everything}")
    print(f"  inside test functions:                {in_tests} ({len(tests)} functions)")
    print(f"  inside tests that read real PDFs:     {in_reading} ({len(reading)} functions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
