"""Reconciling the digest schedule into Redis (real Redis and database, in-process)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from pricemon.config import Settings
from pricemon.db import session_scope
from pricemon.digest import run_digest_job
from pricemon.digest_settings import update_schedule
from pricemon.domain.schedule import next_run, slot_key
from pricemon.models import EmailSend
from pricemon.queue import DIGEST_QUEUE
from pricemon.worker.scheduler import (
    REGISTRY_KEY,
    inspect_schedule,
    notify_schedule_changed,
    reconcile_schedule,
    run_schedule_sync,
)
from tests.digest.resend_stub import ResendStub


def _set(engine: Engine, settings: Settings, **changes: object) -> None:
    fields: dict[str, object] = {
        "enabled": True,
        "frequency": "daily",
        "hour": 9,
        "minute": 0,
        "timezone": "Australia/Sydney",
        "recipients": ["ann@example.com"],
    }
    fields.update(changes)
    with session_scope(engine) as session:
        update_schedule(session, settings, **fields)  # type: ignore[arg-type]


def _redis(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url or "", decode_responses=True)


def _delayed(settings: Settings) -> dict[str, int]:
    """Delayed digest jobs: id -> fire time in ms."""
    with _redis(settings) as client:
        entries = client.zrange(f"bull:{DIGEST_QUEUE}:delayed", 0, -1, withscores=True)
    return {job_id: int(score) // 0x1000 for job_id, score in entries}


async def test_reconcile_plans_one_job_per_slot_and_only_changes_on_change(
    engine: Engine, settings: Settings
) -> None:
    _set(engine, settings)
    assert await reconcile_schedule(settings, engine) is True
    slot = next_run("0 9 * * *", "Australia/Sydney", after=datetime.now(UTC))
    assert _delayed(settings) == {slot_key(slot): int(slot.timestamp() * 1000)}
    with _redis(settings) as client:
        registry = client.hgetall(REGISTRY_KEY)
        created = client.hget(f"bull:{DIGEST_QUEUE}:{slot_key(slot)}", "timestamp")
    assert (registry["pattern"], registry["tz"], registry["job_id"]) == (
        "0 9 * * *", "Australia/Sydney", slot_key(slot),
    )  # fmt: skip
    report = inspect_schedule(settings, engine)
    assert report.in_sync and report.registered is not None
    assert report.registered.job_state == "delayed"
    assert report.registered.next_runs[0] == slot

    # Unchanged: nothing is touched (re-adding could drop a due slot).
    assert await reconcile_schedule(settings, engine) is False
    with _redis(settings) as client:
        assert client.hget(f"bull:{DIGEST_QUEUE}:{slot_key(slot)}", "timestamp") == created

    # A new timezone: the old slot's job goes, the new one is planned.
    _set(engine, settings, timezone="Europe/Berlin", hour=18, minute=30)
    drift = inspect_schedule(settings, engine)
    assert not drift.in_sync
    assert "but the database says '30 18 * * *' (Europe/Berlin)" in drift.problems[0]
    assert await reconcile_schedule(settings, engine) is True
    berlin = next_run("30 18 * * *", "Europe/Berlin", after=datetime.now(UTC))
    assert list(_delayed(settings)) == [slot_key(berlin)]

    # Disabled: everything goes.
    _set(engine, settings, enabled=False)
    assert await reconcile_schedule(settings, engine) is True
    assert _delayed(settings) == {}
    report = inspect_schedule(settings, engine)
    assert report.in_sync and report.registered is None


async def test_enabled_but_never_registered_is_a_problem(
    engine: Engine, settings: Settings
) -> None:
    _set(engine, settings)
    report = inspect_schedule(settings, engine)
    assert not report.in_sync
    assert any("no worker has registered it" in p for p in report.problems)
    assert any("RESEND_API_KEY is not set" in p for p in report.problems)


async def test_sync_loop_picks_up_a_change_within_seconds(
    engine: Engine, settings: Settings
) -> None:
    settings = settings.model_copy(update={"schedule_sync_interval_s": 3600.0})
    _set(engine, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(run_schedule_sync(settings, engine, stop))
    try:
        await _wait_for(lambda: _registry_tz(settings) == "Australia/Sydney")
        _set(engine, settings, timezone="America/New_York")
        assert notify_schedule_changed(settings)
        await _wait_for(lambda: _registry_tz(settings) == "America/New_York")
        report = inspect_schedule(settings, engine)
        assert report.in_sync and len(report.syncers) == 1
        assert not any("no running worker" in p for p in report.problems)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
    report = inspect_schedule(settings, engine)
    assert report.syncers == [] and report.in_sync
    assert any("no running worker keeps the digest schedule" in p for p in report.problems)


def _registry_tz(settings: Settings) -> str | None:
    with _redis(settings) as client:
        return client.hget(REGISTRY_KEY, "tz")


async def _wait_for(condition: object, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        await asyncio.sleep(0.2)


async def test_a_slot_job_sends_once_and_plans_the_next_slot(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    _set(engine, mail_settings)
    with session_scope(engine) as session:
        update_schedule(session, mail_settings, enabled=True)
    slot = next_run("0 9 * * *", "Australia/Sydney", after=datetime.now(UTC) - timedelta(days=1))
    data = {"slot": slot_key(slot), "pattern": "0 9 * * *", "tz": "Australia/Sydney"}
    with session_scope(engine) as session:
        from pricemon.models import AppSettings

        row = session.get(AppSettings, 1)
        assert row is not None
        row.digest_refresh = False
    first = await run_digest_job(mail_settings, engine, data, slot_key(slot))
    second = await run_digest_job(mail_settings, engine, data, slot_key(slot))
    assert (first["outcome"], second["outcome"]) == ("sent", "skipped")
    assert [r.headers["idempotency-key"] for r in resend.requests] == [slot_key(slot)]
    upcoming = next_run("0 9 * * *", "Australia/Sydney", after=datetime.now(UTC))
    assert list(_delayed(mail_settings)) == [slot_key(upcoming)]
    with Session(engine) as session:
        rows = session.exec(select(EmailSend)).all()
    assert [(r.key, r.outcome) for r in rows] == [(slot_key(slot), "sent")]


async def test_a_slot_the_schedule_no_longer_has_is_skipped(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    _set(engine, mail_settings, hour=10)
    slot = next_run("0 9 * * *", "Australia/Sydney", after=datetime.now(UTC))
    result = await run_digest_job(mail_settings, engine, {"slot": slot_key(slot)}, "x")
    assert result["outcome"] == "skipped"
    assert resend.requests == []


async def test_a_manual_job_sends_once_per_job_id(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    data = {"to": ["zed@example.com"], "refresh": False}
    first = await run_digest_job(mail_settings, engine, data, "41")
    retried = await run_digest_job(mail_settings, engine, data, "41")
    other = await run_digest_job(mail_settings, engine, data, "42")
    assert [first["outcome"], retried["outcome"], other["outcome"]] == ["sent", "skipped", "sent"]
    assert [r.headers["idempotency-key"] for r in resend.requests] == [
        "digest-manual-41",
        "digest-manual-42",
    ]
    assert resend.requests[0].body["to"] == ["zed@example.com"]


async def test_a_slot_firing_after_the_digest_was_disabled_plans_nothing(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    _set(engine, mail_settings)
    slot = next_run("0 9 * * *", "Australia/Sydney", after=datetime.now(UTC))
    _set(engine, mail_settings, enabled=False)
    result = await run_digest_job(mail_settings, engine, {"slot": slot_key(slot)}, "x")
    assert result["outcome"] == "skipped"
    assert _delayed(mail_settings) == {}
    with _redis(mail_settings) as client:
        assert not client.exists(REGISTRY_KEY)
    assert resend.requests == []
