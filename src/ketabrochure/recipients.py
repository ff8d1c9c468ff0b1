"""Read content/recipients.yaml (optional): who referral packets are addressed to, located."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from . import model as m
from .diagnostics import Diagnostics, Location
from .fields import ID_RE, Fields, suggestion
from .yamlsource import Node

if TYPE_CHECKING:
    from .content import Reader

FILE = "recipients.yaml"


def read(reader: Reader) -> dict[str, m.Recipient]:
    """Recipients by id; a missing file means none (the CLI can still name one)."""
    path = reader.content / FILE
    f = reader.fields(path, ("recipients",)) if path.is_file() else None
    found: dict[str, m.Recipient] = {}
    for rid, item, loc in f.entries("recipients", "recipient") if f else []:
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
    values = (r.text("name"), r.text("practice"), r.date("date"))
    if any(v is None for v in values) or not conditions:
        return None
    name, practice, date = values
    return m.Recipient(id=rid, name=name, practice=practice, conditions=conditions, date=date,
                       loc=loc, address=address, condition_locs=condition_locs)


def check_conditions(recipients: dict[str, m.Recipient], conditions: dict[str, m.Condition],
                     broken: frozenset[str] | set[str], diags: Diagnostics) -> None:
    """Every condition a recipient asks for must exist (a broken one is already reported)."""
    for recipient in recipients.values():
        for cid, loc in zip(recipient.conditions, recipient.condition_locs):
            if cid not in conditions and cid not in broken:
                diags.error(loc, "content.unknown-ref", f"recipients.{recipient.id}.conditions",
                            f"no condition '{cid}'{suggestion(cid, conditions)}")


def slug(name: str) -> str:
    """'Dr. Ana Ruiz-Pérez' -> 'dr-ana-ruiz-perez': a file-name-safe id for a CLI recipient."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "-".join(words)[:60].strip("-") or "recipient"
