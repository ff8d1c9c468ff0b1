"""Research content rules for physician documents: off-label statement, citations, labels for
animal and mechanism work, the certainty of each outcome, charts that leave no study out
silently. Pure: they only report."""

from __future__ import annotations

import datetime as dt
import re

from .. import model as m
from ..diagnostics import Diagnostics
from ..read.project import REGULATORY
from . import certainty, charts
from .claims import physician_claims

ANIMAL_WORDS = re.compile(r"\b(animal|animals|mouse|mice|rat|rats|preclinical)\b", re.IGNORECASE)
MECHANISM_WORDS = re.compile(r"\b(mechanism|mechanistic|imaging|PET|EEG|brain)\b", re.IGNORECASE)


def content_rules(project: m.Project, today: dt.date,  # noqa: ARG001 - the audiences' signature
                  diags: Diagnostics) -> None:
    for condition in project.conditions.values():
        _condition_rules(condition, project, diags)
    off_label = [f for f in project.regulatory.values() if f.off_label]
    if len(off_label) != 1 and project.regulatory and REGULATORY not in project.broken:
        first = next(iter(project.regulatory.values()))
        diags.error(first.loc, "content.off-label", "regulatory",
                    f"exactly one fact must be marked off_label: true; found {len(off_label)}")


def _condition_rules(condition: m.Condition, project: m.Project, diags: Diagnostics) -> None:
    studies, where = project.studies, f"condition {condition.id}"
    if REGULATORY not in project.broken and not any(
            project.regulatory[r].off_label for r in condition.regulatory
            if r in project.regulatory):  # (a broken regulatory.yaml: its own errors said)
        diags.error(condition.locs.get("regulatory", condition.loc), "content.off-label", where,
                    "must list the off-label statement (the fact marked off_label: true)")
    for i, point in enumerate(condition.key_points):
        if not point.cites:
            diags.error(point.loc, "content.uncited", f"{where}: key_points[{i + 1}]",
                        "every key point must cite at least one study")
        cited = [studies[s] for s in point.cites if s in studies]
        if any(s.role == "preclinical" for s in cited) and not ANIMAL_WORDS.search(point.text):
            diags.error(point.loc, "content.preclinical", f"{where}: key_points[{i + 1}]",
                        "cites an animal study; say in the text that it is an animal study")
        labelled = MECHANISM_WORDS.search(point.text) or ANIMAL_WORDS.search(point.text)
        if cited and all(s.role != "efficacy" for s in cited) and not labelled:
            diags.error(point.loc, "content.mechanism", f"{where}: key_points[{i + 1}]",
                        "cites only mechanism or animal studies; say so in the text")
    for study_id, loc in zip(condition.evidence, condition.evidence_locs, strict=False):
        study = studies.get(study_id)
        if study is not None and not study.outcomes:
            diags.error(loc, "content.no-result", f"{where}: evidence",
                        f"study '{study_id}' has no confirmed outcome to show")
    physician_claims(condition, project, diags)
    certainty.check(condition, project, diags)
    _charts_complete(condition, project.studies, diags)


def _charts_complete(condition: m.Condition, studies: dict[str, m.Study],
                     diags: Diagnostics) -> None:
    """Each outcome's chart lists every study on file for its condition that measures what
    it draws (the `measures` of the outcomes whose rates it draws), or leaves one out with the
    reason its caption prints. Where a chart is drawn, every study on file says what each of
    its outcomes measures (else a study could hide from the chart by saying nothing)."""
    first = None
    for index, outcome in enumerate(condition.outcomes):
        if _chart_complete(condition, index, outcome, studies, diags) and first is None:
            first = outcome.name
    for study in charts.on_file(condition, studies) if first else []:
        for k, said in enumerate(study.outcomes):
            if not said.measures:
                diags.error(said.loc or study.loc, "content.missing-field",
                            f"{study.id}: outcomes[{k + 1}].measures",
                            f"say what it measures (measures: [one or more of "
                            f"{', '.join(m.MEASURES)}]): a chart of {condition.id} ('{first}') "
                            "lists every study on file that measures what it draws, or says "
                            "why not")


def _chart_complete(condition: m.Condition, index: int, outcome: m.GradedOutcome,
                    studies: dict[str, m.Study], diags: Diagnostics) -> bool:
    """One outcome's chart (see `_charts_complete`); whether it is drawn."""
    where = f"condition {condition.id}: outcomes[{index + 1}]"
    left = {study_id: loc for study_id, _, loc in outcome.left_out}
    for study_id, loc in left.items():
        if study_id not in studies:
            diags.error(loc, "content.unknown-ref", f"{where}.left_out", f"no study '{study_id}'")
        elif study_id in outcome.studies:
            diags.error(loc, "chart.left-out", f"{where}.left_out",
                        f"'{study_id}' is one of the outcome's studies: it is charted (or its "
                        "caption says it has no rates); remove it from left_out")
    drawn = charts.drawn_outcomes(outcome, studies) if outcome.chart else []
    charted = {x for study, k in drawn for x in study.outcomes[k].measures} - {"other"}
    for study in charts.on_file(condition, studies):
        same = [(k, o) for k, o in enumerate(study.outcomes) if charted & set(o.measures)]
        if same and study.id not in outcome.studies and study.id not in left:
            k, o = same[0]
            diags.error(outcome.loc, "chart.incomplete", where,
                        f"its chart ('{outcome.name}') leaves out {study.id}, on file for "
                        f"{condition.id}, whose outcomes[{k + 1}] ('{o.measure}') measures "
                        f"{', '.join(sorted(charted & set(o.measures)))}: add it to the "
                        f"outcome's studies, or say why it is not charted (the caption prints "
                        f"it): left_out: {{{study.id}: \"<the reason>\"}}")
    return bool(drawn)
