"""The `pricemon` command: one root with a group or command per area.

Each area lives in its own module and imports heavy libraries (FastAPI, Playwright, openai)
only inside its commands, so `pricemon --help` starts fast and works in a broken environment.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pricemon.cli import (
    check,
    coolify,
    db,
    dev,
    digest,
    doctor,
    products,
    redeploy,
    schedule,
    serve,
    work,
)
from pricemon.cli.base import PricemonGroup, State

app = typer.Typer(
    name="pricemon",
    cls=PricemonGroup,
    help="pricemon: a self-hosted price monitor. Watches product prices and emails a digest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals would print tokens and passwords
    # Plain click help: rendering it with rich imports rich.markdown, rich.syntax and
    # friends (~0.5 s here), which alone would break the 0.3 s start-up budget.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from pricemon import __version__

        typer.echo(f"pricemon {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """pricemon: a self-hosted price monitor. Watches product prices and emails a digest."""
    ctx.obj = State()


serve.register(app)
work.register(app)
dev.register(app)
check.register(app)
app.add_typer(db.app, name="db")
doctor.register(app)
redeploy.register(app)
app.add_typer(schedule.app, name="schedule")
app.add_typer(digest.app, name="digest")
app.add_typer(products.app, name="products")
app.add_typer(coolify.app, name="coolify")


def main() -> None:
    app()
