"""The command line: parse arguments, run library functions, print diagnostics, exit 0/1/2."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from . import build, readability
from .diagnostics import Diagnostics

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ketabrochure",
        description="Ketamine-therapy research in YAML -> print-ready PDFs.")
    p.add_argument("--project", type=Path, default=None,
                   help="project folder (default: the nearest folder, upwards, with content/)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", help="render documents into out/ (all of them by default)")
    b.add_argument("documents", nargs="*", metavar="DOCUMENT",
                   help="a file name, subject or layout to build (default: all)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c = sub.add_parser("check", help="render everything without writing; exit 1 on any problem")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    sub.add_parser("list", help="list the documents that build makes")
    return p


def print_diagnostics(diags: Diagnostics, stream: TextIO) -> None:
    for diagnostic in diags.sorted():
        print(diagnostic, file=stream)


def summary(diags: Diagnostics) -> str:
    e, w = len(diags.errors), len(diags.warnings)
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


def cmd_list(root: Path, stdout: TextIO, stderr: TextIO) -> int:
    diags = Diagnostics()
    _, documents = build.load(root, diags)
    for d in documents:
        print(f"{d.file}\t{d.layout.name}\t{d.subject}\t{d.paper}\t{d.language}\t"
              f"pages {d.budget}", file=stdout)
    print_diagnostics(diags, stderr)
    return EXIT_PROBLEMS if diags.has_errors() else EXIT_OK


def cmd_run(root: Path, names: list[str], write: bool, strict: bool,
            stdout: TextIO, stderr: TextIO) -> int:
    started = time.perf_counter()
    result = build.run(root, names, write)
    print_diagnostics(result.diags, stderr)
    seconds = time.perf_counter() - started
    failed = result.diags.has_errors(strict)
    for item in result.built:
        d = item.document
        status = "FAIL" if not d.budget.allows(item.pages) else "wrote" if result.written else "ok"
        grade = "" if item.grade is None else \
            f", reading grade {item.grade:g} ({readability.FORMULAS[d.language]})"
        print(f"{status} {d.file}: {item.pages} page{'s' * (item.pages != 1)} "
              f"(budget {d.budget}){grade}", file=stdout)
    verb = "build" if write else "check"
    outcome = "failed" if failed else "passed"
    if write and result.diags.has_errors():
        outcome += "; nothing written, out/ is unchanged"
    print(f"{verb} {outcome}: {len(result.built)} documents, {summary(result.diags)} "
          f"in {seconds:.1f} s", file=stdout)
    return EXIT_PROBLEMS if failed else EXIT_OK


def main(argv: list[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse prints its own usage message
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        root = build.find_root((args.project or Path.cwd()).resolve())
        if args.command == "list":
            return cmd_list(root, stdout, stderr)
        return cmd_run(root, args.documents if args.command == "build" else [],
                       args.command == "build", args.strict, stdout, stderr)
    except build.UsageError as exc:
        print(f"ketabrochure: error: {exc}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ketabrochure: interrupted; no file in out/ was left half-written", file=stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
