"""Stage 3: discover layouts (one folder each under layouts/) and build the Jinja environment."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
import segno
from jinja2.bccache import Bucket
from markupsafe import Markup

from . import model as m
from .diagnostics import Diagnostics, Location, relative
from .files import beneath
from .read.fields import Fields
from .read.yamlsource import load

LAYOUT_FIELDS = ("template", "subjects", "audience", "per_location")


def discover(root: Path, subject_kinds: Iterable[str],
             diags: Diagnostics) -> dict[str, m.Layout] | None:
    """Every folder of layouts/ with a layout.yaml; folders starting with _ hold shared parts.
    None (reported) when the project has no layouts/ folder at all."""
    kinds = tuple(subject_kinds)
    found: dict[str, m.Layout] = {}
    if not (root / "layouts").is_dir():
        diags.error(Location("layouts"), "layout.missing", "layouts/",
                    "the project has no layouts/ folder: documents.yaml names layouts that "
                    "live there (copy layouts/ and assets/ from the ketabrochure repository)")
        return None
    for folder in sorted((root / "layouts").iterdir()):
        if folder.is_dir() and not folder.name.startswith("_"):
            layout = read_layout(root, folder, kinds, diags)
            if layout is not None:
                found[folder.name] = layout
    return found


def read_layout(root: Path, folder: Path, subject_kinds: tuple[str, ...],
                diags: Diagnostics) -> m.Layout | None:
    """One layout folder's layout.yaml, checked against the document kinds there are."""
    shown = relative(folder / "layout.yaml", root)
    node = load(folder / "layout.yaml", shown, diags)
    if node is None:
        return None
    f = Fields(node, "", diags, LAYOUT_FIELDS)
    template = f.text("template") if f.ok else None
    subjects = f.choice("subjects", subject_kinds) if f.ok else None
    audience = f.choice("audience", m.AUDIENCES) if f.ok else None
    if template and not _is_file(root, f"layouts/{folder.name}/{template}"):
        f.error(f.loc("template"), f"no file {folder.name}/{template}",
                code="layout.missing-file", where="template")
        template = None
    if not (template and subjects and audience):
        return None
    return m.Layout(folder.name, folder, f"{folder.name}/{template}", subjects, audience,
                    Location(shown), f.boolean("per_location", audience == "patient"))


def _is_file(root: Path, relative: str) -> bool:
    try:
        return beneath.stat_of(root, relative, links=True).st_mode & 0o170000 == 0o100000
    except OSError:
        return False


MAX_TEMPLATE = 1_000_000  # bytes: a template larger than this is not read


class ProjectLoader(jinja2.BaseLoader):
    """Templates under layouts/, read through `files.beneath` (a link only while it stays in
    the project, no window between check and read), never from anywhere else."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        relative = f"layouts/{template}"
        if any(p in ("", "..") for p in template.split("/")):
            raise jinja2.TemplateNotFound(template)
        try:
            data = beneath.read(self.root, relative, MAX_TEMPLATE, links=True)
            stamp = beneath.stat_of(self.root, relative, links=True).st_mtime_ns
            source = data.decode("utf-8")
        except beneath.Outside:
            raise jinja2.TemplateNotFound(f"{template} (it leads outside the project: "
                                          "not read)") from None
        except (OSError, UnicodeDecodeError):
            raise jinja2.TemplateNotFound(template) from None
        if len(data) > MAX_TEMPLATE:
            raise jinja2.TemplateNotFound(f"{template} (over {MAX_TEMPLATE:,} bytes: not read)")

        def uptodate() -> bool:
            try:
                return beneath.stat_of(self.root, relative, links=True).st_mtime_ns == stamp
            except OSError:
                return False

        return source, os.path.normpath(self.root / relative), uptodate


def long_date(value: dt.date, language: str = "en") -> str:
    """27 November 2026; in Spanish, 27 de noviembre de 2026 (day first, month spelled out:
    unambiguous in every country)."""
    months = {
        "en": ("January February March April May June July August September October "
               "November December"),
        "es": ("enero febrero marzo abril mayo junio julio agosto septiembre octubre "
               "noviembre diciembre"),
    }[language].split()
    if language == "es":
        return f"{value.day} de {months[value.month - 1]} de {value.year}"
    return f"{value.day} {months[value.month - 1]} {value.year}"


# where a URL, e-mail address or DOI may break: after a slash (not inside "//") or before a
# dot; never at its hyphens or inside a word, so a reader and copied text get the address
URL_BREAKS = re.compile(r"(?<=/)(?=[^/])|(?=\.)")


def url(address: str) -> Markup:
    """An address as HTML that breaks only where URL_BREAKS allows: each piece between those
    points kept whole (`.url-part`, base.css), a <wbr> between them (WeasyPrint draws no
    glyph for it: extracted text has no character there)."""
    pieces = [piece for piece in URL_BREAKS.split(address) if piece]
    return Markup("<wbr>").join(Markup('<span class="url-part">{}</span>').format(piece)
                                for piece in pieces)


def percent(value: float) -> str:
    """55.4 -> '55.4%', 30.0 -> '30%'."""
    return f"{value:g}%"


@functools.lru_cache(maxsize=256)  # each location's URL is drawn on many documents
def qr_data_uri(url: str) -> str:
    """An SVG QR code (standard QR, never Micro QR) for the URL, as a data: URL the URL policy
    allows, with the 4-module quiet zone scanners need."""
    code = segno.make_qr(url, error="m")
    return str(code.svg_data_uri(scale=1, border=4, dark="#000000", light="#ffffff"))


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in this process's memory, never on disk: watch and serve make
    a new environment for every rebuild, and would compile every layout again (about 0.1 s of
    CPU a save). Keyed as Jinja keys its buckets: the template's name and file, and the SHA-1
    of its source, so an edited template is compiled again; only the newest code of each is
    kept. Jinja compiles a filter call by what the filter takes (context, environment), so
    the environment's filters and tests are part of the key too. Nothing is read from a file:
    marshalled code there could be anyone's (a restored out/.cache), and Jinja's own file
    cache unpickles it."""

    def __init__(self) -> None:
        self.code: dict[tuple[str, int], tuple[str, CodeType]] = {}  # -> (checksum, code)

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self.code.get(_bucket_key(bucket), ("", None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self.code[_bucket_key(bucket)] = (bucket.checksum, bucket.code)


def _bucket_key(bucket: Bucket) -> tuple[str, int]:
    """The template (Jinja's key) and the functions its environment compiles calls to."""
    env = bucket.environment
    return bucket.key, hash((tuple(sorted((name, id(f)) for name, f in env.filters.items())),
                             tuple(sorted((name, id(f)) for name, f in env.tests.items()))))


# every environment() compiles with the same options, so they may share compiled code
COMPILED = CompiledTemplates()


def environment(root: Path,
                filters: Mapping[str, Callable[..., Any]] | None = None) -> jinja2.Environment:
    """Jinja with autoescape and StrictUndefined always on; templates named from layouts/.
    `filters` adds the document kinds' own filters (the patient kinds' `tr`, `terms_in`)."""
    env = jinja2.Environment(
        loader=ProjectLoader(root),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=COMPILED,
    )
    env.filters["long_date"] = long_date
    env.filters["percent"] = percent
    env.filters["qr"] = qr_data_uri
    env.filters["url"] = url
    env.filters.update(filters or {})
    return env
