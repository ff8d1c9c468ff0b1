"""ketabrochure: ketamine-therapy research kept as YAML -> print-ready PDFs via WeasyPrint.

The public API, resolved lazily so that importing a submodule (say `ketabrochure.diagnostics`)
does not load Jinja, fontTools or the pipeline:

- `run(root, names, write, options)`: check (write=False) or build (write=True); `check(root)`.
- `packet(root, recipient)`: one referral packet into out/.
- `Options`, `Result`, `find_root`, `UsageError`; `Diagnostic`, `Diagnostics`, `Location`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "run": "ketabrochure.build.run", "check": "ketabrochure.build.run",
    "packet": "ketabrochure.build.run", "Options": "ketabrochure.build.run",
    "Result": "ketabrochure.build.run", "find_root": "ketabrochure.build.run",
    "UsageError": "ketabrochure.diagnostics", "Diagnostic": "ketabrochure.diagnostics",
    "Diagnostics": "ketabrochure.diagnostics", "Location": "ketabrochure.diagnostics",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'ketabrochure' has no attribute {name!r}")
