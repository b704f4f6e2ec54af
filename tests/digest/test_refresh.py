"""The optional refresh before a digest: bounded, and its failures shown in the email."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from pricemon.config import Settings
from pricemon.digest import refresh_prices, send_digest_now
from pricemon.embedded import free_port
from tests.digest.factories import seed_product
from tests.digest.resend_stub import ResendStub


async def test_refresh_without_a_worker_gives_up_at_the_bound_and_says_so(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    seed_product(engine, "Kettle", ["30.00"])
    settings = mail_settings.model_copy(update={"digest_refresh_timeout_s": 1.0})
    report = await refresh_prices(settings, engine, timeout_s=1.0)
    assert (report.requested, report.finished, report.timed_out, report.error) == (1, 0, True, None)

    outcome = await send_digest_now(settings, engine, to=["ann@example.com"], refresh=True)
    assert outcome.outcome == "sent"
    body = resend.requests[0].body
    assert "0 of 1 checks finished" in body["html"]
    assert "did not finish in time" in body["text"]


async def test_refresh_with_redis_down_still_sends_and_says_why(
    engine: Engine, mail_settings: Settings, resend: ResendStub
) -> None:
    seed_product(engine, "Kettle", ["30.00"])
    down = mail_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    outcome = await send_digest_now(down, engine, to=["ann@example.com"], refresh=True)
    assert outcome.outcome == "sent"
    text = resend.requests[0].body["text"]
    assert "Prices were not refreshed before this report: cannot reach Redis" in text
