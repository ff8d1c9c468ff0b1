"""ketabrochure: ketamine-therapy research kept as YAML -> print-ready PDFs via WeasyPrint."""

from .build import find_root, run
from .diagnostics import Diagnostic, Diagnostics, Location

__all__ = ["Diagnostic", "Diagnostics", "Location", "find_root", "run"]
__version__ = "0.1.0"
