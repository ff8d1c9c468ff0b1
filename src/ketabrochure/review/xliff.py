"""XLIFF 2.0 for professional translators: every bilingual patient text as a unit, English
source and Spanish target, placeholders such as {feder2014.response} as protected inline codes
(<ph canCopy="no" canDelete="no">), stale units marked (state="initial" and a note with the
English before and now).

Why XLIFF 2.0 and not PO: translation tools (memoQ, Trados, Phrase, Weblate) read it; it carries
placeholders as codes a translator cannot edit, where PO leaves `{x}` as text to retype; and a
segment's state says "needs translation" in the standard's own words.

Units are found in the YAML itself (every mapping with an `en:` and an `es:` text), so import
writes each target back into its `es:` value in place, quoted, and leaves every other byte of
the file alone: a round trip that changes no target changes no file.
"""

from __future__ import annotations

import contextlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import Diagnostics, Location, relative
from ..files import beneath

NS = "urn:oasis:names:tc:xliff:document:2.0"
PLACEHOLDER = re.compile(r"\{[^{}\s]+\}")
FILES = ("patient.yaml", "glossary.yaml", "handouts", "brochures")


@dataclass(frozen=True)
class Unit:
    file: str  # relative to the project, e.g. content/handouts/ptsd.yaml
    path: str  # the field, e.g. findings[2]
    en: str
    es: str
    en_loc: Location
    es_span: tuple[int, int]  # where the es value is written in the file (character offsets)


def content_files(root: Path) -> list[Path]:
    found = []
    for name in FILES:
        target = root / "content" / name
        found += sorted(target.glob("*.yaml")) if target.is_dir() else [target]
    return [p for p in found if p.is_file()]


def _text(root: Path, shown: str) -> str:
    """A content file's text: no link followed out of the project (files.beneath)."""
    return beneath.read(root, shown, links=True).decode("utf-8")


def units(root: Path) -> list[Unit]:
    """Every bilingual text of the patient content, in file order."""
    found: list[Unit] = []
    for path in content_files(root):
        shown = relative(path, root)
        try:
            node = yaml.compose(_text(root, shown), Loader=yaml.SafeLoader)
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            continue  # check reports it, located
        if node is not None:
            found += _walk(node, "", shown)
    return found


def _walk(node: yaml.Node, path: str, shown: str) -> list[Unit]:
    if isinstance(node, yaml.SequenceNode):
        return [u for i, child in enumerate(node.value)
                for u in _walk(child, f"{path}[{i + 1}]", shown)]
    if not isinstance(node, yaml.MappingNode):
        return []
    keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    en, es = keys.get("en"), keys.get("es")
    if isinstance(en, yaml.ScalarNode) and isinstance(es, yaml.ScalarNode) and es.value:
        loc = Location(shown, en.start_mark.line + 1, en.start_mark.column + 1)
        return [Unit(shown, path, en.value, es.value, loc,
                     (es.start_mark.index, es.end_mark.index))]
    return [u for key, child in keys.items()
            for u in _walk(child, f"{path}.{key}".lstrip("."), shown)]


def _inline(parent: ET.Element, text: str, codes: dict[str, str]) -> None:
    """Text with its placeholders as <ph> codes, numbered in order within the unit."""
    last: ET.Element | None = None
    position = 0
    for match in PLACEHOLDER.finditer(text):
        _append(parent, last, text[position:match.start()])
        ident = next((k for k, v in codes.items() if v == match.group()), f"ph{len(codes) + 1}")
        codes[ident] = match.group()
        last = ET.SubElement(parent, f"{{{NS}}}ph", id=ident, equiv=match.group(),
                             canCopy="no", canDelete="no")
        position = match.end()
    _append(parent, last, text[position:])


