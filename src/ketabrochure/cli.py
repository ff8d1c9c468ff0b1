"""The command line: parse arguments, run library functions, report (text, JSON, JUnit or
GitHub annotations), and exit with a code that tells errors from warnings (README: Exit codes).

SIGTERM (a CI cancel, `timeout`) is handled like Ctrl-C, and a closed pipe
(`ketabrochure list | head -1`) ends the command quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from .build import commands, explain, results
from .build.arguments import ids, interval, port, positive, shard_arg
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
from .diagnostics import Diagnostics, UsageError, printable, relative, summary
from .lazy import lazy_module

if TYPE_CHECKING:
    from importlib import metadata

    from . import kinds
    from .build import cache, inputs, join, plan, scaffold, watch
    from .build import run as build
    from .serve import command as serve_command
    from .typeset import pool
else:  # each loaded by the command that needs it: `--help` and `list` never load the pipeline
    metadata = lazy_module("importlib.metadata")
    kinds = lazy_module("ketabrochure.kinds")
    scaffold = lazy_module("ketabrochure.build.scaffold")
    join = lazy_module("ketabrochure.build.join")
    inputs = lazy_module("ketabrochure.build.inputs")
    plan = lazy_module("ketabrochure.build.plan")
    watch = lazy_module("ketabrochure.build.watch")
    build = lazy_module("ketabrochure.build.run")
    serve_command = lazy_module("ketabrochure.serve.command")
    cache = lazy_module("ketabrochure.build.cache")
    pool = lazy_module("ketabrochure.typeset.pool")

NEW_KINDS = ("study", "condition", "handout")  # scaffold.FOLDERS (a test keeps them the same)
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


class VersionAction(argparse.Action):
    """--version: the installed version, looked up only when asked for (importlib.metadata
    costs more than the rest of `--help`)."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, p: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(f"{p.prog} {version()}", file=sys.stdout)  # (redirected by run_command)
        p.exit()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ketabrochure",
        description="Ketamine-therapy research in YAML -> print-ready PDFs.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action=VersionAction, help="print the version and exit")
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
    j = sub.add_parser("join", help="make out/ from the out/ folders of every `build --shard "
                       "K/N` run (a CI matrix), as one build would", epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    j.add_argument("shards", nargs="+", type=Path, metavar="SHARD_OUT",
                   help="a shard's out/ folder, with its .cache/ (one per K, 1 to N)")
    j.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="write the joined edition into DIR instead of the project's out/ "
                        "(replaced as a whole, in one step, as out/ is)")
    project_option(j)
    report_options(j)
    ls = sub.add_parser("list", help="list the documents that build makes")
    project_option(ls)
    w = sub.add_parser("watch", help="build, then rebuild what each saved change affects")
    build_options(w)
    w.add_argument("--interval", type=interval, default=0.5, metavar="SECONDS",
                   help="how often to look for changes (default: 0.5)")
    v = sub.add_parser("serve", help="serve the print shelf on this computer; rebuild and "
                       "reload it in the browser on save")
    build_options(v)
    v.add_argument("--port", type=port, default=8000, help="port (default 8000; 0: any free one)")
    v.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    v.add_argument("--public", action="store_true",
                   help="allow a --host other computers reach (serve has no password)")
    v.add_argument("--interval", type=interval, default=0.2, metavar="SECONDS",
                   help="how often to look for changes (default: 0.2)")
    k = sub.add_parser("packet", help="write a referral packet for one physician into out/")
    project_option(k)
    k.add_argument("--to", required=True, metavar="NAME", help='recipient, e.g. "Dr. Ana Ruiz"')
    k.add_argument("--practice", required=True, help="the recipient's practice")
    k.add_argument("--conditions", required=True, type=ids, metavar="ID,ID",
                   help="condition ids whose evidence sheets to enclose, e.g. depression,ptsd")
    k.add_argument("--address", action="append", default=[], metavar="LINE",
                   help="an address line of the practice (repeat for more lines)")
    k.add_argument("--date", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                   help="the letter's date (default: today)")
    n = sub.add_parser("new", help="write a new study, condition or handout YAML to fill in")
    project_option(n)
    n.add_argument("kind", choices=NEW_KINDS, metavar="KIND",
                   help=f"what to make: {', '.join(NEW_KINDS)}")
    n.add_argument("id", metavar="ID",
                   help="its id, the file name: lower-case letters, digits, hyphens")
    commands.add_commands(sub, project_option)
    explain.add_command(sub)
    return p


