"""Real worker processes (`python -m pricemon work`) against PostgreSQL, Redis and a local
shop: prices right at scale, shutdown, crashes, Redis outages and hostile shops."""

from __future__ import annotations

import asyncio
import re
import signal
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from pricemon.config import Settings
from pricemon.embedded import RedisServer, free_port
from pricemon.models import CheckRun, PriceRecord, ProductStatus
from pricemon.queue import CHECKS_QUEUE, enqueue_check_all, enqueue_checks, open_queue
from tests.shop import LocalShop, product_page
from tests.worker.conftest import (
    WorkerProcess,
    add_products,
    count,
    products_by_url,
    records_for,
    runs_for,
    stock_shop,
    wait_until,
)

pytestmark = pytest.mark.slow

StartWorker = Callable[..., WorkerProcess]


def all_checked(engine: Engine, expected: int) -> bool:
    return sum(1 for p in products_by_url(engine).values() if p.last_price) >= expected


def work_check(settings: Settings) -> int:
    from pricemon.cli import app

    env = {"REDIS_URL": settings.redis_url or ""}
    return CliRunner().invoke(app, ["work", "--check"], env=env).exit_code


def test_check_all_records_every_price_right(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker
) -> None:
    prices = stock_shop(shop, 50)
    add_products(pg_engine, list(prices))
    assert work_check(pg_settings) == 1  # no worker yet
    worker = start_worker(pg_settings, concurrency=8)
    wait_until(lambda: work_check(pg_settings) == 0, 30, "a heartbeat", worker)
    asyncio.run(enqueue_check_all(pg_settings))
    wait_until(lambda: all_checked(pg_engine, 50), 120, "50 checks", worker)
    products = products_by_url(pg_engine)
    assert {url: p.last_price for url, p in products.items()} == prices
    assert all(p.status == ProductStatus.OK and p.currency == "EUR" for p in products.values())
    assert count(pg_engine, PriceRecord) == 50  # once per product, even if retried
    assert count(pg_engine, CheckRun) >= 50  # a slow machine may time a fetch out and retry

    worker.signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    stopped = re.search(r"worker stopped: (\d+) completed", worker.log())
    assert stopped and int(stopped[1]) >= 51  # 50 checks + check-all
    assert work_check(pg_settings) == 1  # the heartbeat went with it


def test_products_check_wait_reports_changes(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker
) -> None:
    from pricemon.cli import app

    prices = stock_shop(shop, 6)
    ids = add_products(pg_engine, list(prices))
    start_worker(pg_settings, concurrency=4)
    env = {"DATABASE_URL": pg_settings.effective_database_url, "REDIS_URL": pg_settings.redis_url}
    first = CliRunner().invoke(
        app, ["products", "check", "--all", "--wait", "--timeout", "120"], env=env
    )
    assert first.exit_code == 0, first.output
    assert "6 checked, 0 changed, 0 failed" in first.output
    assert "Thing 0" in first.output  # the title the first check found, not the URL
    shop.add("/p/0", product_page("Thing 0", "5.00", "EUR"))
    again = CliRunner().invoke(
        app, ["products", "check", str(ids[0]), str(ids[1]), "--wait"], env=env
    )
    assert again.exit_code == 0, again.output
    assert "2 checked, 1 changed, 0 failed" in again.output  # a finished check is re-accepted
    assert "10.00" in again.output and "5.00" in again.output


def test_products_check_wait_times_out_without_a_worker(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop
) -> None:
    from pricemon.cli import app

    add_products(pg_engine, list(stock_shop(shop, 2)))
    env = {"DATABASE_URL": pg_settings.effective_database_url, "REDIS_URL": pg_settings.redis_url}
    result = CliRunner().invoke(
        app, ["products", "check", "--all", "--wait", "--timeout", "1"], env=env
    )
    assert result.exit_code == 1
    assert "2 check(s) not finished within 1 s" in result.output


def test_sigterm_lets_running_checks_finish(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker
) -> None:
    prices = stock_shop(shop, 6, delay_s=3)
    ids = add_products(pg_engine, list(prices))
    worker = start_worker(pg_settings, concurrency=2)
    asyncio.run(enqueue_checks(pg_settings, ids))
    wait_until(lambda: sum(shop.hits.values()) >= 2, 30, "two checks running", worker)
    worker.signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    assert "SIGTERM received" in worker.log()
    checked = [p for p in products_by_url(pg_engine).values() if p.last_checked_at]
    assert len(checked) == sum(shop.hits.values())  # every started check was recorded
    assert all(p.last_price == prices[p.url] for p in checked)
    assert f"{len(checked)} completed, 0 failed" in worker.log()
    waiting = asyncio.run(_count_jobs(pg_settings, "waiting"))
    assert waiting == 6 - len(checked)  # the rest stay queued for the next worker


