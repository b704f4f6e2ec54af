"""Chart geometry and formatting: pure functions, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pricemon.models import Product
from pricemon.web import charts
from pricemon.web.filters import (
    ago,
    change_class,
    money,
    percent_change,
    signed_percent,
    status_badge,
)

START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("amounts", "trend"),
    [([10, 12], "up"), ([12, 10], "down"), ([10, 11, 10], "flat"), ([5, 5], "flat")],
)
def test_sparkline_trend(amounts: list[float], trend: str) -> None:
    line = charts.sparkline([float(a) for a in amounts])
    assert line is not None and line.trend == trend
    assert len(line.points.split()) == len(amounts)


def test_sparkline_needs_two_points() -> None:
    assert charts.sparkline([]) is None and charts.sparkline([3.0]) is None


def test_history_chart_draws_steps_within_the_plot() -> None:
    points = [(START + timedelta(days=i), float(a)) for i, a in enumerate([10, 20, 15])]
    chart = charts.history_chart(points, currency="EUR")
    assert chart is not None
    coords = [tuple(map(float, p.split(","))) for p in chart.line.split()]
    assert len(coords) == 1 + 2 * (len(points) - 1)  # a horizontal and a vertical per change
    for x, y in coords:
        assert chart.left <= x <= chart.right and chart.top <= y <= chart.bottom
    assert coords[1][1] == coords[0][1]  # the price holds until the next check
    assert chart.y_ticks[0].label == "10.00"
    assert chart.dots[1][2] == "2026-11-02 00:00 UTC: EUR 20.00"


def test_history_chart_of_one_point_and_of_none() -> None:
    single = charts.history_chart([(START, 9.99)])
    assert single is not None and len(single.dots) == 1
    assert charts.history_chart([]) is None


def test_long_histories_drop_the_dots() -> None:
    points = [(START + timedelta(hours=i), 1.0 + i % 3) for i in range(charts.MAX_DOTS + 1)]
    chart = charts.history_chart(points)
    assert chart is not None and chart.dots == []


@pytest.mark.parametrize(
    ("new", "old", "text", "css"),
    [
        ("90", "100", "-10.0%", "down"),
        ("110", "100", "+10.0%", "up"),
        ("100", "100", "0.0%", "flat"),
        ("5", None, "-", "flat"),
        ("5", "0", "-", "flat"),
    ],
)
def test_percent_change(new: str, old: str | None, text: str, css: str) -> None:
    change = percent_change(Decimal(new), Decimal(old) if old is not None else None)
    assert (signed_percent(change), change_class(change)) == (text, css)


def test_money_and_ago() -> None:
    assert money(Decimal("1234.5"), "EUR") == "1,234.50 EUR"
    assert money(None) == "-"
    now = START + timedelta(days=3)
    assert ago(START, now) == "3 days ago"
    assert ago(now - timedelta(minutes=5), now) == "5 min ago"
    assert ago(None) == "never"


def test_status_badges() -> None:
    failing = Product(url="u", status="failing", failing_since=START)
    assert status_badge(failing) == {"css": "failing", "label": "failing since 01 Nov 00:00 UTC"}
    assert status_badge(Product(url="u", status="out_of_stock"))["label"] == "out of stock"
    assert status_badge(Product(url="u"))["label"] == "pending"
