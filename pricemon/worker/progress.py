"""Queue checks for chosen products and follow them to the end (`pricemon products check`).

Progress comes from BullMQ job states; the summary comes from the database (the check runs
the jobs recorded), so it is right even after Redis has dropped finished jobs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from pricemon.config import Settings
from pricemon.errors import InputError
from pricemon.models import Product
from pricemon.products import find_product, list_products
from pricemon.queue import CHECKS_QUEUE, enqueue_checks, open_queue
from pricemon.worker.store import latest_recorded

FINAL_STATES = {"completed", "failed", "unknown"}  # unknown: finished and already removed
POLL_S = 0.5


def resolve_products(engine: Engine, refs: Sequence[str], *, all_active: bool) -> list[Product]:
    """The products named by ids or URLs, or every active product; InputError if neither."""
    with Session(engine) as session:
        if all_active:
            return list_products(session, active=True, sort="name")
        if not refs:
            raise InputError("no products given", hint="give product ids, or --all")
        return [find_product(session, ref) for ref in refs]


async def queue_checks(settings: Settings, products: Sequence[Product]) -> dict[str, Product]:
    """Queue a check for each product; returns job id -> product (deduplicated jobs share)."""
    unique = list({p.id: p for p in products if p.id is not None}.values())
    job_ids = await enqueue_checks(settings, [p.id for p in unique if p.id is not None])
    return dict(zip(job_ids, unique, strict=True))


async def wait_for_jobs(
    settings: Settings,
    job_ids: Sequence[str],
    *,
    timeout_s: float,
    on_progress: Callable[[int, int], None],
) -> set[str]:
    """Poll until every job is finished or `timeout_s` passed; returns the unfinished ids."""
    pending = set(job_ids)
    deadline = time.monotonic() + timeout_s
    async with open_queue(settings, CHECKS_QUEUE) as queue:
        while pending:
            ordered = sorted(pending)
            states = await asyncio.gather(*(queue.getJobState(j) for j in ordered))
            pending = {
                j for j, state in zip(ordered, states, strict=True) if state not in FINAL_STATES
            }
            on_progress(len(job_ids) - len(pending), len(job_ids))
            if not pending or time.monotonic() >= deadline:
                break
            await asyncio.sleep(POLL_S)
    return pending


@dataclass(frozen=True)
class CheckLine:
    product_id: int
    name: str
    outcome: str  # a CheckOutcome, "pending" or "removed"
    price: Decimal | None = None
    previous_price: Decimal | None = None
    currency: str | None = None
    changed: bool = False
    error: str | None = None


@dataclass
class CheckSummary:
    lines: list[CheckLine] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return sum(1 for line in self.lines if line.outcome not in ("pending", "removed"))

    @property
    def changed(self) -> int:
        return sum(1 for line in self.lines if line.changed)

    @property
    def failed(self) -> int:
        return sum(1 for line in self.lines if line.error)

    @property
    def pending(self) -> int:
        return sum(1 for line in self.lines if line.outcome == "pending")


def _current_names(engine: Engine, products: Sequence[Product]) -> dict[int, str]:
    """Display names as they are now: a first check has usually found the page's title."""
    ids = [product.id for product in products if product.id is not None]
    with Session(engine) as session:
        fresh = session.exec(select(Product).where(col(Product.id).in_(ids))).all()
        return {product.id: product.display_name for product in fresh if product.id is not None}


def summarise_checks(engine: Engine, jobs: dict[str, Product], pending: set[str]) -> CheckSummary:
    """One line per job: what its last attempt recorded (or pending / removed)."""
    summary = CheckSummary()
    names = _current_names(engine, list(jobs.values()))
    for job_id, product in jobs.items():
        assert product.id is not None
        name = names.get(product.id, product.display_name)
        stored = None if job_id in pending else latest_recorded(engine, job_id)
        if stored is None:
            outcome = "pending" if job_id in pending else "removed"
            summary.lines.append(CheckLine(product.id, name, outcome))
            continue
        summary.lines.append(
            CheckLine(
                product.id,
                name,
                stored.outcome,
                price=stored.price,
                previous_price=stored.previous_price,
                currency=stored.currency,
                changed=stored.changed,
                error=stored.error if stored.outcome != "ok" else None,
            )
        )
    return summary
