"""What every command shares: lazily built settings, the error handler, output helpers."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from pricemon.config import Settings
from pricemon.errors import PricemonError


class State:
    """Per-invocation state. Settings are loaded on first use, so commands that do not need
    them (and `--help`) work with a broken environment."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings

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
