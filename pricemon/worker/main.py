"""The worker process's lifecycle (arq's shape): connect with bounded retries, run the BullMQ
workers, heartbeat and schedule sync beside them, and on SIGTERM/SIGINT stop taking jobs,
let running ones finish within a bound, close the browser and log one line with the counts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from pricemon.config import Settings
from pricemon.db import engine_from_settings, ping, require_current
from pricemon.errors import PricemonError, QueueError
from pricemon.queue import CHECKS_QUEUE, DIGEST_QUEUE, redis_client, unavailable
from pricemon.worker.browser import SharedBrowser
from pricemon.worker.checks import WorkerContext
from pricemon.worker.heartbeat import Heartbeat
from pricemon.worker.jobs import JobStats, Processors

if TYPE_CHECKING:
    import redis.asyncio as aioredis
    from bullmq import Worker

log = logging.getLogger(__name__)

CONNECT_ATTEMPTS = 8
CONNECT_DELAY_CAP_S = 10.0
MAX_STALLED_COUNT = 3  # a job may be recovered this often (kills, outages) before failing


async def _with_retries(what: str, attempt_once: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """Call `attempt_once` until it succeeds, at most CONNECT_ATTEMPTS times, with one
    warning per failed attempt; re-raises the last PricemonError."""
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            await attempt_once()
            return
        except PricemonError as exc:
            if attempt == CONNECT_ATTEMPTS:
                raise
            delay_s = min(CONNECT_DELAY_CAP_S, 0.5 * 2**attempt)
            log.warning(
                "cannot reach %s: %s; attempt %d of %d, retrying in %.0f s",
                what, exc.message, attempt, CONNECT_ATTEMPTS, delay_s,
            )  # fmt: skip
            await asyncio.sleep(delay_s)


async def connect(settings: Settings) -> tuple[aioredis.Redis, Engine]:
    """A Redis client and a database engine that both answered, or a PricemonError."""
    from redis.exceptions import RedisError

    client = redis_client(settings)
    engine = engine_from_settings(settings)

    async def ping_redis() -> None:
        try:
            await client.ping()
        except (RedisError, OSError) as exc:
            raise unavailable(settings, exc) from None

    async def ping_db() -> None:
        await asyncio.to_thread(ping, engine)

    await _with_retries("Redis", ping_redis)
    await _with_retries("the database", ping_db)
    await asyncio.to_thread(require_current, engine)
    return client, engine


def _worker_options(settings: Settings, concurrency: int) -> dict[str, Any]:
    return {
        "name": f"{socket.gethostname()}-{os.getpid()}",
        "concurrency": concurrency,
        "lockDuration": int(settings.worker_lock_duration_s * 1000),
        "stalledInterval": int(settings.worker_stalled_interval_s * 1000),
        "maxStalledCount": MAX_STALLED_COUNT,
        # Pause between fetch attempts while Redis is down (bullmq's default is 15 s).
        "runRetryDelay": 2000,
    }


def _log_worker_error(error: Exception, *args: Any) -> None:
    from redis.exceptions import ConnectionError, TimeoutError

    if isinstance(error, ConnectionError | TimeoutError | OSError):
        log.debug("BullMQ lost Redis: %s", error)  # the heartbeat loop warns about outages
    else:
        log.warning("BullMQ error: %s", error)


def _install_signals(stop: asyncio.Event, force: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if stop.is_set():
            log.warning("second %s: stopping running jobs now", signal.Signals(signum).name)
            force.set()
            return
        name = signal.Signals(signum).name
        log.info("%s received: finishing running jobs, taking no new ones", name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)


async def _close_workers(workers: list[Worker], settings: Settings, force: asyncio.Event) -> bool:
    """Close the workers, waiting for running jobs up to the shutdown bound; True if clean."""
    closing = asyncio.ensure_future(asyncio.gather(*(w.close() for w in workers)))
    forced = asyncio.ensure_future(force.wait())
    done, _ = await asyncio.wait(
        {closing, forced},
        timeout=settings.worker_shutdown_timeout_s,
        return_when=asyncio.FIRST_COMPLETED,
    )
    forced.cancel()
    if closing in done:
        return True
    # Jobs still running are cancelled; their locks lapse and stalled-job recovery gives
    # them to another worker, so nothing is lost.
    for worker in workers:
        worker.forceClosing = True
        worker.cancelProcessing()
    await asyncio.gather(*(w.close(force=True) for w in workers), return_exceptions=True)
    closing.cancel()
    return False


def _start_workers(settings: Settings, processors: Processors, concurrency: int) -> list[Worker]:
    """One BullMQ worker per queue, each on its own Redis client (they block on BZPOPMIN)."""
    from bullmq import Worker

    # autorun off: run() is started by run_worker, which watches it (see there).
    options = {**_worker_options(settings, concurrency), "autorun": False}
    workers = [
        Worker(CHECKS_QUEUE, processors.checks, {**options, "connection": redis_client(settings)}),
        Worker(
            DIGEST_QUEUE,
            processors.digest,
            {**options, "concurrency": 1, "connection": redis_client(settings)},
        ),
    ]
    for worker in workers:
        worker.on("error", _log_worker_error)
    return workers


def _background_tasks(
    settings: Settings,
    engine: Engine,
    heartbeat: Heartbeat,
    stop: asyncio.Event,
    *,
    scheduler: bool,
) -> list[asyncio.Future[None]]:
    tasks: list[asyncio.Future[None]] = [asyncio.ensure_future(heartbeat.run(stop))]
    if scheduler:
        from pricemon.worker.scheduler import run_schedule_sync

        tasks.append(asyncio.ensure_future(run_schedule_sync(settings, engine, stop)))
    return tasks


async def run_worker(settings: Settings, *, concurrency: int, scheduler: bool) -> JobStats:
    """Run until SIGTERM/SIGINT; returns the counts. Raises PricemonError if Redis or the
    database cannot be reached at start."""
    from bullmq import Queue

    from pricemon.fetch.http import create_client

    client, engine = await connect(settings)
    # Import the check pipeline now rather than in the first job (seconds on a cold start).
    import pricemon.alerts
    import pricemon.checker  # noqa: F401

    stats = JobStats()
    browser = SharedBrowser(settings, size=min(concurrency, settings.worker_browser_pages))
    http_client = create_client(settings)
    checks_queue = Queue(CHECKS_QUEUE, {"connection": client})
    ctx = WorkerContext(settings, engine, browser, checks_queue, http_client)
    stop, force = asyncio.Event(), asyncio.Event()
    _install_signals(stop, force)
    workers = _start_workers(settings, Processors(ctx, stats), concurrency)
    heartbeat = Heartbeat(settings, client, stats, concurrency=concurrency)
    tasks = _background_tasks(settings, engine, heartbeat, stop, scheduler=scheduler)
    log.info(
        "worker %s started: concurrency %d, scheduler %s",
        heartbeat.key, concurrency, "on" if scheduler else "off",
    )  # fmt: skip
    loops = [asyncio.ensure_future(worker.run()) for worker in workers]
    ended = await _until_stopped(stop, loops)
    running = stats.active
    clean = await _close_workers(workers, settings, force)
    await asyncio.wait([*loops, *tasks], timeout=10)
    for task in [*loops, *tasks]:
        task.cancel()
    await heartbeat.clear()
    await browser.close()
    await http_client.aclose()
    await client.aclose()
    engine.dispose()
    log.info(
        "worker stopped%s: %d completed, %d failed, %d deferred, %d were running at the signal",
        "" if clean else " (running jobs cut short, they will be retried)",
        stats.completed, stats.failed, stats.deferred, running,
    )  # fmt: skip
    if ended:
        raise QueueError(
            "the BullMQ worker loop stopped unexpectedly",
            hint="see the log above; the process exits 1 so that it is restarted",
        )
    return stats


async def _until_stopped(stop: asyncio.Event, loops: list[asyncio.Future[None]]) -> bool:
    """Wait for a stop signal; True if a BullMQ run loop ended first. Worker.run returns
    on an unexpected error after printing it (bullmq/worker.py, "This should never
    happen"), which would leave a process that heartbeats but takes no jobs."""
    stopped: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
    waiting: set[asyncio.Future[Any]] = {stopped, *loops}
    done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if stopped in done:
        return False
    log.error("a BullMQ worker loop ended unexpectedly; shutting down")
    stop.set()
    return True
