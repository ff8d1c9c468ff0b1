"""Numbers only from the record: what a typed number in a text is, and whether a study record
(or a regulatory fact, or the clinic file) holds it.

A number that states a result (a percentage, "N in 10", a fraction, "half", "twice", in digits
or spelled out in English or Spanish) and a quantifier of how many benefited or for how long
("most", "nearly all", "up to", "la mayoría", "hasta") are claims ("for good" is a
permanence claim word: wording.claims): patient text takes them from
a placeholder bound to a study field. A count (people, studies, doses, mg, scale points) may be
typed only where a cited record holds it. Phone numbers, dates, years and ages are not claims.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .. import model as m

PLACEHOLDER = re.compile(r"\{[a-z0-9][a-z0-9-]*\.[a-z]+(?:\.control)?\}|\{indication\}")
NUMBER = r"\d+(?:[.,]\d+)?"
_SPELLED = {
    "en": "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred",
    "es": "uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|veinte|cien",
}
SPELLED_VALUES = {w: float(i) for lang in ("en", "es") for i, w in enumerate(
    ("zero one two three four five six seven eight nine ten eleven twelve" if lang == "en" else
     "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce").split())}
SPELLED_VALUES |= {"una": 1.0, "twenty": 20.0, "veinte": 20.0, "hundred": 100.0, "cien": 100.0}
SPELLED_VALUES |= {"a": 1.0, "an": 1.0, "un": 1.0, "una": 1.0}
_TEN = {"en": "ten|10", "es": "diez|10"}
# not claims: a phone number, the crisis lines, a date or year, an age, the 0 to 10 scale
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|"
           "noviembre|diciembre")
NOT_CLAIMS = re.compile(
    rf"\b\d{{1,2}} (?:de )?(?:{_MONTHS})\b|\b(?:{_MONTHS}) \d{{1,2}}\b|"
    r"\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\b(?:988|911)\b|\b(?:19|20)\d\d(?:-\d\d-\d\d)?\b|"
    r"\b(?:aged?|ages|edad(?:es)?(?: de)?|mayores de|menores de) \d+\b|"
    r"\b\d+ (?:years? old|or older|and older|años o más|o más años)\b|"
    r"\b0 (?:to|a) 10\b|\b(?:press|dial|marque|oprima|pulse) \d\b|"
    # what a response is (a score down by half), not how many had one
    r"\bby (?:at least )?half(?: or more)?|\b(?:a|en) la mitad o (?:menos|más)", re.IGNORECASE)
# the rate forms: "60%", "7 in 10", "siete de cada diez", "1/3", "half", "twice", "3 times"
RATES = {
    "en": re.compile(
        rf"\b(?:{NUMBER}|{_SPELLED['en']}) ?(?:%|percent\b|per ?cent\b)|"
        rf"\b(?:{NUMBER}|{_SPELLED['en']}) (?:in|out of|of every|of(?: the)?) "
        rf"(?:{NUMBER}|{_SPELLED['en']})"
        rf"\b|\b\d+/\d+\b|\b(?:half|halved|twice|double[ds]?|doubling|triple[ds]?|"
        rf"a third|two[- ]thirds|a quarter|three[- ]quarters)\b|"
        rf"\b(?:{NUMBER}|{_SPELLED['en']})[- ](?:times|fold)\b", re.IGNORECASE),
    "es": re.compile(
        rf"\b(?:{NUMBER}|{_SPELLED['es']}) ?(?:%|por ?ciento\b)|"
        rf"\b(?:{NUMBER}|{_SPELLED['es']}) (?:de cada|sobre|de|en|de (?:los|las)) "
        rf"(?:{_SPELLED['es']}|\d+)\b|"
        rf"\b\d+/\d+\b|\b(?:la mitad|mitad|el doble|doble|triple|un tercio|dos tercios|"
        rf"un cuarto|tres cuartos)\b|\b(?:{NUMBER}|{_SPELLED['es']}) veces\b", re.IGNORECASE),
}
QUANTIFIERS = {
    "en": re.compile(
        r"\b(?:(?<!the )most(?! (?:common|often|likely|of (?:the |these )?)?(?:studies|trials|"
        r"reports|common|often|likely))|the (?:vast |great )?majority|majority of|"
        r"(?:nearly|almost|virtually) (?:all|everyone|everybody|every))\b",
        re.IGNORECASE),
    "es": re.compile(
        r"\b(?:(?:la )?(?:gran )?mayoría(?! de (?:los |estos )?(?:estudios|ensayos|informes))|"
        r"casi tod[oa]s|casi todo el mundo)\b", re.IGNORECASE),
}
UP_TO = {"en": re.compile(r"\bup to (?:about |around )?(\S+)", re.IGNORECASE),
         "es": re.compile(r"\bhasta (?:unas? |cerca de |alrededor de )?(\S+)", re.IGNORECASE)}
COUNT = re.compile(rf"(?<![\w.]){NUMBER}(?![\w.])")
# a count of people spelled out: "seven people", "nueve personas"
SPELLED_COUNT = {lang: re.compile(rf"\b({_SPELLED[lang]}) (?:\w+ )?(?:people|patients|adults|"
                                  rf"veterans|personas|pacientes|adultos|veteranos)\b",
                                  re.IGNORECASE) for lang in ("en", "es")}


@dataclass(frozen=True)
class Found:
    kind: str  # "rate", "quantifier", "count"
    said: str
    value: float | None = None


def blank(text: str) -> str:
    """A text with its placeholders and non-claim numbers taken out."""
    return NOT_CLAIMS.sub(" ", PLACEHOLDER.sub(" ", text))


def claims(text: str, lang: str, known: Iterable[float]) -> list[Found]:
    """The rates and quantifiers of a text, and the typed numbers no cited record holds
    (`known`: the numbers of the cited records). Times are left to the time rules."""
    return list(_claims(text, lang, frozenset(known)))


# a function of its arguments alone: watch, serve and a test process ask it of the same texts
# at every load (a third of the content rules' time)
@functools.lru_cache(maxsize=4096)
def _claims(text: str, lang: str, held: frozenset[float]) -> tuple[Found, ...]:
    rest = blank(text)
    found = [Found("rate", match.group(0)) for match in RATES[lang].finditer(rest)]
    rest = RATES[lang].sub(" ", rest)
    found += [Found("quantifier", match.group(0)) for match in QUANTIFIERS[lang].finditer(rest)]
    for match in UP_TO[lang].finditer(rest):
        follower = match.group(1)
        number = SPELLED_VALUES.get(follower.lower(), _value(follower))
        if number is None and not re.match(_SPELLED[lang], follower, re.I):
            continue  # "hasta el día siguiente": until, not a quantifier
        if number is None or not holds(held, number):
            found.append(Found("quantifier", match.group(0)))
    for match in SPELLED_COUNT[lang].finditer(rest):
        number = SPELLED_VALUES.get(match.group(1).lower())
        if number is not None and not holds(held, number):
            found.append(Found("count", match.group(0), number))
    for match in COUNT.finditer(rest):
        number = _value(match.group(0))
        if number is not None and not holds(held, number):
            found.append(Found("count", match.group(0), number))
    return tuple(found)


def _value(word: str) -> float | None:
    word = word.rstrip(".,;:)").replace("\u202f", "")
    if re.fullmatch(r"\d+,\d{1,2}", word):
        word = word.replace(",", ".")  # a Spanish decimal comma: 0,5 mg/kg
    try:
        return float(word.replace(",", ""))
    except ValueError:
        return None


def holds(known: Iterable[float], number: float) -> bool:
    """Whether the record holds a number, as typed or rounded to a whole one ('about 2' for
    1.83; '71%' for 70.8%)."""
    return any(number == k or (number == int(number) and round(k) == number) for k in known)


def numbers_of(study: m.Study) -> set[float]:
    """Every number a study record holds: size, arms, rates, dose, times and the numbers its
    outcomes, schedule and notes quote."""
    found = {float(x) for x in (study.n.value, *study.n.arms) if x is not None}
    texts = [study.intervention.dose, study.intervention.schedule, study.follow_up,
             study.key_result, study.n.note or "", study.design.summary]
    for outcome in study.outcomes:
        texts += [outcome.measure, outcome.result]
        if outcome.rates is not None:
            found |= {outcome.rates.treatment, *(() if outcome.rates.control is None
                                                  else (outcome.rates.control,))}
        for span in (outcome.timepoint, outcome.lasted):
            if isinstance(span, m.TimeSpan):
                found.add(span.amount)
    found |= {float(x.replace(",", "")) for t in texts for x in re.findall(r"\d[\d,]*(?:\.\d+)?",
                                                                        t)}
    found |= {_WORDS[w] for t in texts for w in _WORD.findall(t)}
    return found


_WORDS = {"two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0, "seven": 7.0,
          "eight": 8.0, "nine": 9.0, "ten": 10.0, "twelve": 12.0}
# whole words only, as typed (lower case): whole words never overlap, so one pass finds each
_WORD = re.compile(rf"\b({'|'.join(_WORDS)})\b")


def known(studies: Iterable[m.Study], texts: Iterable[str] = ()) -> set[float]:
    """The numbers of cited records and facts, and the total size of any few of the studies
    ('two small studies with 30 people in all')."""
    cited = list(studies)
    found = set().union(*(numbers_of(s) for s in cited)) if cited else set()
    found |= {float(x.replace(",", "")) for t in texts for x in re.findall(r"\d[\d,]*(?:\.\d+)?",
                                                                        t)}
    sizes = [s.n.value for s in cited if s.n.value is not None][:8]
    for r in range(2, len(sizes) + 1):
        found |= {float(sum(c)) for c in itertools.combinations(sizes, r)}
    return found


def placeholders(text: str) -> list[str]:
    """Every study placeholder of a text, sorted: a translation must carry the same."""
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "{indication}")
