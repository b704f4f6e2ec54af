"""Price trends of one product: change vs the last check, averages, lows. Pure.

Averages are time-weighted: a price counts for as long as it was the current price, so a
product checked ten times on a sale day does not drag its 30-day average down ten times
over. A window's average is given only when the history covers at least half the window
(a product added yesterday has no meaningful 90-day average).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

AVERAGE_WINDOWS_DAYS = (7, 30, 90, 180)
LOW_WINDOWS_DAYS = (30, 90)
MIN_COVERAGE = Decimal("0.5")
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class PricePoint:
    """One recorded price (a PriceRecord reduced to what trends need)."""

    checked_at: datetime
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Change:
    """A difference from a reference price: `amount` and `percent` are current - reference."""

    reference: Decimal
    amount: Decimal
    percent: Decimal

    @property
    def direction(self) -> str:
        """ "up", "down" or "same"."""
        if self.amount > 0:
            return "up"
        return "down" if self.amount < 0 else "same"


@dataclass(frozen=True)
class Trend:
    """Where the current price stands against its own history."""

    current: PricePoint | None
    vs_last: Change | None = None
    vs_average: dict[int, Change] = field(default_factory=dict)  # window days -> change
    lowest_in: tuple[int, ...] = ()  # windows in which the current price is the lowest
    new_low_in: tuple[int, ...] = ()  # ... and strictly lower than anything before in it


def change(current: Decimal, reference: Decimal) -> Change:
    """`current` compared with `reference`, in amount and percent (2 decimals)."""
    amount = current - reference
    percent = (amount / reference * 100).quantize(_CENTS) if reference else Decimal(0)
    return Change(reference=reference, amount=amount, percent=percent)


def time_weighted_average(
    points: Sequence[PricePoint], *, now: datetime, days: int
) -> Decimal | None:
    """The average price over the last `days` days, each price weighted by how long it held.

    `points` are sorted by time. None when the history covers less than half the window.
    """
    start = now - timedelta(days=days)
    total = Decimal(0)
    covered = 0.0
    for index, point in enumerate(points):
        begin = max(point.checked_at, start)
        end = points[index + 1].checked_at if index + 1 < len(points) else now
        end = min(end, now)
        seconds = (end - begin).total_seconds()
        if seconds <= 0:
            continue
        total += point.amount * Decimal(str(seconds))
        covered += seconds
    window = timedelta(days=days).total_seconds()
    if covered <= 0 or Decimal(str(covered / window)) < MIN_COVERAGE:
        return None
    return (total / Decimal(str(covered))).quantize(_CENTS)


def _lows(
    points: Sequence[PricePoint], *, now: datetime
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    current = points[-1]
    lowest: list[int] = []
    new_low: list[int] = []
    for days in LOW_WINDOWS_DAYS:
        earlier = [p.amount for p in points[:-1] if p.checked_at >= now - timedelta(days=days)]
        if not earlier:
            continue  # one price is not a low
        if current.amount <= min(earlier):
            lowest.append(days)
        if current.amount < min(earlier):
            new_low.append(days)
    return tuple(lowest), tuple(new_low)


def compute_trend(points: Sequence[PricePoint], *, now: datetime) -> Trend:
    """The trend of one product from its price history (any order) as of `now`.

    Only prices in the current price's currency count: a shop that switched currency has
    no comparable history.
    """
    if not points:
        return Trend(current=None)
    ordered = sorted(points, key=lambda p: p.checked_at)
    current = ordered[-1]
    same = [p for p in ordered if p.currency == current.currency and p.checked_at <= now]
    if not same:
        return Trend(current=current)
    vs_last = change(current.amount, same[-2].amount) if len(same) > 1 else None
    averages: dict[int, Change] = {}
    for days in AVERAGE_WINDOWS_DAYS:
        average = time_weighted_average(same, now=now, days=days)
        if average is not None:
            averages[days] = change(current.amount, average)
    lowest, new_low = _lows(same, now=now)
    return Trend(
        current=current, vs_last=vs_last, vs_average=averages, lowest_in=lowest, new_low_in=new_low
    )
