"""One way to make an HTML page: a template of this package's `templates/` folder, autoescaped
(every value is escaped unless it is markupsafe.Markup, as the charts' SVG is)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2

from ..layouts import long_date
from ..patient.text import FILTERS


@cache
def environment() -> jinja2.Environment:
    """The package's templates, autoescaped; undefined names fail loudly (our bug, not the
    content's). The patient filters (`tr`) fill patient texts as the PDFs do."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("ketabrochure.site", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FILTERS, long_date=long_date)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(context)


def asset(name: str) -> bytes:
    """A static file of the templates folder (a stylesheet)."""
    return resources.files("ketabrochure.site").joinpath("templates", name).read_bytes()
