"""Heavy libraries imported on first use, not at start-up: a build whose documents all come
from the cache never pays for them."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any


class _Deferred(ModuleType):
    """Stands in for a module until an attribute is read; then each read is the real
    module's, imported by an ordinary import.

    Not importlib.util.LazyLoader: it puts the module in sys.modules before running it, so
    an import interrupted part-way (Ctrl-C, SIGTERM) left a half-run module there, and on
    CPython 3.11 `from ketabrochure.kinds import FILTERS` then turned the interrupt into an
    ImportError. An ordinary import removes a module that failed to run."""

    _keep = False  # keep each attribute read on the stand-in (see lazy_module)

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        module = sys.modules.get(name) or importlib.import_module(name)
        value = getattr(module, attr)
        if self._keep:  # the next read finds it here, without this method
            setattr(self, attr, value)
        return value


def lazy_module(name: str, keep: bool = False) -> ModuleType:
    """The module `name`, imported when one of its attributes is first read (a module that
    does not exist is an error now, not then). `keep`: each attribute, once read, stays on
    the stand-in, for a library read in hot loops (the tag repair reads `pikepdf.Dictionary`
    over a million times a build); not for a module whose attributes a test replaces."""
    if name in sys.modules:
        return sys.modules[name]
    if _spec(name) is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    deferred = _Deferred(name)
    deferred._keep = keep
    return deferred


def _spec(name: str) -> ModuleSpec | None:
    """Where `name` would be imported from, without importing it or a package above it that
    is not imported yet (importlib.util.find_spec imports the package: a lazy
    `ketabrochure.typeset.pool` would load `ketabrochure.typeset`)."""
    if name in sys.modules:
        return sys.modules[name].__spec__
    outer, _, _ = name.rpartition(".")
    if not outer:
        return importlib.util.find_spec(name)
    package = _spec(outer)
    if package is None or package.submodule_search_locations is None:
        return None
    return PathFinder.find_spec(name, list(package.submodule_search_locations))