async def _count_jobs(settings: Settings, *states: str) -> int:
    async with open_queue(settings, CHECKS_QUEUE) as queue:
        return int(await queue.getJobCountByTypes(*states))


def test_a_killed_worker_s_job_is_finished_by_another(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker
) -> None:
    url = shop.add("/slow", product_page("Slow thing", "42.00", "EUR"), delay_s=4)
    [pid] = add_products(pg_engine, [url])
    fast_lock = {"worker_lock_duration_s": 5.0}  # lapses soon after the kill
    first = start_worker(pg_settings, concurrency=1, **fast_lock)
    [job_id] = asyncio.run(enqueue_checks(pg_settings, [pid]))
    wait_until(lambda: shop.hits["/slow"] >= 1, 30, "the check to start", first)
    first.signal(signal.SIGKILL)
    first.wait(10)
    second = start_worker(pg_settings, concurrency=1, **fast_lock)
    wait_until(lambda: runs_for(pg_engine, pid), 60, "stalled-job recovery", second)
    runs = runs_for(pg_engine, pid)
    assert [(r.job_id, r.attempt, r.outcome) for r in runs] == [(job_id, 1, "ok")]
    assert [r.amount for r in records_for(pg_engine, pid)] == [Decimal("42.00")]
    wait_until(lambda: asyncio.run(_count_jobs(pg_settings, "completed")) == 1, 30, "completion")
    assert shop.hits["/slow"] == 2


def test_jobs_complete_across_a_redis_restart(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker,
    tmp_path: Path,
) -> None:  # fmt: skip
    redis = RedisServer(data_dir=tmp_path / "redis", port=free_port()).start()
    try:
        settings = pg_settings.model_copy(update={"redis_url": redis.url})
        prices = stock_shop(shop, 12, delay_s=0.5)
        ids = add_products(pg_engine, list(prices))
        worker = start_worker(settings, concurrency=2)
        asyncio.run(enqueue_checks(settings, ids))
        wait_until(lambda: all_checked(pg_engine, 2), 60, "some checks", worker)
        redis.stop()  # a restart: Redis saves its append-only file and exits
        wait_until(lambda: "Redis unreachable" in worker.log(), 30, "an outage warning", worker)
        redis.start()
        wait_until(lambda: all_checked(pg_engine, 12), 120, "every check", worker)
        assert {u: p.last_price for u, p in products_by_url(pg_engine).items()} == prices
        back = "Redis is reachable again"
        wait_until(lambda: back in worker.log(), 30, "the all-clear", worker)
        assert count(pg_engine, PriceRecord) == count(pg_engine, CheckRun)
        worker.signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    finally:
        redis.stop()


def test_a_hanging_shop_is_retried_then_failed(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker
) -> None:
    hang = shop.add("/hang", product_page("Hang", "1.00"), delay_s=30)
    [pid] = add_products(pg_engine, [hang])
    start_worker(pg_settings, concurrency=1, fetch_timeout_s=2)
    asyncio.run(enqueue_checks(pg_settings, [pid]))
    wait_until(lambda: asyncio.run(_count_jobs(pg_settings, "failed")) == 1, 90, "the failure")
    runs = runs_for(pg_engine, pid)
    assert [(r.attempt, r.outcome) for r in runs] == [(1, "error"), (2, "error")]  # retried
    assert "timeout" in (runs[0].error or "") and runs[0].job_id == runs[1].job_id
    product = products_by_url(pg_engine)[hang]
    assert product.status == ProductStatus.FAILING and product.last_error == runs[1].error
    assert product.last_price is None and count(pg_engine, PriceRecord) == 0


