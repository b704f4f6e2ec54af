"""Chart geometry for server-rendered SVG: numbers in, coordinates and labels out.

The templates draw the SVG from these values, so every label (a price, a date) goes through
Jinja's autoescaping like any other text; nothing here builds markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

SPARK_WIDTH = 120
SPARK_HEIGHT = 28
CHART_WIDTH = 720
CHART_HEIGHT = 260
# Room for the axis labels around the plot area.
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 64, 16, 16, 32
MAX_DOTS = 40  # beyond this, dots crowd the line and say nothing more


@dataclass(frozen=True)
class Sparkline:
    points: str  # "x,y x,y ..." for <polyline points>
    trend: str  # "up", "down" or "flat": last point against the first
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def _scale(value: float, low: float, high: float, size: float) -> float:
    if high == low:
        return size / 2
    return (value - low) / (high - low) * size


def sparkline(amounts: list[float]) -> Sparkline | None:
    """A small trend line over the last amounts (oldest first); None below two points."""
    if len(amounts) < 2:
        return None
    low, high = min(amounts), max(amounts)
    step = (SPARK_WIDTH - 4) / (len(amounts) - 1)
    coords = [
        f"{2 + i * step:.1f},{SPARK_HEIGHT - 2 - _scale(a, low, high, SPARK_HEIGHT - 4):.1f}"
        for i, a in enumerate(amounts)
    ]
    trend = "up" if amounts[-1] > amounts[0] else "down" if amounts[-1] < amounts[0] else "flat"
    return Sparkline(points=" ".join(coords), trend=trend)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class HistoryChart:
    line: str  # polyline points
    area: str  # polygon points (the line closed down to the x axis)
    dots: list[tuple[float, float, str]]  # x, y, tooltip text
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = PAD_LEFT
    right: int = CHART_WIDTH - PAD_RIGHT
    top: int = PAD_TOP
    bottom: int = CHART_HEIGHT - PAD_BOTTOM


def _date_label(when: datetime, span_days: float) -> str:
    return when.strftime("%H:%M") if span_days < 2 else when.strftime("%d %b")


def _time_ticks(first: datetime, last: datetime, x_of: Callable[[datetime], float]) -> list[Tick]:
    """Labels under the chart: start, middle and end (only start for a single point)."""
    span_days = (last - first).total_seconds() / 86400
    moments = [first] if last == first else [first, first + (last - first) / 2, last]
    return [Tick(position=x_of(when), label=_date_label(when, span_days)) for when in moments]


def _step_line(coords: list[tuple[float, float]]) -> str:
    """Polyline points: a price holds until the next check sees another, so draw steps."""
    steps = [coords[0]]
    for x, y in coords[1:]:
        steps.extend([(x, steps[-1][1]), (x, y)])
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in steps)


def history_chart(
    points: list[tuple[datetime, float]], *, currency: str | None = None
) -> HistoryChart | None:
    """A price-over-time chart for (time, amount) pairs, oldest first; None when empty."""
    if not points:
        return None
    plot_w = CHART_WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM
    start, end = points[0][0].timestamp(), points[-1][0].timestamp()
    amounts = [a for _, a in points]
    low, high = min(amounts), max(amounts)
    if low == high:  # a flat line sits in the middle with a band of +-5% around it
        low, high = low * 0.95, high * 1.05 or 1.0

    def x_of(when: datetime) -> float:
        if end == start:
            return PAD_LEFT + plot_w / 2
        return PAD_LEFT + (when.timestamp() - start) / (end - start) * plot_w

    def y_of(amount: float) -> float:
        return PAD_TOP + plot_h - _scale(amount, low, high, plot_h)

    prefix = f"{currency} " if currency else ""
    coords = [(x_of(at), y_of(a)) for at, a in points]
    line = _step_line(coords)
    bottom = PAD_TOP + plot_h
    area = f"{coords[0][0]:.1f},{bottom} {line} {coords[-1][0]:.1f},{bottom}"
    dots = [
        (x, y, f"{at:%Y-%m-%d %H:%M} UTC: {prefix}{a:,.2f}")
        for (x, y), (at, a) in zip(coords, points, strict=True)
    ]
    y_ticks = [
        Tick(position=y_of(low + (high - low) * i / 4), label=f"{low + (high - low) * i / 4:,.2f}")
        for i in range(5)
    ]
    x_ticks = _time_ticks(points[0][0], points[-1][0], x_of)
    # Dots only when they can be told apart; a long history reads better as a line.
    return HistoryChart(
        line=line,
        area=area,
        dots=dots if len(dots) <= MAX_DOTS else [],
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
