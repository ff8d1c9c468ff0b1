"""Build progress: a live "done of total" line on a terminal, plain lines elsewhere."""

from __future__ import annotations

import time
from typing import TextIO

PLAIN_EVERY = 1.0  # seconds between plain lines (the last document always gets one)


class Progress:
    """Counts finished documents and shows it on `stream` (nothing when total is 0)."""

    def __init__(self, total: int, stream: TextIO, live: bool | None = None) -> None:
        self.total, self.stream, self.done, self.rendered = total, stream, 0, 0
        self.live = stream.isatty() if live is None else live
        self.last = 0.0

    def step(self, name: str, cached: bool) -> None:
        self.done += 1
        self.rendered += not cached
        if self.live:
            line = f"\r\x1b[K{self.done}/{self.total} documents done ({self.rendered} rendered)"
            self.stream.write(line + ("\n" if self.done == self.total else ""))
            self.stream.flush()
            return
        now = time.monotonic()
        if self.done == self.total or now - self.last >= PLAIN_EVERY:
            self.last = now
            print(f"progress: {self.done}/{self.total} documents done "
                  f"({self.rendered} rendered), last {name}", file=self.stream)
