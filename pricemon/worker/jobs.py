"""The BullMQ processors: dispatch by job name, log start and finish, count outcomes, and
keep jobs through database outages.

A job whose database work fails because PostgreSQL (or the SQLite file) is unreachable is
not failed: it goes back to the delayed set without using up an attempt (`Job.moveToDelayed`
in bullmq/job.py passes `skipAttempt`), and BullMQ hands it out again later. So no job is
lost to an outage, and every retry logs one warning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pricemon.errors import DatabaseError
from pricemon.queue import DIGEST_QUEUE, JOB_CHECK_ALL, JOB_CHECK_PRODUCT, JOB_SEND_DIGEST
from pricemon.worker.checks import WorkerContext, call_maybe_async, check_all, check_product

if TYPE_CHECKING:
    from bullmq import Job

log = logging.getLogger(__name__)

MAX_DB_RETRY_DELAY_S = 60.0


@dataclass
class JobStats:
    """Counts since start, for the heartbeat and the shutdown line."""

    completed: int = 0
    failed: int = 0  # attempts that failed (retried or not)
    deferred: int = 0  # jobs put back because the database was unreachable
    active: int = 0


def is_database_outage(exc: BaseException) -> bool:
    """Whether `exc` means the database is unreachable (as opposed to a bug or bad data)."""
    from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError | DisconnectionError | DatabaseError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


class Processors:
    """The processor callables given to bullmq.Worker, one per queue."""

    def __init__(self, ctx: WorkerContext, stats: JobStats) -> None:
        self.ctx = ctx
        self.stats = stats

    async def checks(self, job: Job, token: str) -> Any:
        return await self._run(job, token, self._check_job)

    async def digest(self, job: Job, token: str) -> Any:
        return await self._run(job, token, self._digest_job)

    async def _check_job(self, job: Job, attempt: int) -> Any:
        from bullmq import UnrecoverableError

        if job.name == JOB_CHECK_PRODUCT:
            product_id = int((job.data or {})["product_id"])
            return await check_product(self.ctx, product_id, job_id=str(job.id), attempt=attempt)
        if job.name == JOB_CHECK_ALL:
            return await check_all(self.ctx)
        raise UnrecoverableError(f"unknown job name {job.name!r}")

    async def _digest_job(self, job: Job, attempt: int) -> Any:
        from bullmq import UnrecoverableError

        if job.name != JOB_SEND_DIGEST:
            raise UnrecoverableError(f"unknown job name {job.name!r} on {DIGEST_QUEUE}")
        from pricemon.digest import run_digest_job

        settings, engine = self.ctx.settings, self.ctx.engine
        return await call_maybe_async(run_digest_job, settings, engine, job.data or {}, str(job.id))

    async def _run(
        self, job: Job, token: str, handler: Callable[[Job, int], Awaitable[Any]]
    ) -> Any:
        attempt = job.attemptsMade + 1
        t0 = time.monotonic()
        log.info("job %s %s started (attempt %d)", job.id, job.name, attempt)
        self.stats.active += 1
        try:
            result = await handler(job, attempt)
        except Exception as exc:
            if is_database_outage(exc):
                await self._defer(job, token, exc)
            self.stats.failed += 1
            log.warning(
                "job %s %s failed in %.0f ms (attempt %d of %s): %s",
                job.id, job.name, (time.monotonic() - t0) * 1000, attempt,
                job.opts.get("attempts", 1), exc,
            )  # fmt: skip
            raise
        finally:
            self.stats.active -= 1
        self.stats.completed += 1
        log.info("job %s %s done in %.0f ms", job.id, job.name, (time.monotonic() - t0) * 1000)
        return result

    async def _defer(self, job: Job, token: str, exc: BaseException) -> None:
        """Put the job back for later without using an attempt; raises DelayedError."""
        from bullmq import DelayedError

        delay_s = min(MAX_DB_RETRY_DELAY_S, max(1.0, self.ctx.settings.check_backoff_s))
        self.stats.deferred += 1
        log.warning(
            "database unreachable (%s); job %s %s will run again in %.0f s",
            _first_line(exc), job.id, job.name, delay_s,
        )  # fmt: skip
        await job.moveToDelayed(int((time.time() + delay_s) * 1000), token)
        raise DelayedError() from exc
