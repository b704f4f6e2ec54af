"""Fixtures for `pricemon doctor`: a healthy environment, built from the real parts.

Database, Redis and Chromium are real. A worker heartbeat is written by the worker's own
Heartbeat class, and the digest schedule is registered by the real reconcile_schedule. The AI
provider, Resend and Coolify are fakes behind respx (shaped like their real APIs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import respx
from sqlalchemy.engine import Engine

from pricemon.config import Settings
from tests.coolify.conftest import FakeClock, clock  # noqa: F401 (fixture)
from tests.coolify.fake import BASE as COOLIFY_URL
from tests.coolify.fake import TOKEN as COOLIFY_TOKEN
from tests.coolify.fake import FakeCoolify
from tests.doctor.fake_ai import FakeAI

AI_KEY = "sk-test-0123456789abcdefwxyz"
RESEND_URL = "http://resend.test"
RESEND_KEY = "re_test_0123456789abcdef_a1b2"
SECRETS = (AI_KEY, RESEND_KEY, COOLIFY_TOKEN)


@dataclass
class Fakes:
    router: respx.MockRouter
    coolify: FakeCoolify
    ai: FakeAI
    resend_key: str = RESEND_KEY


def resend_domains(request: httpx.Request, *, key: str) -> httpx.Response:
    if request.headers.get("Authorization") != f"Bearer {key}":
        return httpx.Response(
            401,
            json={"statusCode": 401, "name": "validation_error", "message": "API key is invalid"},
        )
    return httpx.Response(200, json={"object": "list", "has_more": False, "data": [
        {"id": "d91cd9bd", "name": "example.com", "status": "verified",
         "created_at": "2026-01-01T00:00:00Z", "region": "us-east-1"},
    ]})  # fmt: skip


@pytest.fixture
def fakes(clock: FakeClock) -> Iterator[Fakes]:  # noqa: F811
    coolify = FakeCoolify()
    coolify.add_app("web0001", name="pricemon-web")
    coolify.add_app("wrk0001", name="pricemon-worker")
    # 127.0.0.1 (the local AI server) goes through for real; the rest is respx.
    with FakeAI(AI_KEY) as ai, respx.mock(assert_all_called=False) as router:
        router.route(host="127.0.0.1").pass_through()
        coolify.install(router)
        fakes = Fakes(router, coolify, ai)
        router.get(f"{RESEND_URL}/domains").mock(
            side_effect=lambda r: resend_domains(r, key=fakes.resend_key)
        )
        yield fakes


@pytest.fixture
def healthy_env(
    settings: Settings,
    engine: Engine,
    fakes: Fakes,
    chromium_executable: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """Environment variables for a fully healthy setup, and the state that makes it so."""
    import asyncio

    from pricemon.db import session_scope
    from pricemon.digest_settings import update_schedule
    from pricemon.queue import enqueue_check_all, redis_client
    from pricemon.worker.heartbeat import Heartbeat
    from pricemon.worker.jobs import JobStats
    from pricemon.worker.scheduler import SYNCER_PREFIX, SYNCER_TTL_S, reconcile_schedule

    values = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "AI_PROVIDER": "openai",
        "AI_BASE_URL": fakes.ai.url,
        "PRICEMON_CHROMIUM_EXECUTABLE": chromium_executable,
        "AI_MODEL": "gpt-4o-mini",
        "OPENAI_API_KEY": AI_KEY,
        "RESEND_API_KEY": RESEND_KEY,
        "RESEND_BASE_URL": RESEND_URL,
        "EMAIL_FROM": "prices@example.com",
        "ALERT_EMAIL": "me@example.com",
        "COOLIFY_LOCAL_URL": COOLIFY_URL,
        "COOLIFY_LOCAL_API_TOKEN": COOLIFY_TOKEN,
        "COOLIFY_LOCAL_WEB_UUID": "web0001",
        "COOLIFY_LOCAL_WORKER_UUID": "wrk0001",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, str(value))
    env_settings = Settings()
    with session_scope(engine) as session:
        update_schedule(session, env_settings, enabled=True, frequency="daily", hour=9, minute=0)

    async def prepare() -> None:
        await reconcile_schedule(env_settings, engine)
        await enqueue_check_all(env_settings)
        client = redis_client(env_settings)
        await Heartbeat(env_settings, client, JobStats(), concurrency=1).beat()
        # What a worker running the schedule sync loop keeps fresh (pricemon.worker.scheduler).
        await client.set(
            f"{SYNCER_PREFIX}doctor-test:1", "2026-11-28T00:00:00+00:00", ex=SYNCER_TTL_S
        )
        await client.aclose()

    asyncio.run(prepare())
    return env_settings
