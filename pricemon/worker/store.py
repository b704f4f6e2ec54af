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


# The statements run for every check, built once: SQLAlchemy Core with bound parameters
# rather than the ORM (whose unit of work cost about a third of the worker's CPU per
# check), and reused, so their cache keys are computed once too.
_PREPARE = sa.select(
    sa.select(col(CheckRun.id))
    .where(
        col(CheckRun.job_id) == sa.bindparam("job_id"),
        col(CheckRun.attempt) == sa.bindparam("attempt"),
    )
    .scalar_subquery(),
    sa.select(col(Product.url))
    .where(col(Product.id) == sa.bindparam("product_id"))
    .scalar_subquery(),
)
_LOCK_PRODUCT = (
    sa.select(
        col(Product.title),
        col(Product.image_url),
        col(Product.currency),
        col(Product.failing_since),
        col(Product.last_price),
        col(Product.alert_target_price),
        col(Product.alert_drop_percent),
    )
    .where(col(Product.id) == sa.bindparam("product_id"))
    .with_for_update()
)
_INSERT_RUN = sa.insert(CheckRun).returning(col(CheckRun.id))
_INSERT_PRICE = sa.insert(PriceRecord)
_UPDATE_PRODUCT = sa.update(Product).where(col(Product.id) == sa.bindparam("product_key"))


def prepare_check(
    engine: Engine, product_id: int, job_id: str, attempt: int
) -> tuple[StoredCheck | None, str | None]:
    """One round trip before a check: what this attempt already recorded (a re-delivery),
    else the product's URL (None when the product was removed)."""
    params = {"job_id": job_id, "attempt": attempt, "product_id": product_id}
    with engine.connect() as conn:
        run_id, product_url = conn.execute(_PREPARE, params).one()
    if run_id is None:
        return None, product_url
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


def _product_changes(product: Any, seen: Observation, now: datetime) -> dict[str, Any]:
    """The product columns one attempt changes (`product` is its row before the attempt)."""
    changes: dict[str, Any] = {
        "last_checked_at": now,
        "updated_at": now,
        "status": seen.product_status,
    }
    if seen.failed:
        changes.update(
            last_failure_at=now,
            failing_since=product.failing_since or now,
            last_error=seen.error,
        )
        return changes
    changes.update(
        last_success_at=now,
        failing_since=None,
        last_error=None,
        last_availability=seen.availability,
        title=product.title or seen.title,
        image_url=product.image_url or seen.image_url,
        currency=product.currency or seen.currency,
    )
    return changes


def store_check(engine: Engine, product_id: int, seen: Observation, at: Attempt) -> StoredCheck:
    """Record one attempt (run, price record if a price was found, product fields) in one
    transaction. A second call for the same (job id, attempt) returns the first record."""
    try:
        with engine.begin() as conn:
            return _store(conn, product_id, seen, at)
    except IntegrityError:
        # Another delivery of this attempt committed first (see the module docstring).
        existing = find_recorded(engine, at.job_id, at.attempt)
        if existing is None:
            raise
        return existing


def _store(conn: sa.Connection, product_id: int, seen: Observation, at: Attempt) -> StoredCheck:
    # The row lock orders concurrent attempts on one product (PostgreSQL), so the price
    # it holds is the latest record's: the previous price needs no history query.
    product = conn.execute(_LOCK_PRODUCT, {"product_id": product_id}).one()
    run = {
        "product_id": product_id,
        "started_at": at.started_at,
        "finished_at": at.finished_at,
        "duration_ms": at.duration_ms,
        "outcome": seen.outcome,
        "method": seen.method,
        "error": seen.error,
        "job_id": at.job_id,
        "attempt": at.attempt,
    }
    run_id = conn.execute(_INSERT_RUN, run).scalar_one()
    assert run_id is not None  # RETURNING the primary key
    changes = _product_changes(product, seen, at.finished_at)
    previous = currency = None
    if seen.outcome is CheckOutcome.OK and seen.price is not None:
        previous = product.last_price
        currency = seen.currency or product.currency or NO_CURRENCY
        record = {
            "product_id": product_id,
            "check_run_id": run_id,
            "amount": seen.price,
            "currency": currency,
            "availability": seen.availability,
            "method": seen.method or "unknown",
            "checked_at": at.finished_at,
        }
        conn.execute(_INSERT_PRICE, record)
        changes.update(previous_price=previous, last_price=seen.price)
    conn.execute(_UPDATE_PRODUCT, {"product_key": product_id, **changes})
    return StoredCheck(
        run_id=run_id,
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
