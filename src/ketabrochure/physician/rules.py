"""Research content rules for physician documents: off-label statement, citations, labels for
animal and mechanism work, review dates, the certainty of each outcome. Pure: they only report."""

from __future__ import annotations

import datetime as dt
import re

from .. import model as m
from ..diagnostics import Diagnostics
from . import certainty

ANIMAL_WORDS = re.compile(r"\b(animal|animals|mouse|mice|rat|rats|preclinical)\b", re.IGNORECASE)
MECHANISM_WORDS = re.compile(r"\b(mechanism|mechanistic|imaging|PET|EEG|brain)\b", re.IGNORECASE)
STALE_AFTER = dt.timedelta(days=365)


def content_rules(project: m.Project, today: dt.date, diags: Diagnostics) -> None:
    for condition in project.conditions.values():
        _condition_rules(condition, project, today, diags)
    off_label = [f for f in project.regulatory.values() if f.off_label]
    if len(off_label) != 1 and project.regulatory:
        first = next(iter(project.regulatory.values()))
        diags.error(first.loc, "content.off-label", "regulatory",
                    f"exactly one fact must be marked off_label: true; found {len(off_label)}")


def _condition_rules(condition: m.Condition, project: m.Project, today: dt.date,
                     diags: Diagnostics) -> None:
    studies, where = project.studies, f"condition {condition.id}"
    if not any(project.regulatory[r].off_label for r in condition.regulatory
               if r in project.regulatory):
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
    reviewed = condition.reviewed_on
    reviewed_loc = condition.locs.get("reviewed_on", condition.loc)
    if reviewed > today:
        diags.error(reviewed_loc, "content.date", f"{where}: reviewed_on",
                    f"{reviewed.isoformat()} is in the future")
    elif today - reviewed > STALE_AFTER:
        diags.warning(reviewed_loc, "content.stale", f"{where}: reviewed_on",
                      f"last reviewed {reviewed.isoformat()}, more than a year ago")
    certainty.check(condition, project, diags)
