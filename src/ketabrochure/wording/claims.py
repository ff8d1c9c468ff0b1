"""Claim words no text may use, in English and Spanish, for patients and physicians alike.

The FTC's Health Products Compliance Guidance (2022), Texas 22 TAC 164.3 and California B&P
651: no mischaracterised FDA status, no proof or superlative a trial did not give, no safety
absolute, no guarantee or permanence, no testimonial, and no "promising", "pilot" or
"preliminary" as a selling point. Each family has a key (`approved`, `safe`, `cure`...): a
text that must use the word says why with `allow: {<key>: "<the reason>"}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

SENTENCE = re.compile(r"(?<=[.!?])\s+")
# a clause: where a negation stops applying ("not approved for X, so Y is approved")
CLAUSE = re.compile(r"[,;:]|\b(?:so|and|but|because|pero|así que|porque|y|entonces)\b",
                    re.IGNORECASE)
NEGATION = {"en": re.compile(r"\b(?:not|no|nor|never|neither|without)\b|n't\b", re.I),
            "es": re.compile(r"\b(?:no|ni|nunca|sin|tampoco|jamás)\b", re.I)}
# ketamine itself: not esketamine, not "a form of ketamine"
KETAMINE = re.compile(r"(?<![\w-])(?<!form of )(?<!forma de )(?<!forma de la )"
                      r"(?:ketamine|ketamina)\b", re.IGNORECASE)
ESKETAMINE = re.compile(r"\b(?:esketamine|esketamina|spravato)\b", re.IGNORECASE)
SIZED = re.compile(r"\b\d[\d,]* (?:\w+ )?(?:people|patients|participants|adults|personas|"
                   r"pacientes|adultos)\b|\bn\s?=\s?\d|\{[a-z0-9-]+\.n\}", re.IGNORECASE)
ANESTHESIA = re.compile(r"surgery|anesthe|anaesthe|sleep for surgery|cirug|anestesi", re.I)


@dataclass(frozen=True)
class Family:
    key: str  # what `allow:` names
    code: str
    en: str
    es: str
    fix: str


_PROOF = "say what a named study found, with its size, instead"
_SAFE = "name the side effects and what is not known instead"
_LAST = "say how long the effect lasted in the study instead (its timepoint or `lasted`)"
FAMILIES: tuple[Family, ...] = (
    Family("approved", "claims.approval",
            r"(?:FDA[- ])?(?:approved|approval|cleared|clearance|authori[sz]ed|authori[sz]ation)",
            r"aprobad[oa]s?|aprob[óo]|aprobación|autorizad[oa]s?|autorización",
            "IV ketamine is FDA-approved only for anesthesia: say it is not approved for this "
            "use; esketamine's approvals may be stated only of esketamine (Spravato)"),
    Family("proven", "claims.proof", r"(?:clinically |scientifically )?proven",
            r"comprobad[oa]s?|(?<!ha )(?<!han )(?<!he )(?<!hemos )probad[oa]s?", _PROOF),
    Family("fastest", "claims.proof", r"fastest|quickest",
            r"(?:el|la|los|las) más rápid[oa]s?|rapidísim[oa]s?|"
            r"más rápid[oa]s? (?:que (?:hay|existe)|de tod[oa]s)", _PROOF),
    Family("best", "claims.proof", r"best|most effective|safest|strongest",
            r"(?:el|la|lo|los|las) mejor(?:es)?|(?:el|la) más (?:eficaz|efectiv[oa]|segur[oa])",
            _PROOF),
    Family("gold standard", "claims.proof", r"gold[- ]standard",
            r"estándar de oro|referencia de oro", _PROOF),
    Family("breakthrough", "claims.proof", r"breakthroughs?|game[- ]changer|cutting[- ]edge",
            r"gran(?:des)? avances?|avance decisivo|de vanguardia", _PROOF),
    Family("revolutionary", "claims.proof", r"revolutionary|revolutioni[sz]e[sd]?",
            r"revolucionari[oa]s?", _PROOF),
    Family("miracle", "claims.proof", r"miracles?|miraculous", r"milagros?|milagros[oa]s?",
            _PROOF),
    Family("no serious side effects", "claims.safety",
            r"no serious (?:side effects?|adverse (?:events?|effects?)|harms?)",
            r"(?:sin|ningún|no (?:vio|vieron|hubo|tuvo|encontró|encontraron|causó)) "
            r"efectos? (?:secundarios? |adversos? )?graves",
            "name the one study and its size in the same sentence ('The study of "
            "{study.n} people found no serious side effects') and that it was too small to "
            "show rare ones"),
    Family("safe", "claims.safety", r"safe|harmless|risk[- ]free|100% safe",
            r"(?:es|son|sea|sean|está|están|muy|completamente|totalmente|100 ?%) segur[oa]s?|"
            r"inofensiv[oa]s?", _SAFE),
    Family("non-addictive", "claims.safety", r"non[- ]?addictive|not addictive",
            r"no adictiv[oa]s?|no (?:crea|causa|produce) adicción", _SAFE),
    Family("no risk", "claims.safety", r"no risks?(?! of bias)|without risks?",
            r"sin riesgos?|libre de riesgos?|ningún riesgo", _SAFE),
    Family("no side effects", "claims.safety",
            r"no (?:side effects?|adverse effects?)|without side effects|side[- ]effect[- ]free",
            r"sin efectos (?:secundarios|adversos)(?! graves)|"
            r"ningún efecto (?:secundario|adverso)(?! grave)", _SAFE),
    Family("guaranteed", "claims.permanence", r"guarantee[ds]?",
            r"garantiza(?:do|da|dos|das|mos)?|garantías?",
            "no result is guaranteed: say what share of people in a study got better "
            "({study.response}) instead"),
    Family("permanent", "claims.permanence", r"permanent(?:ly)?",
            r"permanente(?:s|mente)?", _LAST),
    Family("for good", "claims.permanence", r"for good|forever|for life",
            r"para siempre|de por vida", _LAST),
    Family("lasting", "claims.permanence", r"(?:long[- ])?lasting",
            r"durader[oa]s?", _LAST),
    Family("cure", "claims.permanence", r"cure[sd]?|curing",
            r"cura[rns]?|curación|curad[oa]s?",
            "ketamine is not known to cure anything: say what a study found and for how long"),
    Family("promising", "claims.selling", r"promising", r"prometedor(?:a|es|as)?",
            "early or small studies are a limitation, not a selling point: say what they "
            "found and how small they were"),
    Family("pilot", "claims.selling", r"pilot", r"piloto",
            "early or small studies are a limitation, not a selling point: say how small"),
    Family("preliminary", "claims.selling", r"preliminary", r"preliminar(?:es)?",
            "early or small studies are a limitation, not a selling point: say how small"),
)
KEYS = frozenset(f.key for f in FAMILIES) | {"testimonial"}
_COMPILED = {(f.key, lang): re.compile(rf"(?<![\w-])(?:{getattr(f, lang)})(?![\w-])",
                                       re.IGNORECASE)
             for f in FAMILIES for lang in ("en", "es")}
QUOTED = re.compile(r"[“\"«]([^”\"»]+)[”\"»]")
FIRST_PERSON = {
    "en": re.compile(r"\bI(?:'m|'ve|'d)?\s+(?:am|was|felt|feel|had|have|got|get|could|can|"
                     r"did|never|finally|tried|thought|started|went|lost|came|love)\b|"
                     r"\b(?:[Mm]y|[Mm]yself|MY)\b"),
    "es": re.compile(r"\b(?:yo|mi|mis|conmigo|me (?:sent[íi]|siento|ayudó|cambió|salvó))\b",
                     re.IGNORECASE),
}


@dataclass(frozen=True)
class Claim:
    key: str
    code: str
    said: str  # the words as the text has them
    sentence: str
    fix: str

    @property
    def message(self) -> str:
        return (f"says '{self.said}' in \u201c{self.sentence.strip()}\u201d: {self.fix}; "
                f"if this text must say it, give the reason: allow: "
                f"{{{self.key}: \"<the reason>\"}}")


def find(text: str, lang: str, sized: Callable[[str], bool] = lambda _: False) -> list[Claim]:
    """Every claim word of a text; `sized(sentence)` says whether a sentence names its one
    study and that study's size (the only way to report no serious side effects)."""
    found: list[Claim] = []
    sentences = SENTENCE.split(text)
    for i, sentence in enumerate(sentences):
        before = sentences[i - 1] if i else ""
        question = sentence.rstrip().endswith("?")
        for family in FAMILIES:
            for match in _COMPILED[family.key, lang].finditer(sentence):
                if _excused(family, match, sentence, before, lang, question, sized):
                    continue
                found.append(Claim(family.key, family.code, match.group(0), sentence,
                                   family.fix))
                break
        if _testimonial(sentence, lang, question):
            found.append(Claim("testimonial", "claims.testimonial", "first-person experience",
                               sentence, "a testimonial reads as a promise (22 TAC 164.3, "
                               "B&P 651): report what a study found instead"))
    return found


