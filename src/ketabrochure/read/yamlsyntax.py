"""YAML syntax errors in a content editor's words: which line to fix, what is wrong, the fix.

The parser reports where it gave up, which is often lines after the mistake (an unclosed quote
is found at the end of the file) and in its own terms ("did not find expected key"). Here the
lines up to that point are read again, the way an editor writes them (`key: value`,
`- item`), for the mistakes people make: a tab, a quote left open or text after a closing
quote, a colon in unquoted text, a line indented more or less than its neighbours, a
character YAML reserves at the start of a text. Anything else keeps the parser's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `  - key: value`: the indentation and list dashes, a plain key, then the value as typed
_LINE = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)*)(?:(?P<key>[A-Za-z0-9_-]+):(?:[ ]+|$))?"
                   r"(?P<value>.*?)[ ]*$")
# typographic quotes around a whole plain value: meant as YAML quotes, which they are not
CURLY_PAIRS = frozenset({("“", "”"), ("„", "“"), ("„", "”"), ("”", "”"), ("‘", "’"),
                         ("‚", "‘"), ("’", "’"), ("«", "»"), ("»", "«")})
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*$")  # `key: >` folds the indented lines below it
_RESERVED = {  # a text may not start with these unquoted: what YAML takes each for
    "@": "YAML reserves it", "`": "YAML reserves it", "%": "YAML reads a directive",
    "*": "YAML reads an alias, a reference to an &anchor", "&": "YAML reads an anchor",
    "!": "YAML reads a tag", "[": "YAML reads a list", "{": "YAML reads a mapping",
    "?": "YAML reads a key", "|": "YAML reads a block of text on the lines below",
    ">": "YAML reads a block of text on the lines below",
}


@dataclass(frozen=True)
class Explained:
    line: int  # 1-based
    column: int
    message: str


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based
    text: str
    indent: int
    key: str | None
    value: str
    value_col: int  # 0-based column where the value starts
    key_col: int  # 0-based column of the key (after any `- `), else of the value


def _lines(text: str, last: int) -> list[_Line]:
    """The lines 1..last that hold YAML structure (not blank, comments or block-text lines)."""
    found: list[_Line] = []
    block_indent: int | None = None  # inside a `key: >` block: its key's indentation
    for number, raw in enumerate(text.split("\n")[:last], start=1):
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        if block_indent is not None and (not stripped or indent > block_indent):
            continue
        block_indent = None
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(raw)
        assert match is not None  # every group is optional
        value = match["value"]
        line = _Line(number, raw, indent, match["key"], value, match.start("value"),
                     match.end("lead"))
        if _BLOCK_SCALAR.match(value):
            block_indent = indent
        found.append(line)
    return found


def requoted(value: str) -> str:
    """A text as YAML reads it back unchanged: in double quotes, or single where it holds
    double quotes."""
    if '"' not in value:
        return '"' + value.replace("\\", "\\\\") + '"'
    return "'" + value.replace("'", "''") + "'"


def _closing(value: str) -> int | None:
    """Where the quote that opens a value closes (its index), None if not on this line."""
    quote, index = value[0], 1
    while index < len(value):
        char = value[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and value[index + 1:index + 2] == "'":  # '' is one apostrophe
                index += 2
                continue
            return index
        index += 1
    return None


def _quotes(line: _Line) -> Explained | None:
    """A quote (or a [ list) left open on its line, or text after the closing quote."""
    value = line.value
    if not value or value[0] not in "\"'[":
        return None
    at = line.value_col + 1
    if value[0] == "[":
        if "]" not in value:
            return Explained(line.number, at, "the list opened with '[' is not closed on this "
                             "line: add the ']' at its end (or, if this is text, put it in "
                             f"quotes: {requoted(value)})")
        return None
    quote = value[0]
    close = _closing(value)
    if close is None:
        return Explained(line.number, at, f"the text opens a quote ({quote}) that is not "
                         f"closed on this line: add the closing {quote} at the end of the text")
    rest = value[close + 1:].strip()
    if not rest or rest.startswith(("#", ":")):
        return None
    whole = value[1:-1] if len(value) > 1 and value[-1] == quote else value
    inside = ('a quote inside double-quoted text is written \\"' if quote == '"' else
              "an apostrophe inside single-quoted text is written twice ('')")
    key = f"{line.key}: " if line.key else ""
    return Explained(line.number, at + close + 1,
                     f"the text starts with a quote, so YAML takes only {value[:close + 1]} "
                     f"as the text and cannot read what follows; {inside}, or quote the whole "
                     f"text the other way: {key}{requoted(whole)}")


_FLOW_KEY = re.compile(r"[ ]*([A-Za-z0-9_-]+):[ ]+")  # `en: ` inside `{en: "...", es: "..."}`
_NEXT_KEY = re.compile(r",[ ]*[A-Za-z0-9_-]+:[ ]")  # `, es: ` where a quote should have closed


def _flow(line: _Line) -> Explained | None:
    """A quote left open inside `{en: "...", es: "..."}`: the fix is its closing quote (not
    quotes around the whole mapping, which would make it one text)."""
    value, at = line.value, 1
    if not value.startswith("{"):
        return None
    while at < len(value):
        key = _FLOW_KEY.match(value, at)
        if key is None or key.end() >= len(value) or value[key.end()] not in "\"'":
            return None  # not a quoted value: the other explanations apply
        start, quote = key.end(), value[key.end()]
        close = _closing(value[start:])
        col = line.value_col + start + 1
        inner = value[start + 1:start + close] if close is not None else value[start + 1:]
        slip = _NEXT_KEY.search(inner)
        if slip is not None:  # the next value's opening quote closed this one
            return Explained(line.number, col + 1 + slip.start(),
                             f"the quote ({quote}) opened for '{key[1]}:' is not closed before "
                             f"'{slip.group().strip()}': add a {quote} after "
                             f"{inner[:slip.start()]!r}")
        if close is None:
            end = "before the }" if value.endswith("}") else "and the } that ends the mapping"
            return Explained(line.number, col, f"the quote ({quote}) opened for '{key[1]}:' is "
                             f"not closed: add a {quote} at the end of its text, {end}")
        after = value[start + close + 1:]
        rest = after.lstrip(" ")
        if not rest.startswith((",", "}")):
            inside = ('a quote inside double-quoted text is written \\"' if quote == '"' else
                      "an apostrophe inside single-quoted text is written twice ('')")
            other = "'" if quote == '"' else '"'
            return Explained(line.number, col + close, f"the text of '{key[1]}:' ends at this "
                             f"{quote}, so YAML cannot read what follows: {inside}, or put "
                             f"that text in {other} quotes instead")
        at = start + close + 1 + len(after) - len(rest) + 1
    return None


def _tab(line: _Line) -> Explained | None:
    lead = line.text[:len(line.text) - len(line.text.lstrip(" \t"))]
    if "\t" in lead:
        return Explained(line.number, lead.index("\t") + 1,
                         "this line is indented with a tab; YAML indents with spaces only: "
                         "replace the tab with spaces, as many as the lines around it use")
    return None


def _ancestors(lines: list[_Line]) -> list[int]:
    """The indentations a line after `lines` may line up with: each enclosing level (a list
    item's key, `- en: x`, is a level of its own)."""
    levels: list[int] = []
    for line in reversed(lines):
        if not levels or line.indent < min(levels):
            levels += [line.indent, line.key_col]
    return sorted(set(levels))


def _spaces(count: int) -> str:
    return f"{count} space{'s' if count != 1 else ''}"


def _either(counts: list[int]) -> str:
    """`0, 2 or 4 spaces`"""
    shown = [str(c) for c in counts]
    words = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    return f"{words} space{'s' if shown != ['1'] else ''}"


def _at_problem(lines: list[_Line], problem_col: int) -> Explained | None:
    """What is wrong on the line the parser stopped at (the last of `lines`)."""
    line, above = lines[-1], lines[:-1]
    value = line.value
    if value[:1] in _RESERVED and not (value[:1] in "[{" and value.endswith(("]", "}"))):
        char = value[0]
        return Explained(line.number, line.value_col + 1,
                         f"a text may not start with '{char}' unless it is in quotes "
                         f"({_RESERVED[char]}): put the whole text in quotes: "
                         f"{line.key + ': ' if line.key else ''}{requoted(value)}")
    previous = above[-1] if above else None
    if line.key is not None and previous is not None and line.indent > previous.key_col \
            and previous.value and not _BLOCK_SCALAR.match(previous.value):
        return Explained(line.number, 1,
                         f"this line is indented more ({_spaces(line.indent)}) than the line "
                         f"above ({_spaces(previous.key_col)}), so YAML reads it as more of "
                         f"that line's text: line '{line.key}:' up with "
                         f"'{previous.key + ':' if previous.key else previous.value}' above")
    if re.search(r":( |$)", value):
        return Explained(line.number, line.value_col + 1,
                         "a colon followed by a space inside unquoted text reads as a new "
                         f"key: put the whole text in quotes: {line.key + ': ' if line.key else ''}"
                         f"{requoted(value)}")
    levels = _ancestors(above)
    if above and line.indent not in levels and problem_col <= line.indent + 1:
        return Explained(line.number, 1,
                         f"this line is indented by {_spaces(line.indent)}, which lines up "
                         f"with no line above it (those are at {_either(levels)}): indent it "
                         "like the key or list item it stands beside")
    return None


def explain(text: str, problem: str, context: str | None,
            problem_at: tuple[int, int]) -> Explained:
    """The mistake behind a syntax error the parser stopped at `problem_at` (line, column,
    1-based), with its fix; the parser's own words when it is none of the common ones."""
    line_no, col = problem_at
    lines = _lines(text, line_no)
    for line in lines:  # a mistake above the line the parser stopped at comes first
        found = _tab(line) or _quotes(line) or _flow(line)
        if found is not None:
            return found
    all_lines = text.split("\n")
    raw = all_lines[line_no - 1] if line_no - 1 < len(all_lines) else ""
    if raw[col - 1:col] == "\t":
        return Explained(line_no, col, "a tab character stands here, where YAML cannot read "
                         "one: replace it with a space")
    if "unknown escape" in problem:
        return Explained(line_no, col, "a backslash (\\) in double-quoted text starts an "
                         'escape such as \\" or \\\\: write \\\\ for a backslash, or put the '
                         "text in single quotes")
    if lines and lines[-1].number == line_no:
        found = _at_problem(lines, col)
        if found is not None:
            return found
    where = f" ({context})" if context else ""
    return Explained(line_no, col, f"cannot read this line ({problem}{where}); look for a "
                     "missing quote, a colon in unquoted text or a line indented unlike its "
                     "neighbours, here or on the line above")
