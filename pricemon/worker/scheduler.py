"""The digest schedule in Redis: reconciled from the database by every scheduler-enabled worker.

How the digest fires. bullmq 3.4.4 computes a job scheduler's next iteration inside the
worker that picks up the current one (`Worker._scheduleNextIteration` ->
`JobScheduler.upsertJobScheduler`) with croniter, which gets clock-change days wrong (see
`pricemon.domain.schedule`). Its `JobScheduler` accepts a `repeat_strategy`, but neither
`Queue` nor `Worker` exposes it, so using it would mean patching a private attribute in every
process that might pick up a digest job. Instead the schedule is a chain of delayed
`send-digest` jobs, one per slot, planned with our own `next_run`:

- the job id is the slot (`digest-2026-11-28T220000Z`): BullMQ keeps one job per id, so any
  number of workers planning the same slot add it once;
- when a slot's job runs it plans the next slot first (`plan_after`), then sends;
- every worker with ENABLE_SCHEDULER reconciles at start-up, every
  PRICEMON_SCHEDULE_SYNC_INTERVAL (5 minutes) and within seconds of `notify_schedule_changed`
  (a version key it polls): it re-plans only when the pattern, timezone or planned job
  really changed, removes planned jobs of an old schedule, and removes everything when the
  digest is disabled.

What operators see as "the scheduler registered in Redis" is the hash REGISTRY_KEY (pattern,
timezone, next slot, planned job id, who changed it and when) plus the planned delayed job
in the `pricemon-digest` queue, which bull-board shows too. `inspect_schedule` reads both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pricemon.config import Settings
from pricemon.db import session_scope
from pricemon.digest_settings import digest_schedule, get_app_settings
from pricemon.domain.schedule import DigestSchedule, next_run, slot_key
from pricemon.errors import PricemonError, QueueError

if TYPE_CHECKING:
    from bullmq import Queue
    from sqlalchemy.engine import Engine

    from pricemon.worker.schedule_inspect import ScheduleInspection

log = logging.getLogger(__name__)

REGISTRY_KEY = "pricemon:digest-scheduler"
VERSION_KEY = "pricemon:digest-schedule-version"
LOCK_KEY = "pricemon:digest-scheduler:lock"
# Each running sync loop refreshes `<SYNCER_PREFIX><host>:<pid>` so `schedule show` and
# `doctor` can tell that no worker keeps the schedule alive.
SYNCER_PREFIX = "pricemon:digest-scheduler:syncer:"
SYNCER_TTL_S = 30
SYNCER_BEAT_S = 10.0
LOCK_TTL_MS = 30_000
CHANGE_POLL_S = 2.0
# Finished digest jobs stay in Redis for 30 days: re-adding a slot's id while its finished
# job still exists is a no-op, one more guard against sending a slot twice.
KEEP_DIGEST_JOBS = {"age": 30 * 24 * 3600}


def _describe_run(run: datetime) -> str:
    """`2026-11-29 09:00 AEDT (UTC+1100) = 2026-11-28 22:00 UTC` (seconds when not 0)."""
    clock = "%H:%M:%S" if run.second else "%H:%M"
    local = run.strftime(f"%Y-%m-%d {clock} %Z (UTC%z)")
    return f"{local} = {run.astimezone(UTC).strftime(f'%Y-%m-%d {clock} UTC')}"


def _who() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _fingerprint(schedule: DigestSchedule) -> str:
    return f"{schedule.pattern}|{schedule.timezone}"


def load_schedule(settings: Settings, engine: Engine) -> DigestSchedule:
    with session_scope(engine) as session:
        return digest_schedule(get_app_settings(session, settings), settings)


async def _planned_jobs(queue: Queue) -> dict[str, Any]:
    """Delayed digest jobs planned by the schedule, by id."""
    jobs = await queue.getDelayed()
    return {str(job.id): job for job in jobs if job and str(job.id).startswith("digest-")}


async def _add_slot(queue: Queue, schedule: DigestSchedule, slot: datetime) -> str:
    from pricemon.queue import JOB_SEND_DIGEST

    job_id = slot_key(slot)
    # timestamp + delay is when BullMQ fires the job: pass both so it is the slot exactly.
    now_ms = int(time.time() * 1000)
    slot_ms = int(slot.timestamp() * 1000)
    data = {"slot": job_id, "pattern": schedule.pattern, "tz": schedule.timezone}
    options = {
        "jobId": job_id,
        "timestamp": now_ms,
        "delay": max(0, slot_ms - now_ms),
        "attempts": 3,
        "backoff": {"type": "exponential", "delay": 60_000},
        "removeOnComplete": KEEP_DIGEST_JOBS,
        "removeOnFail": KEEP_DIGEST_JOBS,
    }
    await queue.add(JOB_SEND_DIGEST, data, options)
    return job_id


async def _register(queue: Queue, schedule: DigestSchedule, slot: datetime, job_id: str) -> None:
    await queue.client.hset(
        REGISTRY_KEY,
        mapping={
            "pattern": schedule.pattern,
            "tz": schedule.timezone,
            "description": schedule.describe(),
            "fingerprint": _fingerprint(schedule),
            "next_slot": slot.astimezone(UTC).isoformat(),
            "job_id": job_id,
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "updated_by": _who(),
        },
    )


async def _apply(queue: Queue, schedule: DigestSchedule, now: datetime) -> bool:
    """Make Redis match `schedule`; True when something changed."""
    registry = await queue.client.hgetall(REGISTRY_KEY)
    planned = await _planned_jobs(queue)
    if not schedule.enabled:
        for job_id in planned:
            await queue.remove(job_id)
        if registry or planned:
            await queue.client.delete(REGISTRY_KEY)
            log.info("digest schedule disabled: removed planned job(s) %s", sorted(planned))
            return True
        return False
    slot = next_run(schedule.pattern, schedule.timezone, after=now)
    job_id = slot_key(slot)
    registered_job = registry.get("job_id")
    unchanged = registry.get("fingerprint") == _fingerprint(schedule) and registered_job
    if unchanged and (
        registered_job in planned
        or await queue.getJobState(registered_job) in ("active", "waiting", "delayed")
    ):
        return False  # re-adding an unchanged plan could only drop a due slot
    for stale in set(planned) - {job_id}:
        await queue.remove(stale)
    await _add_slot(queue, schedule, slot)
    await _register(queue, schedule, slot, job_id)
    log.info(
        "digest schedule changed: %s, pattern %r; next run %s (job %s)",
        schedule.describe(), schedule.pattern, _describe_run(slot), job_id,
    )  # fmt: skip
    return True


@asynccontextmanager
async def _locked(queue: Queue, *, wait_s: float) -> AsyncIterator[bool]:
    """Hold the schedule lock (True), or yield False if another worker holds it for longer
    than `wait_s`. The lock expires by itself if its holder dies."""
    token = f"{_who()}:{time.monotonic_ns()}"
    deadline = time.monotonic() + wait_s
    while not await queue.client.set(LOCK_KEY, token, nx=True, px=LOCK_TTL_MS):
        if time.monotonic() >= deadline:
            yield False
            return
        await asyncio.sleep(0.2)
    try:
        yield True
    finally:
        if await queue.client.get(LOCK_KEY) == token:
            await queue.client.delete(LOCK_KEY)


async def reconcile_schedule(
    settings: Settings, engine: Engine, *, now: datetime | None = None
) -> bool | None:
    """Bring the planned digest jobs in Redis in line with the database schedule.

    One worker at a time: the schedule is read under a short Redis lock, so a change made
    while another worker reconciles is never lost. Returns True when something changed,
    False when Redis already matched, None when another worker held the lock (try again).
    Raises QueueUnavailable when Redis is down and InputError for an invalid schedule.
    """
    from pricemon.queue import DIGEST_QUEUE, open_queue

    async with open_queue(settings, DIGEST_QUEUE) as queue, _locked(queue, wait_s=5) as held:
        if not held:
            log.debug("another worker is reconciling the digest schedule")
            return None
        schedule = load_schedule(settings, engine)
        return await _apply(queue, schedule, now or datetime.now(UTC))


async def plan_after(settings: Settings, engine: Engine, slot: datetime) -> str | None:
    """Plan the slot after `slot` (called when a slot fires); returns its job id.

    Reads the schedule under the lock, so a schedule disabled meanwhile is not revived.
    Plans from now when `slot` is long past, so a worker outage does not fire a burst of
    missed digests. Failures are logged: the next reconcile plans the slot anyway.
    """
    from pricemon.queue import DIGEST_QUEUE, open_queue

    try:
        async with (
            open_queue(settings, DIGEST_QUEUE) as queue,
            _locked(queue, wait_s=LOCK_TTL_MS / 1000) as held,
        ):
            schedule = load_schedule(settings, engine)
            if not held or not schedule.enabled:
                return None
            after = max(slot, datetime.now(UTC))
            upcoming = next_run(schedule.pattern, schedule.timezone, after=after)
            job_id = await _add_slot(queue, schedule, upcoming)
            await _register(queue, schedule, upcoming, job_id)
    except QueueError as exc:
        log.warning("could not plan the next digest (%s); the next reconcile will", exc)
        return None
    log.info("next digest planned: %s (job %s)", _describe_run(upcoming), job_id)
    return job_id


def notify_schedule_changed(settings: Settings) -> bool:
    """Tell every worker the schedule changed (they re-plan within seconds).

    Synchronous so the web app and the CLI can call it from anywhere. Returns False (and
    logs) when Redis cannot be reached: workers still pick the change up within
    PRICEMON_SCHEDULE_SYNC_INTERVAL.
    """
    import redis

    from pricemon.queue import redis_sync_client

    if not settings.redis_url:
        return False
    try:
        with redis_sync_client(settings) as client:
            client.incr(VERSION_KEY)
    except (redis.RedisError, OSError, QueueError) as exc:
        log.warning("could not notify workers of the schedule change: %s", exc)
        return False
    return True


async def _sync_once(settings: Settings, engine: Engine) -> bool:
    """One reconcile; False when it must be tried again soon (another worker held the
    lock). Failures are logged and retried at the next interval, never raised: the sync
    task must outlive database and Redis outages."""
    try:
        return await reconcile_schedule(settings, engine) is not None
    except PricemonError as exc:
        log.warning("digest schedule sync failed: %s", exc)
    except Exception:
        log.exception("digest schedule sync failed unexpectedly; retrying next round")
    return True


async def run_schedule_sync(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    """Reconcile at start-up, every `schedule_sync_interval_s`, and within CHANGE_POLL_S of a
    `notify_schedule_changed`, until `stop` is set. Outages are logged, never raised."""
    from redis.exceptions import RedisError

    from pricemon.queue import redis_client

    client = redis_client(settings)
    seen: str | None = None
    due = beat_due = 0.0
    syncer_key = SYNCER_PREFIX + _who()
    try:
        while not stop.is_set():
            try:
                raw = await client.get(VERSION_KEY)
                version = None if raw is None else str(raw)
                if time.monotonic() >= beat_due:
                    await client.set(syncer_key, datetime.now(UTC).isoformat(), ex=SYNCER_TTL_S)
                    beat_due = time.monotonic() + SYNCER_BEAT_S
            except (RedisError, OSError) as exc:
                log.warning("digest schedule sync cannot read Redis: %s", exc)
                version = seen
            if (version != seen or time.monotonic() >= due) and await _sync_once(settings, engine):
                seen = version
                due = time.monotonic() + settings.schedule_sync_interval_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=CHANGE_POLL_S)
    finally:
        with contextlib.suppress(RedisError, OSError):
            await client.delete(syncer_key)
        await client.aclose()


def inspect_schedule(settings: Settings, engine: Engine) -> ScheduleInspection:
    """The database schedule, the scheduler registered in Redis, drift and problems, and the
    last digest sent (see `pricemon.worker.schedule_inspect`)."""
    from pricemon.worker.schedule_inspect import inspect_schedule as inspect

    return inspect(settings, engine)
