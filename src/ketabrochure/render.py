"""Stage 4: one document -> HTML text. Pure: reads templates, writes nothing."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2

from . import model as m
from .diagnostics import Diagnostics, Location


def common_context(project: m.Project, document: m.Document) -> dict[str, Any]:
    """What every template gets besides its kind's own context; `review` is the sign-off that
    covers the document (None: nobody signed it), and `reviewed_on` its date."""
    review = project.signoffs.get(document.signed_name)
    return {"clinic": project.clinic, "edition": project.edition, "paper": document.paper,
            "lang": document.language, "variant": document.variant, "document": document,
            "location": m.contact(project.clinic, document.location), "review": review,
            "reviewed_on": review.on if review else None}


def render(env: jinja2.Environment, document: m.Document, context: dict[str, Any],
           diags: Diagnostics) -> str | None:
    """Fill the layout's template; a template error is located in the template file."""
    try:
        template = env.get_template(document.layout.template)
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = Location(f"layouts/{exc.name or document.layout.template}", exc.lineno or 1)
        diags.error(where, "layout.syntax", document.label, exc.message or "template syntax error")
    except jinja2.TemplateNotFound as exc:
        diags.error(document.layout.loc, "layout.missing-file", document.label,
                    f"template {exc.name} not found")
    except Exception as exc:  # noqa: BLE001 - any template runtime error is the layout's bug
        diags.error(_template_location(exc, document), "layout.render", document.label,
                    f"{type(exc).__name__}: {exc}")
    return None


def _template_location(exc: Exception, document: m.Document) -> Location:
    """The innermost template line in the traceback (Jinja keeps template file names there)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".html")):
            path = Path(frame.filename)
            return Location(f"layouts/{path.parent.name}/{path.name}", frame.lineno or 1)
    return document.layout.loc
