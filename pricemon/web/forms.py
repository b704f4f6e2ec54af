"""Parsing what people type into the dashboard's forms, with one-line errors."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pricemon.errors import InputError
from pricemon.models import Product


def optional_decimal(text: str | None, field: str, *, low: int, high: int | None) -> Decimal | None:
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
    """Only the alert fields that differ from the product's rule.

    The products service re-arms the rule and resets its reference price whenever an alert
    field is given, so saving the edit form unchanged must not pass them.
    """
    changes: dict[str, Any] = {}
    if target != product.alert_target_price:
        changes["alert_target_price"] = target
    if drop_percent != product.alert_drop_percent:
        changes["alert_drop_percent"] = drop_percent
    return changes
