"""`pricemon db push` and `pricemon db status` on both backends, and their bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricemon import db
from pricemon.cli import app


def _shown(url: str) -> str:
    """How the commands name a database: driver included, password hidden."""
    engine = db.create_db_engine(url)
    shown = db.describe_url(engine)
    engine.dispose()
    return shown


def test_push_and_status(runner: CliRunner, empty_database_url: str, head_revision: str) -> None:
    env = {"DATABASE_URL": empty_database_url}
    where = _shown(empty_database_url)

    behind = runner.invoke(app, ["db", "status"], env=env)
    assert behind.exit_code == 1
    lines = behind.stdout.splitlines()
    assert lines[:3] == [
        f"Database:         {where}",
        "Current revision: none (empty database)",
        f"Latest revision:  {head_revision}",
    ]
    assert lines[3].startswith("Behind: ") and lines[3].endswith(". Run `pricemon db push`.")
    as_json = runner.invoke(app, ["db", "status", "--json"], env=env)
    assert as_json.exit_code == 1
    state = json.loads(as_json.stdout)
    assert state["current"] is None and state["up_to_date"] is False
    assert state["pending"][-1] == head_revision and state["database"] == where

    pushed = runner.invoke(app, ["db", "push"], env=env)
    assert pushed.exit_code == 0, pushed.output
    count = len(state["pending"])
    noun = "migration" if count == 1 else "migrations"
    assert pushed.stdout == f"Applied {count} {noun} (empty -> {head_revision}) to {where}\n"

    again = runner.invoke(app, ["db", "push"], env=env)
    assert again.exit_code == 0
    assert again.stdout == f"Database is up to date at {head_revision} ({where})\n"

    current = runner.invoke(app, ["db", "status"], env=env)
    assert current.exit_code == 0
    assert current.stdout.splitlines()[1:] == [
        f"Current revision: {head_revision}",
        f"Latest revision:  {head_revision}",
        "Up to date.",
    ]
    current_json = json.loads(runner.invoke(app, ["db", "status", "--json"], env=env).stdout)
    assert current_json == {
        "database": where,
        "current": head_revision,
        "head": head_revision,
        "pending": [],
        "up_to_date": True,
    }


def test_push_from_an_older_revision(runner: CliRunner, empty_database_url: str) -> None:
    engine = db.create_db_engine(empty_database_url)
    db.upgrade(engine, "0001")
    status = db.migration_status(engine)
    engine.dispose()
    result = runner.invoke(app, ["db", "push"], env={"DATABASE_URL": empty_database_url})
    assert result.exit_code == 0
    if status.up_to_date:  # on this branch 0001 is the only migration
        assert result.stdout.startswith("Database is up to date at 0001 ")
    else:
        assert result.stdout.startswith(f"Applied {len(status.pending)} migration")
        assert f"(0001 -> {status.head})" in result.stdout


def test_embedded_default(runner: CliRunner, tmp_path: Path) -> None:
    """No DATABASE_URL: the SQLite file under PRICEMON_DATA_DIR."""
    env = {"PRICEMON_DATA_DIR": f"{tmp_path}/data"}
    result = runner.invoke(app, ["db", "push"], env=env)
    assert result.exit_code == 0
    assert result.stdout.endswith(f"to sqlite:///{tmp_path}/data/pricemon.db\n")


@pytest.mark.parametrize("command", [["db", "push"], ["db", "status"], ["products", "list"]])
def test_garbage_database_url(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, command, env={"DATABASE_URL": "garbage"})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: DATABASE_URL is not a database URL",
        "Hint: use postgresql://USER:PASSWORD@HOST:5432/NAME, or unset it for SQLite",
    ]


@pytest.mark.parametrize("command", [["db", "push"], ["db", "status"], ["products", "list"]])
def test_unreachable_database(runner: CliRunner, command: list[str]) -> None:
    url = "postgresql://pricemon:s3cret-pw@127.0.0.1:1/pricemon"
    result = runner.invoke(app, command, env={"DATABASE_URL": url})
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: cannot connect to the database at DATABASE_URL "
        "(postgresql+psycopg://pricemon:***@127.0.0.1:1/pricemon): connection failed: "
        'connection to server at "127.0.0.1", port 1 failed: Connection refused',
        "Hint: check that the server is running and DATABASE_URL is right",
    ]
    assert "s3cret" not in result.output
    assert "Traceback" not in result.output


def test_unsupported_database(runner: CliRunner) -> None:
    result = runner.invoke(app, ["db", "push"], env={"DATABASE_URL": "mysql://u:pw@db/x"})
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "Error: DATABASE_URL names an unsupported database 'mysql'"
    )


def test_database_from_a_newer_pricemon(
    runner: CliRunner, empty_database_url: str, head_revision: str
) -> None:
    """A database of its own: the shared test databases must keep their real revision."""
    import sqlalchemy as sa

    database_url = empty_database_url
    engine = db.create_db_engine(database_url)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'zz99'"))
    engine.dispose()
    for command in (["db", "status"], ["db", "push"], ["products", "list"]):
        result = runner.invoke(app, command, env={"DATABASE_URL": database_url})
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines()[0] == (
            "Error: the database is at revision 'zz99', which this version of pricemon does "
            f"not know (latest known: {head_revision})"
        )
