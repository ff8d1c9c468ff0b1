"""Whether a Spanish text reads as English: an untranslated paste, or English left in `es:`.

Counted on the short words every sentence needs (articles, pronouns, prepositions), which
name the language far better than content words do: "La ketamina" and "Ketamine" share a
stem, "the" and "la" share nothing. Words both languages use ("no", "a") count for neither.
"""

from __future__ import annotations

import re

ENGLISH = frozenset(
    {"the", "and", "of", "to", "is", "are", "was", "were", "be", "been", "with", "for", "you",
     "your", "this", "that", "these", "those", "it", "its", "they", "them", "their", "we",
     "our", "he", "she", "his", "her", "who", "what", "which", "how", "when", "will", "would",
     "can", "could", "may", "might", "should", "have", "has", "had", "do", "does", "did", "not",
     "or", "if", "from", "at", "by", "on", "in", "about", "after", "before", "than", "more",
     "most", "some", "any"})
SPANISH = frozenset(
    {"el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "al", "que", "y", "e",
     "o", "u", "en", "es", "son", "fue", "ser", "estar", "está", "están", "por", "para", "con",
     "sin", "sobre", "entre", "su", "sus", "se", "lo", "le", "les", "usted", "ustedes", "este",
     "esta", "estos", "estas", "ese", "esa", "cómo", "qué", "cuándo", "más", "muy", "pero",
     "si", "también", "puede", "pueden", "hay", "ha", "han"})
MIN_COUNTED = 3  # fewer short words than this: too little to tell (a label, a name)
_WORD = re.compile(r"[^\W\d_]+")


def english_words(text: str) -> list[str] | None:
    """The English short words of a text that reads as English rather than Spanish, else
    None."""
    words = [w.lower() for w in _WORD.findall(text)]
    english = [w for w in words if w in ENGLISH]
    spanish = sum(1 for w in words if w in SPANISH)
    if len(english) + spanish < MIN_COUNTED or len(english) <= 2 * spanish:
        return None
    return english
