"""The editorial commands on the command line: approve, translated, diff, xliff-export and
xliff-import (their arguments, and what each prints). cli.py dispatches to `run`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..diagnostics import UsageError, summary
from ..lazy import lazy_module
from . import results
from .results import EXIT_ERRORS, EXIT_OK

if TYPE_CHECKING:
    from ..review import diff as review_diff
    from . import editorial
else:  # loaded when a command runs: the parser (`--help`) needs neither
    review_diff = lazy_module("ketabrochure.review.diff")
    editorial = lazy_module("ketabrochure.build.editorial")

COMMANDS = ("approve", "translated", "diff", "xliff-export", "xliff-import")


def add_commands(sub: Any, project_option: Any) -> None:
    a = sub.add_parser("approve", help="sign off documents' printed text as it is now, into "
                       "content/approvals.yaml")
    project_option(a)
    _documents(a, "a signed name (handout-ptsd-es), file name, subject or layout", "all")
    a.add_argument("--by", required=True, metavar="NAME",
                   help="the reviewer, as content/clinic.yaml's reviewers: list names them")
    a.add_argument("--role", default=None,
                   help="the reviewer's role, as printed (default: as clinic.yaml lists it)")
    a.add_argument("--prune", action="store_true",
                   help="also remove the sign-offs (and approved texts) of documents "
                   "documents.yaml no longer makes")
    t = sub.add_parser("translated", help="record that translations were made from the "
                       "English printed now, and by whom")
    project_option(t)
    _documents(t, "a signed name (handout-ptsd-es), file name, subject or layout",
               "every translation")
    _translator(t)
    d = sub.add_parser("diff", help="what each document prints differently from its signed "
                       "text (or from a git revision): sentences, numbers, YAML lines")
    project_option(d)
    _documents(d, "a signed name, file name, subject or layout", "all")
    d.add_argument("--since", default=None, metavar="REF",
                   help="compare with the text at this git revision (default: the signed text)")
    d.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="text (default); json; html: one self-contained review page")
    d.add_argument("--output", "-o", type=Path, default=None, metavar="FILE",
                   help="where to write it (default: standard output)")
    x = sub.add_parser("xliff-export", help="write every bilingual patient text as XLIFF 2.0 "
                       "for a translator, stale units marked")
    project_option(x)
    x.add_argument("--output", "-o", type=Path, default=None, metavar="FILE",
                   help="where to write it (default: standard output)")
    i = sub.add_parser("xliff-import", help="write a translator's XLIFF 2.0 targets into the "
                       "es: texts, and record who translated them")
    project_option(i)
    i.add_argument("file", type=Path, metavar="FILE", help="the XLIFF file the translator returned")
    _translator(i)


def _documents(parser: Any, what: str, default: str) -> None:
    parser.add_argument("documents", nargs="*", metavar="DOCUMENT",
                        help=f"{what} (default: {default})")


def _translator(parser: Any) -> None:
    """Who translated: recorded with the translation (Section 1557 asks for qualified ones)."""
    parser.add_argument("--by", required=True, metavar="NAME", help="the translator's name")
    parser.add_argument("--qualification", required=True, metavar="TEXT",
                        help='e.g. "ATA-certified translator, English to Spanish"')


def run(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.command in ("approve", "translated"):
        return cmd_editorial(root, args, stdout, stderr)
    if args.command == "diff":
        return cmd_diff(root, args, stdout, stderr)
    return cmd_xliff(root, args, stdout, stderr)


def cmd_editorial(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """approve or translated: what was signed, or why nothing was."""
    if args.command == "approve":
        done = editorial.approve(root, args.documents, args.by, args.role, args.prune)
        verb = f"signed off by {args.by}"
    else:
        done = editorial.translated(root, args.documents, args.by, args.qualification)
        verb = f"translation recorded as made from the English printed now, by {args.by}"
    results.print_diagnostics(done.diags, stderr)
    if done.diags.has_errors():
        print(f"{args.command} failed: {summary(done.diags)}; nothing signed", file=stdout)
        return EXIT_ERRORS
    for name in done.names:
        print(f"{name}: {verb}", file=stdout)
    for name in done.pruned:
        print(f"{name}: sign-off removed (documents.yaml no longer makes it)", file=stdout)
    if done.unchanged:
        print(f"{len(done.unchanged)} already signed off exactly as printed: "
              f"{', '.join(done.unchanged)}", file=stdout)
    if done.edition:
        print(f"{done.edition}: kept the studies, grades and key numbers as printed now (the "
              "next edition's \"What changed in this edition\" compares with them)", file=stdout)
    if not done.names and not done.unchanged and not done.pruned:
        print("nothing to record (no translation among the documents named)", file=stdout)
    return EXIT_OK


def cmd_diff(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    diags, found = editorial.diff(root, args.documents, args.since)
    results.print_diagnostics(diags, stderr)
    if diags.has_errors():
        return EXIT_ERRORS
    title = f"What changed since {args.since or 'the signed texts'}"
    text = {"text": review_diff.as_text, "json": review_diff.as_json}.get(
        args.format, lambda d: review_diff.as_html(d, title))(found)
    if args.output is None:
        stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=stdout)
    return EXIT_OK


def cmd_xliff(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """xliff-export or xliff-import."""
    if args.command == "xliff-export":
        diags, text = editorial.export_xliff(root)
        results.print_diagnostics(diags, stderr)
        if text is None:
            return EXIT_ERRORS
        if args.output is None:
            stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
            units, stale = text.count("<unit "), text.count('state="initial"')
            print(f"wrote {args.output}: {units} units, {stale} marked stale", file=stdout)
        return EXIT_OK
    if not args.file.is_file():
        raise UsageError(f"no file {args.file}")
    done = editorial.import_xliff(root, args.file, args.by, args.qualification)
    results.print_diagnostics(done.diags, stderr)
    if done.diags.has_errors():
        print(f"xliff-import failed: {summary(done.diags)}", file=stdout)
        return EXIT_ERRORS
    for name in done.names:
        print(f"{name}: translation recorded, by {args.by}", file=stdout)
    return EXIT_OK
