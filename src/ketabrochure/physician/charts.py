"""Bar charts drawn from the study YAML: response and remission rates as inline, accessible SVG."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from .. import model as m

INK, PAPER, GRID = "#1b1b1b", "#ffffff", "#b9c2c8"


@dataclass(frozen=True)
class Row:
    """One outcome with rates: a treatment bar and, when the study had one, a control bar."""

    study: m.Study
    name: str  # 'Anand 2023'
    kind: str  # response | remission
    label: str  # 'Response', or 'Response · LSAS' when a study has two of a kind
    treatment: float
    control: float | None


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
SHEET = Geometry(width=222, label=70, bar=6.5, gap=1.2, group_gap=6, font=6, value_room=28)


def rows(studies: list[m.Study], name: dict[str, str]) -> list[Row]:
    """Every outcome with rates, of the efficacy studies given (mechanism and animal: never)."""
    found = []
    for study in studies:
        if not study.is_efficacy:
            continue
        rated = [(o.measure, o.rates) for o in study.outcomes if o.rates is not None]
        kinds = [r.kind for _, r in rated]
        for measure, r in rated:
            label = r.kind.capitalize()
            if kinds.count(r.kind) > 1:  # tell them apart by the measure's first word
                label += f", {measure.split()[0]}"
            found.append(Row(study, name[study.id], r.kind, label, r.treatment, r.control))
    return found


def title(condition: m.Condition, chart_rows: list[Row]) -> str:
    kinds = sorted({r.kind for r in chart_rows}, key=m.RATE_KINDS.index)
    return f"{condition.name}: {' and '.join(kinds)} rates by study (% of people)"


def _arm(row: Row) -> str:
    return row.study.intervention.drug


def description(chart_rows: list[Row]) -> str:
    """The chart's numbers in words: its text alternative."""
    parts = []
    for row in chart_rows:
        text = f"{row.name}, {row.label.lower()}: {row.treatment:g}% with {_arm(row)}"
        if row.control is not None:
            text += f" vs {row.control:g}% with {row.study.comparator}"
        else:
            text += f" ({row.study.comparator})"
        parts.append(text)
    return "; ".join(parts) + "."


def svg(chart_rows: list[Row], chart_title: str, chart_id: str,
        g: Geometry = REPORT) -> Markup:
    """The chart as inline SVG: solid bars for the treatment arm, hatched for the control arm,
    every bar labelled with its number, so it reads in black and white."""
    top, legend = 4.0, g.font * 2.2
    axis_y = top + legend + len(chart_rows) * g.group
    height = axis_y + g.font * 2
    x0, unit = g.label, g.plot / 100
    alt = f"{chart_title}. {description(chart_rows)}"
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
         f'aria-labelledby="{chart_id}-title {chart_id}-desc" width="{g.width:g}" '
         f'height="{height:g}" viewBox="0 0 {g.width:g} {height:g}" '
         f'font-family="Atkinson Hyperlegible" font-size="{g.font:g}" data-unit="{unit:g}">'),
        f'<title id="{chart_id}-title">{escape(alt)}</title>',
        (f'<desc id="{chart_id}-desc">{escape(description(chart_rows))} Outcome definitions '
         'differ between studies; this is not a pooled comparison.</desc>'),
        (f'<defs><pattern id="{chart_id}-hatch" patternUnits="userSpaceOnUse" width="3" '
         f'height="3"><rect width="3" height="3" fill="{PAPER}"/>'
         f'<path d="M0,3 L3,0" stroke="{INK}" stroke-width="0.7"/></pattern></defs>'),
    ]
    out += _legend(chart_id, 0, top, g)
    for percent in (0, 25, 50, 75, 100):
        x = x0 + percent * unit
        out.append(f'<line class="tick" data-percent="{percent}" x1="{x:g}" y1="{top + legend:g}" '
                   f'x2="{x:g}" y2="{axis_y:g}" stroke="{GRID}" stroke-width="0.5"/>')
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
            out.append(f'<text x="{x0 + 2:g}" y="{text_y:g}" font-style="italic" fill="{INK}">'
                       f'{escape(row.study.comparator)}</text>')
            continue
        w = value * unit
        out.append(f'<rect class="bar" data-study="{row.study.id}" data-kind="{row.kind}" '
                   f'data-arm="{arm}" x="{x0:g}" y="{by:g}" width="{w:g}" height="{g.bar:g}" '
                   f'{paint}/>')
        out.append(f'<text x="{x0 + w + 2:g}" y="{text_y:g}" fill="{INK}">{value:g}%</text>')
    return out
