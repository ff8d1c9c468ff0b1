"""Read content/recipients.yaml (optional): who referral packets are addressed to, located;
or a recipient named on the command line."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from .. import model as m
from ..diagnostics import Diagnostics, Location, UsageError, printable
from ..read.fields import ID_RE, Fields, suggestion
from ..read.reader import Reader
from ..read.yamlsource import Node

FILE = "recipients.yaml"


def read(reader: Reader) -> dict[str, m.Recipient]:
    """Recipients by id; a missing file means none (the CLI can still name one)."""
    path = reader.named(FILE)
    f = reader.fields(path, ("recipients",)) if path and reader.exists(path) else None
    found: dict[str, m.Recipient] = {}
    if f is None:
        return found
    for rid, item, loc in f.entries("recipients", "recipient"):
        if not ID_RE.match(rid):
            f.error(loc, f"'{rid}' is not an id (lower-case letters, digits, hyphens)",
                    code="content.id", where="recipients")
            continue
        recipient = _recipient(rid, item, loc, reader.diags)
        if recipient is not None:
            found[rid] = recipient
    return found


def _recipient(rid: str, node: Node, loc: Location, diags: Diagnostics) -> m.Recipient | None:
    r = Fields(node, f"recipients.{rid}", diags,
               ("name", "practice", "address", "conditions", "date"))
    if not r.ok:
        return None
    address, _ = r.text_list("address", required=False)
    conditions, condition_locs = r.text_list("conditions")
    for i, cid in enumerate(conditions):
        if cid in conditions[:i]:
            r.error(condition_locs[i], f"'{cid}' is listed twice", where=f"recipients.{rid}")
    name, practice, date = r.text("name"), r.text("practice"), r.date("date")
    if name is None or practice is None or date is None or not conditions:
        return None
    return m.Recipient(id=rid, name=name, practice=practice, conditions=conditions, date=date,
                       loc=loc, address=address, condition_locs=condition_locs)


def check_conditions(recipients: dict[str, m.Recipient], conditions: dict[str, m.Condition],
                     broken: frozenset[str] | set[str], diags: Diagnostics) -> None:
    """Every condition a recipient asks for must exist (a broken one is already reported)."""
    for recipient in recipients.values():
        for cid, loc in zip(recipient.conditions, recipient.condition_locs, strict=False):
            if cid not in conditions and cid not in broken:
                diags.error(loc, "content.unknown-ref", f"recipients.{recipient.id}.conditions",
                            f"no condition '{cid}'{suggestion(cid, conditions)}")


def slug(name: str) -> str:
    """'Dr. Ana Ruiz-Pérez' -> 'dr-ana-ruiz-perez': a file-name-safe id for a CLI recipient."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "-".join(words)[:60].strip("-") or "recipient"


def recipient_from_args(name: str, practice: str, conditions: list[str], date: dt.date,
                        address: tuple[str, ...] = ()) -> m.Recipient:
    """A recipient named on the command line; its id (and file name) comes from the name.

    Raises UsageError for an empty name, practice or address line, a control character in
    any of them, or a condition that is not an id."""
    name, practice = _given("name (--to)", name), _given("practice (--practice)", practice)
    address = tuple(_given("address line (--address)", line) for line in address)
    for condition in conditions:
        if not ID_RE.match(condition):
            raise UsageError(f"'{printable(condition)}' is not a condition id (lower-case "
                             "letters, digits and hyphens, e.g. depression)")
    where = Location("command line")
    chosen = tuple(dict.fromkeys(conditions))  # each sheet once, in the order given
    return m.Recipient(id=slug(name), name=name, practice=practice,
                       conditions=chosen, date=date, loc=where, address=address,
                       condition_locs=tuple(where for _ in chosen))


def _given(what: str, text: str) -> str:
    """A command-line text, stripped: not empty, and printable as it is."""
    text = text.strip()
    if not text:
        raise UsageError(f"the recipient's {what} is empty; the letter needs it")
    if printable(text) != text:
        raise UsageError(f"the recipient's {what} '{printable(text)}' holds a control or "
                         "invisible formatting character; type it without")
    return text


def check_id_free(recipient: m.Recipient, recipients: Mapping[str, m.Recipient]) -> None:
    """A recipient from the command line may not take the id of one in content/recipients.yaml
    (its packet would silently replace that one's): raises UsageError if it would."""
    taken = recipients.get(recipient.id)
    if taken is not None:
        raise UsageError(
            f"'{printable(recipient.name)}' gets the id '{recipient.id}', which "
            f"content/{FILE} (line {taken.loc.line}) already gives to {printable(taken.name)}; "
            f"write the name differently, or build that packet with `ketabrochure build` "
            f"(see `ketabrochure list`)")
