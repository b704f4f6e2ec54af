"""Jinja filters: money, percentages, times and status badges, formatted the same everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from pricemon.models import Product, ProductStatus


def money(amount: Decimal | float | None, currency: str | None = None) -> str:
    if amount is None:
        return "-"
    text = f"{Decimal(str(amount)):,.2f}"
    return f"{text} {currency}" if currency else text


def percent_change(new: Decimal | None, old: Decimal | None) -> Decimal | None:
    """The change from `old` to `new` in percent, or None when either is missing or zero."""
    if new is None or old is None or old == 0:
        return None
    return (Decimal(new) - Decimal(old)) / Decimal(old) * 100


def signed_percent(value: Decimal | None) -> str:
    if value is None:
        return "-"
    if abs(value) < Decimal("0.05"):
        return "0.0%"
    return f"{value:+.1f}%"


def change_class(value: Decimal | None) -> str:
    """CSS class for a change: a lower price is good news for the buyer."""
    if value is None or abs(value) < Decimal("0.05"):
        return "flat"
    return "down" if value < 0 else "up"


def utc_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime(fmt) + " UTC"


def host(url: str) -> str:
    """The site of a URL, for compact tables ("shop.example")."""
    return urlsplit(url).hostname or url


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """ "3 min ago", "5 h ago", "2 days ago"; "never" for None."""
    if value is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - value).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {'day' if unit == 'days' and count == 1 else unit} ago"
    return "just now"


def status_badge(product: Product) -> dict[str, str]:
    """The badge for a product: CSS class and label ("failing since ...")."""
    status = product.status
    if status == ProductStatus.FAILING:
        if product.failing_since is None:
            return {"css": "failing", "label": "failing"}
        since = utc_time(product.failing_since, "%d %b %H:%M")
        return {"css": "failing", "label": f"failing since {since}"}
    labels: dict[str, str] = {
        ProductStatus.OK: "ok",
        ProductStatus.BLOCKED: "blocked",
        ProductStatus.OUT_OF_STOCK: "out of stock",
        ProductStatus.PENDING: "pending",
    }
    return {"css": status, "label": labels.get(status, status)}


def install(env: Environment) -> None:
    filters: dict[str, Any] = {
        "money": money,
        "signed_percent": signed_percent,
        "change_class": change_class,
        "utc_time": utc_time,
        "ago": ago,
        "host": host,
    }
    env.filters.update(filters)
    env.globals.update({"percent_change": percent_change, "status_badge": status_badge})
