"""Typed, located reading of YAML mappings: every problem becomes a diagnostic, never an
exception."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from ..diagnostics import Diagnostics, Location
from .yamlsource import Node
from .yamlsyntax import CURLY_PAIRS, requoted

T = TypeVar("T")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # ids: file names, recipients, locations
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{1,9}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
TODO_RE = re.compile(r"^\s*TODO\b")  # a placeholder (`ketabrochure new`); not Spanish "TODOS"

_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping", dt.date: "a date", type(None): "empty"}


def describe(value: object, expected: str | None = None) -> str:
    """How a value reads to a content editor: `a number (12)`, `a list`, ...; given what was
    `expected`, with the typing slip that most likely made it something else."""
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    if isinstance(value, str | int | float | bool | dt.date):
        shown = f"{kind} ({value!r})" if not isinstance(value, str) else f"text ({value!r})"
    else:
        shown = kind
    return shown + _slip(value, expected)


def _slip(value: object, expected: str | None) -> str:
    """`: <what YAML made of it, and the fix>` for the slips that change a value's type."""
    if expected == "text" and isinstance(value, dict) and len(value) == 1:
        key, node = next(iter(value.items()))
        rest = getattr(node, "value", node)
        if rest is None or isinstance(rest, str | int | float):
            typed = f"{key}: {rest}" if rest is not None else f"{key}:"
            return (f": YAML reads '{typed}' as the key '{key}' and its value, because of the "
                    f"colon; put the whole text in quotes: {requoted(typed)}")
    if isinstance(value, str) and expected is not None:
        if expected.startswith("a mapping") and re.match(r"^[A-Za-z_][\w-]*:\S", value):
            key = value.split(":", 1)[0]
            return f": a space is missing after '{key}:'"
        if expected == "a list" and value.startswith("-"):
            return ": each list item goes on its own line and needs a space after its '-'"
    return ""


def stray_quote(value: str) -> str | None:
    """Why a text's quote marks look like a YAML slip, printed as typed (else None): a quote
    YAML did not take as quoting, because the other one is missing."""
    fix = "add the other one, or delete it"
    if len(value) > 1 and (value[0], value[-1]) in CURLY_PAIRS:
        return None  # typed as YAML quotes: an error of its own (yaml.curly-quote)
    if value.count('"') % 2:
        if value.endswith('"'):
            return ('ends with a " that no quote opens, so it is printed: put a " at the start '
                    "too (then YAML reads the whole text as quoted), or delete it")
        return f'has a " without its partner, so it is printed as typed: {fix}'
    for opening, closing in (("“", "”"), ("«", "»")):
        if value.count(opening) != value.count(closing):
            return f"has a {opening} or {closing} without its partner: {fix}"
    if value.startswith("'"):
        return f"starts with a ' without its partner, so it is printed as typed: {fix}"
    if value.endswith("'") and value[-2:-1].lower() != "s":  # (the patients')
        return f"ends with a ' without its partner, so it is printed as typed: {fix}"
    return None


def is_placeholder(value: object) -> bool:
    """A value still to be written: text starting with the word TODO, as `ketabrochure new`
    scaffolds it."""
    return isinstance(value, str) and TODO_RE.match(value) is not None


