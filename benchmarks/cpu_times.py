"""A pytest plugin for benchmarks/suite.py: the CPU time (user and system) of every test and of
every session- and module-scoped fixture, appended as JSON lines to the file named by
$KETABROCHURE_CPU_LOG (each pytest-xdist worker appends its own lines).

A test's figure covers its setup, call and teardown in its worker process and in the processes
the worker waited for meanwhile; a shared fixture's figure is its own setup only (the fixtures
it needs are set up, and counted, before it), so a session build is counted once, apart from
the first test that asked for it.
"""

from __future__ import annotations

import json
import os
import resource
from collections.abc import Generator
from typing import Any

import pytest

LOG = os.environ.get("KETABROCHURE_CPU_LOG", "")


def _cpu() -> float:
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _write(record: dict[str, Any]) -> None:
    if LOG:
        with open(LOG, "a") as handle:  # one short line per write: appends do not interleave
            handle.write(json.dumps(record) + "\n")


_fixtures: dict[str, float] = {}  # CPU of shared fixtures set up during the running test


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any],
                         request: pytest.FixtureRequest) -> Generator[None, None, None]:
    started = _cpu()
    yield
    if fixturedef.scope in ("session", "module", "package"):
        used = _cpu() - started
        key = f"{fixturedef.scope} fixture {fixturedef.argname} ({request.node.nodeid})"
        _fixtures[key] = _fixtures.get(key, 0.0) + used


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    _fixtures.clear()
    started = _cpu()
    yield
    used = _cpu() - started
    shared = sum(_fixtures.values())
    for name, seconds in _fixtures.items():
        _write({"name": name, "cpu": round(seconds, 3), "kind": "fixture"})
    _write({"name": item.nodeid, "cpu": round(used - shared, 3), "kind": "test",
            "worker": os.environ.get("PYTEST_XDIST_WORKER", "")})
