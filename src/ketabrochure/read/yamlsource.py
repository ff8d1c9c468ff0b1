"""Safe YAML loading that keeps the line and column of every key and value, within bounds.

Content is data and never a way in. A file is read only when it lies inside the project once
every symlink is followed, and only when it is a regular file of bounded size (`contentfile`).
Its YAML is built from the parser's events here rather than by PyYAML's composer, so nothing grows
without bound: aliases may not expand a file past MAX_NODES values (the "billion laughs"
bomb), an alias may not stand for the list or mapping that holds it, and nothing may nest more
than MAX_DEPTH levels deep (libyaml's own composer recurses in C and crashes on deep nesting;
its scanner slows quadratically with depth, so a file nested too deep is read no further).
Each refusal is one located error, never an exception.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..diagnostics import Diagnostic, Diagnostics, Location
from .contentfile import read_bytes, yaml_text
from .yamlsyntax import CURLY_PAIRS, explain

MAX_NODES = 20_000  # values in one file, an alias counted as all it stands for (content: < 300)
MAX_DEPTH = 100  # lists and mappings inside one another (the content needs about six)
# characters of text in one file with every alias written out: an alias of a long text counts
# its whole length (no file holds more than 1,000,000 bytes written out; content: < 20,000)
MAX_TEXT = 1_000_000


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


class _Mark(Protocol):
    line: int
    column: int


def _location(path: str, mark: _Mark | None) -> Location:
    if mark is None:
        return Location(path)
    return Location(path, mark.line + 1, mark.column + 1)


def _short(value: object, width: int = 40) -> str:
    """A value as quoted in a message: its repr, cut to `width` characters."""
    text = repr(value)
    return text if len(text) <= width else f"{text[:width - 3]}..."


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return _short(value)


_STR = "tag:yaml.org,2002:str"
_CUT = re.compile(r"[ \t]+(#\S.*?)[ \t]*$")  # `text #1 pill`: a comment cut the text short
# libyaml's safe loader when PyYAML has it: same events and marks, several times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Abort(Exception):
    """A limit was reached: the rest of the file is not read (the error is already recorded)."""


@dataclass
class _Open:
    """A list or mapping being read, with what its values add up to so far."""

    node: Node
    anchor: str | None
    size: int = 1  # values it stands for, itself included (an alias counts in full)
    height: int = 1  # levels of lists and mappings, itself included
    chars: int = 0  # characters of text it stands for (an alias counts in full)
    key: str | None = None  # a mapping's key waiting for its value (None: a refused key)
    key_loc: Location | None = None
    wants_key: bool = True


class _Composer:
    """Builds Nodes from the parser's events, counting values and levels as it goes."""

    def __init__(self, path: str, diags: Diagnostics) -> None:
        self.path = path
        self.diags = diags
        self.stack: list[_Open] = []
        # name -> node, size, height, characters
        self.anchors: dict[str, tuple[Node, int, int, int]] = {}
        self.anchor_lines: dict[str, int] = {}
        self.open_anchors: set[str] = set()
        self.total = 0
        self.chars = 0  # characters of text, aliases written out
        self.root: Node | None = None
        self.refused = False  # an error that makes the whole file unusable
        self.lines: list[str] = []

    def error(self, loc: Location, code: str, where: str, message: str) -> None:
        self.diags.error(loc, code, where, message)
        self.refused = True

    def compose(self, text: str) -> Node | None:
        self.lines = text.split("\n")
        loader = SAFE_LOADER(text)
        try:
            self._events(loader)
        except _Abort:
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if mark is None:
                self.diags.error(Location(self.path), "yaml.syntax", "YAML",
                                 f"YAML cannot read this file: {exc.problem or exc}")
                return None
            said = explain(text, exc.problem or "syntax error", exc.context,
                           (mark.line + 1, mark.column + 1))
            self.diags.error(Location(self.path, said.line, said.column), "yaml.syntax",
                             "YAML", said.message)
            return None
        except yaml.YAMLError as exc:  # the reader's (bad characters are refused before)
            position = getattr(exc, "position", None)
            loc = Location(self.path)
            if isinstance(position, int) and 0 <= position <= len(text):
                line_start = text.rfind("\n", 0, position) + 1
                loc = Location(self.path, text.count("\n", 0, position) + 1,
                               position - line_start + 1)
            self.diags.error(loc, "yaml.syntax", "YAML", " ".join(str(exc).split()))
            return None
        finally:
            loader.dispose()
        if self.refused:
            return None
        return self.root if self.root is not None else Node({}, Location(self.path))

    def _events(self, loader: Any) -> None:
        documents = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.diags.error(_location(self.path, event.start_mark), "yaml.syntax",
                                     "YAML", "a content file holds one YAML document; this is "
                                     "a second one (remove the '---' line or split the file)")
                    raise _Abort
            elif isinstance(event, yaml.ScalarEvent):
                self.scalar(loader, event)
            elif isinstance(event, yaml.AliasEvent):
                self.alias(event)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self.start(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                self.end()

    # -- values ----------------------------------------------------------------------------
    def count(self, values: int, loc: Location, chars: int = 0) -> None:
        self.total += values
        self.chars += chars
        if self.chars > MAX_TEXT:
            self.diags.error(loc, "yaml.too-large", "YAML",
                             f"the file's text, every alias written out in full, is more than "
                             f"{MAX_TEXT:,} characters here; content files are far smaller "
                             "(an alias of a long text repeats all of it: write it once)")
            raise _Abort
        if self.total > MAX_NODES:
            self.diags.error(loc, "yaml.too-large", "YAML",
                             f"the file holds more than {MAX_NODES:,} values; content files "
                             "are far smaller (split it, or is it generated?)")
            raise _Abort

    def anchor(self, name: str | None, loc: Location) -> None:
        if name is None:
            return
        if name in self.anchor_lines:
            self.error(loc, "yaml.syntax", f"&{name}",
                       f"the anchor is defined twice (first at line {self.anchor_lines[name]})")
        self.anchor_lines[name] = loc.line

    def scalar(self, loader: Any, event: yaml.ScalarEvent) -> None:
        loc = _location(self.path, event.start_mark)
        chars = len(event.value)
        self.count(1, loc, chars)
        self.anchor(event.anchor, loc)
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = Node(self.construct(loader, tag, event, loc), loc)
        if not event.style and isinstance(node.value, str):  # plain: None, or "" from libyaml
            self.cut_by_comment(event, node.value)
            self.curly_quoted(node)
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, 1, 0, chars)
        self.place(node, 1, 0, chars)

    def construct(self, loader: Any, tag: str, event: yaml.ScalarEvent, loc: Location) -> Any:
        """The scalar's value (a date, a number, text...); its text if it is not valid."""
        if tag == _STR:  # most values: text is the scalar itself
            return event.value
        kind = tag.rpartition(":")[2] or tag
        if tag == "tag:yaml.org,2002:merge":
            self.diags.error(loc, "yaml.value", "<<",
                             "merge keys are not supported; write the keys out")
            return event.value
        try:
            node = yaml.ScalarNode(tag, event.value, None, None, event.style)  # located: loc
            return loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:  # an unknown tag (!!python/object), bad !!binary
            self.diags.error(loc, "yaml.value", _short(event.value),
                             exc.problem or f"not a valid {kind}")
        except ValueError as exc:  # e.g. the date 2026-13-01
            self.diags.error(loc, "yaml.value", _short(event.value), f"not a valid value: {exc}")
        except (KeyError, AttributeError, IndexError, TypeError, OverflowError):
            # PyYAML's constructors fail this way on e.g. `!!bool maybe`, `!!timestamp x`
            self.diags.error(loc, "yaml.value", _short(event.value), f"not a valid {kind}")
        finally:
            loader.constructed_objects.clear()  # each scalar is built once: keep nothing
        return event.value

    def curly_quoted(self, node: Node) -> None:
        """Typographic quotes around a whole value are no YAML quotes: the text would be
        printed with them (a word processor turns " into them as you type)."""
        text = node.value
        if len(text) > 1 and (text[0], text[-1]) in CURLY_PAIRS:
            self.diags.error(node.loc, "yaml.curly-quote", _short(text),
                             f"{text[0]} and {text[-1]} are typographic quotes, not YAML quotes, "
                             "so they would be printed: type them as straight quotes (\") (to "
                             "print curly quotes, put the whole text inside straight ones: "
                             f'"{text[0]}...{text[-1]}")')

    def cut_by_comment(self, event: yaml.ScalarEvent, value: str) -> None:
        """Warn when unquoted text runs into ` #1`: YAML takes the rest of the line for a
        comment, so it is silently not printed (a comment proper, `# ...`, has a space)."""
        end = event.end_mark
        if end is None:
            return
        line = self.lines[end.line] if end.line < len(self.lines) else ""
        match = _CUT.match(line, end.column)
        if match is not None:
            self.diags.warning(_location(self.path, event.start_mark), "yaml.comment",
                               "YAML", f"the text {_short(value)} stops before '{match[1]}': "
                               "YAML reads a ' #' and what follows as a comment, not printed; "
                               "if the # belongs to the text, put the whole text in quotes")

    def alias(self, event: yaml.AliasEvent) -> None:
        loc = _location(self.path, event.start_mark)
        name = event.anchor
        if name in self.open_anchors:
            self.error(loc, "yaml.alias", f"*{name}",
                       f"refers to the list or mapping that contains it (&{name} at line "
                       f"{self.anchor_lines[name]}): a recursive alias")
        elif name not in self.anchors:
            self.error(loc, "yaml.alias", f"*{name}", f"no anchor &{name} comes before it")
        else:
            node, size, height, chars = self.anchors[name]
            if self.total + size > MAX_NODES:
                self.diags.error(loc, "yaml.alias-bomb", f"*{name}",
                                 f"stands for {size:,} values (&{name} at line "
                                 f"{self.anchor_lines[name]}), past the {MAX_NODES:,} a file "
                                 "may hold: an alias bomb? write the values out instead")
                raise _Abort
            if len(self.stack) + height > MAX_DEPTH:
                self.too_deep(loc)
            self.count(size, loc, chars)
            self.place(node, size, height, chars)  # shared, not copied: nothing edits a Node
            return
        self.count(1, loc)
        self.place(Node(None, loc), 1, 0)

    def start(self, event: yaml.SequenceStartEvent | yaml.MappingStartEvent) -> None:
        loc = _location(self.path, event.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            self.too_deep(loc)
        self.count(1, loc)
        self.anchor(event.anchor, loc)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        empty: list[Node] | dict[str, Node] = (
            [] if isinstance(event, yaml.SequenceStartEvent) else {})
        self.stack.append(_Open(Node(empty, loc), event.anchor))

    def too_deep(self, loc: Location) -> None:
        self.diags.error(loc, "yaml.too-deep", "YAML",
                         f"lists and mappings nest more than {MAX_DEPTH} levels deep here; "
                         "content needs only a few (the rest of the file was not read)")
        raise _Abort

    def end(self) -> None:
        done = self.stack.pop()
        if done.anchor is not None:
            self.open_anchors.discard(done.anchor)
            self.anchors[done.anchor] = (done.node, done.size, done.height, done.chars)
        self.place(done.node, done.size, done.height, done.chars)

    def place(self, node: Node, size: int, height: int, chars: int = 0) -> None:
        """Put a finished value where it belongs: the root, a list item, a key or a value."""
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        parent.size += size
        parent.chars += chars
        parent.height = max(parent.height, height + 1)
        if isinstance(parent.node.value, list):
            parent.node.value.append(node)
        elif parent.wants_key:
            parent.wants_key = False
            parent.key, parent.key_loc = self.key(node, parent.node), node.loc
        else:
            parent.wants_key = True
            if parent.key is not None and parent.key_loc is not None:
                parent.node.value[parent.key] = node
                parent.node.key_locs[parent.key] = parent.key_loc

    def key(self, node: Node, mapping: Node) -> str | None:
        """A mapping key: text, and not twice in one mapping (None: refused, value dropped)."""
        if not isinstance(node.value, str):
            self.diags.error(node.loc, "yaml.key", "key",
                             f"keys must be text; got {_kind(node.value)}")
            return None
        if node.value in mapping.value:
            first = mapping.key_locs[node.value]
            self.diags.error(node.loc, "yaml.duplicate-key", node.value,
                             f"appears twice (first at line {first.line})")
            return None
        return node.value


def load(path: Path, shown_as: str, diags: Diagnostics, root: Path | None = None) -> Node | None:
    """Read one YAML file safely; on any problem record it and return None.

    `shown_as` is the path relative to the project root (as diagnostics.relative gives it);
    the file must lie inside `root`, which is found from `shown_as` when not given."""
    return load_counted(path, shown_as, diags, root)[0]


def load_counted(path: Path, shown_as: str, diags: Diagnostics,
                 root: Path | None = None) -> tuple[Node | None, int]:
    """`load`, and the characters of text the file stands for (aliases written out)."""
    data = read_bytes(path, shown_as, diags, root)
    if data is None:
        return None, 0
    text = yaml_text(data, shown_as, diags)
    if text is None:
        return None, len(data)
    return _compose(shown_as, text, diags)


# Files composed before, by the name shown, the text and the bounds: watch and serve rebuild,
# and a test process loads, the same unchanged files again and again. Nothing changes a Node
# once composed (readers only read it), so one is shared, with the diagnostics composing it
# reported. Only content-sized texts are kept, at most MEMO_CHARS of them, the oldest dropped.
MEMO_FILE, MEMO_CHARS = 100_000, 1_000_000  # (the default content: 119,000 chars, 1.7 MB)
_memo: dict[tuple[str, str, int, int, int], tuple[Node | None, int, tuple[Diagnostic, ...]]] = {}
_memo_lock = threading.Lock()


def _compose(shown_as: str, text: str, diags: Diagnostics) -> tuple[Node | None, int]:
    key = (shown_as, text, MAX_NODES, MAX_DEPTH, MAX_TEXT)
    with _memo_lock:
        found = _memo.get(key)
    if found is None:
        own = Diagnostics()
        composer = _Composer(shown_as, own)
        found = (composer.compose(text), composer.chars, tuple(own.items))
        if len(text) <= MEMO_FILE:
            with _memo_lock:
                _memo[key] = found
                while sum(len(k[1]) for k in _memo) > MEMO_CHARS:
                    del _memo[next(iter(_memo))]
    diags.items.extend(found[2])
    return found[0], found[1]
