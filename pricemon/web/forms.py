"""Parsing what people type into the dashboard's forms, with one-line errors."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pricemon.errors import InputError
from pricemon.models import Product


def optional_decimal(
    text: str | None, field: str, *, low: int, high: int | None
) -> Decimal | None:
    """A number from a form field ("", "19.99", "19,99"), or None when blank."""
    if text is None or not text.strip():
        return None
    cleaned = text.strip().replace(",", ".").rstrip("%")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(f"{field} must be a number, got {text[:40]!r}") from None
    if not value.is_finite() or value <= low or (high is not None and value >= high):
        bounds = f"above {low}" + (f" and below {high}" if high is not None else "")
        raise InputError(f"{field} must be {bounds}, got {text[:40]!r}")
    return value.quantize(Decimal("0.0001"))


def alert_changes(
    product: Product, *, target: Decimal | None, drop_percent: Decimal | None
) -> dict[str, Any]:
    """The product fields for a new alert rule.

    A percentage drop is measured from the price when the rule is set (the reference);
    changing the rule re-arms it so the next qualifying price sends one alert.
    """
    changes: dict[str, Any] = {
        "alert_target_price": target,
        "alert_drop_percent": drop_percent,
    }
    rule_changed = (target, drop_percent) != (
        product.alert_target_price,
        product.alert_drop_percent,
    )
    if rule_changed:
        changes["alert_armed"] = True
        changes["alert_reference_price"] = product.last_price if drop_percent else None
    return changes
