"""`ketabrochure watch`: build, then build again whenever a file under content/, layouts/ or
assets/ changes. One process stays warm (fonts set up, workers running); the cache makes each
rebuild typeset only the documents whose inputs changed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

from ..diagnostics import UsageError, summary
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


class Watcher:
    """One watch loop's state; `step` looks once and rebuilds if anything changed."""

    def __init__(self, root: Path, options: run.Options, stdout: TextIO,
                 stderr: TextIO) -> None:
        self.root, self.options = root, options
        self.stdout, self.stderr = stdout, stderr
        self.renderer = Renderer(options.jobs)
        self.renderer.fork()  # now, while this process is small
        self.seen: Snapshot | None = None

    def step(self) -> run.Result | None:
        """Rebuild if a watched file changed since the last step (the first step always builds)."""
        now = snapshot(self.root)
        if now == self.seen:
            return None
        edits = changed(self.seen or {}, now) if self.seen is not None else []
        self.seen = now
        if edits:
            shown = ", ".join(edits[:5]) + (f" and {len(edits) - 5} more" if len(edits) > 5 else "")
            print(f"changed: {shown}", file=self.stdout)
        started = time.perf_counter()
        try:
            result = run.run(self.root, [], True, self.options, self.renderer)
        except UsageError as exc:
            print(f"ketabrochure: error: {exc}", file=self.stderr)
            return run.Result()
        self.report(result, time.perf_counter() - started)
        return result

    def report(self, result: run.Result, seconds: float) -> None:
        for diagnostic in result.diags.sorted():
            print(diagnostic, file=self.stderr)
        rendered = result.rendered
        if result.diags.has_errors():
            outcome = "failed; nothing written, out/ is unchanged"
        else:
            outcome = f"wrote {len(result.built)} documents"
        names = f": {', '.join(rendered)}" if rendered and len(rendered) <= 10 else ""
        print(f"build {outcome}; rendered {len(rendered)} of {len(result.built)}{names} "
              f"({summary(result.diags)}) in {seconds:.1f} s", file=self.stdout)
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