def _append(parent: ET.Element, last: ET.Element | None, text: str) -> None:
    if last is None:
        parent.text = (parent.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def export(found: list[Unit], stale: dict[tuple[str, int], str]) -> str:
    """The XLIFF document; `stale`: (file, English line) -> what changed, for stale units."""
    ET.register_namespace("", NS)
    xliff = ET.Element(f"{{{NS}}}xliff", version="2.0", srcLang="en", trgLang="es")
    files: dict[str, ET.Element] = {}
    for unit in found:
        if unit.file not in files:
            files[unit.file] = ET.SubElement(xliff, f"{{{NS}}}file", id=f"f{len(files) + 1}",
                                             original=unit.file)
        element = ET.SubElement(files[unit.file], f"{{{NS}}}unit", id=_token(unit.path),
                                name=unit.path)
        why = stale.get((unit.file, unit.en_loc.line))
        if why:
            notes = ET.SubElement(element, f"{{{NS}}}notes")
            ET.SubElement(notes, f"{{{NS}}}note", category="stale").text = why
        segment = ET.SubElement(element, f"{{{NS}}}segment",
                                state="initial" if why else "translated")
        codes: dict[str, str] = {}
        _inline(ET.SubElement(segment, f"{{{NS}}}source"), unit.en, codes)
        _inline(ET.SubElement(segment, f"{{{NS}}}target"), unit.es, codes)
    ET.indent(xliff)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(xliff, "unicode") + "\n"


def _token(path: str) -> str:
    """A unit id XLIFF accepts (an NMTOKEN): findings[2] -> findings.2."""
    return re.sub(r"\[(\d+)\]", r".\1", path)


@dataclass(frozen=True)
class Target:
    file: str
    path: str
    text: str
    state: str
    line: int  # in the XLIFF file, for errors


def read(path: Path, shown: str, diags: Diagnostics) -> list[Target]:
    """The targets of an XLIFF file, each with its placeholders written back as text."""
    text = path.read_text(encoding="utf-8")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        diags.error(Location(shown), "xliff.invalid", shown, "a DOCTYPE or ENTITY is not "
                    "accepted in a translation file")
        return []
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, col = exc.position
        diags.error(Location(shown, line, col + 1), "xliff.invalid", shown, str(exc))
        return []
    found = []
    for file in root.iter(f"{{{NS}}}file"):
        for unit in file.iter(f"{{{NS}}}unit"):
            name = unit.get("name") or ""
            line = _line_of(text, f'name="{name}"')
            segment = unit.find(f"{{{NS}}}segment")
            target = segment.find(f"{{{NS}}}target") if segment is not None else None
            if segment is None or target is None:
                continue
            found.append(Target(file.get("original") or "", name, _plain(target, unit, diags,
                                Location(shown, line)), segment.get("state", "initial"), line))
    return found


def _plain(target: ET.Element, unit: ET.Element, diags: Diagnostics, loc: Location) -> str:
    """A target's text with each <ph> back as its placeholder; each source placeholder must
    be in the target exactly once (a dropped one would drop a number from the print)."""
    source = unit.find(f"{{{NS}}}segment/{{{NS}}}source")
    codes = {ph.get("id") or "": ph.get("equiv") or "" for ph in
             (source.iter(f"{{{NS}}}ph") if source is not None else ())}
    parts = [target.text or ""]
    used = []
    for child in target:
        ident = child.get("id") or ""
        if child.tag != f"{{{NS}}}ph" or ident not in codes:
            diags.error(loc, "xliff.placeholder", unit.get("name") or "unit",
                        f"unknown inline code <{child.tag.split('}')[-1]} id={ident!r}> in the "
                        "target: keep the source's placeholders as they are")
        else:
            parts.append(codes[ident])
            used.append(ident)
        parts.append(child.tail or "")
    missing = sorted(set(codes) - set(used))
    if missing or len(used) != len(set(used)):
        diags.error(loc, "xliff.placeholder", unit.get("name") or "unit",
                    "the target must keep each placeholder of the source exactly once; "
                    f"missing or repeated: {', '.join(codes[m] for m in missing) or 'repeated'}")
    return "".join(parts)


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def apply(root: Path, targets: list[Target], shown: str, diags: Diagnostics) -> list[str]:
    """Write each changed target into its `es:` value; the files changed."""
    by_file: dict[str, dict[str, Target]] = {}
    for t in targets:
        by_file.setdefault(t.file, {})[t.path] = t
    every = units(root)
    known = {u.file for u in every}
    changed = []
    for file, wanted in sorted(by_file.items()):
        if file not in known:
            line = next(iter(wanted.values())).line
            diags.error(Location(shown, line), "xliff.unknown", file,
                        "no such patient content file in this project")
            continue
        text = _text(root, file)
        edits = [(u.es_span, wanted[u.path].text) for u in every
                 if u.file == file and u.path in wanted and wanted[u.path].text != u.es]
        for (start, end), new in sorted(edits, reverse=True):
            # a block scalar (es: >) ends with its line break: keep one after the quoted text
            tail = "\n" if text[start:end].endswith("\n") else ""
            text = text[:start] + styled(text[start:end], new) + tail + text[end:]
        if edits:
            beneath.write(root, file, text.encode("utf-8"))
            changed.append(file)
    return changed


_FLOW = frozenset(",[]{}#")  # a plain value beside these could end early (flow) or be a comment


def styled(raw: str, new: str) -> str:
    """`new` written as the YAML value `raw` was: single-quoted or plain where it was and
    that style can hold it on one line and read back as the same text; else double-quoted
    (as a block scalar, es: >, is always rewritten)."""
    if "\n" not in new and raw.startswith("'"):
        return "'" + new.replace("'", "''") + "'"
    plain = raw.strip() and raw.strip()[0] not in "'\">|"
    if plain and "\n" not in new and not _FLOW & set(new) and new == new.strip():
        with contextlib.suppress(yaml.YAMLError):
            if yaml.safe_load(f"k: {new}") == {"k": new}:
                return new
    return json.dumps(new, ensure_ascii=False)
