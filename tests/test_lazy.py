"""A module put off (lazy.lazy_module) is imported by an ordinary import on first use: an
import interrupted part-way leaves nothing half-run behind."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketabrochure.lazy import lazy_module

HALF = """\
import os
FIRST = 1
if os.path.exists(os.path.join(os.path.dirname(__file__), "interrupt")):
    raise KeyboardInterrupt  # as Ctrl-C or SIGTERM part-way through the import
SECOND = 2
"""


@pytest.fixture
def half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "kb_half.py").write_text(HALF)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("kb_half", None)


@pytest.mark.usefixtures("half")
def test_nothing_is_imported_before_first_use() -> None:
    deferred = lazy_module("kb_half")
    assert "kb_half" not in sys.modules
    assert deferred.SECOND == 2
    assert sys.modules["kb_half"].FIRST == 1


def test_an_interrupted_import_leaves_no_half_run_module(half: Path) -> None:
    deferred = lazy_module("kb_half")
    (half / "interrupt").touch()
    with pytest.raises(KeyboardInterrupt):
        deferred.SECOND  # noqa: B018 - reading it is the import
    assert "kb_half" not in sys.modules
    (half / "interrupt").unlink()
    from kb_half import SECOND  # type: ignore[import-not-found]  # (was an ImportError)
    assert SECOND == 2 and deferred.FIRST == 1


def test_a_missing_module_is_an_error_at_once(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModuleNotFoundError):
        lazy_module("kb_no_such_module")
    (tmp_path / "kb_package").mkdir()
    (tmp_path / "kb_package" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    for missing in ("kb_package.nothing", "kb_package.nothing.deeper", "kb_no_such.module"):
        with pytest.raises(ModuleNotFoundError):
            lazy_module(missing)
    assert "kb_package" not in sys.modules


def test_a_module_in_a_package_leaves_the_package_unimported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding where the module is must not import the package (`list` would load
    ketabrochure.typeset for the build's worker pool)."""
    package = tmp_path / "kb_outer" / "inner"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("LOADED = True\n")
    (package / "__init__.py").write_text("")
    (package / "leaf.py").write_text("VALUE = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        leaf = lazy_module("kb_outer.inner.leaf")
        assert not {"kb_outer", "kb_outer.inner", "kb_outer.inner.leaf"} & set(sys.modules)
        assert leaf.VALUE == 3 and sys.modules["kb_outer"].LOADED
    finally:
        for name in ("kb_outer", "kb_outer.inner", "kb_outer.inner.leaf"):
            sys.modules.pop(name, None)


@pytest.mark.usefixtures("half")
def test_kept_attributes_are_read_once_then_stay_on_the_stand_in() -> None:
    kept, plain = lazy_module("kb_half", keep=True), lazy_module("kb_half")
    assert "SECOND" not in vars(kept)
    assert kept.SECOND == 2 and plain.SECOND == 2
    assert vars(kept)["SECOND"] == 2  # a hot loop's next read skips __getattr__
    assert "SECOND" not in vars(plain)  # a plain stand-in reads the module every time
    setattr(sys.modules["kb_half"], "SECOND", 3)  # noqa: B010 - mypy knows no such module
    assert plain.SECOND == 3 and kept.SECOND == 2
