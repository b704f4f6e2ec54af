"""Doctor checks of what pricemon runs on: database, Redis and its queues, workers, the
digest scheduler, Chromium. Each returns Checks (see pricemon.doctor); none prints."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pricemon.doctor import Check, fail, from_error, ok, skip, warn
from pricemon.errors import PricemonError

if TYPE_CHECKING:
    import redis

    from pricemon.config import Settings

MIN_REDIS = (6, 2)
REDIS_CONNECT_TIMEOUT_S = 3.0


def describe_settings(settings: Settings) -> str:
    env_file = "read .env" if Path(".env").is_file() else "no .env file"
    return f"loaded (PRICEMON_ENV={settings.env.value}, {env_file})"


def check_database(settings: Settings) -> list[Check]:
    """Reachable, and at the latest migration."""
    from pricemon import db

    engine = db.engine_from_settings(settings)
    try:
        try:
            db.ping(engine)
        except PricemonError as error:
            return [from_error("database", error), skip("migrations", "needs the database")]
        where = db.describe_url(engine)
        first = ok("database", f"reachable: {where}")
        if settings.is_production and engine.url.get_backend_name() == "sqlite":
            first = warn(
                "database",
                f"SQLite in production: {where}",
                "set DATABASE_URL to the PostgreSQL database (Coolify: its internal URL)",
            )
        status = db.migration_status(engine)
        if status.up_to_date:
            return [first, ok("migrations", f"current (revision {status.current})")]
        pending = ", ".join(status.pending)
        at = f"at {status.current}" if status.current else "empty"
        detail = f"{len(status.pending)} pending ({pending}); the database is {at}"
        return [first, fail("migrations", detail, "run `pricemon db push`")]
    finally:
        engine.dispose()


def check_redis_all(settings: Settings) -> list[Check]:
    """Redis reachable and new enough, the queues it holds, the live workers."""
    from redis.exceptions import RedisError

    from pricemon.queue import REDIS_HINT, describe_redis_url, redis_sync_client, unavailable

    needs = [skip("queues", "needs Redis"), skip("workers", "needs Redis")]
    if not settings.redis_url:
        return [fail("redis", "REDIS_URL is not set", REDIS_HINT), *needs]
    try:
        client = redis_sync_client(settings, connect_timeout_s=REDIS_CONNECT_TIMEOUT_S)
    except PricemonError as error:
        return [from_error("redis", error), *needs]
    try:
        try:
            version = str(client.info("server").get("redis_version", "0"))
        except (RedisError, OSError) as exc:
            return [from_error("redis", unavailable(settings, exc)), *needs]
        where = describe_redis_url(settings.redis_url)
        if _version_tuple(version) < MIN_REDIS:
            first = fail(
                "redis",
                f"Redis {version} at {where}: pricemon needs 6.2 or newer",
                "upgrade Redis (Coolify: create a Redis 7 database)",
            )
        else:
            first = ok("redis", f"Redis {version} at {where}")
        return [first, _check_queues(client), _check_workers(client, settings)]
    finally:
        client.close()


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _check_queues(r: redis.Redis) -> Check:
    """Job counts per queue, read from BullMQ's keys (`bull:<queue>:wait` and friends)."""
    from pricemon.queue import CHECKS_QUEUE, DIGEST_QUEUE

    parts, missing = [], []
    for queue in (CHECKS_QUEUE, DIGEST_QUEUE):
        key = f"bull:{queue}"
        if not any(r.exists(f"{key}:{name}") for name in ("meta", "id", "events")):
            missing.append(queue)
            continue
        waiting = r.llen(f"{key}:wait") + r.zcard(f"{key}:prioritized")
        active = r.llen(f"{key}:active")
        delayed = r.zcard(f"{key}:delayed")
        failed = r.zcard(f"{key}:failed")
        parts.append(
            f"{queue}: {waiting} waiting, {active} active, {delayed} delayed, {failed} failed"
        )
    if missing and not parts:
        return warn(
            "queues",
            f"no queue in Redis yet ({', '.join(missing)})",
            "they appear with the first job: start `pricemon work`, or run "
            "`pricemon products check --all`",
        )
    detail = "; ".join(parts) + (f"; not created yet: {', '.join(missing)}" if missing else "")
    return ok("queues", detail)


def _check_workers(r: redis.Redis, settings: Settings) -> Check:
    """Live heartbeats (`pricemon:heartbeat:<host>:<pid>`, JSON with `at`, refreshed by workers)."""
    from pricemon.queue import HEARTBEAT_PREFIX
    from pricemon.worker.heartbeat import TTL_S

    now = time.time()
    alive = []
    for key in r.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=1000):
        try:
            beat = json.loads(r.get(key) or "")
        except ValueError:
            continue
        if isinstance(beat, dict) and now - float(beat.get("at", 0)) <= TTL_S:
            alive.append(f"{beat.get('host')}:{beat.get('pid')}")
    if alive:
        return ok("workers", f"{len(alive)} alive ({', '.join(sorted(alive))})")
    hint = "start one with `pricemon work` (on Coolify: deploy the worker application)"
    if settings.is_production:
        return fail("workers", "no worker heartbeat in Redis: prices are not being checked", hint)
    return warn("workers", "no worker running (no heartbeat in Redis)", hint)


def check_scheduler(settings: Settings) -> Check:
    """The digest schedule in the database is what the workers registered in Redis."""
    from pricemon import db
    from pricemon.worker.scheduler import inspect_schedule

    engine = db.engine_from_settings(settings)
    try:
        inspection = inspect_schedule(settings, engine)
    finally:
        engine.dispose()
    schedule = inspection.database
    if not inspection.in_sync:
        hint = "run `pricemon schedule sync`, or start a worker with ENABLE_SCHEDULER=true"
        return fail("scheduler", "; ".join(inspection.problems), hint)
    if not schedule.enabled:
        return ok("scheduler", "the digest is disabled; nothing is registered")
    detail = f"registered and matching the database: {schedule.describe()}"
    if inspection.database_next_runs:
        detail += f", next {inspection.database_next_runs[0].isoformat(timespec='minutes')}"
    if inspection.problems:
        return warn("scheduler", f"{detail}; but " + "; ".join(inspection.problems),
                    "see `pricemon schedule show`")  # fmt: skip
    return ok("scheduler", detail)


def check_chromium(settings: Settings) -> Check:
    """Chromium starts headless through the worker's own BrowserPool (same executable and
    flags): Playwright's Chromium when installed, else PRICEMON_CHROMIUM_EXECUTABLE."""
    import asyncio

    from pricemon.fetch.browser import BrowserPool

    async def launch() -> None:
        async with BrowserPool(settings, size=1):
            pass

    started = time.monotonic()
    try:
        asyncio.run(launch())
    except PricemonError as error:
        return from_error("chromium", error)
    return ok("chromium", f"started headless in {time.monotonic() - started:.1f} s")
