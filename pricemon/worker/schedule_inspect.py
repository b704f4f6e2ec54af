"""What `pricemon schedule show` and `pricemon doctor` report about the digest schedule.

Reads the database schedule and, synchronously, the scheduler registered in Redis by
`pricemon.worker.scheduler` (its registry hash and the planned delayed job), and says
whether they agree.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from pricemon.config import Settings
from pricemon.db import session_scope
from pricemon.digest_settings import digest_schedule, get_app_settings, recipients_for
from pricemon.domain.schedule import WEEKDAYS, DigestSchedule, next_runs
from pricemon.errors import PricemonError, QueueError
from pricemon.worker.scheduler import REGISTRY_KEY, SYNCER_PREFIX

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class RegisteredScheduler:
    """The schedule as registered in Redis by the last worker that reconciled it."""

    pattern: str
    timezone: str
    description: str
    next_slot: datetime | None
    job_id: str | None
    job_state: str  # delayed, waiting, active, completed, failed, missing
    updated_at: str | None
    updated_by: str | None
    next_runs: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class ScheduleInspection:
    database: DigestSchedule
    database_next_runs: list[datetime]
    registered: RegisteredScheduler | None
    planned_jobs: list[tuple[str, datetime]]  # delayed digest jobs: (id, fire time UTC)
    in_sync: bool
    problems: list[str]
    last_digest: dict[str, Any] | None = None
    syncers: list[str] = field(default_factory=list)  # workers running the sync loop

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `pricemon schedule show --json`."""
        db = self.database
        registered = None
        if self.registered is not None:
            reg = self.registered
            registered = {
                "pattern": reg.pattern,
                "timezone": reg.timezone,
                "description": reg.description,
                "next_slot": reg.next_slot.isoformat() if reg.next_slot else None,
                "job_id": reg.job_id,
                "job_state": reg.job_state,
                "updated_at": reg.updated_at,
                "updated_by": reg.updated_by,
                "next_runs": [_run_dict(r) for r in reg.next_runs],
            }
        return {
            "database": {
                "enabled": db.enabled,
                "frequency": db.frequency,
                "day": WEEKDAYS[db.day],
                "time": f"{db.hour:02d}:{db.minute:02d}",
                "timezone": db.timezone,
                "pattern": db.pattern,
                "pattern_override": db.pattern_override,
                "description": db.describe(),
                "next_runs": [_run_dict(r) for r in self.database_next_runs],
            },
            "redis": {
                "registered": registered,
                "planned_jobs": [
                    {"job_id": job_id, "fires_at": at.isoformat()}
                    for job_id, at in self.planned_jobs
                ],
                "syncers": self.syncers,
            },
            "in_sync": self.in_sync,
            "problems": self.problems,
            "last_digest": self.last_digest,
        }


def _run_dict(run: datetime) -> dict[str, str]:
    return {"local": run.isoformat(), "utc": run.astimezone(UTC).isoformat()}


def _job_state(client: Any, job_id: str) -> str:
    from pricemon.queue import DIGEST_QUEUE

    base = f"bull:{DIGEST_QUEUE}:"
    if not client.exists(base + job_id):
        return "missing"
    for state in ("delayed", "completed", "failed"):
        if client.zscore(base + state, job_id) is not None:
            return state
    for state, key in (("active", "active"), ("waiting", "wait")):
        if client.lpos(base + key, job_id) is not None:
            return state
    return "unknown"


@dataclass(frozen=True)
class RedisView:
    registry: dict[str, str]
    planned: list[tuple[str, datetime]]
    job_state: str
    syncers: list[str]  # host:pid of the running sync loops


