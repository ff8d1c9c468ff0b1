"""Bar charts drawn from the study YAML, one per outcome of a condition: response and remission
rates as inline, accessible SVG. A chart is complete: every study of its outcome with rates has
its bars, and its caption names the others and why they have none. Numbers are printed no finer
than the study's size supports, and a difference the study found not significant says so."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from markupsafe import Markup

from .. import model as m
from ..citations import first_author_year
from .certainty import backing

INK, PAPER, GRID = "#000000", "#ffffff", "#000000"  # black: grey breaks up in a fax
PRECISE_FROM = 100  # participants: below this, percentages are printed as whole numbers


@dataclass(frozen=True)
class Row:
    """One outcome with rates: a treatment bar and, when the study had one, a control bar."""

    study: m.Study
    name: str  # 'Anand 2023'
    kind: str  # response | remission
    label: str  # 'Response', or 'Response · LSAS' when a study has two of a kind
    treatment: float
    control: float | None
    significant: bool | None = None  # the study's test of the difference, when on file
    comparison: str | None = None  # the study's own conclusion (noninferior: its own test)

    def percent(self, value: float) -> str:
        return percent(value, self.study)

    @property
    def mark(self) -> str:
        """'n.s.' where the study found the difference not significant, 'sig.' where it did,
        'noninf.' where its test was of noninferiority (a 'sig.' would read as 'better')."""
        if self.control is not None and self.comparison == "noninferior":
            return "noninf."
        if self.control is None or self.significant is None:
            return ""
        return "sig." if self.significant else "n.s."


def decimals(study: m.Study) -> int:
    """Decimals a percentage of this study's people can honestly carry: none under 100."""
    n = study.n.value if study.n.unit == "participants" else None
    return 1 if n is not None and n >= PRECISE_FROM else 0


def percent(value: float, study: m.Study) -> str:
    """55.4 with n = 18 -> '55%'; with n = 403 -> '55.4%' (never more decimals than typed)."""
    number = Decimal(str(value))
    exponent = number.normalize().as_tuple().exponent
    typed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    places = min(decimals(study), typed)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded}%"


@dataclass(frozen=True)
class Chart:
    """One outcome's chart: its rows, and the outcome's studies it cannot draw, with why."""

    outcome: m.GradedOutcome
    rows: tuple[Row, ...]
    not_shown: tuple[tuple[str, m.Study], ...]  # (name, study): no rates on file
    title: str
    chart_id: str
    # (name, reason): studies on file that measure what it draws, left out (`left_out`)
    left_out: tuple[tuple[str, str], ...] = ()

    @property
    def missing(self) -> str:
        """The caption's account of the studies without bars ('' when every study on file that
        measures what it draws has them)."""
        found = []
        if self.not_shown:
            names = [f"{name} (n = {_n(study)})" for name, study in self.not_shown]
            verb = "reports" if len(names) == 1 else "report"
            found.append(f"Not shown: {_and(names)} {verb} no response or remission rates on "
                         "file.")
        if self.left_out:  # by reason: 'Zarate 2006 and Berman 2000 (one infusion ...)'
            by_reason: dict[str, list[str]] = {}
            for name, why in self.left_out:
                by_reason.setdefault(why, []).append(name)
            also = "Also not shown" if self.not_shown else "Not shown"
            found.append(f"{also}: "
                         f"{'; '.join(f'{_and(n)} ({why})' for why, n in by_reason.items())}.")
        return " ".join(found)

    @property
    def marks(self) -> str:
        """What the marks mean, and that unmarked pairs had no test on file."""
        used = {r.mark for r in self.rows if r.control is not None}
        if used == {""}:
            return "No significance test on file for these pairs."
        notes = []
        if "n.s." in used:
            notes.append("n.s. = the study found no significant difference")
        if "sig." in used:
            notes.append("sig. = the study found a significant difference")
        if "noninf." in used:
            notes.append("noninf. = the study's test found ketamine noninferior")
        if "" in used:
            notes.append("unmarked = no significance test on file")
        return "; ".join(notes) + "." if notes else ""

    def svg(self, g: Geometry | None = None) -> Markup:
        return svg(list(self.rows), self.title, self.chart_id, g or REPORT,
                   " ".join(x for x in (self.missing, self.marks) if x))

    @property
    def description(self) -> str:
        return " ".join(x for x in (description(list(self.rows)), self.missing) if x)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _n(study: m.Study) -> str:
    if study.n.value is None:
        return "not confirmed"
    unit = "" if study.n.unit == "participants" else f" {study.n.unit}"
    return f"{study.n.value:,}{unit}"


