"""End to end: three real worker processes with the scheduler on send each slot once.

The workers run `python -m pricemon work` against PostgreSQL, Redis, a local shop and a
local stand-in for Resend. Each digest first refreshes prices (a real check-all through the
workers) and shows the price found on the shop page.

PRICEMON_DIGEST_CRON makes the schedule fire every 15 seconds (a 6-field pattern, seconds
first) so the test needs no full-minute waits; it goes through the same planning code as a
daily schedule (pattern -> next_run -> delayed job per slot -> worker -> run_digest_job ->
plan the next slot).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.domain.schedule import parse_slot_key
from pricemon.models import EmailSend
from pricemon.queue import HEARTBEAT_PREFIX
from pricemon.worker.scheduler import REGISTRY_KEY
from tests.digest.factories import seed_product
from tests.digest.resend_stub import ResendStub
from tests.shop import LocalShop, product_page

pytestmark = pytest.mark.slow

WORKERS = 3
EVERY_15_S = "*/15 * * * * *"


def _wait(condition: Callable[[], object], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.25)


@pytest.fixture
def worker_env(
    pg_engine: Engine, redis_url: str, resend: ResendStub, tmp_path: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRICEMON_", "COOLIFY_"))}
    env.update(
        DATABASE_URL=pg_engine.url.render_as_string(hide_password=False),
        REDIS_URL=redis_url,
        RESEND_API_KEY=resend.api_key,
        RESEND_BASE_URL=resend.url,
        EMAIL_FROM="Pricemon <prices@example.com>",
        ENABLE_SCHEDULER="true",
        PRICEMON_DIGEST_CRON=EVERY_15_S,
        PRICEMON_DATA_DIR=str(tmp_path / "data"),
        PRICEMON_WORKER_CONCURRENCY="1",
        PRICEMON_ALLOW_PRIVATE_URLS="true",  # the local shop is on 127.0.0.1
        LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture
def workers(worker_env: dict[str, str], tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs = []
    for index in range(WORKERS):
        log = (tmp_path / f"worker{index}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "pricemon", "work"],
                env=worker_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=tmp_path,
            )
        )
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _digest_keys(resend: ResendStub) -> list[str]:
    keys = [r.headers["idempotency-key"] for r in resend.requests]
    return [k for k in keys if k.startswith("digest-")]


def _cli(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_three_workers_send_each_slot_once_and_follow_changes_without_restart(
    shop: LocalShop,
    pg_engine: Engine,
    redis_url: str,
    resend: ResendStub,
    worker_env: dict[str, str],
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    shop.add("/espresso", product_page("Espresso machine", "179.00", "EUR"))
    seed_product(pg_engine, "Espresso machine", ["199.00", "189.00"], url=shop.url("/espresso"),
                 alert_target_price=Decimal("180.00"))  # fmt: skip
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    # Generous deadlines: three interpreters start on a shared 2-core machine.
    _wait(lambda: len(list(client.scan_iter(f"{HEARTBEAT_PREFIX}*"))) >= WORKERS, "3 workers", 240)
    assert not client.exists(REGISTRY_KEY)  # disabled: nothing planned

    # Enable it while the workers run: they pick it up within seconds, no restart.
    _cli(worker_env, "schedule", "set", "--daily", "--at", "09:00", "--tz", "Australia/Sydney",
         "--to", "ann@example.com", "--to", "bob@example.com")  # fmt: skip
    _wait(lambda: client.exists(REGISTRY_KEY), "the workers to register the schedule", 60)
    assert client.hget(REGISTRY_KEY, "pattern") == EVERY_15_S

    _wait(lambda: _digest_keys(resend), "the first digest", 120)
    first_key = _digest_keys(resend)[0]
    _wait(lambda: client.hget(REGISTRY_KEY, "job_id") != first_key, "the next slot", 60)

    show = _cli(worker_env, "schedule", "show", "--json")
    assert '"in_sync": true' in show

    _cli(worker_env, "schedule", "set", "--disable")
    _wait(lambda: not client.exists(REGISTRY_KEY), "the workers to remove the schedule", 60)
    time.sleep(3)  # any duplicate send would arrive now; this is not a timing assertion
    client.close()

    digests = [r for r in resend.requests if r.headers["idempotency-key"].startswith("digest-")]
    alerts = [r for r in resend.requests if r.headers["idempotency-key"].startswith("alert-")]
    keys = Counter(r.headers["idempotency-key"] for r in digests)
    assert keys and all(count == 1 for count in keys.values()), keys
    for key in keys:
        assert parse_slot_key(key).second % 15 == 0
    # The refresh found 179.00 below the 180.00 target: one alert, however many checks.
    assert [a.body["subject"] for a in alerts] == ["Price alert: Espresso machine is now €179.00"]
    request = digests[0]
    assert request.headers["authorization"] == f"Bearer {resend.api_key}"
    assert request.body["bcc"] == ["ann@example.com", "bob@example.com"]
    assert request.body["to"] == ["prices@example.com"]
    assert "Espresso machine" in request.body["html"] and "Espresso machine" in request.body["text"]
    # The refresh checked the shop first: the digest shows the page's price, no refresh note.
    assert shop.hits["/espresso"] >= 1
    assert "€179.00" in request.body["html"] and "€179.00" in request.body["text"]
    assert "Refresh before sending" not in request.body["text"]
    assert request.body["subject"].startswith("Price Monitor Report - ")
    with Session(pg_engine) as session:
        rows = session.exec(select(EmailSend).where(EmailSend.kind == "digest")).all()
    assert sorted(r.key for r in rows if r.outcome == "sent") == sorted(keys)
    for proc in workers:
        assert proc.poll() is None, (tmp_path / "worker0.log").read_text()[-3000:]
