"""`ketabrochure serve`: the print shelf over HTTP on this computer, rebuilt and reloaded on save.

One warm process: the `watch` loop (build/watch.py's Watcher) in the main thread, and a
standard-library HTTP server in threads beside it. It serves:

    /, /index.html           the print shelf (out/index.html) with the live script added
    /preview/<name>          one document: its card and every page as a picture
    /_page/<name>/<n>.png    page n of a document, drawn with pdfium
    /_version                the build's state as JSON (long poll: ?since=<generation>;
                             ?open=<name> tells which document a page shows, built first)
    /_live.js                the script that polls /_version and refreshes the page
    /<file>                  any other file under out/ (PDFs, thumbnails, manifest.json)

Only files under out/ are served: no `..`, `.` or empty path segments, no hidden files (so not
out/.cache/ nor a temporary file), nothing a symlink leads out of out/. Unless --public is
given, serve listens only on a loopback address and answers only requests whose Host header
names this computer (a web page elsewhere cannot reach it by DNS rebinding).
"""

from __future__ import annotations

import contextlib
import html
import io
import ipaddress
import json
import mimetypes
import multiprocessing
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from ..diagnostics import UsageError, summary
from ..files import sha256_file
from . import run, shelf
from .watch import Watcher

OPEN_FOR = 45.0  # seconds a page's report of the document it shows stays good
POLL_WAIT = 20.0  # seconds a long poll of /_version waits for a change
PAGE_WIDTH = 1000  # pixels of a page picture on /preview
PAGES_KEPT = 200  # page pictures kept in memory


def is_loopback(host: str) -> bool:
    """Whether an address (or 'localhost') reaches only this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def out_file(out: Path, path: str) -> Path | None:
    """The file under out/ that a URL path names, or None when it names nothing there."""
    decoded = unquote(path)
    if not decoded.startswith("/") or "\\" in decoded or "\0" in decoded:
        return None
    parts = decoded[1:].split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    base = out.resolve()
    try:
        target = base.joinpath(*parts).resolve()
    except (OSError, ValueError):
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


def page_png(pdf: bytes, index: int, width: int = PAGE_WIDTH) -> bytes | None:
    """Page `index` (0-based) of a PDF as a PNG `width` pixels wide, or None if it has none."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        if not 0 <= index < len(document):
            return None
        page = document[index]
        image = page.render(scale=width / page.get_width()).to_pil()
        page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


Draw = Callable[[bytes, int], bytes | None]


