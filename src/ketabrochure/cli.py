"""The command line: parse arguments, run library functions, report (text, JSON, JUnit or
GitHub annotations), and exit with a code that tells errors from warnings (README: Exit codes).

SIGTERM (a CI cancel, `timeout`) is handled like Ctrl-C, and a closed pipe
(`ketabrochure list | head -1`) ends the command quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import sys
import threading
import time
from importlib import metadata
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TextIO

from .build import editorial, results, scaffold
from .build import run as build
from .build.results import (
    EXIT_BROKEN_PIPE,
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STRICT,
    EXIT_TERMINATED,
    EXIT_USAGE,
    FORMATS,
)
from .build.serve import serve
from .build.watch import watch
from .diagnostics import Diagnostics, UsageError, printable, relative, summary
from .kinds import recipient_from_args
from .review import diff as review_diff

EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}    ok (warnings are allowed, unless --strict)
  {EXIT_ERRORS}    errors: at least one diagnostic is an error (build wrote nothing)
  {EXIT_USAGE}    usage: a bad option or argument, no project, an unknown name
  {EXIT_STRICT}    only warnings, and --strict made them fail
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
  {EXIT_BROKEN_PIPE}  the output pipe was closed (e.g. | head)
  {EXIT_TERMINATED}  terminated (SIGTERM: a CI cancel, timeout)
"""


def version() -> str:
    try:
        return metadata.version("ketabrochure")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a tree, not installed
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ketabrochure",
        description="Ketamine-therapy research in YAML -> print-ready PDFs.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"%(prog)s {version()}",
                   help="print the version and exit")
    project_option(p, default=None)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", help="render documents into out/ (all of them by default)",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("documents", nargs="*", metavar="DOCUMENT",
                   help="a file name, subject or layout to build (default: all)")
    report_options(b)
    build_options(b)
    release_option(b)
    b.add_argument("--html", action="store_true",
                   help="also write each document's HTML to out/html/ (renders on its own)")
    b.add_argument("--shard", type=shard_arg, default=None, metavar="K/N",
                   help="build only the K-th of N deterministic shares of the documents")
    c = sub.add_parser("check", help="render everything without writing; exit 1 on any error",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("documents", nargs="*", metavar="DOCUMENT",
                   help="a file name, subject or layout to check (default: all); the content "
                        "rules always cover all content")
    report_options(c)
    build_options(c)
    release_option(c)
    ls = sub.add_parser("list", help="list the documents that build makes")
    project_option(ls)
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
    project_option(k)
    k.add_argument("--to", required=True, metavar="NAME", help='recipient, e.g. "Dr. Ana Ruiz"')
    k.add_argument("--practice", required=True, help="the recipient's practice")
    k.add_argument("--conditions", required=True, type=_ids, metavar="ID,ID",
                   help="condition ids whose evidence sheets to enclose, e.g. depression,ptsd")
    k.add_argument("--address", action="append", default=[], metavar="LINE",
                   help="an address line of the practice (repeat for more lines)")
    k.add_argument("--date", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                   help="the letter's date (default: today)")
    n = sub.add_parser("new", help="write a new study, condition or handout YAML to fill in")
    project_option(n)
    n.add_argument("kind", choices=tuple(scaffold.FOLDERS), metavar="KIND",
                   help=f"what to make: {', '.join(scaffold.FOLDERS)}")
    n.add_argument("id", metavar="ID",
                   help="its id, the file name: lower-case letters, digits, hyphens")
    editorial_commands(sub)
    return p


def editorial_commands(sub: Any) -> None:
    a = sub.add_parser("approve", help="sign off documents' printed text as it is now, into "
                       "content/approvals.yaml")
    project_option(a)
    a.add_argument("documents", nargs="*", metavar="DOCUMENT",
                   help="a signed name (handout-ptsd-es), file name, subject or layout "
                        "(default: all)")
    a.add_argument("--by", required=True, metavar="NAME",
                   help="the reviewer, as content/clinic.yaml's reviewers: list names them")
    a.add_argument("--role", default=None,
                   help="the reviewer's role, as printed (default: as clinic.yaml lists it)")
    t = sub.add_parser("translated", help="record that translations were made from the "
                       "English printed now, and by whom")
    project_option(t)
    t.add_argument("documents", nargs="*", metavar="DOCUMENT",
                   help="a signed name (handout-ptsd-es), file name, subject or layout "
                        "(default: every translation)")
    t.add_argument("--by", required=True, metavar="NAME", help="the translator's name")
    t.add_argument("--qualification", required=True, metavar="TEXT",
                   help='e.g. "ATA-certified translator, English to Spanish"')
    d = sub.add_parser("diff", help="what each document prints differently from its signed "
                       "text (or from a git revision): sentences, numbers, YAML lines")
    project_option(d)
    d.add_argument("documents", nargs="*", metavar="DOCUMENT",
                   help="a signed name, file name, subject or layout (default: all)")
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
    i.add_argument("--by", required=True, metavar="NAME", help="the translator's name")
    i.add_argument("--qualification", required=True, metavar="TEXT",
                   help='e.g. "ATA-certified translator, English to Spanish"')


def release_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--release", action="store_true",
                   help="refuse (exit 1) documents whose printed text is not signed off as it "
                        "is, stale translations and expired reviews")