def test_garbage_and_blocked_shops(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker
) -> None:
    garbage = shop.add("/garbage", "<html><body><p>%$#@!* no price here</p></body></html>")
    wall = "<html><head><title>Just a moment...</title></head><body>captcha</body></html>"
    blocked = shop.add("/blocked", wall, status=403)
    urls = [garbage, blocked]
    ids = dict(zip(urls, add_products(pg_engine, urls), strict=True))
    worker = start_worker(pg_settings, concurrency=2)
    asyncio.run(enqueue_checks(pg_settings, ids.values()))
    wait_until(lambda: asyncio.run(_count_jobs(pg_settings, "failed")) == 2, 120, "2 failures")
    products = products_by_url(pg_engine)
    assert count(pg_engine, PriceRecord) == 0  # a failed check is never a price

    junk = runs_for(pg_engine, ids[garbage])
    assert [r.outcome for r in junk] == ["no_price"]  # permanent: failed at once
    assert products[garbage].status == ProductStatus.FAILING

    walled = runs_for(pg_engine, ids[blocked])
    assert [r.outcome for r in walled] == ["blocked", "blocked"]  # transient: retried
    assert products[blocked].status == ProductStatus.BLOCKED
    assert products[blocked].last_availability != "out_of_stock"
    assert all(p.failing_since and p.last_failure_at for p in products.values())
    assert "worker stopped" not in worker.log()


def _database_connections(admin_url: str, name: str, *, allow: bool) -> None:
    """Let connections to database `name` in, or shut them out and end the open ones: to
    the worker this looks like PostgreSQL going away (other tests' databases are untouched)."""
    import sqlalchemy as sa

    from pricemon.db import create_db_engine

    admin = create_db_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}'))
        if not allow:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
    admin.dispose()


def test_jobs_wait_out_a_database_outage(
    pg_settings: Settings, pg_engine: Engine, pg_server_url: str, shop: LocalShop,
    start_worker: StartWorker,
) -> None:  # fmt: skip
    name = str(pg_engine.url.database)
    prices = stock_shop(shop, 8, delay_s=1)
    ids = add_products(pg_engine, list(prices))
    worker = start_worker(pg_settings, concurrency=2)
    try:
        _database_connections(pg_server_url, name, allow=False)
        asyncio.run(enqueue_checks(pg_settings, ids))
        wait_until(lambda: "database unreachable" in worker.log(), 60, "a warning", worker)
    finally:
        _database_connections(pg_server_url, name, allow=True)
    pg_engine.dispose()  # its connections were ended too
    wait_until(lambda: all_checked(pg_engine, 8), 120, "every check", worker)
    assert {u: p.last_price for u, p in products_by_url(pg_engine).items()} == prices
    assert asyncio.run(_count_jobs(pg_settings, "failed")) == 0  # no job lost or failed
    worker.signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    deferred = re.search(r"(\d+) deferred", worker.log())
    assert deferred and int(deferred[1]) >= 1


def test_shutdown_is_bounded_and_a_cut_short_job_runs_again(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker
) -> None:
    url = shop.add("/stuck", product_page("Stuck", "7.00", "EUR"), delay_s=12)
    [pid] = add_products(pg_engine, [url])
    bounds = {"worker_shutdown_timeout_s": 1.0, "worker_lock_duration_s": 5.0}
    first = start_worker(pg_settings, concurrency=1, **bounds)
    asyncio.run(enqueue_checks(pg_settings, [pid]))
    wait_until(lambda: shop.hits["/stuck"] >= 1, 30, "the check to start", first)
    first.signal(signal.SIGTERM)
    assert first.wait(30) == 0  # within the bound, not after the 12 s page
    assert "running jobs cut short, they will be retried" in first.log()
    assert runs_for(pg_engine, pid) == []
    shop.add("/stuck", product_page("Stuck", "7.00", "EUR"))  # answers at once now
    second = start_worker(pg_settings, concurrency=1, **bounds)
    wait_until(lambda: records_for(pg_engine, pid), 60, "the retried check", second)
    assert [r.amount for r in records_for(pg_engine, pid)] == [Decimal("7.00")]


def test_start_waits_for_redis_with_a_warning_per_attempt(
    pg_settings: Settings, pg_engine: Engine, shop: LocalShop, start_worker: StartWorker
) -> None:
    redis = RedisServer(port=free_port())  # not started yet
    try:
        settings = pg_settings.model_copy(update={"redis_url": redis.url})
        worker = start_worker(settings, concurrency=1, wait=False)
        wait_until(lambda: "attempt 2 of 8" in worker.log(), 60, "two warnings", worker)
        assert worker.log().count("cannot reach Redis") >= 2
        redis.start()
        wait_until(lambda: "started: concurrency" in worker.log(), 60, "the start", worker)
        [pid] = add_products(pg_engine, [shop.add("/p", product_page("P", "3.50", "EUR"))])
        asyncio.run(enqueue_checks(settings, [pid]))
        wait_until(lambda: records_for(pg_engine, pid), 60, "the check", worker)
    finally:
        redis.stop()
