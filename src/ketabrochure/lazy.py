"""Heavy libraries imported on first use, not at start-up: a build whose documents all come
from the cache never pays for them."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


class _Deferred(ModuleType):
    """Stands in for a module until an attribute is read; then each read is the real
    module's, imported by an ordinary import.

    Not importlib.util.LazyLoader: it puts the module in sys.modules before running it, so
    an import interrupted part-way (Ctrl-C, SIGTERM) left a half-run module there, and on
    CPython 3.11 `from ketabrochure.kinds import FILTERS` then turned the interrupt into an
    ImportError. An ordinary import removes a module that failed to run."""

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        module = sys.modules.get(name) or importlib.import_module(name)
        return getattr(module, attr)


def lazy_module(name: str) -> ModuleType:
    """The module `name`, imported when one of its attributes is first read (a module that
    does not exist is an error now, not then)."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    return _Deferred(name)