class Live:
    """What the browser is told: the build's state, the manifest's version and the documents
    pages show. The watcher reports to it (a watch.Listener); HTTP threads read it."""

    def __init__(self, out: Path, draw: Draw = page_png) -> None:
        self.out, self.draw = out, draw
        self.changed = threading.Condition()
        self.generation = 0
        self.building: list[str] | None = None
        self.diagnostics: list[dict[str, Any]] = []
        self.counts = ""
        self.failed = False
        self.built_at = ""
        self.seconds = 0.0
        self.started_at = 0.0
        self.manifest: str | None = None
        self.entries: dict[str, dict[str, Any]] = {}
        self.opened: dict[str, float] = {}
        self.waiting: dict[str, int] = {}
        self.pages: dict[tuple[str, int], bytes] = {}
        self.read_manifest()

    def read_manifest(self) -> None:
        self.manifest = sha256_file(self.out / "manifest.json")
        try:
            data = json.loads((self.out / "manifest.json").read_text())
            entries = [e for e in data["documents"] if isinstance(e.get("file"), str)]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = []
        self.entries = {e["file"].removesuffix(".pdf"): e for e in entries}

    # watch.Listener
    def started(self, names: Sequence[str]) -> None:
        with self.changed:
            self.building = list(names)
            self.started_at = time.monotonic()
            self._bump()

    def finished(self, names: Sequence[str], result: run.Result) -> None:
        with self.changed:
            self.building = None
            self.failed = result.diags.has_errors()
            self.diagnostics = [
                {"text": str(d), "severity": d.severity, "path": d.location.path,
                 "line": d.location.line, "col": d.location.col, "code": d.code,
                 "where": d.where, "message": d.message} for d in result.diags.sorted()]
            self.counts = summary(result.diags)
            self.seconds = time.monotonic() - self.started_at
            self.built_at = time.strftime("%H:%M:%S")
            self.read_manifest()
            self._bump()

    def _bump(self) -> None:
        self.generation += 1
        self.changed.notify_all()

    def open_documents(self) -> list[str]:
        """Documents a page showed lately (or is waiting on now) that the manifest knows."""
        now = time.monotonic()
        with self.changed:
            return sorted(name for name in self.opened if name in self.entries and (
                self.waiting.get(name) or now - self.opened[name] < OPEN_FOR))

    def state(self, document: str = "") -> dict[str, Any]:
        with self.changed:
            entry = self.entries.get(document)
            return {"generation": self.generation, "manifest": self.manifest,
                    "building": self.building, "failed": self.failed,
                    "diagnostics": self.diagnostics, "summary": self.counts,
                    "finished": self.built_at, "seconds": round(self.seconds, 2),
                    "document": None if entry is None else {
                        "name": document, "sha": str(entry.get("sha256", ""))[:12],
                        "pages": entry.get("pages"), "title": entry.get("title")}}

    def wait(self, since: int, document: str, timeout: float = POLL_WAIT) -> dict[str, Any]:
        """The state once its generation differs from `since` (or after `timeout`)."""
        with self.changed:
            if document:
                self.opened[document] = time.monotonic()
                self.waiting[document] = self.waiting.get(document, 0) + 1
            try:
                self.changed.wait_for(lambda: self.generation != since, timeout)
            finally:
                if document:
                    self.waiting[document] -= 1
                    self.opened[document] = time.monotonic()
        return self.state(document)

    def page(self, name: str, number: int) -> bytes | None:
        """Page `number` (1-based) of a document as a PNG, drawn once per version."""
        entry = self.entries.get(name)
        if entry is None:
            return None
        key = (str(entry.get("sha256")), number)
        drawn = self.pages.get(key)
        if drawn is None:
            try:
                drawn = self.draw((self.out / entry["file"]).read_bytes(), number - 1)
            except OSError:
                return None
            if drawn is None:
                return None
            with self.changed:
                if len(self.pages) >= PAGES_KEPT:
                    self.pages.clear()
                self.pages[key] = drawn
        return drawn


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], live: Live, public: bool) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, Handler)
        self.live, self.public = live, public

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closed its connection (a page left mid-poll) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def names(self) -> set[str]:
        """Host headers this server answers to (any with --public)."""
        port = self.server_address[1]
        hosts = {"localhost", "127.0.0.1", "[::1]", self.server_name}
        host = str(self.server_address[0])
        hosts.add(f"[{host}]" if ":" in host else host)
        return {h for name in hosts for h in (name.lower(), f"{name.lower()}:{port}")}

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src 'self' data:; frame-ancestors 'self'; base-uri 'self'; form-action 'none'")


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "ketabrochure"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # standard error carries only the build's located diagnostics

    def do_GET(self) -> None:
        self.answer(body=True)

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def answer(self, body: bool) -> None:
        live = self.server.live
        host = self.headers.get("Host", "").lower()
        if not self.server.public and host not in self.server.names():
            self.send(HTTPStatus.MISDIRECTED_REQUEST, b"serve answers only to this computer's "
                      b"own names (use --public to serve other computers)\n", "text/plain", body)
            return
        if not self.path.startswith("/") or self.path.startswith("//"):
            self.send(HTTPStatus.BAD_REQUEST, b"bad path\n", "text/plain", body)
            return
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        if path in ("/", "/" + shelf.INDEX):
            self.send(HTTPStatus.OK, self.shelf_page(), "text/html; charset=utf-8", body, CSP)
        elif path == "/favicon.ico":
            self.send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", body)
        elif path == "/_live.js":
            self.send(HTTPStatus.OK, LIVE_SCRIPT.encode(), "text/javascript; charset=utf-8", body)
        elif path == "/_version":
            since = query.get("since", ["-1"])[0]
            document = query.get("open", [""])[0]
            state = live.wait(int(since) if since.lstrip("-").isdigit() else -1,
                              document if document in live.entries else "")
            self.send(HTTPStatus.OK, json.dumps(state).encode(), "application/json", body)
        elif path.startswith("/preview/"):
            page = self.preview(unquote(path.removeprefix("/preview/")))
            if page is None:
                self.not_found(body)
            else:
                self.send(HTTPStatus.OK, page, "text/html; charset=utf-8", body, CSP)
        elif path.startswith("/_page/"):
            name, _, number = unquote(path.removeprefix("/_page/")).removesuffix(".png") \
                .rpartition("/")
            png = live.page(name, int(number)) if number.isdigit() and int(number) > 0 else None
            if png is None:
                self.not_found(body)
            else:
                self.send(HTTPStatus.OK, png, "image/png", body)
        else:
            self.static(path, body)

    def static(self, path: str, body: bool) -> None:
        target = out_file(self.server.live.out, path)
        if target is None:
            self.not_found(body)
            return
        try:
            stat = target.stat()
            data = target.read_bytes() if body else b""
        except OSError:
            self.not_found(body)
            return
        tag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if self.headers.get("If-None-Match") == tag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", tag)
            self.end_headers()
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "text/javascript"):
            kind += "; charset=utf-8"
        self.send(HTTPStatus.OK, data, kind, body, etag=tag, length=stat.st_size)

    def not_found(self, body: bool) -> None:
        self.send(HTTPStatus.NOT_FOUND, b"not found: serve shows only the files in out/\n",
                  "text/plain; charset=utf-8", body)

    def send(self, status: HTTPStatus, data: bytes, kind: str, body: bool, csp: str = "",
             etag: str = "", length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.send_header("Referrer-Policy", "no-referrer")
        if csp:
            self.send_header("Content-Security-Policy", csp)
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def shelf_page(self) -> bytes:
        """out/index.html with the manifest's version and the live script before </body>."""
        live = self.server.live
        version = sha256_file(live.out / "manifest.json")  # first: the page is at least as new
        try:
            page = (live.out / shelf.INDEX).read_text()
        except OSError:
            page = WAITING
        tail = (f"<script>window.KETABROCHURE_MANIFEST = {json.dumps(version)};</script>\n"
                '<script src="/_live.js"></script>\n</body>')
        return page.replace("</body>", tail, 1).encode()

    def preview(self, name: str) -> bytes | None:
        entry = self.server.live.entries.get(name)
        if entry is None:
            return None
        sha = str(entry.get("sha256", ""))[:12]
        pages = int(entry.get("pages") or 1)
        title = html.escape(str(entry.get("title") or name))
        lang = html.escape(str(entry.get("language", "en")))
        pictures = "".join(
            f'<img class="page" src="/_page/{html.escape(name)}/{n}.png?v={sha}"'
            f' width="{PAGE_WIDTH}" alt="Page {n} of {pages}"'
            f' loading="{"eager" if n == 1 else "lazy"}">'
            for n in range(1, pages + 1))
        version = json.dumps(self.server.live.manifest)
        return PREVIEW.format(title=title, lang=lang, style=shelf.STYLE + PREVIEW_STYLE,
                              card=shelf.card(entry), pages=pictures, name=json.dumps(name),
                              version=version, script=shelf.PRINT_SCRIPT).encode()


WAITING = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Print shelf</title></head>
<body><main><h1>Print shelf</h1><p>No build has finished yet: this page fills in as soon
as one does.</p></main></body></html>
"""

PREVIEW = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="/">
<title>{title}: preview</title>
<style>{style}</style>
</head>
<body>
<header>
<p><a href="/">Back to the print shelf</a></p>
<h1 lang="{lang}" id="preview-title" data-live>{title}</h1>
</header>
<main>
<h2>Print it</h2>
<div id="preview-card" data-live><ul class="cards">{card}</ul></div>
<h2>Its pages</h2>
<div id="preview-pages" data-live>{pages}</div>
</main>
<iframe id="printer" title="Printing" tabindex="-1" aria-hidden="true"></iframe>
<script>{script}</script>
<script>window.KETABROCHURE_OPEN = {name}; window.KETABROCHURE_MANIFEST = {version};</script>
<script src="/_live.js"></script>
</body>
</html>
"""

PREVIEW_STYLE = """
main { max-width: 1100px; }
#preview-card .cards { grid-template-columns: minmax(0, 1fr); margin-top: 1rem; }
.page { display: block; width: 100%; max-width: 1000px; height: auto; margin: 1rem 0;
  border: 1px solid var(--line); box-shadow: 0 1px 4px rgba(0, 0, 0, .2); }
"""

LIVE_STYLE = """
#live { padding: .5rem 1.5rem; border-bottom: 2px solid #b8c4cc; background: #fff;
  font-size: .95rem; }
#live.failed { background: #fdecea; border-color: #a4161a; }
#live.building { background: #fff8e1; }
#live .live-title { margin: 0; font-weight: 700; color: #1b1b1b; }
#live.failed .live-title { color: #a4161a; }
#live ul { margin: .4rem 0 0; padding-left: 1.2rem; }
#live code { font: .85rem/1.4 ui-monospace, monospace; white-space: pre-wrap;
  word-break: break-word; color: #1b1b1b; }
#live details { margin-top: .3rem; }
"""

# Polls /_version (a long poll: it answers when the build's state changes) and, when the
# manifest changed, swaps the parts of the page marked data-live (and the shelf's cards and
# filter options) for fresh ones; shows what is building and every problem, located.
LIVE_SCRIPT = """
(function () {
  var open = window.KETABROCHURE_OPEN || '';
  var manifest = window.KETABROCHURE_MANIFEST || null;
  var since = -1;
  var style = document.createElement('style');
  style.textContent = /*STYLE*/'';
  document.head.appendChild(style);
  var box = document.createElement('section');
  box.id = 'live';
  box.setAttribute('aria-label', 'Build status');
  var heading = document.createElement('p');
  heading.className = 'live-title';
  heading.setAttribute('role', 'status');
  var list = document.createElement('ul');
  var more = document.createElement('details');
  box.appendChild(heading); box.appendChild(list); box.appendChild(more);
  document.body.insertBefore(box, document.body.firstChild);
  function lines(target, items) {
    target.textContent = '';
    items.forEach(function (d) {
      var li = document.createElement('li'), code = document.createElement('code');
      code.textContent = d.text; li.appendChild(code); target.appendChild(li);
    });
  }
  function show(s) {
    var errors = s.diagnostics.filter(function (d) { return d.severity === 'error'; });
    var warnings = s.diagnostics.filter(function (d) { return d.severity !== 'error'; });
    box.className = s.building ? 'building' : (s.failed ? 'failed' : 'ok');
    if (s.building) {
      heading.textContent = s.building.length ?
        'Building ' + s.building.join(', ') + ' first (open in this browser)…' :
        'Building every document…';
    } else if (s.failed) {
      heading.textContent = 'The build failed at ' + s.finished + ' (' + s.summary +
        '): nothing was written, so this page shows the last good build.';
    } else if (s.finished) {
      heading.textContent = 'Up to date: built at ' + s.finished + ' in ' + s.seconds +
        ' s (' + s.summary + ').';
    } else {
      heading.textContent = 'Waiting for the first build…';
    }
    if (!s.building) { lines(list, errors); }
    list.setAttribute('role', errors.length && !s.building ? 'alert' : 'list');
    more.hidden = !warnings.length || !!s.building;
    more.textContent = '';
    if (warnings.length) {
      var summary = document.createElement('summary');
      summary.textContent = warnings.length + ' warning' + (warnings.length === 1 ? '' : 's');
      var inner = document.createElement('ul');
      more.appendChild(summary); more.appendChild(inner); lines(inner, warnings);
    }
  }
  function bust(root) {
    root.querySelectorAll('.card').forEach(function (card) {
      var v = card.dataset.sha;
      card.querySelectorAll('img').forEach(function (img) {
        img.src = img.getAttribute('src').split('?')[0] + '?v=' + v;
      });
    });
  }
  function refresh() {
    if (!document.querySelector('[data-live]')) { location.reload(); return Promise.resolve(); }
    return fetch(location.pathname, {cache: 'no-store'}).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.text();
    }).then(function (text) {
      var fresh = new DOMParser().parseFromString(text, 'text/html');
      document.querySelectorAll('[data-live]').forEach(function (part) {
        var other = fresh.getElementById(part.id);
        if (other) { part.innerHTML = other.innerHTML; }
      });
      fresh.querySelectorAll('select[data-filter]').forEach(function (select) {
        var mine = document.getElementById(select.id);
        if (mine) { mine.innerHTML = select.innerHTML; }
      });
      bust(document);
      previews(document);
      if (window.ketabrochureShelf) {
        window.ketabrochureShelf.restore(); window.ketabrochureShelf.apply();
      }
    });
  }
  function poll() {
    var url = '/_version?since=' + since + (open ? '&open=' + encodeURIComponent(open) : '');
    fetch(url, {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {
      since = s.generation;
      show(s);
      var changed = s.manifest !== manifest;
      manifest = s.manifest;
      (changed ? refresh() : Promise.resolve()).catch(function () { location.reload(); })
        .then(poll);
    }).catch(function () {
      box.className = 'failed';
      heading.textContent = 'ketabrochure serve has stopped or cannot be reached; trying again…';
      setTimeout(poll, 2000);
    });
  }
  function previews(root) {  // on the shelf: each file name leads to its live preview
    if (open) { return; }
    root.querySelectorAll('.card .file').forEach(function (p) {
      if (p.querySelector('a')) { return; }
      var a = document.createElement('a'), name = p.closest('.card').dataset.name;
      a.href = '/preview/' + encodeURIComponent(name);
      a.textContent = p.textContent + ' (live preview)';
      p.textContent = ''; p.appendChild(a);
    });
  }
  bust(document);
  previews(document);
  poll();
})();
""".replace("/*STYLE*/''", json.dumps(LIVE_STYLE))


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
        live = Live(root / "out", lambda pdf, index: drawer.apply(page_png, (pdf, index)))
        watcher.listener = live
        server = listen(host, port, live, public)
        running.callback(server.server_close)
        thread = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
        thread.start()
        running.callback(server.shutdown)
        try:  # Ctrl-C stops it (and SIGTERM, which the command line turns into Ctrl-C)
            print(f"serving the print shelf at {server.url} (Ctrl-C to stop)", file=stdout,
                  flush=True)
            while True:
                watcher.step(live.open_documents())
                time.sleep(interval)
        except KeyboardInterrupt:
            print("stopped serving", file=stdout)
            return 0
