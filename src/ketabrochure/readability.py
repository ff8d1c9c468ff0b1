"""Reading grade of patient text: Flesch-Kincaid (English) and Crawford (Spanish), via textstat."""

from __future__ import annotations

from textstat.textstat import textstatistics

ERROR_ABOVE = 8.0  # grade above this: an error
WARN_ABOVE = 6.0   # grade above this: a warning (the target is 6)
MIN_WORDS = 8      # shorter texts (headings, labels, terms) are too short to score
FORMULAS = {"en": "Flesch-Kincaid", "es": "Crawford"}

_SCORERS: dict[str, textstatistics] = {}


def _scorer(lang: str) -> textstatistics:
    if lang not in _SCORERS:
        scorer = textstatistics()
        scorer.set_lang("en_US" if lang == "en" else "es")
        _SCORERS[lang] = scorer
    return _SCORERS[lang]


def grade(text: str, lang: str) -> float:
    """US school grade needed to read the text (Crawford: years of schooling, for Spanish)."""
    scorer = _scorer(lang)
    value = scorer.flesch_kincaid_grade(text) if lang == "en" else scorer.crawford(text)
    return round(float(value), 1)


def scored(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS


def as_prose(texts: list[str]) -> str:
    """Join fields into one text, each ending as a sentence, to score a whole document."""
    sentences = [t if t.rstrip()[-1:] in ".!?:" else t + "." for t in texts if t.strip()]
    return " ".join(sentences)
