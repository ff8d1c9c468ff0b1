"""Discover layouts (one folder each under layouts/) and build the Jinja environment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .diagnostics import Diagnostics, Location, relative
from .fields import Fields
from .qr import qr_data_uri
from .yamlsource import load


@dataclass(frozen=True)
class Layout:
    name: str
    folder: Path
    template: str  # relative to layouts/, e.g. "evidence-sheet/sheet.html.j2"
    subjects: str  # what a document's subject is: an id of this content kind
    audience: str  # physician | patient
    loc: Location
    per_location: bool = False  # one document per clinic location (default: patient layouts)


def discover(root: Path, subject_kinds: tuple[str, ...], diags: Diagnostics) -> dict[str, Layout]:
    """Every folder of layouts/ with a layout.yaml; folders starting with _ hold shared parts."""
    found: dict[str, Layout] = {}
    for folder in sorted((root / "layouts").iterdir()):
        if not folder.is_dir() or folder.name.startswith("_"):
            continue
        shown = relative(folder / "layout.yaml", root)
        node = load(folder / "layout.yaml", shown, diags)
        if node is None:
            continue
        f = Fields(node, "", diags, ("template", "subjects", "audience", "per_location"))
        template = f.text("template") if f.ok else None
        subjects = f.choice("subjects", subject_kinds) if f.ok else None
        audience = f.choice("audience", ("physician", "patient")) if f.ok else None
        if template and not (folder / template).is_file():
            f.error(f.loc("template"), f"no file {folder.name}/{template}",
                    code="layout.missing-file", where="template")
            template = None
        if template and subjects and audience:
            found[folder.name] = Layout(folder.name, folder, f"{folder.name}/{template}",
                                        subjects, audience, Location(shown),
                                        f.boolean("per_location", audience == "patient"))
    return found


def long_date(value: dt.date, language: str = "en") -> str:
    """27 November 2026 (day first, month spelled out: unambiguous in every country)."""
    months = {
        "en": ("January February March April May June July August September October "
               "November December"),
        "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    }[language].split()
    return f"{value.day} {months[value.month - 1]} {value.year}"


def percent(value: float) -> str:
    """55.4 -> '55.4%', 30.0 -> '30%'."""
    return f"{value:g}%"


def environment(root: Path) -> jinja2.Environment:
    """Jinja with autoescape and StrictUndefined always on; templates named from layouts/."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root / "layouts"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["percent"] = percent
    env.filters["qr"] = qr_data_uri
    from .patient_render import FILTERS  # late: patient_render imports render, which imports us
    env.filters.update(FILTERS)
    return env