@dataclass(frozen=True)
class Geometry:
    """Sizes in SVG user units (1 unit = 1 pt at the width the layout gives the chart)."""

    width: float = 468
    label: float = 128  # the left column for study names
    bar: float = 9
    gap: float = 2
    group_gap: float = 9
    font: float = 7.5
    value_room: float = 34  # right of a 100% bar, for its number

    @property
    def plot(self) -> float:
        return self.width - self.label - self.value_room

    @property
    def group(self) -> float:
        return 2 * self.bar + self.gap + self.group_gap


REPORT = Geometry()
# font 6.4 units: 7.5 pt or more at the A4 sheet's column width (7.7 pt on Letter)
SHEET = Geometry(width=222, label=70, bar=6.5, gap=1.2, group_gap=4.5, font=6.4, value_room=28)


def drawn_outcomes(outcome: m.GradedOutcome,
                   studies: dict[str, m.Study]) -> list[tuple[m.Study, int]]:
    """(study, index of its outcome) of every rate the outcome's chart draws."""
    return [(study, k) for study in backing(outcome, studies) for k, o in
            enumerate(study.outcomes) if o.rates is not None]


def on_file(condition: m.Condition, studies: dict[str, m.Study]) -> list[m.Study]:
    """The efficacy studies on file for a condition: its evidence, the studies its key points
    cite and those of its outcomes."""
    ids = [*condition.evidence, *(s for p in condition.key_points for s in p.cites),
           *(s for o in condition.outcomes for s in o.studies)]
    return [studies[s] for s in dict.fromkeys(ids) if s in studies and studies[s].is_efficacy]


def rows(studies: list[m.Study], name: dict[str, str]) -> list[Row]:
    """Every outcome with rates, of the efficacy studies given (mechanism and animal: never)."""
    found = []
    for study in studies:
        if not study.is_efficacy:
            continue
        rated = [(o, o.rates) for o in study.outcomes if o.rates is not None]
        kinds = [r.kind for _, r in rated]
        for outcome, r in rated:
            label = r.kind.capitalize()
            if kinds.count(r.kind) > 1:  # tell them apart by the measure's first word
                label += f", {outcome.measure.split()[0]}"
            found.append(Row(study, name[study.id], r.kind, label, r.treatment, r.control,
                             outcome.significant, outcome.comparison))
    return found


def chart(condition: m.Condition, index: int, studies: list[m.Study],
          name: dict[str, str]) -> Chart | None:
    """The chart of a condition's outcome (index: its place in the list), or None when it has
    no chart or none of its studies gives rates."""
    outcome = condition.outcomes[index]
    if not outcome.chart:
        return None
    drawn = rows(studies, name)
    if not drawn:
        return None
    shown = {r.study.id for r in drawn}
    not_shown = tuple((name[s.id], s) for s in studies if s.is_efficacy and s.id not in shown)
    kinds = sorted({r.kind for r in drawn}, key=m.RATE_KINDS.index)
    chart_title = f"{outcome.name}: {' and '.join(kinds)} rates by study (% of people)"
    return Chart(outcome, tuple(drawn), not_shown, chart_title,
                 f"chart-{condition.id}-{index + 1}")


def outcome_charts(condition: m.Condition, studies: dict[str, m.Study]) -> list[Chart]:
    """The rate chart of every outcome of a condition that has one, its caption naming the
    studies left out and why."""
    found = []
    for i, outcome in enumerate(condition.outcomes):
        backed = backing(outcome, studies)
        drawn = chart(condition, i, backed, {s.id: first_author_year(s) for s in backed})
        if drawn is not None:
            left = tuple((first_author_year(studies[s]), why) for s, why, _ in outcome.left_out
                         if s in studies)
            found.append(dataclasses.replace(drawn, left_out=left))
    return found


def _arm(row: Row) -> str:
    return row.study.intervention.drug


def description(chart_rows: list[Row]) -> str:
    """The chart's numbers in words: its text alternative."""
    parts = []
    for row in chart_rows:
        # 'response, LSAS': the kind in lower case, the measure's name as written
        label = row.label[:1].lower() + row.label[1:]
        text = f"{row.name}, {label}: {row.percent(row.treatment)} with {_arm(row)}"
        if row.control is not None:
            text += f" vs {row.percent(row.control)} with {row.study.comparator}"
            if row.mark == "noninf.":
                text += ", noninferior by the study's own test"
            elif row.significant is not None:
                text += (", a significant difference" if row.significant
                         else ", not a significant difference")
        else:
            text += f" ({row.study.comparator})"
        parts.append(text)
    return "; ".join(parts) + "."


