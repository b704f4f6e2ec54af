"""Worker test bed: real PostgreSQL, real Redis, real `python -m pricemon work` processes and
a local shop on 127.0.0.1. Timeouts, backoff and stalled-job intervals are shortened through
settings so the fault tests finish quickly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from pricemon.config import Settings
from pricemon.models import CheckRun, PriceRecord, Product
from tests.conftest import find_chromium
from tests.shop import LocalShop, product_page

REPO = Path(__file__).resolve().parents[2]

# Short bounds for tests (the defaults are sized for production).
FAST = {
    "check_attempts": 2,
    "check_backoff_s": 0.3,
    "check_timeout_s": 60.0,
    "fetch_timeout_s": 15.0,  # generous: the test machine is shared and slow
    "worker_lock_duration_s": 15.0,
    "worker_stalled_interval_s": 2.0,
    "worker_shutdown_timeout_s": 20.0,
}
ENV_NAMES = {
    "check_attempts": "PRICEMON_CHECK_ATTEMPTS",
    "check_backoff_s": "PRICEMON_CHECK_BACKOFF",
    "check_timeout_s": "PRICEMON_CHECK_TIMEOUT",
    "fetch_timeout_s": "PRICEMON_FETCH_TIMEOUT",
    "worker_lock_duration_s": "PRICEMON_WORKER_LOCK_DURATION",
    "worker_stalled_interval_s": "PRICEMON_WORKER_STALLED_INTERVAL",
    "worker_shutdown_timeout_s": "PRICEMON_WORKER_SHUTDOWN_TIMEOUT",
}


@pytest.fixture
def pg_settings(pg_engine: Engine, redis_url: str, tmp_path: Path) -> Settings:
    """Settings on the test PostgreSQL database and Redis, private URLs allowed."""
    return Settings(
        database_url=pg_engine.url.render_as_string(hide_password=False),
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        allow_private_urls=True,
        chromium_executable=find_chromium(),
        enable_scheduler=False,
        **FAST,  # type: ignore[arg-type]
    )


def worker_env(settings: Settings, **overrides: Any) -> dict[str, str]:
    """The environment a worker subprocess reads its settings from."""
    values = {**FAST, **overrides}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRICEMON_", "COOLIFY_"))}
    env.update(
        {
            "DATABASE_URL": settings.effective_database_url,
            "REDIS_URL": settings.redis_url or "",
            "PRICEMON_DATA_DIR": str(settings.data_dir),
            "PRICEMON_ALLOW_PRIVATE_URLS": "true",
            "ENABLE_SCHEDULER": "false",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if settings.chromium_executable:
        env["PRICEMON_CHROMIUM_EXECUTABLE"] = settings.chromium_executable
    for name, value in values.items():
        env[ENV_NAMES[name]] = str(value)
    return env


class WorkerProcess:
    """`python -m pricemon work` as a child process, its output in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int) -> None:
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, wait: bool = True) -> WorkerProcess:
        args = [sys.executable, "-m", "pricemon", "work", "--no-scheduler"]
        args += ["--concurrency", str(self.concurrency)]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            args, env=self.env, cwd=self.log_path.parent, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        if wait:
            wait_until(lambda: "started: concurrency" in self.log(), 60, "worker start", self)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def signal(self, signum: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    def wait(self, timeout_s: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout_s)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker processes; every one is stopped at the end of the test."""
    started: list[WorkerProcess] = []

    def start(
        settings: Settings, *, concurrency: int = 4, wait: bool = True, **overrides: Any
    ) -> WorkerProcess:
        path = tmp_path / f"worker-{len(started)}.log"
        worker = WorkerProcess(worker_env(settings, **overrides), path, concurrency)
        started.append(worker)
        return worker.start(wait=wait)

    yield start
    for worker in started:
        worker.stop()


def wait_until(
    condition: Callable[[], Any], timeout_s: float, what: str, worker: WorkerProcess | None = None
) -> Any:
    """Poll `condition` until truthy; fail with `what` (and the worker log) on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker is not None and worker.proc is not None and worker.proc.poll() is not None:
            pytest.fail(f"worker exited ({worker.proc.returncode}) before {what}:\n{worker.log()}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}" + (f"\n{worker.log()}" if worker else ""))


def add_products(engine: Engine, urls: list[str]) -> list[int]:
    from pricemon.db import session_scope
    from pricemon.products import add_product

    with session_scope(engine) as session:
        products = [add_product(session, url) for url in urls]
        session.flush()
        return [p.id for p in products if p.id is not None]


def stock_shop(shop: LocalShop, count: int, *, delay_s: float = 0.0) -> dict[str, Decimal]:
    """`count` product pages with distinct prices; returns url -> price."""
    prices = {}
    for i in range(count):
        price = Decimal(f"{10 + i}.{i % 100:02d}")
        url = shop.add(f"/p/{i}", product_page(f"Thing {i}", str(price), "EUR"), delay_s=delay_s)
        prices[url] = price
    return prices


def products_by_url(engine: Engine) -> dict[str, Product]:
    with Session(engine) as session:
        return {p.url: p for p in session.exec(select(Product)).all()}


def count(engine: Engine, model: type, **where: Any) -> int:
    with Session(engine) as session:
        query = select(sa.func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.exec(query).one())


def runs_for(engine: Engine, product_id: int) -> list[CheckRun]:
    with Session(engine) as session:
        query = select(CheckRun).where(CheckRun.product_id == product_id).order_by(CheckRun.id)
        return list(session.exec(query).all())


def records_for(engine: Engine, product_id: int) -> list[PriceRecord]:
    with Session(engine) as session:
        query = select(PriceRecord).where(PriceRecord.product_id == product_id)
        return list(session.exec(query).all())
