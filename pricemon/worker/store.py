"""Recording a check: the check run, the price record and the product update, in one
transaction, at most once per (job id, attempt).

BullMQ may deliver the same attempt twice: a worker killed after committing but before
telling Redis, or a lock lost during a Redis outage, leads to stalled-job recovery running
the attempt again. The unique (job_id, attempt) on check_run turns that into a no-op: the
second delivery finds (or collides with) the first run and returns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pricemon.db import session_scope
from pricemon.models import CheckOutcome, CheckRun, PriceRecord, Product
from pricemon.worker.outcome import Observation

NO_CURRENCY = "XXX"  # ISO 4217 "no currency": a price seen before any currency was known


@dataclass(frozen=True)
class Attempt:
    """Which delivery of which job this is, and when it ran."""

    job_id: str
    attempt: int
    started_at: datetime
    finished_at: datetime
    duration_ms: int


@dataclass(frozen=True)
class StoredCheck:
    """What was recorded for one attempt (returned as the job's result)."""

    run_id: int
    product_id: int
    outcome: str
    error: str | None
    price: Decimal | None
    previous_price: Decimal | None
    currency: str | None
    already_recorded: bool = False
    alert_rule: bool = False  # the product has a price alert rule to evaluate

    @property
    def changed(self) -> bool:
        """A new price that differs from the previous record (failures never change)."""
        return (
            self.price is not None
            and self.previous_price is not None
            and self.price != self.previous_price
        )

    def as_job_result(self) -> dict[str, Any]:
        """JSON-safe summary stored by BullMQ as the job's return value."""
        return {
            "product_id": self.product_id,
            "run_id": self.run_id,
            "outcome": self.outcome,
            "error": self.error,
            "price": None if self.price is None else str(self.price),
            "previous_price": None if self.previous_price is None else str(self.previous_price),
            "currency": self.currency,
            "changed": self.changed,
        }


def load_product_url(engine: Engine, product_id: int) -> str | None:
    """The product's URL, or None when it was removed after the job was queued."""
    with Session(engine) as session:
        product = session.get(Product, product_id)
        return product.url if product else None


def prepare_check(
    engine: Engine, product_id: int, job_id: str, attempt: int
) -> tuple[StoredCheck | None, str | None]:
    """One trip to the database before a check: what this attempt already recorded (a
    re-delivery), else the product's URL (None when the product was removed)."""
    with Session(engine) as session:
        run_id = session.exec(
            select(CheckRun.id).where(CheckRun.job_id == job_id, CheckRun.attempt == attempt)
        ).first()
        if run_id is None:
            product = session.get(Product, product_id)
            return None, product.url if product else None
    return find_recorded(engine, job_id, attempt), None


def _latest_price(session: Session, product_id: int, *, before_run: int | None) -> Decimal | None:
    query = select(col(PriceRecord.amount)).where(PriceRecord.product_id == product_id)
    if before_run is not None:
        run_id = col(PriceRecord.check_run_id)
        query = query.where(sa.or_(run_id.is_(None), run_id < before_run))
    query = query.order_by(col(PriceRecord.checked_at).desc(), col(PriceRecord.id).desc()).limit(1)
    return session.exec(query).first()


def find_recorded(engine: Engine, job_id: str, attempt: int) -> StoredCheck | None:
    """The check already recorded for this (job, attempt), if any."""
    with Session(engine) as session:
        run = session.exec(
            select(CheckRun).where(CheckRun.job_id == job_id, CheckRun.attempt == attempt)
        ).first()
        if run is None or run.id is None:
            return None
        record = session.exec(select(PriceRecord).where(PriceRecord.check_run_id == run.id)).first()
        previous = _latest_price(session, run.product_id, before_run=run.id) if record else None
        return StoredCheck(
            run_id=run.id,
            product_id=run.product_id,
            outcome=run.outcome,
            error=run.error,
            price=record.amount if record else None,
            previous_price=previous,
            currency=record.currency if record else None,
            already_recorded=True,
        )


def _update_product(product: Product, seen: Observation, now: datetime) -> None:
    product.last_checked_at = now
    product.updated_at = now
    product.status = seen.product_status
    if seen.failed:
        product.last_failure_at = now
        product.failing_since = product.failing_since or now
        product.last_error = seen.error
        return
    product.last_success_at = now
    product.failing_since = None
    product.last_error = None
    product.last_availability = seen.availability
    product.title = product.title or seen.title
    product.image_url = product.image_url or seen.image_url
    product.currency = product.currency or seen.currency


def store_check(engine: Engine, product_id: int, seen: Observation, at: Attempt) -> StoredCheck:
    """Record one attempt (run, price record if a price was found, product fields) in one
    transaction. A second call for the same (job id, attempt) returns the first record."""
    try:
        with session_scope(engine) as session:
            return _store(session, product_id, seen, at)
    except IntegrityError:
        # Another delivery of this attempt committed first (see the module docstring).
        existing = find_recorded(engine, at.job_id, at.attempt)
        if existing is None:
            raise
        return existing


def _store(session: Session, product_id: int, seen: Observation, at: Attempt) -> StoredCheck:
    product = session.exec(select(Product).where(Product.id == product_id).with_for_update()).one()
    run = CheckRun(
        product_id=product_id,
        started_at=at.started_at,
        finished_at=at.finished_at,
        duration_ms=at.duration_ms,
        outcome=seen.outcome,
        method=seen.method,
        error=seen.error,
        job_id=at.job_id,
        attempt=at.attempt,
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    previous = None
    currency = None
    if seen.outcome is CheckOutcome.OK and seen.price is not None:
        previous = _latest_price(session, product_id, before_run=None)
        currency = seen.currency or product.currency or NO_CURRENCY
        session.add(
            PriceRecord(
                product_id=product_id,
                check_run_id=run.id,
                amount=seen.price,
                currency=currency,
                availability=seen.availability,
                method=seen.method or "unknown",
                checked_at=at.finished_at,
            )
        )
        product.previous_price = previous
        product.last_price = seen.price
    _update_product(product, seen, at.finished_at)
    session.add(product)
    return StoredCheck(
        run_id=run.id,
        product_id=product_id,
        outcome=seen.outcome,
        error=seen.error,
        price=seen.price if currency else None,
        previous_price=previous,
        currency=currency,
        alert_rule=product.alert_target_price is not None or product.alert_drop_percent is not None,
    )


def latest_recorded(engine: Engine, job_id: str) -> StoredCheck | None:
    """What the last recorded attempt of job `job_id` found, or None if none ran."""
    with Session(engine) as session:
        attempt = session.exec(
            select(sa.func.max(CheckRun.attempt)).where(CheckRun.job_id == job_id)
        ).first()
    return None if attempt is None else find_recorded(engine, job_id, attempt)
