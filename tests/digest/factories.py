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


def seed_product(
    engine: object,
    name: str,
    prices: list[str],
    *,
    url: str | None = None,
    every_days: float = 1.0,
    now: datetime | None = None,
    **fields: object,
) -> int:
    """A product with one price record per `every_days` up to an hour before `now`."""
    from sqlmodel import Session

    from pricemon.models import PriceRecord, Product

    now = now or datetime.now(UTC)
    with Session(engine) as session:  # type: ignore[arg-type]
        product = Product(
            url=url or f"https://shop.example/{name.replace(' ', '-').lower()}",
            name=name,
            currency="EUR",
            last_price=Decimal(prices[-1]) if prices else None,
            last_checked_at=now - timedelta(hours=1) if prices else None,
            **fields,  # type: ignore[arg-type]
        )
        session.add(product)
        session.commit()
        for i, price in enumerate(prices):
            session.add(
                PriceRecord(
                    product_id=product.id or 0,
                    amount=Decimal(price),
                    currency="EUR",
                    method="json-ld",
                    checked_at=now - timedelta(hours=1, days=every_days * (len(prices) - 1 - i)),
                )
            )
        session.commit()
        return product.id or 0
