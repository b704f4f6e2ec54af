"""Trend maths and digest content (pure, table-driven)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from pricemon.domain.digest_content import build_digest
from pricemon.domain.trends import PricePoint, compute_trend, time_weighted_average
from pricemon.email_render import format_money, format_percent, render_digest
from tests.digest.factories import NOW, history, snapshot


def test_time_weighted_average_weights_prices_by_how_long_they_held() -> None:
    # 100 for 6 days, then 50 for the last day: (6*100 + 1*50) / 7, not (100 + 50) / 2.
    points = [
        PricePoint(NOW - timedelta(days=7), Decimal(100), "EUR"),
        PricePoint(NOW - timedelta(days=1), Decimal(50), "EUR"),
    ]
    assert time_weighted_average(points, now=NOW, days=7) == Decimal("92.86")


def test_price_before_the_window_carries_into_it() -> None:
    points = [
        PricePoint(NOW - timedelta(days=40), Decimal(80), "EUR"),
        PricePoint(NOW - timedelta(days=3), Decimal(100), "EUR"),
    ]
    # 80 held for the first 4 of the last 7 days, then 100.
    assert time_weighted_average(points, now=NOW, days=7) == Decimal("88.57")


@pytest.mark.parametrize(("days", "expected"), [(7, "10.00"), (30, "10.00"), (90, None)])
def test_average_needs_half_the_window_covered(days: int, expected: str | None) -> None:
    points = history(*["10.00"] * 20)  # 19 days of history
    average = time_weighted_average(points, now=NOW, days=days)
    assert average == (Decimal(expected) if expected else None)


def test_trend_change_and_lows() -> None:
    trend = compute_trend(history(*(["100.00"] * 95 + ["90.00", "80.00"])), now=NOW)
    assert trend.vs_last is not None
    assert (trend.vs_last.amount, trend.vs_last.percent, trend.vs_last.direction) == (
        Decimal("-10.00"), Decimal("-11.11"), "down",
    )  # fmt: skip
    assert trend.lowest_in == (30, 90) and trend.new_low_in == (30, 90)
    assert trend.vs_average[7].direction == "down"
    assert set(trend.vs_average) == {7, 30, 90, 180}


def test_equal_to_the_low_is_lowest_but_not_new() -> None:
    trend = compute_trend(history("80.00", "100.00", "80.00"), now=NOW)
    assert trend.lowest_in == (30, 90) and trend.new_low_in == ()


def test_a_currency_switch_has_no_comparable_history() -> None:
    points = history("100.00", "100.00") + history("90.00", currency="USD")
    trend = compute_trend(points, now=NOW)
    assert trend.current is not None and trend.current.currency == "USD"
    assert trend.vs_last is None and trend.lowest_in == ()


def test_no_history_no_trend() -> None:
    trend = compute_trend([], now=NOW)
    assert trend.current is None and trend.vs_last is None


def test_summary_lists_drops_new_lows_and_failing() -> None:
    products = [
        snapshot(1, "b drop small", history("100.00", "95.00")),
        snapshot(2, "a drop big", history("100.00", "50.00")),
        snapshot(3, "c rise", history("100.00", "120.00")),
        snapshot(4, "d failing", history("10.00"), failing_since=NOW - timedelta(days=1)),
    ]
    content = build_digest(products, now=NOW, timezone="Europe/Berlin")
    assert [i.product.name for i in content.items] == [
        "a drop big", "b drop small", "c rise", "d failing",
    ]  # fmt: skip
    assert [i.product.name for i in content.biggest_drops] == ["a drop big", "b drop small"]
    assert [i.product.name for i in content.new_lows] == ["a drop big", "b drop small"]
    assert [i.product.name for i in content.failing] == ["d failing"]
    assert content.subject == "Price Monitor Report - 2026-11-28"  # 23:00 in Berlin


def test_rendering_escapes_page_text_and_colours_changes() -> None:
    evil = snapshot(1, '<img src=x onerror="alert(1)">', history("100.00", "90.00"),
                    url='https://shop.example/p?a=1&b="2"', last_error="<script>x</script>",
                    failing_since=NOW)  # fmt: skip
    rise = snapshot(2, "Riser", history("100.00", "110.00"))
    email = render_digest(build_digest([evil, rise], now=NOW, timezone="UTC"))
    assert "<img src=x" not in email.html and "<script>x" not in email.html
    assert "&lt;img src=x onerror=" in email.html and "&lt;script&gt;" in email.html
    assert 'href="https://shop.example/p?a=1&amp;b=&#34;2&#34;"' in email.html
    assert 'color:#15803d;font-weight:bold;white-space:nowrap;">vs last &darr;' in email.html
    assert 'color:#b91c1c;font-weight:bold;white-space:nowrap;">vs last &uarr;' in email.html
    assert "vs last ↓ down 10.0%" in email.text and "vs last ↑ up 10.0%" in email.text


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("1299", "EUR", "€1,299.00"), ("0.5", "USD", "$0.50"), ("1299.95", "SEK", "1,299.95 SEK"),
     ("12.345", "GBP", "£12.345"), ("5", None, "5.00")],
)  # fmt: skip
def test_format_money(amount: str, currency: str | None, expected: str) -> None:
    assert format_money(Decimal(amount), currency) == expected


def test_format_percent() -> None:
    assert [format_percent(Decimal(v)) for v in ("-11.11", "20", "0.04")] == [
        "11.1%",
        "20.0%",
        "0.0%",
    ]
