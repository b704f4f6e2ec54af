"""What a digest says, before it is rendered: one item per active product and a summary.

Pure: the caller loads products and their price history and passes `now` and the timezone
the schedule uses (the subject's date is the date there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from pricemon.domain.trends import Change, PricePoint, Trend, compute_trend

SUMMARY_DROPS = 5


@dataclass(frozen=True)
class ProductSnapshot:
    """A product as the digest needs it (a Product row plus its price history)."""

    id: int
    name: str
    url: str
    image_url: str | None
    status: str
    availability: str
    failing_since: datetime | None
    last_error: str | None
    last_checked_at: datetime | None
    history: Sequence[PricePoint] = ()


@dataclass(frozen=True)
class DigestItem:
    product: ProductSnapshot
    trend: Trend

    @property
    def failing(self) -> bool:
        return self.product.failing_since is not None

    @property
    def drop(self) -> Change | None:
        """The change vs the last check when it is a drop."""
        vs_last = self.trend.vs_last
        return vs_last if vs_last is not None and vs_last.amount < 0 else None


@dataclass(frozen=True)
class RefreshReport:
    """How the optional refresh before sending went."""

    requested: int  # active products asked to be checked
    finished: int  # of those, checked (successfully or not) before the bound
    failed: int  # of those, whose check failed
    timed_out: bool  # the bound passed before every check finished
    error: str | None = None  # the refresh could not start (e.g. Redis down)


@dataclass(frozen=True)
class DigestContent:
    subject: str
    generated_at: datetime  # aware, in the schedule's timezone
    items: list[DigestItem]
    biggest_drops: list[DigestItem]
    new_lows: list[DigestItem]
    failing: list[DigestItem]
    refresh: RefreshReport | None = None
    notes: list[str] = field(default_factory=list)


def subject_for(now: datetime, timezone: str) -> str:
    """`Price Monitor Report - 2026-11-29`, the date in the schedule's timezone."""
    return f"Price Monitor Report - {now.astimezone(ZoneInfo(timezone)).date().isoformat()}"


def _drop_size(item: DigestItem) -> Decimal:
    drop = item.drop
    return drop.percent if drop is not None else Decimal(0)


def build_digest(
    products: Sequence[ProductSnapshot],
    *,
    now: datetime,
    timezone: str,
    refresh: RefreshReport | None = None,
) -> DigestContent:
    """The digest of `products` as of `now`: items sorted by name, then the summary lists."""
    items = [
        DigestItem(product=p, trend=compute_trend(p.history, now=now))
        for p in sorted(products, key=lambda p: (p.name.casefold(), p.id))
    ]
    drops = sorted((i for i in items if i.drop is not None), key=_drop_size)[:SUMMARY_DROPS]
    new_lows = [i for i in items if i.trend.new_low_in and not i.failing]
    failing = [i for i in items if i.failing]
    return DigestContent(
        subject=subject_for(now, timezone),
        generated_at=now.astimezone(ZoneInfo(timezone)),
        items=items,
        biggest_drops=drops,
        new_lows=new_lows,
        failing=failing,
        refresh=refresh,
    )
