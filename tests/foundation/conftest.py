"""Fixtures for the foundation tests: the CLI runner and databases not yet migrated."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from pricemon import db


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def head_revision(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The code's latest migration (the lead chains more at merge: never hard-code it)."""
    engine = db.create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('head') / 'h.db'}")
    head = db.migration_status(engine).head
    engine.dispose()
    return head


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server_url = request.getfixturevalue("pg_server_url")
    name = f"pricemon_empty_{uuid.uuid4().hex[:8]}"
    admin = db.create_db_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    """Commands configure logging for their process; in tests, undo it after each one."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
