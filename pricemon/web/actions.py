"""What the web app asks of other areas: queue jobs, schedule maths, schedule sync.

Routes run in a worker thread (they are plain `def`s, so database calls never block the event
loop); the queue functions are async, so they are run on the event loop through anyio.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.from_thread

from pricemon.config import Settings
from pricemon.errors import QueueError
from pricemon.models import AppSettings

log = logging.getLogger(__name__)


def _run(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a sync or async function from a route's worker thread."""

    async def call() -> Any:
        result = function(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    return anyio.from_thread.run(call)


def queue_checks(settings: Settings, product_ids: list[int]) -> list[str]:
    """Queue price checks; raises QueueUnavailable (a QueueError) when Redis is down."""
    from pricemon.queue import enqueue_checks

    job_ids: list[str] = _run(enqueue_checks, settings, product_ids)
    return job_ids


def queue_check(settings: Settings, product_id: int) -> str:
    job_ids = queue_checks(settings, [product_id])
    return job_ids[0] if job_ids else ""


@dataclass(frozen=True)
class FirstCheck:
    """What became of the first check of a new product."""

    status: str  # "queued" or "pending"
    job_id: str | None
    message: str


def queue_first_check(settings: Settings, product_id: int) -> FirstCheck:
    """Queue the first check of a product that was just saved; Redis down is not an error."""
    try:
        job_id = queue_check(settings, product_id)
    except QueueError as error:
        log.warning("first check of product %s not queued: %s", product_id, error.message)
        return FirstCheck(
            status="pending",
            job_id=None,
            message="saved; its first check is pending (the job queue is unreachable, "
            "the next check-all will include it)",
        )
    return FirstCheck(status="queued", job_id=job_id, message="saved; first check queued")


def queue_check_all(settings: Settings) -> str:
    from pricemon.queue import enqueue_check_all

    job_id: str = _run(enqueue_check_all, settings)
    return job_id


def queue_digest(settings: Settings, *, to: list[str] | None = None) -> str:
    from pricemon.queue import enqueue_digest

    job_id: str = _run(enqueue_digest, settings, to=to)
    return job_id


def schedule_changed(settings: Settings) -> bool:
    """Tell the workers the digest schedule changed; False when Redis could not be told
    (they still pick it up at their next periodic sync)."""
    from pricemon.worker.scheduler import notify_schedule_changed

    return notify_schedule_changed(settings)


def next_send_times(
    row: AppSettings, settings: Settings, *, now: datetime, count: int = 3
) -> list[datetime]:
    """The next `count` digest send times, aware datetimes in the schedule's timezone
    (DIGEST_CRON, when set, replaces the row's time as it does for the worker)."""
    from pricemon.digest_settings import digest_schedule
    from pricemon.domain.schedule import next_runs

    schedule = digest_schedule(row, settings)
    return next_runs(schedule.pattern, schedule.timezone, after=now, count=count)


def ping_queue(settings: Settings) -> None:
    """Raise QueueError unless Redis answers PING within a few seconds."""
    import redis

    from pricemon.queue import redis_sync_client, unavailable

    client = redis_sync_client(settings)
    try:
        # Connecting times out after 2 s (ENQUEUE_CONNECT_TIMEOUT_S): a probe must answer fast.
        client.ping()
    except (redis.RedisError, OSError) as exc:
        raise unavailable(settings, exc) from None
    finally:
        client.close()
