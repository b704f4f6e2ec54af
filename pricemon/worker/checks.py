"""The check-product and check-all job handlers.

A check always leaves a check run; a found price also leaves a price record and updates the
product. Then the job completes, is retried by BullMQ (transient failure: raise a plain
exception) or fails at once (permanent failure: raise bullmq's UnrecoverableError, which
`Job.moveToFailed` in bullmq/job.py treats as "no more attempts").
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from pricemon.config import Settings
from pricemon.models import CheckOutcome, Product, utcnow
from pricemon.queue import add_checks
from pricemon.worker import outcome
from pricemon.worker.browser import SharedBrowser
from pricemon.worker.store import Attempt, StoredCheck, prepare_check, store_check

if TYPE_CHECKING:
    import httpx
    from bullmq import Queue

log = logging.getLogger(__name__)


FAILED_OUTCOMES = {CheckOutcome.NO_PRICE, CheckOutcome.BLOCKED, CheckOutcome.ERROR}


class TransientCheckFailure(Exception):
    """A recorded failure that a later attempt may not repeat: BullMQ retries the job."""


@dataclass
class WorkerContext:
    """What the handlers share within one worker process."""

    settings: Settings
    engine: Engine
    browser: SharedBrowser
    checks_queue: Queue
    http_client: httpx.AsyncClient  # shared by every check (pricemon.fetch.http.create_client)


async def _observe(ctx: WorkerContext, url: str) -> outcome.Observation:
    from pricemon.checker import check_url

    timeout_s = ctx.settings.check_timeout_s
    try:
        pool = await ctx.browser.pool()
        result = await asyncio.wait_for(
            check_url(
                url,
                ctx.settings,
                browser=pool,
                browser_mode="auto",
                ai_mode="auto",
                http_client=ctx.http_client,
            ),
            timeout=timeout_s,
        )
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if not isinstance(exc, asyncio.TimeoutError | TimeoutError):
            log.debug("check of %s raised", url, exc_info=True)
        return outcome.from_error(exc, timeout_s=timeout_s)
    return outcome.from_result(result)


async def check_product(
    ctx: WorkerContext, product_id: int, *, job_id: str, attempt: int
) -> dict[str, Any]:
    """Check one product's price and record the attempt; returns the job result.

    Raises TransientCheckFailure or UnrecoverableError after recording a failure.
    """
    from bullmq import UnrecoverableError

    recorded, url = await asyncio.to_thread(prepare_check, ctx.engine, product_id, job_id, attempt)
    if recorded is not None:
        log.info("job %s attempt %d already recorded as run %d", job_id, attempt, recorded.run_id)
        if recorded.outcome in FAILED_OUTCOMES:
            # Whether it was transient is not stored; retrying costs at most one more check.
            raise TransientCheckFailure(recorded.error or recorded.outcome)
        return recorded.as_job_result()
    if url is None:
        log.info("product %d was removed before its check ran; nothing to do", product_id)
        return {"product_id": product_id, "outcome": "removed"}
    seen, stored = await _check_and_store(ctx, product_id, url, job_id=job_id, attempt=attempt)
    if seen.failed:
        message = seen.error or seen.outcome
        if seen.transient:
            raise TransientCheckFailure(message)
        raise UnrecoverableError(message)
    return stored.as_job_result()


async def _check_and_store(
    ctx: WorkerContext, product_id: int, url: str, *, job_id: str, attempt: int
) -> tuple[outcome.Observation, StoredCheck]:
    started_at = utcnow()
    t0 = time.monotonic()
    seen = await _observe(ctx, url)
    at = Attempt(
        job_id=job_id,
        attempt=attempt,
        started_at=started_at,
        finished_at=utcnow(),
        duration_ms=round((time.monotonic() - t0) * 1000),
    )
    stored = await asyncio.to_thread(store_check, ctx.engine, product_id, seen, at)
    if stored.price is not None and stored.alert_rule and not stored.already_recorded:
        await _evaluate_alert(ctx, stored)
    return seen, stored


async def call_maybe_async(fn: Callable[..., Any], *args: Any) -> Any:
    """Run `fn(*args)` on a thread, so that it cannot stall this loop (lock renewal, the
    other checks). Coroutine functions get an event loop of their own there: the digest
    and alert functions are async but talk to the database synchronously."""
    if inspect.iscoroutinefunction(fn):
        return await asyncio.to_thread(asyncio.run, fn(*args))
    return await asyncio.to_thread(fn, *args)


async def _evaluate_alert(ctx: WorkerContext, stored: StoredCheck) -> None:
    """Run the product's price alert rule; its failures are logged, never retried here
    (a retry would check the price again and record a second price for this job)."""
    try:
        from pricemon.alerts import evaluate_price_alert

        await call_maybe_async(
            evaluate_price_alert,
            ctx.settings,
            ctx.engine,
            stored.product_id,
            stored.previous_price,
            stored.price,
            stored.currency,
        )
    except Exception:
        log.exception("price alert for product %d failed", stored.product_id)


def _active_product_ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        ids = session.exec(
            select(Product.id).where(col(Product.active).is_(True)).order_by(col(Product.id))
        ).all()
    return [pid for pid in ids if pid is not None]


async def check_all(ctx: WorkerContext) -> dict[str, Any]:
    """Queue one check per active product (deduplicated); returns how many were queued."""
    ids = await asyncio.to_thread(_active_product_ids, ctx.engine)
    job_ids = await add_checks(ctx.checks_queue, ctx.settings, ids)
    log.info("check-all queued %d check(s)", len(job_ids))
    return {"products": len(ids), "jobs": len(set(job_ids))}
