"""`ketabrochure serve`: the print shelf over HTTP on this computer, rebuilt and reloaded on save.

One warm process: the `watch` loop (build/watch.py's Watcher) in the main thread, and a
standard-library HTTP server in threads beside it: serve/server.py (what it serves, and to whom),
serve/live.py (the build's state it reports), serve/browser.py (the pages and script it sends).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
import time
from pathlib import Path
from typing import TextIO

from ..build import run
from ..build.watch import Watcher
from ..diagnostics import UsageError
from .live import Live, page_png
from .server import Server, is_loopback


def check_host(host: str, public: bool) -> None:
    """A host other computers can reach is refused unless --public says so."""
    if not public and not is_loopback(host):
        raise UsageError(f"--host {host} is not a loopback address: serve has no password, so "
                         "anyone who can reach it could read out/ and choose what builds "
                         "first; pass --public as well to serve other computers anyway")


def listen(host: str, port: int, live: Live, public: bool) -> Server:
    check_host(host, public)
    try:
        return Server((host, port), live, public)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


DRAW_WAIT = 60.0  # seconds to wait for a page picture (then: not found, and the page retries)


def serve(root: Path, options: run.Options, host: str, port: int, public: bool,
          interval: float, stdout: TextIO, stderr: TextIO) -> int:
    """Serve the shelf and rebuild on save until Ctrl-C; exits 0 (every build is atomic)."""
    check_host(host, public)  # before any worker starts
    # Processes are forked before any thread starts: the watcher's typesetting workers, then
    # one process that draws preview pages (pdfium is not thread-safe, and with --jobs 1 this
    # process draws thumbnails with it while a build runs).
    with contextlib.ExitStack() as running:  # stopped in reverse, also on Ctrl-C in setup
        watcher = Watcher(root, options, stdout, stderr)
        running.callback(watcher.close)
        drawer = multiprocessing.get_context("fork").Pool(  # Ctrl-C is for this process
            1, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
        running.callback(drawer.terminate)
        live = Live(root / "out", lambda pdf, index: drawer.apply_async(  # a bounded wait
            page_png, (pdf, index)).get(timeout=DRAW_WAIT))
        watcher.listener = live
        server = listen(host, port, live, public)
        running.callback(server.server_close)
        thread = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
        thread.start()
        running.callback(server.shutdown)
        try:  # Ctrl-C stops it (and SIGTERM, which the command line turns into Ctrl-C)
            print(f"serving the print shelf at {server.url} (Ctrl-C to stop)", file=stdout,
                  flush=True)
            print(f"the web edition at {server.url.rstrip('/')}/web/", file=stdout, flush=True)
            while True:
                watcher.step(live.open_documents())
                time.sleep(interval)
        except KeyboardInterrupt:
            print("stopped serving", file=stdout)
            return 0
