"""The queue adapter: the one place that builds Redis connections and names queues and jobs.

The web app, the CLI and the worker all enqueue through the functions here, so job names,
options (attempts, backoff, retention, deduplication) and connection settings cannot drift.

Queues are BullMQ queues (the Python port, pinned in pyproject.toml) under the default
`bull` prefix, so Node tools such as bull-board can read them. Job ids are random hex
strings: no `:` (those tools would misread it as a key separator), and unique forever, so
a check run's (job id, attempt) never collides with an older run even after Redis lost its
data and BullMQ's integer ids started again from 1.

Connections. redis-py 8 defaults `socket_timeout` to 5 s, but a BullMQ worker blocks on
BZPOPMIN for up to 10 s (`default_maximum_block_timeout` in bullmq/worker.py); with the
default every idle wait would end in a TimeoutError and a reconnect. Every client built here
therefore has a socket timeout of 30 s.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from pricemon.config import Settings
from pricemon.errors import QueueError

if TYPE_CHECKING:
    import redis.asyncio as aioredis
    from bullmq import Queue

log = logging.getLogger(__name__)

CHECKS_QUEUE = "pricemon-checks"
DIGEST_QUEUE = "pricemon-digest"
JOB_CHECK_PRODUCT = "check-product"
JOB_CHECK_ALL = "check-all"
JOB_SEND_DIGEST = "send-digest"
HEARTBEAT_PREFIX = "pricemon:heartbeat:"

# Above BullMQ's longest blocking wait (10 s), see the module docstring.
SOCKET_TIMEOUT_S = 30.0
# Callers that only enqueue (CLI, web) want to hear quickly that Redis is down.
ENQUEUE_CONNECT_TIMEOUT_S = 2.0
WORKER_CONNECT_TIMEOUT_S = 5.0
HEALTH_CHECK_INTERVAL_S = 15

# Finished jobs kept in Redis: enough to inspect recent history, bounded so Redis does not
# grow with every check (BullMQ keeps them all by default).
KEEP_COMPLETED = {"age": 24 * 3600, "count": 1000}
KEEP_FAILED = {"age": 7 * 24 * 3600, "count": 5000}

REDIS_HINT = "start Redis or set REDIS_URL=redis://HOST:6379/0, then run `pricemon doctor`"


class QueueUnavailable(QueueError):
    """Redis cannot be reached, so nothing could be enqueued (callers may say "pending")."""


def describe_redis_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def require_redis_url(settings: Settings) -> str:
    if not settings.redis_url:
        raise QueueUnavailable("REDIS_URL is not set, so no job can be queued", hint=REDIS_HINT)
    return settings.redis_url


def unavailable(settings: Settings, exc: BaseException) -> QueueUnavailable:
    """A QueueUnavailable naming REDIS_URL (without password) and the cause."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    url = describe_redis_url(settings.redis_url or "")
    return QueueUnavailable(f"cannot reach Redis at REDIS_URL ({url}): {reason}", hint=REDIS_HINT)


def redis_client(
    settings: Settings,
    *,
    connect_timeout_s: float = WORKER_CONNECT_TIMEOUT_S,
    retries: int = 3,
) -> aioredis.Redis:
    """An asyncio Redis client for REDIS_URL with the socket timeout BullMQ needs.

    `retries` bounds redis-py's own reconnect attempts per command; the worker adds its
    own outer loop (and warnings) around outages. Responses are decoded, as BullMQ expects.
    """
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError, TimeoutError

    url = require_redis_url(settings)
    try:
        return aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=SOCKET_TIMEOUT_S,
            socket_connect_timeout=connect_timeout_s,
            socket_keepalive=True,
            health_check_interval=HEALTH_CHECK_INTERVAL_S,
            retry=Retry(ExponentialBackoff(cap=2.0, base=0.2), retries),
            retry_on_error=[ConnectionError, TimeoutError],
        )
    except ValueError as exc:
        raise QueueError(f"REDIS_URL is not a Redis URL: {exc}", hint=REDIS_HINT) from None