def suggestion(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for a near miss, else an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Fields:
    """Reads the keys of one YAML mapping, reporting missing, unknown and mistyped fields."""

    def __init__(self, node: Node, where: str, diags: Diagnostics, known: Iterable[str]) -> None:
        self.node = node
        self.where = where
        self.diags = diags
        self.known = tuple(known)
        self.ok = node.is_map
        self.meant: dict[str, str] = {}  # a known field -> the misspelling typed for it
        if not self.ok:
            self.error(node.loc, f"must be a mapping of {', '.join(self.known)}; "
                       f"got {describe(node.value, 'a mapping')}", code="content.type")
            return
        for key, loc in node.key_locs.items():
            if key not in self.known:
                close = difflib.get_close_matches(key, self.known, n=1, cutoff=0.6)
                if close and close[0] not in node.value:
                    self.meant.setdefault(close[0], key)
                self.error(loc, f"unknown field '{key}'{suggestion(key, self.known)}",
                           code="content.unknown-field", where=self._path(key))

    # -- helpers ---------------------------------------------------------------------------
    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, loc: Location, message: str, code: str = "content.invalid",
              where: str | None = None) -> None:
        self.diags.error(loc, code, where or self.where or "file", message)

    def placeholder(self, node: Node, where: str) -> None:
        """A value left as its TODO placeholder: one `content.todo` error, with the fix."""
        fix = ("write the Spanish translation of 'en' here" if where.endswith(".es")
               else "replace it with the real value (the comment beside it says what goes here)")
        text = str(node.value).strip()
        shown = "" if text == "TODO" else f' ("{text}")'
        self.error(node.loc, f"still a TODO placeholder{shown}: {fix}", code="content.todo",
                   where=where)

    def loc(self, key: str) -> Location:
        if self.ok and key in self.node.value:
            child: Node = self.node.value[key]
            return child.loc
        return self.node.loc

    def locs(self) -> dict[str, Location]:
        return {key: child.loc for key, child in self.node.value.items()} if self.ok else {}

    def get(self, key: str, required: bool = True) -> Node | None:
        if not self.ok:
            return None
        child: Node | None = self.node.value.get(key)
        if child is None or child.value is None:
            # a misspelt field is said once, as its did-you-mean line, not also as missing
            if required and not (child is None and key in self.meant):
                if child is None:
                    self.error(self.node.loc, f"missing required field '{key}'",
                               code="content.missing-field", where=self._path(key))
                else:
                    self.error(child.loc, "is empty", code="content.missing-field",
                               where=self._path(key))
            return None
        if is_placeholder(child.value):  # reported once, as what it is; read as missing
            self.placeholder(child, self._path(key))
            return None
        return child

    def _typed(self, key: str, required: bool, check: Callable[[object], bool],
               expected: str) -> Node | None:
        child = self.get(key, required)
        if child is not None and not check(child.value):
            self.error(child.loc, f"must be {expected}; got {describe(child.value, expected)}",
                       code="content.type", where=self._path(key))
            return None
        return child

    # -- typed getters ---------------------------------------------------------------------
    def text(self, key: str, required: bool = True, allow_number: bool = False) -> str | None:
        def check(v: object) -> bool:
            number = isinstance(v, int | float) and not isinstance(v, bool)
            return isinstance(v, str) or (allow_number and number)

        child = self._typed(key, required, check, "text")
        if child is None:
            return None
        value = str(child.value).strip()
        if not value:
            self.error(child.loc, "is empty", code="content.missing-field", where=self._path(key))
            return None
        self.quotes(value, child.loc, self._path(key))
        return value

    def quotes(self, value: str, loc: Location, where: str) -> None:
        slip = stray_quote(value)
        if slip is not None:
            self.diags.warning(loc, "content.stray-quote", where, slip)

    def integer(self, key: str, required: bool = True, minimum: int = 0) -> int | None:
        child = self._typed(key, required, lambda v: isinstance(v, int) and not isinstance(v, bool),
                            "a whole number")
        if child is None:
            return None
        if child.value < minimum:
            self.error(child.loc, f"must be at least {minimum}; got {child.value}",
                       where=self._path(key))
            return None
        return int(child.value)

    def year(self, key: str, required: bool = True) -> int | None:
        """A publication or approval year: four digits, 1900 to next year (an article in
        press may carry it); a slip such as 20266 would otherwise be printed."""
        child = self._typed(key, required, lambda v: isinstance(v, int) and not isinstance(v, bool),
                            "a whole number")
        if child is None:
            return None
        latest = dt.date.today().year + 1
        if not 1900 <= child.value <= latest:
            self.error(child.loc, f"{child.value} is not a year from 1900 to {latest} (four "
                       "digits, as the article gives it)", code="content.year",
                       where=self._path(key))
            return None
        return int(child.value)

    def number(self, key: str, required: bool = True) -> float | None:
        child = self._typed(key, required,
                            lambda v: isinstance(v, int | float) and not isinstance(v, bool),
                            "a number")
        return None if child is None else float(child.value)

    def boolean(self, key: str, default: bool) -> bool:
        child = self._typed(key, False, lambda v: isinstance(v, bool), "true or false")
        return default if child is None else bool(child.value)

    def choice(self, key: str, choices: Iterable[str], required: bool = True) -> str | None:
        choices = tuple(choices)
        value = self.text(key, required)
        if value is not None and value not in choices:
            self.error(self.loc(key),
                       f"'{value}' is not one of {', '.join(choices)}{suggestion(value, choices)}",
                       where=self._path(key))
            return None
        return value

    def date(self, key: str, required: bool = True) -> dt.date | None:
        child = self.get(key, required)
        if child is None:
            return None
        value = child.value
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(child.loc, f"must be a date written YYYY-MM-DD; got {describe(value)}",
                   code="content.date", where=self._path(key))
        return None

    def retired_review_date(self) -> None:
        """`reviewed_on` was typed by hand; the review line now comes from the sign-off ledger,
        bound to the printed text (review/ledger.py)."""
        child = self.node.value.get("reviewed_on") if self.ok else None
        if child is not None:
            self.error(child.loc, "the review date is no longer typed: it comes from the "
                       "sign-off in content/approvals.yaml, bound to the printed text; delete "
                       "this line and sign the document off (ketabrochure approve)",
                       code="content.reviewed-typed", where=self._path("reviewed_on"))

    def choices(self, key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        """An optional list of choices, e.g. `variants: [office, print-shop]`."""
        values, locs = self.text_list(key, required=False)
        for value, loc in zip(values, locs, strict=False):
            if value not in allowed:
                self.error(loc, f"'{value}' is not one of {', '.join(allowed)}"
                           f"{suggestion(value, allowed)}", where=self._path(key))
        return tuple(v for v in values if v in allowed)

    def url(self, key: str, required: bool = True) -> str | None:
        """A web address (https:// or http://)."""
        url = self.text(key, required)
        if url is not None and not URL_RE.match(url):
            self.error(self.loc(key), f"'{url}' is not a web address starting with https://",
                       code="content.url", where=self._path(key))
        return url

    def items(self, key: str, required: bool = True) -> list[Node]:
        child = self._typed(key, required, lambda v: isinstance(v, list), "a list")
        return [] if child is None else list(child.value)

    def text_list(self, key: str,
                  required: bool = True) -> tuple[tuple[str, ...], tuple[Location, ...]]:
        texts: list[str] = []
        locs: list[Location] = []
        for index, item in enumerate(self.items(key, required)):
            if is_placeholder(item.value):
                self.placeholder(item, f"{self._path(key)}[{index + 1}]")
            elif isinstance(item.value, str) and item.value.strip():
                texts.append(item.value.strip())
                locs.append(item.loc)
                self.quotes(texts[-1], item.loc, f"{self._path(key)}[{index + 1}]")
            else:
                self.error(item.loc, f"must be text; got {describe(item.value, 'text')}",
                           code="content.type", where=f"{self._path(key)}[{index + 1}]")
        return tuple(texts), tuple(locs)

    def entries(self, key: str, what: str) -> list[tuple[str, Node, Location]]:
        """A mapping of ids to entries (`facts:`, `recipients:`): (id, entry, id's location)."""
        child = self.get(key)
        if child is None:
            return []
        if not child.is_map:
            self.error(child.loc, f"must be a mapping of {what} ids to {what}s",
                       where=self._path(key))
            return []
        return [(name, node, child.key_locs[name]) for name, node in child.value.items()]

    def sub(self, key: str, known: Iterable[str], required: bool = True) -> Fields | None:
        child = self.get(key, required)
        if child is None:
            return None
        fields = Fields(child, self._path(key), self.diags, known)
        return fields if fields.ok else None
