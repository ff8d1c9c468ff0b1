"""The command line: parse arguments, run library functions, print diagnostics, exit 0/1/2."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import TextIO

from .build import run as build
from .build.serve import serve
from .build.watch import watch
from .diagnostics import Diagnostics, UsageError, summary
from .patient import readability
from .physician.recipients import recipient_from_args

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
    build_options(b)
    b.add_argument("--html", action="store_true",
                   help="also write each document's HTML to out/html/ (renders on its own)")
    b.add_argument("--shard", type=shard_arg, default=None, metavar="K/N",
                   help="build only the K-th of N deterministic shares of the documents")
    c = sub.add_parser("check", help="render everything without writing; exit 1 on any problem")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build_options(c)
    sub.add_parser("list", help="list the documents that build makes")
    w = sub.add_parser("watch", help="build, then rebuild what each saved change affects")
    build_options(w)
    w.add_argument("--interval", type=float, default=0.5, metavar="SECONDS",
                   help="how often to look for changes (default: 0.5)")
    v = sub.add_parser("serve", help="serve the print shelf on this computer; rebuild and "
                       "reload it in the browser on save")
    build_options(v)
    v.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free one)")
    v.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    v.add_argument("--public", action="store_true",
                   help="allow a --host other computers reach (serve has no password)")
    v.add_argument("--interval", type=float, default=0.2, metavar="SECONDS",
                   help="how often to look for changes (default: 0.2)")
    k = sub.add_parser("packet", help="write a referral packet for one physician into out/")
    k.add_argument("--to", required=True, metavar="NAME", help='recipient, e.g. "Dr. Ana Ruiz"')
    k.add_argument("--practice", required=True, help="the recipient's practice")
    k.add_argument("--conditions", required=True, type=_ids, metavar="ID,ID",
                   help="condition ids whose evidence sheets to enclose, e.g. depression,ptsd")
    k.add_argument("--address", action="append", default=[], metavar="LINE",
                   help="an address line of the practice (repeat for more lines)")
    k.add_argument("--date", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                   help="the letter's date (default: today)")
    return p


def build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", "-j", type=positive, default=None, metavar="N",
                   help="typeset in N worker processes (default: the number of CPUs)")
    p.add_argument("--no-cache", action="store_true",
                   help="typeset every document again, ignoring out/.cache/")


def positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def shard_arg(value: str) -> tuple[int, int]:
    k, _, n = value.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, like 2/4; got {value!r}")
    return int(k), int(n)


def options(args: argparse.Namespace, stdout: TextIO) -> build.Options:
    """Build options from the command line; progress goes to standard output (stderr keeps
    only located diagnostics)."""
    return build.Options(jobs=args.jobs, cache=not args.no_cache,
                         html=getattr(args, "html", False), shard=getattr(args, "shard", None),
                         progress=stdout)


def _ids(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("name at least one condition id")
    return ids


def print_diagnostics(diags: Diagnostics, stream: TextIO) -> None:
    for diagnostic in diags.sorted():
        print(diagnostic, file=stream)


def cmd_list(root: Path, stdout: TextIO, stderr: TextIO) -> int:
    diags = Diagnostics()
    _, documents = build.load(root, diags)
    for d in documents:
        print(f"{d.file}\t{d.layout.name}\t{d.subject}\t{d.paper}\t{d.language}\t"
              f"pages {d.budget}", file=stdout)
    print_diagnostics(diags, stderr)
    return EXIT_PROBLEMS if diags.has_errors() else EXIT_OK


def cmd_run(root: Path, names: list[str], write: bool, strict: bool,
            stdout: TextIO, stderr: TextIO, opts: build.Options | None = None) -> int:
    started = time.perf_counter()
    result = build.run(root, names, write, opts)
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
    print(f"{verb} {outcome}: {len(result.built)} documents ({len(result.rendered)} rendered, "
          f"{len(result.built) - len(result.rendered)} from the cache), {summary(result.diags)} "
          f"in {seconds:.1f} s", file=stdout)
    return EXIT_PROBLEMS if failed else EXIT_OK


def cmd_packet(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    recipient = recipient_from_args(args.to, args.practice, args.conditions,
                                           args.date or dt.date.today(), tuple(args.address))
    result = build.packet(root, recipient)
    print_diagnostics(result.diags, stderr)
    for path in result.written:
        print(f"wrote {path.name}", file=stdout)
    if result.diags.has_errors():
        print(f"packet failed: {summary(result.diags)}; nothing written", file=stdout)
        return EXIT_PROBLEMS
    return EXIT_OK


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
        if args.command == "watch":
            return watch(root, options(args, stdout), args.interval, stdout, stderr)
        if args.command == "serve":
            return serve(root, options(args, stdout), args.host, args.port, args.public,
                         args.interval, stdout, stderr)
        if args.command == "packet":
            return cmd_packet(root, args, stdout, stderr)
        return cmd_run(root, args.documents if args.command == "build" else [],
                       args.command == "build", args.strict, stdout, stderr,
                       options(args, stdout))
    except UsageError as exc:
        print(f"ketabrochure: error: {exc}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ketabrochure: interrupted; no file in out/ was left half-written", file=stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