def redis_sync_client(
    settings: Settings, *, connect_timeout_s: float = ENQUEUE_CONNECT_TIMEOUT_S
) -> Any:
    """A blocking redis-py client for short one-off reads (health checks, the CLI)."""
    import redis

    url = require_redis_url(settings)
    try:
        return redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=SOCKET_TIMEOUT_S,
            socket_connect_timeout=connect_timeout_s,
        )
    except ValueError as exc:
        raise QueueError(f"REDIS_URL is not a Redis URL: {exc}", hint=REDIS_HINT) from None


def new_job_id() -> str:
    """A job id without `:` that no other job ever had."""
    return uuid.uuid4().hex


def check_job_options(settings: Settings, product_id: int) -> dict[str, Any]:
    """Options of one check-product job: retries with exponential backoff, bounded
    retention, and deduplication so a product never has two pending checks.

    BullMQ deletes the deduplication key when the job completes or fails for good
    (moveToFinished-14.lua, removeDeduplicationKeyIfNeeded*), so a later check is accepted.
    """
    return {
        "jobId": new_job_id(),
        "attempts": settings.check_attempts,
        "backoff": {"type": "exponential", "delay": int(settings.check_backoff_s * 1000)},
        "removeOnComplete": KEEP_COMPLETED,
        "removeOnFail": KEEP_FAILED,
        "deduplication": {"id": f"check-product-{product_id}"},
    }


def _single_job_options(dedup_id: str | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {
        "jobId": new_job_id(),
        "attempts": 1,
        "removeOnComplete": KEEP_COMPLETED,
        "removeOnFail": KEEP_FAILED,
    }
    if dedup_id:
        options["deduplication"] = {"id": dedup_id}
    return options


async def add_checks(queue: Queue, settings: Settings, product_ids: Iterable[int]) -> list[str]:
    """Add one check-product job per id on an open queue; returns the job ids (the pending
    job's id when a product already had one)."""
    ids = list(dict.fromkeys(int(pid) for pid in product_ids))
    if not ids:
        return []
    jobs = await queue.addBulk(
        [
            {
                "name": JOB_CHECK_PRODUCT,
                "data": {"product_id": pid},
                "opts": check_job_options(settings, pid),
            }
            for pid in ids
        ]
    )
    return [str(job.id) for job in jobs]


@asynccontextmanager
async def open_queue(
    settings: Settings, name: str, *, connect_timeout_s: float = ENQUEUE_CONNECT_TIMEOUT_S
) -> AsyncIterator[Queue]:
    """A BullMQ Queue on our client; connection failures become QueueUnavailable."""
    from bullmq import Queue
    from redis.exceptions import ConnectionError, TimeoutError

    client = redis_client(settings, connect_timeout_s=connect_timeout_s, retries=1)
    queue = Queue(name, {"connection": client})
    try:
        await client.ping()
        yield queue
    except (ConnectionError, TimeoutError, OSError) as exc:
        raise unavailable(settings, exc) from None
    finally:
        with suppress(ConnectionError, TimeoutError, OSError):
            await queue.close()


async def enqueue_checks(settings: Settings, product_ids: Iterable[int]) -> list[str]:
    """Queue a price check for each product id; raises QueueUnavailable when Redis is down."""
    async with open_queue(settings, CHECKS_QUEUE) as queue:
        job_ids = await add_checks(queue, settings, product_ids)
    log.info("queued %d check(s)", len(job_ids))
    return job_ids


async def enqueue_check_all(settings: Settings) -> str:
    """Queue one check-all job (fans out to every active product); deduplicated while pending."""
    async with open_queue(settings, CHECKS_QUEUE) as queue:
        job = await queue.add(JOB_CHECK_ALL, {}, _single_job_options("check-all"))
    return str(job.id)


async def enqueue_digest(
    settings: Settings, *, to: list[str] | None = None, refresh: bool | None = None
) -> str:
    """Queue a send-digest job now (`to` overrides the recipients, `refresh` the setting)."""
    data: dict[str, Any] = {}
    if to is not None:
        data["to"] = list(to)
    if refresh is not None:
        data["refresh"] = refresh
    async with open_queue(settings, DIGEST_QUEUE) as queue:
        job = await queue.add(JOB_SEND_DIGEST, data, _single_job_options())
    return str(job.id)
