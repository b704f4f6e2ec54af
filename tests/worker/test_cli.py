"""`products add/import` queue a first check (or say it is pending), `products check`
enqueues and validates, `work --check` answers for this host."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.config import Settings
from pricemon.embedded import free_port
from pricemon.queue import CHECKS_QUEUE, open_queue


def run(args: list[str], *, database_url: str, redis_url: str):  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    return CliRunner().invoke(app, args, env=env)


async def waiting_product_ids(redis_url: str) -> list[int]:
    async with open_queue(Settings(redis_url=redis_url), CHECKS_QUEUE) as queue:
        jobs = await queue.getJobs(["waiting"])
    return sorted(job.data["product_id"] for job in jobs)


def test_products_add_queues_the_first_check(sqlite_url: str, redis_url: str) -> None:
    result = run(
        ["products", "add", "http://127.0.0.1:9/p"], database_url=sqlite_url, redis_url=redis_url
    )
    assert result.exit_code == 0, result.output
    assert "Added product 1" in result.output
    assert "First check queued for 1 product(s)." in result.output
    assert asyncio.run(waiting_product_ids(redis_url)) == [1]


def test_without_redis_the_product_is_saved_and_its_check_pending(sqlite_url: str) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    result = run(
        ["products", "add", "http://127.0.0.1:9/p"], database_url=sqlite_url, redis_url=down
    )
    assert result.exit_code == 0, result.output
    assert "First check pending: cannot reach Redis at REDIS_URL" in result.output
    assert "pricemon products check 1" in result.output
    listed = run(["products", "list", "--json"], database_url=sqlite_url, redis_url=down)
    assert '"url": "http://127.0.0.1:9/p"' in listed.output


def test_products_import_queues_first_checks_for_added_lines(
    sqlite_url: str, redis_url: str, tmp_path: Path
) -> None:
    run(["products", "add", "http://127.0.0.1:9/a"], database_url=sqlite_url, redis_url=redis_url)
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:9/a\nhttp://127.0.0.1:9/b\nnot a url\nhttp://127.0.0.1:9/c\n")
    result = run(["products", "import", str(urls)], database_url=sqlite_url, redis_url=redis_url)
    assert result.exit_code == 0, result.output
    assert "First check queued for 2 product(s)." in result.output
    assert asyncio.run(waiting_product_ids(redis_url)) == [1, 2, 3]  # 1 from `add`


def test_products_check_needs_products(sqlite_url: str, redis_url: str) -> None:
    nothing = run(["products", "check"], database_url=sqlite_url, redis_url=redis_url)
    assert nothing.exit_code == 1
    assert "Error: no products given" in nothing.output
    unknown = run(["products", "check", "42"], database_url=sqlite_url, redis_url=redis_url)
    assert unknown.exit_code == 1
    assert "Error: there is no product 42" in unknown.output


def test_products_check_enqueues_without_waiting(sqlite_url: str, redis_url: str) -> None:
    run(["products", "add", "http://127.0.0.1:9/a"], database_url=sqlite_url, redis_url=redis_url)
    result = run(["products", "check", "1"], database_url=sqlite_url, redis_url=redis_url)
    assert result.exit_code == 0 and "Queued 1 check(s)." in result.output
    assert asyncio.run(waiting_product_ids(redis_url)) == [1]  # deduplicated with the first


def test_work_check_without_redis_fails_with_a_hint(sqlite_url: str) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    result = run(["work", "--check"], database_url=sqlite_url, redis_url=down)
    assert result.exit_code == 1
    assert "Error: cannot reach Redis at REDIS_URL" in result.output
