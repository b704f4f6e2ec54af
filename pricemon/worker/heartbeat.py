"""The worker's heartbeat: a Redis key with a TTL, refreshed while the worker runs.

Key `pricemon:heartbeat:<host>:<pid>`, value JSON (host, pid, time, counts). The key expires
on its own when a worker dies without cleaning up, so `pricemon work --check` (the
container HEALTHCHECK) only needs to find a fresh key for this host. The loop that writes
it also reports Redis outages: one warning per failed write, one line when Redis is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from pricemon import __version__
from pricemon.config import Settings
from pricemon.queue import HEARTBEAT_PREFIX, describe_redis_url
from pricemon.worker.jobs import JobStats

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger(__name__)

INTERVAL_S = 5.0
TTL_S = 30


def heartbeat_key(host: str, pid: int) -> str:
    return f"{HEARTBEAT_PREFIX}{host}:{pid}"


class Heartbeat:
    """Writes this process's heartbeat every INTERVAL_S until `stop` is set."""

    def __init__(
        self, settings: Settings, client: aioredis.Redis, stats: JobStats, *, concurrency: int
    ) -> None:
        self.settings = settings
        self.client = client
        self.stats = stats
        self.concurrency = concurrency
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.key = heartbeat_key(self.host, self.pid)
        self.started_at = time.time()
        self.failures = 0

    def payload(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "pid": self.pid,
            "version": __version__,
            "at": time.time(),
            "started_at": self.started_at,
            "concurrency": self.concurrency,
            "active": self.stats.active,
            "completed": self.stats.completed,
            "failed": self.stats.failed,
            "deferred": self.stats.deferred,
        }

    async def beat(self) -> bool:
        """Write the key once; on failure log one warning and return False."""
        from redis.exceptions import RedisError

        try:
            await self.client.set(self.key, json.dumps(self.payload()), ex=TTL_S)
        except (RedisError, OSError) as exc:
            self.failures += 1
            log.warning(
                "Redis unreachable at REDIS_URL (%s): %s; retrying in %.0f s (attempt %d)",
                describe_redis_url(self.settings.redis_url or ""), exc, INTERVAL_S, self.failures,
            )  # fmt: skip
            return False
        if self.failures:
            log.info("Redis is reachable again after %d failed attempt(s)", self.failures)
            self.failures = 0
        return True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.beat()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=INTERVAL_S)

    async def clear(self) -> None:
        """Delete the key at shutdown (best effort: it expires anyway)."""
        from redis.exceptions import RedisError

        try:
            await self.client.delete(self.key)
        except (RedisError, OSError):
            log.debug("could not delete heartbeat %s", self.key)


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_live_worker(settings: Settings, host: str | None = None) -> dict[str, Any] | None:
    """The freshest live heartbeat of a worker on `host` (this host by default), or None.

    Live means: the key exists (TTL), its time is within TTL_S, and its process exists.
    Raises QueueUnavailable when Redis cannot be reached.
    """
    from redis.exceptions import RedisError

    from pricemon.queue import redis_sync_client, unavailable

    host = host or socket.gethostname()
    client = redis_sync_client(settings)
    try:
        keys = list(client.scan_iter(match=f"{HEARTBEAT_PREFIX}{host}:*", count=1000))
        values = [client.get(key) for key in keys]
    except (RedisError, OSError) as exc:
        raise unavailable(settings, exc) from None
    finally:
        client.close()
    now = time.time()
    best: dict[str, Any] | None = None
    for value in values:
        try:
            beat = json.loads(value) if value else None
        except ValueError:
            continue
        if not isinstance(beat, dict) or now - float(beat.get("at", 0)) > TTL_S:
            continue
        if not _pid_running(int(beat.get("pid", 0))):
            continue
        if best is None or beat["at"] > best["at"]:
            best = beat
    return best