def svg(chart_rows: list[Row], chart_title: str, chart_id: str,
        g: Geometry = REPORT, note: str = "") -> Markup:
    """The chart as inline SVG: solid bars for the treatment arm, hatched for the control arm,
    every bar labelled with its number, so it reads in black and white."""
    top, legend = 4.0, g.font * 2.2
    axis_y = top + legend + len(chart_rows) * g.group
    height = axis_y + g.font * 2
    x0, unit = g.label, g.plot / 100
    said = " ".join(x for x in (description(chart_rows), note) if x)
    alt = f"{chart_title}. {said}"
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
         f'aria-labelledby="{chart_id}-title {chart_id}-desc" width="{g.width:g}" '
         f'height="{height:g}" viewBox="0 0 {g.width:g} {height:g}" '
         f'font-family="Atkinson Hyperlegible" font-size="{g.font:g}" data-unit="{unit:g}">'),
        f'<title id="{chart_id}-title">{escape(alt)}</title>',
        (f'<desc id="{chart_id}-desc">{escape(said)} Outcome definitions differ between '
         'studies; this is not a pooled comparison.</desc>'),
        (f'<defs><pattern id="{chart_id}-hatch" patternUnits="userSpaceOnUse" width="3" '
         f'height="3"><rect width="3" height="3" fill="{PAPER}"/>'
         f'<path d="M0,3 L3,0" stroke="{INK}" stroke-width="0.7"/></pattern></defs>'),
    ]
    out += _legend(chart_id, 0, top, g)
    for percent in (0, 25, 50, 75, 100):
        x = x0 + percent * unit
        out.append(f'<line class="tick" data-percent="{percent}" x1="{x:g}" y1="{top + legend:g}" '
                   f'x2="{x:g}" y2="{axis_y:g}" stroke="{GRID}" stroke-width="0.3" '
                   'stroke-dasharray="1 1.5"/>')
        out.append(f'<text x="{x:g}" y="{axis_y + g.font * 1.3:g}" text-anchor="middle" '
                   f'fill="{INK}">{percent}%</text>')
    for i, row in enumerate(chart_rows):
        out += _group(row, chart_id, top + legend + i * g.group, g)
    out.append("</svg>")
    return Markup("".join(out))


def _legend(chart_id: str, x0: float, y: float, g: Geometry) -> list[str]:
    """Key: a solid swatch and a hatched one, each named (the second placed after the first)."""
    s, first = g.bar, "Ketamine or esketamine"
    x1 = x0 + s * 2 + len(first) * g.font * 0.56 + g.font * 1.5
    return [
        f'<rect x="{x0:g}" y="{y:g}" width="{s * 1.6:g}" height="{s:g}" fill="{INK}"/>',
        f'<text x="{x0 + s * 2:g}" y="{y + s * 0.85:g}" fill="{INK}">{first}</text>',
        (f'<rect x="{x1:g}" y="{y:g}" width="{s * 1.6:g}" height="{s:g}" '
         f'fill="url(#{chart_id}-hatch)" stroke="{INK}" stroke-width="0.6"/>'),
        f'<text x="{x1 + s * 2:g}" y="{y + s * 0.85:g}" fill="{INK}">Control (see study)</text>',
    ]


def _group(row: Row, chart_id: str, y: float, g: Geometry) -> list[str]:
    """A study's two bars, its name and kind at the left, each bar's number at its end."""
    x0, unit = g.label, g.plot / 100
    mid = y + g.bar + g.gap / 2
    out = [(f'<text x="0" y="{mid - g.font * 0.25:g}" font-weight="700" fill="{INK}">'
            f'{escape(row.name)}</text>'),
           f'<text x="0" y="{mid + g.font * 0.95:g}" fill="{INK}">{escape(row.label)}</text>']
    arms = (("treatment", row.treatment, f'fill="{INK}"'),
            ("control", row.control, (f'fill="url(#{chart_id}-hatch)" stroke="{INK}" '
                                      'stroke-width="0.6"')))
    for k, (arm, value, paint) in enumerate(arms):
        by = y + k * (g.bar + g.gap)
        text_y = by + g.bar * 0.8
        if value is None:
            out.append(_ground(x0 + 1, by, row.study.comparator, g))
            out.append(f'<text x="{x0 + 2:g}" y="{text_y:g}" font-style="italic" fill="{INK}">'
                       f'{escape(row.study.comparator)}</text>')
            continue
        w = value * unit
        out.append(f'<rect class="bar" data-study="{row.study.id}" data-kind="{row.kind}" '
                   f'data-arm="{arm}" x="{x0:g}" y="{by:g}" width="{w:g}" height="{g.bar:g}" '
                   f'{paint}/>')
        label = row.percent(value)
        if arm == "control" and row.mark:
            label += f" {row.mark}"
        out.append(_ground(x0 + w + 1, by, label, g))
        out.append(f'<text x="{x0 + w + 2:g}" y="{text_y:g}" fill="{INK}">{label}</text>')
    return out


def _ground(x: float, y: float, label: str, g: Geometry) -> str:
    """Paper under a label (about its width, at the font's average advance), so that no
    gridline runs through its figures."""
    width = len(label) * g.font * 0.56 + 2
    return (f'<rect class="ground" x="{x:g}" y="{y:g}" width="{width:g}" height="{g.bar:g}" '
            f'fill="{PAPER}"/>')
