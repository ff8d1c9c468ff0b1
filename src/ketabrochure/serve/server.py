"""The HTTP side of `serve`: a standard-library server, in threads beside the watch loop. It
serves:

    /, /index.html           the print shelf (out/index.html) with the live script added
    /preview/<name>          one document: its card and every page as a picture
    /_page/<name>/<n>.png    page n of a document, drawn with pdfium
    /_version                the build's state as JSON (long poll: ?since=<generation>;
                             ?open=<name> tells which document a page shows, built first)
    /_live.js                the script that polls /_version and refreshes the page
    /_rejected/<file>.pdf    a document over its page budget, from out/.rejected/ (to look at)
    /web/<page>.html         a page of the web edition (out/web/) with the live script added
    /<file>                  any other file under out/ (PDFs, thumbnails, manifest.json)

Only files under out/ are served: no `..`, `.` or empty path segments, no hidden files (so not
out/.cache/ nor a temporary file), and never through a link (`files.beneath`). Unless --public is
given, serve listens only on a loopback address and answers only requests whose Host header
names this computer (a web page elsewhere cannot reach it by DNS rebinding).
"""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import re
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..files import beneath, sha256_file
from ..site import shelf
from .browser import LIVE_SCRIPT, PREVIEW, PREVIEW_STYLE, WAITING
from .live import PAGE_WIDTH, Live

REJECTED_URL = "/_rejected/"
WEB_URL = "/web/"


def is_loopback(host: str) -> bool:
    """Whether an address (or 'localhost') reaches only this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def out_name(path: str) -> str | None:
    """The out/-relative name a URL path gives, or None when it cannot name a file there
    (hidden names, `..`, empty parts); nothing is resolved: links are refused when opened."""
    decoded = unquote(path)
    if not decoded.startswith("/") or "\\" in decoded or "\0" in decoded:
        return None
    parts = decoded[1:].split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    return "/".join(parts)


def number(text: str) -> int | None:
    """An ASCII whole number (int() would also take other scripts' digits, and choke on '²')."""
    return int(text) if re.fullmatch(r"-?[0-9]{1,18}", text, re.ASCII) else None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # every open preview holds a long poll: 200 at once all answered

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
# the web edition's pages load their stylesheets and fonts from out/web/
WEB_CSP = CSP.replace("style-src 'unsafe-inline'", "style-src 'self' 'unsafe-inline'")


def with_live_script(page: str, version: str | None) -> bytes:
    """A page with the manifest's version and the live script before </body>."""
    tail = (f"<script>window.KETABROCHURE_MANIFEST = {json.dumps(version)};</script>\n"
            '<script src="/_live.js"></script>\n</body>')
    return page.replace("</body>", tail, 1).encode()


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
            given = number(since)
            state = live.wait(-1 if given is None else given,
                              document if document in live.entries else "")
            self.send(HTTPStatus.OK, json.dumps(state).encode(), "application/json", body)
        elif path.startswith("/preview/"):
            page = self.preview(unquote(path.removeprefix("/preview/")))
            if page is None:
                self.not_found(body)
            else:
                self.send(HTTPStatus.OK, page, "text/html; charset=utf-8", body, CSP)
        elif path.startswith("/_page/"):
            name, _, shown = unquote(path.removeprefix("/_page/")).removesuffix(".png") \
                .rpartition("/")
            page_number = number(shown)
            png = live.page(name, page_number) if page_number and page_number > 0 else None
            if png is None:
                self.not_found(body)
            else:
                self.send(HTTPStatus.OK, png, "image/png", body)
        elif path.startswith(WEB_URL) and path.endswith((".html", "/")):
            page = self.web_page(path + "index.html" if path.endswith("/") else path)
            if page is None:
                self.not_found(body)
            else:
                self.send(HTTPStatus.OK, page, "text/html; charset=utf-8", body, WEB_CSP)
        elif path.startswith(REJECTED_URL):  # (the folder is hidden, so not served below)
            rejected = out_name(path.removeprefix(REJECTED_URL.rstrip("/")))
            self.static(f".rejected/{rejected}" if rejected and rejected.endswith(".pdf")
                        else None, body)
        else:
            self.static(out_name(path), body)

    def static(self, name: str | None, body: bool) -> None:
        """A file of out/, opened once with no link on the way (files.beneath): its length,
        tag and body all come from that one open file, so a republish meanwhile cannot make
        the Content-Length another file's."""
        if name is None:
            self.not_found(body)
            return
        try:
            data, info = beneath.read_stat(self.server.live.out, name)
        except OSError:
            self.not_found(body)
            return
        tag = f'"{info.st_mtime_ns:x}-{len(data):x}"'
        if self.headers.get("If-None-Match") == tag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", tag)
            self.end_headers()
            return
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "text/javascript"):
            kind += "; charset=utf-8"
        self.send(HTTPStatus.OK, data, kind, body, etag=tag)

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
            page = beneath.read(live.out, shelf.INDEX).decode("utf-8", "replace")
        except OSError:
            page = WAITING
        return with_live_script(page, version)

    def web_page(self, path: str) -> bytes | None:
        """A page of out/web/ with the live script: it reloads when a build changes the
        manifest (every content edit changes a PDF made from the same text)."""
        live = self.server.live
        version = sha256_file(live.out / "manifest.json")
        name = out_name(path)
        try:  # no link on the way (files.beneath), as every file served
            page = beneath.read(live.out, name).decode("utf-8", "replace") if name else None
        except OSError:
            page = None
        return None if page is None else with_live_script(page, version)

    def preview(self, name: str) -> bytes | None:
        entry = self.server.live.entries.get(name)
        if entry is None:
            return None
        versions = self.server.live.page_versions(name)  # a page's URL changes with it only
        pages = len(versions) or int(entry.get("pages") or 1)
        versions = versions or [str(entry.get("sha256", ""))[:12]] * pages
        title = html.escape(str(entry.get("title") or name))
        lang = html.escape(str(entry.get("language", "en")))
        pictures = "".join(
            f'<img class="page" src="/_page/{html.escape(name)}/{n}.png?v={versions[n - 1]}"'
            f' width="{PAGE_WIDTH}" alt="Page {n} of {pages}"'
            f' loading="{"eager" if n == 1 else "lazy"}">'
            for n in range(1, pages + 1))
        version = json.dumps(self.server.live.manifest)
        return PREVIEW.format(title=title, lang=lang, style=shelf.STYLE + PREVIEW_STYLE,
                              card=shelf.card(entry), pages=pictures, name=json.dumps(name),
                              version=version, script=shelf.PRINT_SCRIPT).encode()
