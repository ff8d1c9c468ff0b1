"""Which optional parts fit: measured once, kept with the project in `fits.json`, so that even a
cold build (no out/) lays each document out once.

A document with alternatives (an evidence sheet with its chart, then without) is laid out
alternative after alternative until one fits its page budget (typeset.jobs.fit). Each
alternative laid out and dropped costs a whole WeasyPrint layout; `fits.json` remembers its
page count, keyed on what decides it: the alternative's HTML, its base folder and how it is
laid out (PrintOptions.cache_key(): the options, the typesetting code, the libraries'
versions), with every file that layout read (stylesheets, fonts, images) and its SHA-256. On
the next run an alternative whose entry still holds (every file re-hashed and unchanged) and
whose page count the budget refuses is not laid out again. The alternative kept is always laid
out and its budget proven on the real layout; without an entry, or with one whose files
changed, the alternatives are tried as before. So every PDF is the one a run without the file
makes.

Like a lock file, it is written by the run (only when it changes; a full build keeps only the
entries of today's documents) and is meant to be committed, so that CI's first build on a
fresh clone profits. It is not content: the no-op key and a shard's record leave it out, and a
hand-edited page count can at most leave out an optional part that would have fitted.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from ..files import beneath
from ..pages import Known, Part
from ..typeset.options import PrintOptions
from ..typeset.pdf import MAX_PAGES
from .cache import Cache

FILE = "fits.json"  # in the project folder, beside content/
FORMAT = 1
MAX_FILE = 4_000_000  # bytes: a larger file is not read
NOTE = ("Written by ketabrochure (build, check): how many pages each optional part's "
        "alternative ran to. Commit it; never edit it.")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Fits:
    """The measurements of one project: those read from fits.json, and this run's."""

    root: Path
    # key -> (pages, the files read and their SHA-256)
    entries: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    live: set[str] = field(default_factory=set)  # keys of this run's alternatives
    changed: bool = False

    @classmethod
    def load(cls, root: Path) -> Fits:
        """The project's measurements; none when the file is missing, unreadable or not of
        this format (a damaged entry is left out, never an error: it only costs a layout)."""
        fits = cls(root)
        try:
            data = json.loads(beneath.read(root, FILE, MAX_FILE))
        except (OSError, ValueError, RecursionError):
            return fits
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return fits
        found = data.get("fits")
        for key, value in (found.items() if isinstance(found, dict) else ()):
            entry = _entry(key, value)
            if entry is not None:
                fits.entries[key] = entry
        return fits

    def keys(self, options: PrintOptions, part: Part) -> list[str]:
        """The key of each of the part's alternatives but the last (always laid out)."""
        base = part.base_dir.relative_to(self.root).as_posix()
        prefix = f"fits {FORMAT}\0{options.cache_key()}\0{base}\0"
        found = [hashlib.sha256((prefix + html).encode()).hexdigest()
                 for html in part.htmls[:-1]]
        self.live.update(found)
        return found

    def known(self, cache: Cache, part: Part, keys: list[str]) -> Part:
        """The part with what is known of its alternatives (`keys`: theirs, from `keys`;
        typeset.jobs.fit skips those known not to fit): an entry counts only while every file
        it read is unchanged."""
        known: list[Known | None] = []
        for key in keys:
            entry = self.entries.get(key)
            if entry is None or any(cache.file_hash(p) != h for p, h in entry[1].items()):
                known.append(None)
                continue
            known.append(Known(entry[0], tuple((self.root / p, h) for p, h in entry[1].items())))
        return Part(part.htmls, part.budget, part.base_dir, tuple(known))

    def add(self, key: str, pages: int, files: dict[str, str]) -> None:
        """An alternative laid out and dropped: its page count and the files it read."""
        if self.entries.get(key) != (pages, files):
            self.entries[key] = (pages, files)
            self.changed = True

    def save(self, full: bool) -> None:
        """Write fits.json if it changed; a `full` run (every document) keeps only its own
        documents' entries. Only a memo: a file that cannot be written is left as it was."""
        if full and set(self.entries) - self.live:
            self.entries = {k: v for k, v in self.entries.items() if k in self.live}
            self.changed = True
        if not self.changed:
            return
        data = {"format": FORMAT, "note": NOTE,
                "fits": {k: {"pages": p, "files": f} for k, (p, f) in sorted(self.entries.items())}}
        with suppress(OSError):
            beneath.write(self.root, FILE, (json.dumps(data, indent=1) + "\n").encode(),
                          fsync=False)


def _entry(key: object, value: object) -> tuple[int, dict[str, str]] | None:
    """One entry, if it has exactly this format's fields, each of its type and in bounds."""
    if not (isinstance(key, str) and SHA256_RE.match(key) and isinstance(value, dict)
            and set(value) == {"pages", "files"}):
        return None
    pages, files = value["pages"], value["files"]
    if not (isinstance(pages, int) and not isinstance(pages, bool) and 0 < pages <= MAX_PAGES
            and isinstance(files, dict)
            and all(isinstance(p, str) and isinstance(h, str) and SHA256_RE.match(h)
                    for p, h in files.items())):
        return None
    return pages, files
