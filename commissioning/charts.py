"""Geometry for the market view's charts, drawn as SVG by the templates (no JavaScript). Each chart sits beside a
table of the same figures, which is what screen readers read (the SVG is hidden from them)."""

from __future__ import annotations

from dataclasses import dataclass

from orders.money import format_pence

#: The drawing area of every chart, in SVG user units (the SVG scales to its container).
WIDTH = 600
LABEL_WIDTH = 190
ROW_HEIGHT = 28
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = WIDTH

    @property
    def text_y_offset(self) -> int:
        return BAR_HEIGHT - 4


def bar_chart(rows: list[tuple[str, int]], *, money: bool = True) -> BarChart:
    """Horizontal bars for (label, value) rows, longest scaled to the drawing width."""
    largest = max((value for _, value in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 90  # space for the value written after the bar
    bars = [
        Bar(label=label if len(label) <= 26 else label[:25] + "…",
            value_text=format_pence(value) if money else f"{value:,}",
            y=index * ROW_HEIGHT + 4, width=round(room * value / largest, 1))
        for index, (label, value) in enumerate(rows)
    ]
    return BarChart(bars=bars, height=max(1, len(bars)) * ROW_HEIGHT + 8)


@dataclass(frozen=True)
class Box:
    label: str
    y: int
    low: float
    q1: float
    median: float
    q3: float
    high: float
    reference: float | None

    @property
    def box_width(self) -> float:
        return round(self.q3 - self.q1, 1)


@dataclass(frozen=True)
class BoxPlot:
    boxes: list[Box]
    height: int
    ticks: list[tuple[float, str]]
    label_width: int = LABEL_WIDTH
    width: int = WIDTH
    row_height: int = ROW_HEIGHT * 2

    @property
    def axis_y(self) -> int:
        return self.height - 22


def box_plot(spreads) -> BoxPlot:
    """One box per kind of support: whiskers from lowest to highest, the box from quartile to quartile, a line at
    the median, and a dashed mark at the reference rate."""
    top = max([s.highest for s in spreads] + [s.reference or 0 for s in spreads] + [1]) * 1.05
    room = WIDTH - LABEL_WIDTH - 20

    def x(pence: float) -> float:
        return round(LABEL_WIDTH + room * pence / top, 1)

    boxes = [
        Box(label=s.category.name if len(s.category.name) <= 26 else s.category.name[:25] + "…",
            y=index * ROW_HEIGHT * 2 + 8, low=x(s.lowest), q1=x(s.lower_quartile), median=x(s.median),
            q3=x(s.upper_quartile), high=x(s.highest), reference=x(s.reference) if s.reference else None)
        for index, s in enumerate(spreads)
    ]
    step = _tick_step(top)
    ticks = [(x(pence), format_pence(pence)) for pence in range(0, int(top) + 1, step)]
    return BoxPlot(boxes=boxes, height=len(boxes) * ROW_HEIGHT * 2 + 40, ticks=ticks)


def _tick_step(top: float) -> int:
    """A round step (in pence) giving about five ticks: £1, £2, £5, £10, £20..."""
    for pounds in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if top / (pounds * 100) <= 6:
            return pounds * 100
    return 1000_00
