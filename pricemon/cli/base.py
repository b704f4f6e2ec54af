"""What every command shares: lazily built settings, the error handler, output helpers.

Logging: a command that does work calls `start_command(ctx)` (instead of `get_settings`)
to get the settings; it calls `configure_logging` once per invocation, so the command logs
in the configured format (readable in development, JSON in production, LOG_LEVEL).
`get_settings` alone leaves logging as it is, for commands that configure it themselves
(`serve`, `work`) or print only.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

from pricemon.errors import PricemonError

if TYPE_CHECKING:  # pydantic-settings and SQLAlchemy take long to import: not for --help
    from sqlalchemy.engine import Engine

    from pricemon.config import Settings


class State:
    """Per-invocation state. Settings are loaded on first use, so commands that do not need
    them (and `--help`) work with a broken environment."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings
        self.logging_configured = False

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from pricemon.config import load_settings

            self._settings = load_settings()
        return self._settings


def get_state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    state: State = root.obj
    return state


def get_settings(ctx: typer.Context) -> Settings:
    return get_state(ctx).settings


def start_command(ctx: typer.Context) -> Settings:
    """The settings, with logging configured from them (once per invocation)."""
    state = get_state(ctx)
    settings = state.settings
    if not state.logging_configured:
        from pricemon.logs import configure_logging

        configure_logging(settings)
        state.logging_configured = True
    return settings


def open_engine(ctx: typer.Context) -> Engine:
    """The database engine for this command, migrated (see `db.open_ready_engine`): the
    embedded SQLite default is migrated on the spot, a DATABASE_URL must be current.
    Disposed of when the command ends."""
    from pricemon.db import open_ready_engine

    engine = open_ready_engine(start_command(ctx))
    ctx.call_on_close(engine.dispose)
    return engine


def print_error(error: PricemonError) -> None:
    """`Error: ...` and `Hint: ...` on stderr."""
    typer.echo(f"Error: {error.message}", err=True)
    if error.hint:
        typer.echo(f"Hint: {error.hint}", err=True)


class PricemonGroup(TyperGroup):
    """The root group: turns a PricemonError from any command into two lines and exit 1."""

    def invoke(self, ctx: Any) -> Any:  # click.Context (typer vendors click)
        try:
            return super().invoke(ctx)
        except PricemonError as error:
            print_error(error)
            sys.stderr.flush()
            raise typer.Exit(1) from None


def not_available(command: str, issue: int) -> NoReturn:
    """Used by command groups whose feature has not landed yet: say so plainly, exit 2."""
    typer.echo(
        f"Error: `pricemon {command}` is not available yet (tracked in issue #{issue}).",
        err=True,
    )
    raise typer.Exit(2)