def _read_redis(settings: Settings) -> RedisView:
    """The registry hash, planned digest jobs, the registered job's state and the running
    sync loops, read synchronously."""
    import redis

    from pricemon.queue import DIGEST_QUEUE, redis_sync_client

    client = redis_sync_client(settings, connect_timeout_s=3)
    with client:
        try:
            registry = cast(dict[str, str], client.hgetall(REGISTRY_KEY))
            delayed = cast(
                list[tuple[str, float]],
                client.zrange(f"bull:{DIGEST_QUEUE}:delayed", 0, -1, withscores=True),
            )
            state = _job_state(client, registry["job_id"]) if registry.get("job_id") else "missing"
            syncers = sorted(
                str(key).removeprefix(SYNCER_PREFIX)
                for key in client.scan_iter(match=f"{SYNCER_PREFIX}*", count=1000)
            )
        except (redis.RedisError, OSError) as exc:
            raise QueueError(f"cannot reach Redis: {exc}") from None
    # BullMQ scores delayed jobs as fire-time-in-ms * 0x1000 + a counter.
    planned = [
        (str(job_id), datetime.fromtimestamp(int(score) // 0x1000 / 1000, UTC))
        for job_id, score in delayed
        if str(job_id).startswith("digest-")
    ]
    return RedisView(registry, planned, state, syncers)


def _registered(registry: dict[str, str], state: str, now: datetime) -> RegisteredScheduler:
    runs: list[datetime] = []
    with contextlib.suppress(PricemonError, KeyError):
        runs = next_runs(registry["pattern"], registry["tz"], after=now, count=5)
    next_slot = registry.get("next_slot")
    return RegisteredScheduler(
        pattern=registry.get("pattern", ""),
        timezone=registry.get("tz", ""),
        description=registry.get("description", ""),
        next_slot=datetime.fromisoformat(next_slot) if next_slot else None,
        job_id=registry.get("job_id"),
        job_state=state,
        updated_at=registry.get("updated_at"),
        updated_by=registry.get("updated_by"),
        next_runs=runs,
    )


def _drift(
    db: DigestSchedule, reg: RegisteredScheduler | None, planned: list[tuple[str, datetime]]
) -> list[str]:
    sync_hint = "run `pricemon schedule sync` or check that a worker runs with ENABLE_SCHEDULER"
    if not db.enabled:
        if reg is not None or planned:
            return [
                f"the digest is disabled but Redis still plans {len(planned)} job(s): {sync_hint}"
            ]
        return []
    if reg is None:
        return [f"the digest is enabled but no worker has registered it in Redis: {sync_hint}"]
    problems = []
    if (reg.pattern, reg.timezone) != (db.pattern, db.timezone):
        problems.append(
            f"Redis has {reg.pattern!r} ({reg.timezone}) but the database says "
            f"{db.pattern!r} ({db.timezone}): {sync_hint}"
        )
    if reg.job_state not in ("delayed", "waiting", "active"):
        problems.append(f"the planned digest job {reg.job_id} is {reg.job_state}: {sync_hint}")
    if len(planned) > 1:
        problems.append(f"{len(planned)} digest jobs are planned, expected 1: {sync_hint}")
    return problems


def _config_problems(settings: Settings, db: DigestSchedule, recipients: list[str]) -> list[str]:
    if not db.enabled:
        return []
    problems = []
    if settings.resend_api_key is None:
        problems.append("RESEND_API_KEY is not set: scheduled digests will fail to send")
    if not settings.email_from:
        problems.append("EMAIL_FROM is not set: scheduled digests will fail to send")
    if not recipients:
        problems.append("no digest recipients: set them with `pricemon schedule set --to` "
                        "or set ALERT_EMAIL")  # fmt: skip
    return problems


def _last_digest(engine: Engine) -> dict[str, Any] | None:
    from pricemon.digest import last_digest

    sent = last_digest(engine)
    if sent is None:
        return None
    return {
        "key": sent.key,
        "outcome": sent.outcome,
        "created_at": sent.created_at.isoformat(),
        "sent_at": sent.sent_at.isoformat() if sent.sent_at else None,
        "recipients": sent.recipients.split(",") if sent.recipients else [],
        "provider_id": sent.provider_id,
        "error": sent.error,
    }


def inspect_schedule(settings: Settings, engine: Engine) -> ScheduleInspection:
    """The database schedule, what Redis has registered and planned, whether they agree,
    problems worth fixing, and the last digest sent. Never raises for a Redis outage (it
    becomes a problem); synchronous so `doctor` and the web app can call it anywhere."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        row = get_app_settings(session, settings)
        db = digest_schedule(row, settings)
        recipients = recipients_for(row, settings)
    problems: list[str] = []
    db_runs: list[datetime] = []
    try:
        db_runs = next_runs(db.pattern, db.timezone, after=now, count=5)
    except PricemonError as exc:
        problems.append(f"the database schedule is invalid: {exc.message}")
    registered: RegisteredScheduler | None = None
    planned: list[tuple[str, datetime]] = []
    syncers: list[str] = []
    try:
        view = _read_redis(settings)
        planned, syncers = view.planned, view.syncers
        registered = _registered(view.registry, view.job_state, now) if view.registry else None
        problems += _drift(db, registered, planned)
        in_sync = not problems
        if db.enabled and not syncers:
            problems.append(
                "no running worker keeps the digest schedule (none with ENABLE_SCHEDULER=true "
                "has reported in the last 30 s): start one, or digests stop after the planned one"
            )
    except QueueError as exc:
        problems.append(f"{exc.message}: the schedule in Redis is unknown")
        in_sync = False
    problems += _config_problems(settings, db, recipients)
    last = _last_digest(engine)
    return ScheduleInspection(db, db_runs, registered, planned, in_sync, problems, last, syncers)
