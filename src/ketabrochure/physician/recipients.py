"""Read content/recipients.yaml (optional): who referral packets are addressed to, located;
or a recipient named on the command line."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .. import model as m
from ..diagnostics import Diagnostics, Location
from ..read.fields import ID_RE, Fields, suggestion
from ..read.reader import Reader
from ..read.yamlsource import Node

FILE = "recipients.yaml"


def read(reader: Reader) -> dict[str, m.Recipient]:
    """Recipients by id; a missing file means none (the CLI can still name one)."""
    path = reader.content / FILE
    f = reader.fields(path, ("recipients",)) if path.is_file() else None
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
    """A recipient named on the command line; its id (and file name) comes from the name."""
    where = Location("command line")
    chosen = tuple(dict.fromkeys(conditions))  # each sheet once, in the order given
    return m.Recipient(id=slug(name), name=name.strip(), practice=practice.strip(),
                       conditions=chosen, date=date, loc=where, address=address,
                       condition_locs=tuple(where for _ in chosen))
