"""The words only the web edition shows, in English and Spanish. A label of the same name in
content/patient.yaml (`labels: {web_skip: {en: ..., es: ...}}`) wins, so the clinic can reword
them; `webcheck` holds every word a page prints outside the content to the patient rules."""

from __future__ import annotations

from .. import model as m
from ..citations import DESIGN_NAMES, SYNTHESES

WORDS: dict[str, dict[str, str]] = {
    "web_skip": {"en": "Skip to the main content", "es": "Ir al contenido principal"},
    "web_title": {"en": "The research on ketamine therapy",
                  "es": "La investigación sobre la terapia con ketamina"},
    "web_intro": {
        "en": "What studies in people found about ketamine for each condition, how sure we "
              "can be, and which uses are not FDA-approved. This page is made from the same "
              "checked records as our printed handouts.",
        "es": "Lo que encontraron los estudios en personas sobre la ketamina para cada "
              "problema de salud, qué tan seguros podemos estar y qué usos no están aprobados "
              "por la FDA. Esta página se hace con los mismos datos revisados que nuestras "
              "hojas impresas."},
    "web_site": {"en": "Site", "es": "Sitio"},
    "web_research": {"en": "Research", "es": "Investigación"},
    "web_handouts": {"en": "Handouts", "es": "Hojas para pacientes"},
    "web_glossary": {"en": "Words to know", "es": "Palabras que debe conocer"},
    "web_language": {"en": "Language", "es": "Idioma"},
    "web_contents": {"en": "Conditions on this page", "es": "Temas en esta página"},
    "web_bottom_line": {"en": "In short", "es": "En resumen"},
    "web_certainty": {"en": "How sure we can be, for each result",
                      "es": "Qué tan seguros podemos estar, para cada resultado"},
    "web_outcome": {"en": "Result measured", "es": "Resultado medido"},
    "web_grade": {"en": "Certainty", "es": "Certeza"},
    "web_evidence": {"en": "People and studies", "es": "Personas y estudios"},
    "web_studies": {"en": "The studies", "es": "Los estudios"},
    "web_study": {"en": "Study", "es": "Estudio"},
    "web_design": {"en": "Design", "es": "Diseño"},
    "web_size": {"en": "Size", "es": "Tamaño"},
    "web_charts": {"en": "How many people got better", "es": "Cuántas personas mejoraron"},
    "web_approval": {"en": "What the FDA says", "es": "Lo que dice la FDA"},
    "web_english_only": {"en": "", "es": "Esta parte solo está en inglés."},
    "web_printable": {"en": "Printable copies", "es": "Copias para imprimir"},
    "web_handout_link": {"en": "Read the handout", "es": "Leer la hoja para pacientes"},
    "web_back": {"en": "Back to the research", "es": "Volver a la investigación"},
    "web_pages": {"en": "pages", "es": "páginas"},
    "web_page": {"en": "page", "es": "página"},
    "web_one_sided": {"en": "print on one side", "es": "imprimir por un solo lado"},
    "web_long_edge": {"en": "print on both sides, flip on the long edge",
                      "es": "imprimir por ambos lados, girar por el borde largo"},
    "web_short_edge": {"en": "print on both sides, flip on the short edge",
                       "es": "imprimir por ambos lados, girar por el borde corto"},
    "web_large_print": {"en": "large print", "es": "letra grande"},
    "web_for_physicians": {"en": "for physicians, in English",
                           "es": "para médicos, en inglés"},
    "web_people_unit": {"en": "people", "es": "personas"},
    "web_studies_unit": {"en": "studies", "es": "estudios"},
    "web_animals_unit": {"en": "animals", "es": "animales"},
    "web_not_confirmed": {"en": "size not confirmed", "es": "tamaño no confirmado"},
    "web_chart_note": {"en": "The numbers in the chart, in words:",
                       "es": "Los números del gráfico, en palabras:"},
    "web_doi": {"en": "DOI", "es": "DOI"},
    "web_reviewed_by": {"en": "Reviewed by", "es": "Revisado por"},
    "web_choose": {"en": "Choose your language", "es": "Elija su idioma"},
}
# GRADE's certainty, in plain words
GRADE_WORDS = {
    "high": {"en": "High", "es": "Alta"}, "moderate": {"en": "Moderate", "es": "Moderada"},
    "low": {"en": "Low", "es": "Baja"}, "very-low": {"en": "Very low", "es": "Muy baja"},
    # no estimate on file: the outcome is described, not graded
    "narrative": {"en": "Not graded: no estimate on file",
                  "es": "Sin calificar: no hay una estimación"},
}
DESIGN_WORDS = {
    "rct": {"en": "Randomized trial", "es": "Ensayo aleatorizado"},
    "crossover-rct": {"en": "Randomized crossover trial",
                      "es": "Ensayo aleatorizado cruzado"},
    "nonrandomised-crossover": {"en": "Crossover study, not randomized",
                                "es": "Estudio cruzado, no aleatorizado"},
    "meta-analysis": {"en": "Meta-analysis", "es": "Metaanálisis"},
    "systematic-review": {"en": "Systematic review", "es": "Revisión sistemática"},
    "single-arm": {"en": "Study with one group", "es": "Estudio de un solo grupo"},
    "cohort": {"en": "Cohort study", "es": "Estudio de cohorte"},
    "animal": {"en": "Animal study", "es": "Estudio en animales"},
}
# labels that keep weak designs visible (citations.study_flags says the same to physicians)
FLAG_WORDS = {
    "preclinical": {"en": "Animal study: not evidence for people",
                    "es": "Estudio en animales: no es evidencia en personas"},
    "mechanism": {"en": "Mechanism study: not evidence of benefit",
                  "es": "Estudio de mecanismo: no muestra beneficio"},
    "open-label": {"en": "Open-label: people knew what they got",
                   "es": "Abierto: las personas sabían qué recibían"},
    "uncontrolled": {"en": "No comparison group", "es": "Sin grupo de comparación"},
    # a review that does not confirm it pooled controlled trials only (not a study's arms)
    "pooled-unconfirmed": {"en": "Controlled trials only: not confirmed",
                           "es": "Solo ensayos controlados: no confirmado"},
    "small": {"en": "Small study", "es": "Estudio pequeño"},
}


def words(lang: str, labels: dict[str, m.Text]) -> dict[str, str]:
    """Every web word in one language; patient.yaml's labels of the same name win."""
    found = {key: value[lang] for key, value in WORDS.items()}
    found.update({key: label.raw(lang) for key, label in labels.items() if key in WORDS})
    return found


def design(study: m.Study, lang: str) -> str:
    """The study's design in the page's language (in English where no word is given here)."""
    words_for = DESIGN_WORDS.get(study.design.type, {})
    return words_for.get(lang) or DESIGN_NAMES.get(study.design.type, study.design.type)


def flags(study: m.Study, lang: str) -> list[str]:
    """The labels that keep a study's weak design visible, in the page's language."""
    keys = []
    if study.role in ("preclinical", "mechanism"):
        keys.append(study.role)
    if study.design.blinding == "open-label":
        keys.append("open-label")
    if not study.design.controlled:
        keys.append("pooled-unconfirmed" if study.design.type in SYNTHESES else "uncontrolled")
    if study.is_small:
        keys.append("small")
    return [FLAG_WORDS[k][lang] for k in keys]
