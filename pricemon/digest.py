"""Build and send the digest, once per slot, and record every send.

A scheduled digest is a `send-digest` job whose data names its slot (see
`pricemon.worker.scheduler`). Three guards make sure a slot is sent once however many
workers run: the job id is the slot (BullMQ keeps one job per id), the `email_send` row's
unique key is the slot, and Resend's Idempotency-Key is the slot. Manual sends (CLI, web
"send now") use a key of their own, so a retried job still sends once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pricemon.config import Settings
from pricemon.db import session_scope
from pricemon.digest_settings import digest_schedule, get_app_settings, recipients_for
from pricemon.domain.digest_content import (
    DigestContent,
    ProductSnapshot,
    RefreshReport,
    build_digest,
)
from pricemon.domain.schedule import is_slot, parse_slot_key, slot_key
from pricemon.domain.trends import PricePoint
from pricemon.email import SentEmail, send_email
from pricemon.email_render import render_digest
from pricemon.errors import EmailError, PricemonError
from pricemon.models import EmailSend, PriceRecord, Product

log = logging.getLogger(__name__)

# History loaded for trends: the 180-day window plus room for the price carried into it.
HISTORY_DAYS = 200
REFRESH_POLL_S = 2.0


@dataclass(frozen=True)
class DigestOutcome:
    """What happened to one digest: sent, skipped (already sent for this key), or failed."""

    key: str
    outcome: str  # "sent", "skipped", "failed"
    recipients: list[str]
    subject: str
    provider_id: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# Loading ------------------------------------------------------------------------------------


def load_snapshots(session: Session, *, now: datetime) -> list[ProductSnapshot]:
    """Every active product with its price history of the last HISTORY_DAYS days."""
    products = session.exec(select(Product).where(col(Product.active).is_(True))).all()
    since = now - timedelta(days=HISTORY_DAYS)
    records = session.exec(
        select(PriceRecord)
        .where(col(PriceRecord.product_id).in_([p.id for p in products]))
        .where(col(PriceRecord.checked_at) >= since)
        .order_by(col(PriceRecord.checked_at))
    ).all()
    history: dict[int, list[PricePoint]] = defaultdict(list)
    for record in records:
        history[record.product_id].append(
            PricePoint(checked_at=record.checked_at, amount=record.amount, currency=record.currency)
        )
    return [
        ProductSnapshot(
            id=product.id or 0,
            name=product.display_name,
            url=product.url,
            image_url=product.image_url,
            status=product.status,
            availability=product.last_availability,
            failing_since=product.failing_since,
            last_error=product.last_error,
            last_checked_at=product.last_checked_at,
            history=history.get(product.id or 0, []),
        )
        for product in products
    ]


def build_content(
    settings: Settings, engine: Engine, *, now: datetime, refresh: RefreshReport | None = None
) -> DigestContent:
    """The digest as of `now`, dated in the schedule's timezone."""
    with session_scope(engine) as session:
        row = get_app_settings(session, settings)
        timezone = row.digest_timezone
        snapshots = load_snapshots(session, now=now)
    return build_digest(snapshots, now=now, timezone=timezone, refresh=refresh)


# Refresh ------------------------------------------------------------------------------------


def _refresh_progress(engine: Engine, since: datetime) -> tuple[int, int, int]:
    """(active products, checked since `since`, of those failed) from the product rows."""
    with Session(engine) as session:
        products = session.exec(select(Product).where(col(Product.active).is_(True))).all()
    done = [p for p in products if p.last_checked_at and p.last_checked_at >= since]
    failed = [
        p
        for p in done
        if p.last_failure_at and p.last_failure_at >= since
        and (p.last_success_at is None or p.last_success_at < p.last_failure_at)
    ]  # fmt: skip
    return len(products), len(done), len(failed)


async def refresh_prices(settings: Settings, engine: Engine, *, timeout_s: float) -> RefreshReport:
    """Queue a check of every active product and wait until all have been checked or
    `timeout_s` passes. Never raises for a queue outage: the report carries the error."""
    from pricemon.queue import enqueue_check_all

    since = datetime.now(UTC)
    try:
        await enqueue_check_all(settings)
    except PricemonError as exc:
        log.warning("digest refresh could not queue checks: %s", exc)
        total, _, _ = _refresh_progress(engine, since)
        return RefreshReport(requested=total, finished=0, failed=0, timed_out=False, error=str(exc))
    deadline = time.monotonic() + timeout_s
    while True:
        total, done, failed = _refresh_progress(engine, since)
        if done >= total or time.monotonic() >= deadline:
            break
        await asyncio.sleep(REFRESH_POLL_S)
    report = RefreshReport(requested=total, finished=done, failed=failed, timed_out=done < total)
    log.info("digest refresh: %d/%d checked, %d failed", done, total, failed)
    return report


# Sending ------------------------------------------------------------------------------------


def _claim(engine: Engine, key: str, recipients: Sequence[str], subject: str) -> bool:
    """Record a pending send under `key`; False when this key was already sent."""
    try:
        with session_scope(engine) as session:
            session.add(
                EmailSend(kind="digest", key=key, recipients=",".join(recipients), subject=subject)
            )
        return True
    except IntegrityError:
        with Session(engine) as session:
            existing = session.exec(select(EmailSend).where(EmailSend.key == key)).one()
        # A pending or failed row is a retry of an interrupted send: send again with the
        # same Idempotency-Key, and Resend makes sure it goes out once.
        return existing.outcome != "sent"