def _excused(family: Family, match: re.Match[str], sentence: str, before: str, lang: str,
             question: bool, sized: Callable[[str], bool]) -> bool:
    if family.key == "no serious side effects":
        return sized(sentence)
    after = sentence[match.end():match.end() + 12].lower()
    if family.key == "lasting" and re.match(r"\s+(?:up to|about|for|until|through|\d)", after):
        return True  # "lasting up to a week": how long, which the time rules check
    if family.key in ("preliminary", "pilot") and (re.search(
            r"\b(?:is|are|was|were|only|still|remains?|es|son|solo|sigue siendo)\s+$",
            sentence[:match.start()].lower()) or SIZED.search(sentence)):
        return True  # "the evidence is preliminary", "a pilot trial of 18": a limitation
    if family.key == "safe" and re.match(r"\s+(?:to (?:leave|drive|go)|irse|salir|manejar)",
                                         after):
        return True  # "until safe to leave" (the REMS): when to go home, not a safety claim
    if family.key not in ("approved", "safe"):
        return False
    if question:
        return True  # a heading that asks ("Is it FDA-approved?") claims nothing
    if family.key == "safe":
        return False
    clause = _clause(sentence, match.start())
    if NEGATION[lang].search(clause):
        return True
    if KETAMINE.search(sentence):  # of ketamine itself: only its anesthesia approval
        return ANESTHESIA.search(sentence) is not None and not ESKETAMINE.search(sentence)
    return bool(ESKETAMINE.search(sentence) or ESKETAMINE.search(before))


def _clause(sentence: str, at: int) -> str:
    """The clause that ends at a word: negation before it in the clause applies to it."""
    starts = [m.end() for m in CLAUSE.finditer(sentence, 0, at)]
    return sentence[starts[-1] if starts else 0:at]


def _testimonial(sentence: str, lang: str, question: bool) -> bool:
    if any(FIRST_PERSON[lang].search(q) for q in QUOTED.findall(sentence)):
        return True
    return not question and not sentence.lstrip().startswith("¿") and \
        FIRST_PERSON[lang].search(sentence) is not None


def is_key(phrase: str) -> bool:
    return phrase.casefold() in KEYS
