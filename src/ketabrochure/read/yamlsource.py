"""Safe YAML loading that keeps the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostics, Location

MAX_BYTES = 1_000_000  # a content file larger than this is refused


@dataclass
class Node:
    """A YAML value with its location; mappings keep where each key stands."""

    value: Any  # scalar, list[Node] or dict[str, Node]
    loc: Location
    key_locs: dict[str, Location] = field(default_factory=dict)

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


def _location(path: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(path)
    return Location(path, mark.line + 1, mark.column + 1)


class _Converter:
    def __init__(self, path: str, diags: Diagnostics) -> None:
        self.path = path
        self.diags = diags
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node) -> Node:
        loc = _location(self.path, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return Node([self.convert(item) for item in node.value], loc)
        try:
            return Node(self.constructor.construct_object(node, deep=True), loc)
        except ValueError as exc:  # e.g. the date 2026-13-01
            self.diags.error(loc, "yaml.value", repr(node.value), f"not a valid value: {exc}")
            return Node(node.value, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Location) -> Node:
        result = Node({}, loc)
        for key_node, value_node in node.value:
            key_loc = _location(self.path, key_node.start_mark)
            key = self.constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self.diags.error(key_loc, "yaml.key", f"key {key!r}", "keys must be text")
                continue
            if key in result.value:
                first = result.key_locs[key]
                self.diags.error(key_loc, "yaml.duplicate-key", key,
                                 f"appears twice (first at line {first.line})")
                continue
            result.value[key] = self.convert(value_node)
            result.key_locs[key] = key_loc
        return result


# libyaml's safe loader when PyYAML has it: same nodes and marks, several times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(path: Path, shown_as: str, diags: Diagnostics) -> Node | None:
    """Read one YAML file safely; on any problem record it and return None."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.error(Location(shown_as), "yaml.read", shown_as, f"cannot read: {exc.strerror}")
        return None
    if len(data) > MAX_BYTES:
        diags.error(Location(shown_as), "yaml.too-large", shown_as,
                    f"is {len(data):,} bytes; content files may be at most {MAX_BYTES:,}")
        return None
    try:
        text = data.decode("utf-8")
        composed = yaml.compose(text, Loader=SAFE_LOADER)
    except UnicodeDecodeError as exc:
        diags.error(Location(shown_as), "yaml.encoding", shown_as,
                    f"is not UTF-8 text (byte {exc.start})")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        context = f" ({exc.context})" if exc.context else ""
        diags.error(_location(shown_as, mark), "yaml.syntax", "YAML", f"{problem}{context}")
        return None
    except yaml.YAMLError as exc:
        diags.error(Location(shown_as), "yaml.syntax", "YAML", str(exc))
        return None
    if composed is None:
        return Node({}, Location(shown_as))
    try:
        return _Converter(shown_as, diags).convert(composed)
    except yaml.MarkedYAMLError as exc:
        diags.error(_location(shown_as, exc.problem_mark), "yaml.value", "YAML",
                    exc.problem or "invalid value")
        return None
