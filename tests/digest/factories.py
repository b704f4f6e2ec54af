"""Small builders for digest tests: product snapshots with a price history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pricemon.domain.digest_content import ProductSnapshot
from pricemon.domain.trends import PricePoint

NOW = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)


def history(*prices: str, every_days: float = 1.0, currency: str = "EUR") -> list[PricePoint]:
    """Prices one per `every_days`, the last one an hour before NOW."""
    last = NOW - timedelta(hours=1)
    count = len(prices)
    return [
        PricePoint(
            checked_at=last - timedelta(days=every_days * (count - 1 - i)),
            amount=Decimal(p),
            currency=currency,
        )
        for i, p in enumerate(prices)
    ]


def snapshot(pid: int, name: str, points: list[PricePoint], **extra: object) -> ProductSnapshot:
    fields: dict[str, object] = {
        "id": pid,
        "name": name,
        "url": f"https://shop.example/p/{pid}",
        "image_url": None,
        "status": "ok",
        "availability": "in_stock",
        "failing_since": None,
        "last_error": None,
        "last_checked_at": points[-1].checked_at if points else None,
        "history": points,
    }
    fields.update(extra)
    return ProductSnapshot(**fields)  # type: ignore[arg-type]