def _record(engine: Engine, key: str, *, sent: SentEmail | None, error: str | None) -> None:
    values: dict[str, Any] = {"outcome": "failed", "error": error}
    if sent is not None:
        values = {
            "outcome": "sent",
            "error": "already sent (Resend idempotency replay)" if sent.duplicate else None,
            "sent_at": datetime.now(UTC),
            "provider_id": sent.provider_id,
        }
    with session_scope(engine) as session:
        session.execute(sa.update(EmailSend).where(col(EmailSend.key) == key).values(**values))


async def send_digest(
    settings: Settings,
    engine: Engine,
    *,
    key: str,
    now: datetime,
    recipients: Sequence[str] | None = None,
    refresh: RefreshReport | None = None,
) -> DigestOutcome:
    """Build and send the digest under `key` (once), recording the send in `email_send`.

    Raises EmailError when it cannot be sent (the row says "failed" with the reason).
    """
    with session_scope(engine) as session:
        row = get_app_settings(session, settings)
        to = list(recipients) if recipients else recipients_for(row, settings)
    content = build_content(settings, engine, now=now, refresh=refresh)
    if not _claim(engine, key, to, content.subject):
        log.info("digest %s was already sent; skipping", key)
        return DigestOutcome(key, "skipped", to, content.subject, detail="already sent")
    try:
        sent = await send_email(settings, render_digest(content), to, idempotency_key=key)
    except EmailError as exc:
        _record(engine, key, sent=None, error=exc.message)
        raise
    _record(engine, key, sent=sent, error=None)
    log.info("digest %s sent to %d recipient(s), provider id %s", key, len(to), sent.provider_id)
    return DigestOutcome(key, "sent", to, content.subject, provider_id=sent.provider_id)


async def send_digest_now(
    settings: Settings,
    engine: Engine,
    *,
    to: Sequence[str] | None = None,
    refresh: bool | None = None,
    key: str | None = None,
) -> DigestOutcome:
    """A manual digest (CLI, "send now"), refreshing prices first if asked or configured."""
    with session_scope(engine) as session:
        wants_refresh = get_app_settings(session, settings).digest_refresh
    if refresh is not None:
        wants_refresh = refresh
    report = None
    if wants_refresh:
        report = await refresh_prices(settings, engine, timeout_s=settings.digest_refresh_timeout_s)
    return await send_digest(
        settings,
        engine,
        key=key or f"digest-manual-{uuid.uuid4().hex}",
        now=datetime.now(UTC),
        recipients=to,
        refresh=report,
    )


def _manual_key(engine: Engine, job_id: str) -> str:
    """The send key of a manual digest job: its job id, so a retried job sends once.

    BullMQ's job ids restart at 1 when Redis is emptied; a key already used more than a day
    ago belongs to an older job, so it gets a suffix rather than being skipped as sent.
    """
    key = f"digest-manual-{job_id}"
    with Session(engine) as session:
        existing = session.exec(select(EmailSend).where(EmailSend.key == key)).first()
    if existing is not None and existing.created_at < datetime.now(UTC) - timedelta(days=1):
        key = f"{key}-{uuid.uuid4().hex[:12]}"
    return key


async def run_digest_job(
    settings: Settings, engine: Engine, data: dict[str, Any], job_id: str
) -> dict[str, Any]:
    """The `send-digest` job. Scheduled jobs carry `slot`: the next slot is planned first
    (so a failing send never breaks the chain), then this slot is sent once. Jobs without a
    slot are manual sends (`to`, `refresh` optional) keyed by their job id.
    """
    if "slot" not in data:
        outcome = await send_digest_now(
            settings, engine, to=data.get("to"), refresh=data.get("refresh"),
            key=_manual_key(engine, job_id),
        )  # fmt: skip
        return outcome.as_dict()
    from pricemon.worker.scheduler import plan_after

    slot = parse_slot_key(str(data["slot"]))
    with session_scope(engine) as session:
        row = get_app_settings(session, settings)
        schedule = digest_schedule(row, settings)
        wants_refresh = row.digest_refresh
    if settings.enable_scheduler:
        await plan_after(settings, engine, slot)
    if not schedule.enabled or not is_slot(schedule.pattern, schedule.timezone, slot):
        log.info("digest job %s is for a slot the schedule no longer has; skipping", job_id)
        return {"key": slot_key(slot), "outcome": "skipped", "detail": "schedule changed"}
    report = None
    if wants_refresh:
        report = await refresh_prices(settings, engine, timeout_s=settings.digest_refresh_timeout_s)
    outcome = await send_digest(
        settings, engine, key=slot_key(slot), now=datetime.now(UTC), refresh=report
    )
    return outcome.as_dict()


def last_digest(engine: Engine) -> EmailSend | None:
    """The most recent digest send attempt (any outcome)."""
    with Session(engine) as session:
        return session.exec(
            select(EmailSend)
            .where(EmailSend.kind == "digest")
            .order_by(col(EmailSend.created_at).desc())
            .limit(1)
        ).first()
