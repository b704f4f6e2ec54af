"""Price alerts: one email per crossing, re-armed above the threshold, failures ignored."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from pricemon.alerts import evaluate_price_alert
from pricemon.config import Settings
from pricemon.models import EmailSend, Product
from tests.digest.factories import seed_product
from tests.digest.resend_stub import ResendStub


def _armed(engine: Engine, product_id: int) -> bool:
    with Session(engine) as session:
        product = session.get(Product, product_id)
        assert product is not None
        return product.alert_armed


async def _check(
    settings: Settings, engine: Engine, pid: int, previous: str | None, new: str | None
) -> str:
    return await evaluate_price_alert(
        settings, engine, pid, Decimal(previous) if previous else None,
        Decimal(new) if new else None, "EUR",
    )  # fmt: skip


async def test_target_price_fires_on_crossing_once_and_rearms_above(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    pid = seed_product(engine, "Headphones", ["349.00"], alert_target_price=Decimal("300.00"))
    results = [
        await _check(mail_settings, engine, pid, "349.00", "320.00"),  # above: nothing
        await _check(mail_settings, engine, pid, "320.00", "299.00"),  # crosses: one alert
        await _check(mail_settings, engine, pid, "299.00", "289.00"),  # still below: nothing
        await _check(mail_settings, engine, pid, "289.00", None),  # failed check: nothing
        await _check(mail_settings, engine, pid, "289.00", "310.00"),  # back above: re-arms
        await _check(mail_settings, engine, pid, "310.00", "300.00"),  # crosses again: alert
    ]
    assert results == ["none", "sent", "none", "none", "rearmed", "sent"]
    assert len(resend.sent) == 2
    first = resend.sent[0]
    assert first.body["to"] == ["owner@example.com"]
    assert first.body["subject"] == "Price alert: Headphones is now €299.00"
    assert "at or below your target of €300.00" in first.body["text"]
    assert "was €320.00" in first.body["html"]
    assert first.headers["idempotency-key"].startswith(f"alert-{pid}-")
    with Session(engine) as session:
        rows = session.exec(select(EmailSend).where(EmailSend.kind == "alert")).all()
    assert [(r.outcome, r.product_id) for r in rows] == [("sent", pid), ("sent", pid)]
    assert not _armed(engine, pid)


async def test_percent_drop_uses_the_first_price_as_reference(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    pid = seed_product(engine, "Kettle", ["100.00"], alert_drop_percent=Decimal("10"))
    assert await _check(mail_settings, engine, pid, "100.00", "95.00") == "none"
    assert await _check(mail_settings, engine, pid, "95.00", "90.00") == "sent"
    assert "down 10% or more from €100.00" in resend.sent[0].body["text"]


async def test_no_rule_never_sends(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    pid = seed_product(engine, "Lamp", ["10.00"])
    assert await _check(mail_settings, engine, pid, "10.00", "1.00") == "none"
    assert resend.requests == []


async def test_concurrent_checks_below_send_one_alert(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    pid = seed_product(engine, "TV", ["500.00"], alert_target_price=Decimal("450.00"))
    results = await asyncio.gather(
        *(_check(mail_settings, engine, pid, "500.00", "449.00") for _ in range(4))
    )
    assert sorted(results) == ["none", "none", "none", "sent"]
    assert len(resend.requests) == 1


async def test_failed_alert_send_rearms_so_the_next_check_retries(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    pid = seed_product(engine, "Phone", ["800.00"], alert_target_price=Decimal("700.00"))
    resend.script = [(422, {"name": "validation_error", "message": "bad from"}, {})]
    assert await _check(mail_settings, engine, pid, "800.00", "690.00") == "failed"
    assert _armed(engine, pid)
    assert await _check(mail_settings, engine, pid, "690.00", "680.00") == "sent"
