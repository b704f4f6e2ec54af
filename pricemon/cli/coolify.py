"""`pricemon coolify`: Provision the whole stack in a Coolify project."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available

app = typer.Typer(
    help="Provision the whole stack in a Coolify project.", invoke_without_command=True
)


@app.callback()
def coolify(ctx: typer.Context) -> None:
    not_available("coolify", 7)