def project_option(p: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    """--project, before the command or after it: a command's own copy has no default, so it
    never hides one given before the command."""
    p.add_argument("--project", type=Path, default=default, metavar="DIR",
                   help="project folder (default: the nearest folder, upwards, with content/)")


def report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true",
                   help=f"fail on warnings too (exit {EXIT_STRICT} when they are all there is)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default); json: one JSON document; junit: JUnit XML; github: "
                        "GitHub Actions annotations")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="print only the diagnostics and the summary line")


def build_options(p: argparse.ArgumentParser) -> None:
    project_option(p)
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


def options(args: argparse.Namespace, progress: TextIO | None) -> build.Options:
    """Build options from the command line; progress goes to standard output (stderr keeps
    only located diagnostics), or nowhere."""
    return build.Options(jobs=args.jobs, cache=not args.no_cache,
                         html=getattr(args, "html", False), shard=getattr(args, "shard", None),
                         progress=progress, release=getattr(args, "release", False))


def _ids(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("name at least one condition id")
    return ids


def cmd_list(root: Path, stdout: TextIO, stderr: TextIO) -> int:
    diags = Diagnostics()
    _, documents = build.load(root, diags)
    for d in documents:
        print(f"{d.file}\t{d.layout.name}\t{d.subject}\t{d.paper}\t{d.language}\t"
              f"pages {d.budget}", file=stdout)
    results.print_diagnostics(diags, stderr)
    return EXIT_ERRORS if diags.has_errors() else EXIT_OK


def cmd_run(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """check or build, reported in --format."""
    write = args.command == "build"
    shows_progress = args.format in ("text", "github") and not args.quiet
    started = time.perf_counter()
    result = build.run(root, args.documents, write,
                       options(args, stdout if shows_progress else None))
    done = results.Run(args.command, result, args.strict, time.perf_counter() - started,
                       version(), root)
    results.report(done, args.format, args.quiet, stdout, stderr,
                   workspace=os.environ.get("GITHUB_WORKSPACE"))
    return done.code


def cmd_packet(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    recipient = recipient_from_args(args.to, args.practice, args.conditions,
                                    args.date or dt.date.today(), tuple(args.address))
    result = build.packet(root, recipient)
    results.print_diagnostics(result.diags, stderr)
    for path in result.written:
        print(f"wrote {path.name}", file=stdout)
    if result.diags.has_errors():
        print(f"packet failed: {summary(result.diags)}; nothing written", file=stdout)
        return EXIT_ERRORS
    return EXIT_OK


def cmd_new(root: Path, args: argparse.Namespace, stdout: TextIO) -> int:
    path = scaffold.scaffold(root, args.kind, args.id)
    count = scaffold.placeholders(path)
    print(f"wrote {relative(path, root)}: replace its {count} TODO placeholders (each comment "
          "says what goes there); `ketabrochure check` reports every one left", file=stdout)
    return EXIT_OK


def cmd_editorial(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """approve or translated: what was signed, or why nothing was."""
    if args.command == "approve":
        done = editorial.approve(root, args.documents, args.by, args.role)
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
    if done.unchanged:
        print(f"{len(done.unchanged)} already signed off exactly as printed: "
              f"{', '.join(done.unchanged)}", file=stdout)
    if not done.names and not done.unchanged:
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


def run_command(argv: list[str] | None, stdout: TextIO, stderr: TextIO) -> int:
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser().parse_args(argv)  # --help, --version and usage errors print here
    except SystemExit as exc:
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
        if args.command == "new":
            return cmd_new(root, args, stdout)
        if args.command in ("approve", "translated"):
            return cmd_editorial(root, args, stdout, stderr)
        if args.command == "diff":
            return cmd_diff(root, args, stdout, stderr)
        if args.command in ("xliff-export", "xliff-import"):
            return cmd_xliff(root, args, stdout, stderr)
        return cmd_run(root, args, stdout, stderr)
    except UsageError as exc:
        print(f"ketabrochure: error: {printable(str(exc))}", file=stderr)
        return EXIT_USAGE


class Termination:
    """While active, SIGTERM raises KeyboardInterrupt in this process, as Ctrl-C does, so the
    same clean-up runs (the renderer's context manager shuts the worker pool down). Forked
    workers inherit the handler but ignore the signal (their parent stops them), and so does
    this process after the first one, while it shuts down."""

    def __init__(self) -> None:
        self.received = False
        self.pid = os.getpid()
        self.previous: Any = None  # the handler to put back
        self.installed = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self.pid or self.received:
            return
        self.received = True
        raise KeyboardInterrupt

    def __enter__(self) -> Termination:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self.handle)
            self.installed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.installed:
            signal.signal(signal.SIGTERM,
                          signal.SIG_DFL if self.previous is None else self.previous)


def main(argv: list[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    interrupted = False
    with Termination() as term:
        try:
            code = run_command(argv, stdout, stderr)
            stdout.flush()  # a closed pipe shows here, where it is handled, not at exit
        except BrokenPipeError:
            _discard(stdout, stderr)
            return EXIT_BROKEN_PIPE
        except KeyboardInterrupt:
            interrupted = True
        if not (interrupted or term.received):  # (watch stops on either, and returns 0)
            return code
        what = "terminated (SIGTERM)" if term.received else "interrupted"
        with contextlib.suppress(OSError, ValueError):
            print(f"ketabrochure: {what}; out/ still holds its last complete edition",
                  file=stderr)
        return EXIT_TERMINATED if term.received else EXIT_INTERRUPTED


def _discard(*streams: TextIO) -> None:
    """After a closed pipe: point this process's own stdout/stderr at /dev/null, so that the
    interpreter's last flush at exit does not print a second BrokenPipeError."""
    for stream in streams:
        if stream not in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            continue
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
