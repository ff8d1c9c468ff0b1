"""`ketabrochure watch`: build, then build again whenever a file under content/, layouts/ or
assets/ changes. One process stays warm (fonts set up, workers running); the cache makes each
rebuild typeset only the documents whose inputs changed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TextIO

from ..diagnostics import Location, UsageError, printable, summary
from ..typeset.pool import Renderer
from . import run

WATCHED = ("content", "layouts", "assets")
Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every watched file with its modification time and size."""
    found: Snapshot = {}
    for folder in WATCHED:
        for path in sorted((root / folder).rglob("*")):
            try:
                if path.is_file():
                    stat = path.stat()
                    found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                continue  # removed while we looked: the next look sees it gone
    return found


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


class Listener(Protocol):
    """Told when a watcher's build starts and ends (serve shows it in the browser)."""

    def started(self, names: Sequence[str]) -> None: ...

    def finished(self, names: Sequence[str], result: run.Result) -> None: ...


class Watcher:
    """One watch loop's state; `step` looks once and rebuilds if anything changed."""

    def __init__(self, root: Path, options: run.Options, stdout: TextIO,
                 stderr: TextIO, listener: Listener | None = None) -> None:
        self.root, self.options = root, options
        self.stdout, self.stderr = stdout, stderr
        self.listener = listener
        self.renderer = Renderer(options.jobs)
        self.renderer.fork()  # now, while this process is small
        self.seen: Snapshot | None = None

    def look(self) -> list[str] | None:
        """The watched files changed since the last look, or None if none did ([] on the
        first look: everything is to be built)."""
        now = snapshot(self.root)
        if now == self.seen:
            return None
        edits = changed(self.seen or {}, now) if self.seen is not None else []
        self.seen = now
        if edits:
            shown = ", ".join(edits[:5]) + (f" and {len(edits) - 5} more" if len(edits) > 5 else "")
            print(f"changed: {shown}", file=self.stdout)
        return edits

    def step(self, first: Sequence[str] = ()) -> run.Result | None:
        """Rebuild if a watched file changed since the last step (the first step always builds).

        After a change, the documents named in `first` (those open in a browser) are built and
        written on their own before everything else is."""
        edits = self.look()
        if edits is None:
            return None
        if edits and first:
            self.build(first)
        return self.build() or run.Result()

    def build(self, names: Sequence[str] = ()) -> run.Result | None:
        """Build these documents (all if none), report, and tell the listener. None when a
        named document is no longer made (say its YAML no longer loads): the full build that
        follows tells why."""
        if self.listener:
            self.listener.started(names)
        started = time.perf_counter()
        try:
            result = run.run(self.root, list(names), True, self.options, self.renderer)
        except UsageError as exc:
            if names:
                return None
            print(f"ketabrochure: error: {printable(str(exc))}", file=self.stderr)
            result = run.Result()
        except Exception as exc:  # noqa: BLE001 - a bug must not end watch or serve: shown,
            result = run.Result()  # as a located error, and the next save builds again
            result.diags.error(Location("ketabrochure"), "internal", "build",
                               f"{type(exc).__name__}: {exc} (a bug in ketabrochure, please "
                               "report it; watching goes on)")
        self.report(result, time.perf_counter() - started, names)
        if self.listener:
            self.listener.finished(names, result)
        return result

    def report(self, result: run.Result, seconds: float, names: Sequence[str] = ()) -> None:
        for diagnostic in result.diags.sorted():
            print(diagnostic, file=self.stderr)
        rendered, total = result.rendered, len(result.built)
        if result.diags.has_errors():
            outcome = "failed; nothing written, out/ is unchanged"
        else:  # what really happened: only PDFs whose bytes changed are written
            written = len(result.written)
            outcome = f"wrote {written} PDF{'s' * (written != 1)}"
        what = f"build of {', '.join(names)} (open in the browser; the rest next)" if names \
            else "build"
        shown = f": {', '.join(rendered)}" if rendered and len(rendered) <= 10 else ""
        print(f"{what}: {outcome}; rendered {len(rendered)} of {total}{shown}; unchanged "
              f"{total - len(rendered)} ({summary(result.diags)}) in {seconds:.1f} s",
              file=self.stdout)
        if not names:
            print("watching content/, layouts/ and assets/ (Ctrl-C to stop)", file=self.stdout)
        self.stdout.flush()

    def close(self) -> None:
        self.renderer.close()


def watch(root: Path, options: run.Options, interval: float, stdout: TextIO,
          stderr: TextIO) -> int:
    """Build and rebuild until Ctrl-C; exits 0 (every build is atomic, so nothing is half-done)."""
    watcher = Watcher(root, options, stdout, stderr)
    try:
        while True:
            watcher.step()
            time.sleep(interval)
    except KeyboardInterrupt:
        print("stopped watching", file=stdout)
        return 0
    finally:
        watcher.close()