def release_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--release", action="store_true",
                   help="refuse (exit 1) documents whose printed text is not signed off as it "
                        "is, stale translations and expired reviews")


def project_option(p: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    """--project, before the command or after it: a command's own copy has no default, so it
    never hides one given before the command."""
    p.add_argument("--project", type=Path, default=default, metavar="DIR",
                   help="project folder (default: the nearest folder, upwards, with "
                   "content/documents.yaml)")


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


def options(args: argparse.Namespace, progress: TextIO | None,
            inputs: str | None = None) -> build.Options:
    """Build options from the command line; progress goes to standard output (stderr keeps
    only located diagnostics), or nowhere. `inputs`: the key of what went in (build.inputs)."""
    return build.Options(jobs=args.jobs, cache=not args.no_cache,
                         html=getattr(args, "html", False), shard=getattr(args, "shard", None),
                         progress=progress, release=getattr(args, "release", False),
                         inputs=inputs)


def cmd_list(root: Path, stdout: TextIO, stderr: TextIO) -> int:
    diags = Diagnostics()
    _, documents = plan.load(root, diags)
    for d in documents:
        print(f"{d.file}\t{d.layout.name}\t{d.subject}\t{d.paper}\t{d.language}\t"
              f"pages {d.budget}", file=stdout)
    results.print_diagnostics(diags, stderr)
    return EXIT_ERRORS if diags.has_errors() else EXIT_OK


def cmd_run(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """check, build or join, reported in --format."""
    write = args.command == "build"
    shows_progress = args.format in ("text", "github") and not args.quiet
    started = time.perf_counter()
    progress = stdout if shows_progress else None
    key = inputs.key(root, key_options(args)) if args.command != "join" else None
    memo = inputs.MEMO if write else inputs.CHECK_MEMO
    replay = None
    if key and not args.no_cache and args.format in ("text", "github"):
        replay = inputs.replay(root, key, memo)  # (json and junit list every document: they run)
    if replay is not None:  # nothing changed: what the last run said, and out/ is as it left it
        result, unchanged = results.Result(replay.diags, published=write), replay.documents
    elif args.command == "join":
        shards = [(path, str(path)) for path in args.shards]
        result = (join.join(root, shards, build.Options(progress=progress)) if args.out is None
                  else join.join_into(root, shards, args.out, build.Options(progress=progress)))
        unchanged = 0
    else:
        with own_workers(root, args) as renderer:
            result, unchanged = build.run(root, args.documents, write,
                                          options(args, progress, key), renderer, own=True), 0
    done = results.Run(args.command, result, args.strict, time.perf_counter() - started,
                       version(), root, unchanged)
    results.report(done, args.format, args.quiet, stdout, stderr,
                   workspace=os.environ.get("GITHUB_WORKSPACE"))
    return done.code


def own_workers(root: Path, args: argparse.Namespace) -> pool.Renderer:
    """The run's worker processes, forked before this process imports the pipeline: a forked
    worker holds what its parent had (as resident pages), and Jinja, YAML, the content model
    and fontTools' glyph list, which only this process needs, were 6 MB in each worker."""
    return pool.Renderer.own(args.jobs, args.no_cache or not cache.has_entries(root / "out"))


def key_options(args: argparse.Namespace) -> list[str]:
    """What of the command line changes what a build makes or a check finds (not --jobs, nor
    --strict or the format: the same diagnostics, reported and counted as the run asks)."""
    return [f"command {args.command}", f"documents {json.dumps(args.documents)}",
            f"shard {getattr(args, 'shard', None)}", f"html {getattr(args, 'html', False)}",
            f"release {args.release}"]


def cmd_packet(root: Path, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    recipient = kinds.recipient_from_args(args.to, args.practice, args.conditions,
                                          args.date or dt.date.today(), tuple(args.address))
    result = build.packet(root, recipient)
    results.print_diagnostics(result.diags, stderr)
    for path in result.written:
        print(f"wrote {path.name}", file=stdout)
    if result.published and not result.written:  # the same bytes: out/ has it already
        for item in result.built:
            print(f"unchanged {item.document.file} (out/ has it already)", file=stdout)
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


def run_command(argv: list[str] | None, stdout: TextIO, stderr: TextIO) -> int:
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser().parse_args(argv)  # --help, --version and usage errors print here
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        if args.command == "explain":  # needs no project
            return explain.run(args, stdout)
        root = inputs.find_root((args.project or Path.cwd()).resolve())
        if args.command == "list":
            return cmd_list(root, stdout, stderr)
        if args.command == "watch":
            return watch.watch(root, options(args, stdout), args.interval, stdout, stderr)
        if args.command == "serve":
            return serve_command.serve(root, options(args, stdout), args.host, args.port,
                                       args.public, args.interval, stdout, stderr)
        if args.command == "packet":
            return cmd_packet(root, args, stdout, stderr)
        if args.command == "new":
            return cmd_new(root, args, stdout)
        if args.command == "join":
            return cmd_run(root, args, stdout, stderr)
        if args.command in commands.COMMANDS:
            return commands.run(root, args, stdout, stderr)
        return cmd_run(root, args, stdout, stderr)
    except UsageError as exc:
        print(f"ketabrochure: error: {printable(str(exc))}", file=stderr)
        return EXIT_USAGE


TERMINATION_DEADLINE = 8.0  # seconds from SIGTERM to the end of the process, at most


def _end_now() -> None:
    """The last resort after SIGTERM: out/ is one transaction, the lock is released with the
    process, and workers die with it (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError):
        os.write(2, b"ketabrochure: terminated (SIGTERM); out/ still holds its last complete "
                    b"edition\n")
    os._exit(EXIT_TERMINATED)


class Termination:
    """While active, SIGTERM raises KeyboardInterrupt in this process, as Ctrl-C does, so the
    same clean-up runs (the renderer's context manager shuts the worker pool down). Forked
    workers inherit the handler but ignore the signal (their parent stops them), and so does
    this process after the first one, while it shuts down.

    Python drops an exception raised inside a finalizer or an at-fork callback ("Exception
    ignored in ..."): should the handler's land there, it is raised once more."""

    def __init__(self) -> None:
        self.received = False
        self.dropped = False  # the handler's KeyboardInterrupt was swallowed by Python
        self.pid = os.getpid()
        self.previous: Any = None  # the handler to put back
        self.previous_hook = sys.unraisablehook
        self.installed = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self.pid:
            return
        if self.dropped:
            self.dropped = False
            raise KeyboardInterrupt
        if self.received:
            return
        self.received = True
        # the clean-up below has every wait bounded; should anything still hang (a library
        # deadlocked), this ends the process anyway: a cancelled CI job always ends
        watchdog = threading.Timer(TERMINATION_DEADLINE, _end_now)
        watchdog.daemon = True
        watchdog.start()
        raise KeyboardInterrupt

    def unraisable(self, unraisable: Any) -> None:
        """sys.unraisablehook: the handler's interrupt was dropped; deliver it again."""
        if (self.received and os.getpid() == self.pid
                and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            self.dropped = True
            threading.Thread(target=self._deliver_again, daemon=True).start()
            return
        self.previous_hook(unraisable)

    def _deliver_again(self) -> None:
        """From another thread, so that the handler runs once Python is out of the code that
        drops exceptions."""
        while self.dropped:
            time.sleep(0.05)
            os.kill(self.pid, signal.SIGTERM)

    def __enter__(self) -> Termination:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self.handle)
            sys.unraisablehook = self.unraisable
            self.installed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.installed:
            signal.signal(signal.SIGTERM,
                          signal.SIG_DFL if self.previous is None else self.previous)
            sys.unraisablehook = self.previous_hook


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
        _forget_interrupt()
        what = "terminated (SIGTERM)" if term.received else "interrupted"
        with contextlib.suppress(OSError, ValueError):
            print(f"ketabrochure: {what}; out/ still holds its last complete edition",
                  file=stderr)
        return EXIT_TERMINATED if term.received else EXIT_INTERRUPTED


def _forget_interrupt() -> None:
    """CPython 3.11 remembers a KeyboardInterrupt raised inside exec() of a string (a
    dataclass being made, mid-import) as never handled, even once it is caught, and then
    ends `python -m ketabrochure` by SIGINT instead of with our exit code. Running one more
    string resets that record."""
    exec("pass")  # (a constant string)


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
