"""The one place that creates database engines and sessions, and runs migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session

from pricemon.config import Settings
from pricemon.errors import DatabaseError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`) and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the web server read while the
    # worker writes; busy_timeout waits for a writer instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _make_parent_dir(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"cannot create the directory for the SQLite database {path}: {exc.strerror}",
            hint="set PRICEMON_DATA_DIR (or DATABASE_URL) to a writable place",
        ) from None


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, or DatabaseError naming DATABASE_URL when the URL is unusable."""
    url = normalise_database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            "DATABASE_URL is not a database URL",
            hint="use postgresql://USER:PASSWORD@HOST:5432/NAME, or unset it for SQLite",
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"DATABASE_URL names an unsupported database {parsed.get_backend_name()!r}",
            hint="pricemon supports PostgreSQL 15+ and SQLite",
        )
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _make_parent_dir(Path(parsed.database))
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        sa.event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("connect_timeout", 10)
    try:
        return sa.create_engine(url, connect_args=connect_args, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"DATABASE_URL is not usable: {exc}") from None


def engine_from_settings(settings: Settings, **kwargs: Any) -> Engine:
    return create_db_engine(settings.effective_database_url, **kwargs)


def describe_url(engine: Engine) -> str:
    """The engine's URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def connection_error(engine: Engine, exc: Exception) -> DatabaseError:
    """Turn a driver error into one line naming DATABASE_URL and the cause, never a secret."""
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else repr(exc)
    return DatabaseError(
        f"cannot connect to the database at DATABASE_URL ({describe_url(engine)}): {reason}",
        hint="check that the server is running and DATABASE_URL is right",
    )


def ping(engine: Engine) -> None:
    """Open a connection and run `SELECT 1`, or raise DatabaseError."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except OperationalError as exc:
        raise connection_error(engine, exc) from None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# Migrations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationStatus:
    current: str | None
    head: str
    pending: list[str]

    @property
    def up_to_date(self) -> bool:
        return not self.pending


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migration_status(engine: Engine) -> MigrationStatus:
    """The database's revision, the code's latest revision, and those not yet applied."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(engine))
    head = script.get_current_head()
    assert head is not None
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise connection_error(engine, exc) from None
    if current == head:
        pending: list[str] = []
    else:
        pending = _pending(script, head, current)
    return MigrationStatus(current=current, head=head, pending=pending)


def _pending(script: Any, head: str, current: str | None) -> list[str]:
    from alembic.script.revision import RevisionError

    try:
        revisions = [rev.revision for rev in script.iterate_revisions(head, current or "base")]
    except RevisionError:
        # A newer pricemon migrated this database (or another app uses the same one).
        raise DatabaseError(
            f"the database is at revision {current!r}, which this version of pricemon "
            f"does not know (latest known: {head})",
            hint="run the pricemon version that migrated it, or point DATABASE_URL elsewhere",
        ) from None
    revisions.reverse()
    return revisions


def upgrade(engine: Engine, revision: str = "head") -> MigrationStatus:
    """Apply migrations up to `revision`; returns the status before the upgrade."""
    from alembic import command

    before = migration_status(engine)
    try:
        command.upgrade(_alembic_config(engine), revision)
    except OperationalError as exc:
        raise connection_error(engine, exc) from None
    return before


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)


def open_ready_engine(settings: Settings) -> Engine:
    """An engine whose database is at the code's latest migration, for commands that use it.

    On the embedded default (no DATABASE_URL: a SQLite file under PRICEMON_DATA_DIR that
    only this installation uses) pending migrations are applied here, so a newcomer never
    has to run `pricemon db push`. A database named by DATABASE_URL is shared and may be in
    production, so there an outdated schema is an error (run `pricemon db push` on purpose).
    """
    engine = engine_from_settings(settings)
    try:
        if settings.database_url is None:
            before = upgrade(engine)
            if before.pending:
                log.info(
                    "applied %d migration(s) to the embedded database %s",
                    len(before.pending),
                    describe_url(engine),
                )
        else:
            require_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def require_current(engine: Engine) -> None:
    """Raise DatabaseError when the database is behind the code's migrations."""
    status = migration_status(engine)
    if not status.up_to_date:
        raise DatabaseError(
            f"the database is behind: {len(status.pending)} migration(s) not applied "
            f"(at {status.current or 'empty'}, latest {status.head})",
            hint="run `pricemon db push`",
        )
