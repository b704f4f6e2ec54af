"""Building and sending the digest against a real database and the Resend stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from pricemon.config import Settings
from pricemon.db import session_scope
from pricemon.digest import send_digest
from pricemon.digest_settings import get_app_settings, update_schedule
from pricemon.errors import EmailError
from pricemon.models import AppSettings, EmailSend
from tests.digest.factories import seed_product
from tests.digest.resend_stub import ResendStub

KEY = "digest-2026-11-28T220000Z"


def _configure(engine: Engine, settings: Settings, recipients: list[str]) -> None:
    with session_scope(engine) as session:
        update_schedule(
            session, settings, enabled=True, frequency="daily", hour=9, minute=0,
            timezone="Australia/Sydney", recipients=recipients,
        )  # fmt: skip


def _sends(engine: Engine) -> list[EmailSend]:
    with Session(engine) as session:
        return list(session.exec(select(EmailSend)).all())


async def test_digest_is_sent_once_per_key_and_recorded(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    _configure(engine, mail_settings, ["ann@example.com", "bob@example.com"])
    seed_product(
        engine,
        "Espresso <Machine>",
        ["199.00"] * 30 + ["179.00"],
        image_url="https://img.example/e.jpg",
    )
    since = datetime.now(UTC) - timedelta(days=1)
    seed_product(engine, "Kettle", ["30.00", "35.00"], failing_since=since, last_error="HTTP 503")
    seed_product(engine, "Old lamp", ["5.00"], active=False)

    outcome = await send_digest(
        engine=engine, settings=mail_settings, key=KEY, now=datetime.now(UTC)
    )
    again = await send_digest(engine=engine, settings=mail_settings, key=KEY, now=datetime.now(UTC))

    assert outcome.outcome == "sent" and again.outcome == "skipped"
    assert len(resend.requests) == 1
    request = resend.requests[0]
    assert request.headers["idempotency-key"] == KEY
    assert request.headers["authorization"] == "Bearer re_test_key"
    assert request.body["to"] == ["prices@example.com"]
    assert request.body["bcc"] == ["ann@example.com", "bob@example.com"]
    assert request.body["subject"].startswith("Price Monitor Report - ")
    html, text = request.body["html"], request.body["text"]
    assert "Espresso &lt;Machine&gt;" in html and "<Machine>" not in html
    assert "Old lamp" not in html
    assert "Failing since" in html and "HTTP 503" in html
    assert "Espresso <Machine>" in text and "FAILING since" in text and "↓ down" in text
    [row] = _sends(engine)
    assert (row.key, row.outcome, row.kind) == (KEY, "sent", "digest")
    assert row.provider_id == outcome.provider_id and row.sent_at is not None
    assert row.recipients == "ann@example.com,bob@example.com"


async def test_subject_date_is_in_the_schedule_timezone(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    _configure(engine, mail_settings, ["ann@example.com"])
    now = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # Sunday 29th, 09:00 in Sydney
    outcome = await send_digest(mail_settings, engine, key=KEY, now=now)
    assert outcome.subject == "Price Monitor Report - 2026-11-29"


async def test_failed_send_is_recorded_and_a_retry_sends_with_the_same_key(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    _configure(engine, mail_settings, ["ann@example.com"])
    resend.script = [(422, {"name": "validation_error", "message": "Invalid `to` field."}, {})]
    with pytest.raises(EmailError, match="HTTP 422"):
        await send_digest(mail_settings, engine, key=KEY, now=datetime.now(UTC))
    [row] = _sends(engine)
    assert row.outcome == "failed" and "Invalid `to` field" in (row.error or "")

    outcome = await send_digest(mail_settings, engine, key=KEY, now=datetime.now(UTC))
    assert outcome.outcome == "sent"
    assert [r.headers["idempotency-key"] for r in resend.requests] == [KEY, KEY]
    [row] = _sends(engine)
    assert row.outcome == "sent" and row.error is None


async def test_recipients_fall_back_to_alert_email(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    await send_digest(mail_settings, engine, key=KEY, now=datetime.now(UTC))
    assert resend.requests[0].body["to"] == ["owner@example.com"]


def test_new_settings_row_takes_scheduler_timezone(engine: Engine, settings: Settings) -> None:
    settings = settings.model_copy(update={"scheduler_timezone": "Europe/Berlin"})
    with session_scope(engine) as session:
        row = get_app_settings(session, settings)
        assert row.digest_timezone == "Europe/Berlin"
    with Session(engine) as session:
        stored = session.get(AppSettings, 1)
        assert stored is not None and stored.digest_timezone == "Europe/Berlin"


def test_concurrent_first_reads_create_one_settings_row(engine: Engine, settings: Settings) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def read() -> str:
        with session_scope(engine) as session:
            return get_app_settings(session, settings).digest_timezone

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: read(), range(4))) == ["UTC"] * 4
    with Session(engine) as session:
        assert len(session.exec(select(AppSettings)).all()) == 1
