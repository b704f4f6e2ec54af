"""Price alerts: one email when a check crosses a product's threshold, re-armed above it.

A product's rule is a target price (`alert_target_price`), a drop in percent from a
reference price (`alert_drop_percent`, `alert_reference_price`: the price when the rule was
first evaluated, unless set), or both (whichever threshold is higher is crossed first).
`alert_armed` makes it fire once per crossing: a price at or below the threshold while armed
disarms the rule and sends one email; prices staying below send nothing; a price back above
the threshold re-arms it. Disarming is a conditional UPDATE, so two workers recording prices
at once cannot both send. A check without a price (failed, blocked, out of stock) is never
a price change and is not evaluated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from pricemon.config import Settings
from pricemon.db import session_scope
from pricemon.digest_settings import get_app_settings
from pricemon.email import send_email
from pricemon.email_render import AlertMessage, format_money, render_alert
from pricemon.errors import EmailError
from pricemon.models import EmailSend, Product

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertDecision:
    """What the rule says about a new price: "fire", "rearm" or "none", and why."""

    action: str
    threshold: Decimal | None = None
    reason: str = ""


def threshold_of(product: Product) -> tuple[Decimal | None, str]:
    """The price at or below which the rule fires, and a sentence saying why."""
    candidates: list[tuple[Decimal, str]] = []
    currency = product.currency
    if product.alert_target_price is not None:
        target = product.alert_target_price
        candidates.append((target, f"at or below your target of {format_money(target, currency)}"))
    if product.alert_drop_percent is not None and product.alert_reference_price is not None:
        percent = product.alert_drop_percent
        reference = product.alert_reference_price
        limit = (reference * (100 - percent) / 100).quantize(Decimal("0.01"))
        candidates.append(
            (
                limit,
                f"down {percent.normalize():f}% or more from {format_money(reference, currency)}",
            )
        )
    if not candidates:
        return None, ""
    return max(candidates, key=lambda c: c[0])


def decide(product: Product, new_price: Decimal) -> AlertDecision:
    """Pure: whether `new_price` fires the product's alert, re-arms it, or does nothing."""
    threshold, reason = threshold_of(product)
    if threshold is None:
        return AlertDecision("none")
    if new_price <= threshold:
        return AlertDecision("fire" if product.alert_armed else "none", threshold, reason)
    return AlertDecision("rearm" if not product.alert_armed else "none", threshold, reason)


def _set_armed(engine: Engine, product_id: int, *, armed: bool) -> bool:
    """Flip `alert_armed` if it is not already `armed`; True when this call flipped it."""
    with session_scope(engine) as session:
        result = session.execute(
            sa.update(Product)
            .where(col(Product.id) == product_id, col(Product.alert_armed).is_(not armed))
            .values(alert_armed=armed)
        )
        return bool(getattr(result, "rowcount", 0))


def _load(engine: Engine, product_id: int, price: Decimal, previous: Decimal | None) -> Product:
    """The product, giving a %-drop rule its reference price on first evaluation."""
    with session_scope(engine) as session:
        product = session.get(Product, product_id)
        if product is None:
            raise LookupError(product_id)
        if product.alert_drop_percent is not None and product.alert_reference_price is None:
            product.alert_reference_price = previous if previous is not None else price
            session.add(product)
        session.flush()
        session.expunge(product)
        return product


def _alert_recipients(engine: Engine, settings: Settings) -> list[str]:
    if settings.alert_email:
        return [settings.alert_email]
    with session_scope(engine) as session:
        return get_app_settings(session, settings).recipients


async def evaluate_price_alert(
    settings: Settings,
    engine: Engine,
    product_id: int,
    previous_price: Decimal | None,
    new_price: Decimal | None,
    currency: str | None,
) -> str:
    """Apply the product's alert rule to a newly recorded price (the worker calls this
    after storing a price). Returns "sent", "rearmed", "failed" or "none".

    A failed send re-arms the rule, so the next check below the threshold tries again.
    """
    if new_price is None:
        return "none"  # a failed check is never a price change
    try:
        product = _load(engine, product_id, new_price, previous_price)
    except LookupError:
        return "none"
    decision = decide(product, new_price)
    if decision.action == "rearm":
        if _set_armed(engine, product_id, armed=True):
            log.info("price alert for product %d re-armed at %s", product_id, new_price)
            return "rearmed"
        return "none"
    if decision.action != "fire" or not _set_armed(engine, product_id, armed=False):
        return "none"
    return await _send_alert(settings, engine, product, decision, new_price, previous_price,
                             currency or product.currency or "")  # fmt: skip


async def _send_alert(
    settings: Settings,
    engine: Engine,
    product: Product,
    decision: AlertDecision,
    new_price: Decimal,
    previous_price: Decimal | None,
    currency: str,
) -> str:
    now = datetime.now(UTC)
    key = f"alert-{product.id}-{now.strftime('%Y%m%dT%H%M%S%f')}"
    email = render_alert(
        AlertMessage(
            name=product.display_name,
            url=product.url,
            image_url=product.image_url,
            previous_price=previous_price if previous_price is not None else new_price,
            new_price=new_price,
            currency=currency,
            reason=decision.reason,
        )
    )
    recipients = _alert_recipients(engine, settings)
    record = EmailSend(
        kind="alert",
        key=key,
        product_id=product.id,
        recipients=",".join(recipients),
        subject=email.subject,
    )
    try:
        sent = await send_email(settings, email, recipients, idempotency_key=key)
    except EmailError as exc:
        record.outcome, record.error = "failed", exc.message
        _set_armed(engine, product.id or 0, armed=True)
        log.warning("price alert for product %d could not be sent: %s", product.id, exc)
    else:
        record.outcome, record.sent_at, record.provider_id = "sent", now, sent.provider_id
        log.info("price alert for product %d sent (%s)", product.id, decision.reason)
    outcome = record.outcome
    with session_scope(engine) as session:
        session.add(record)
    return outcome
