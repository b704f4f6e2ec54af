"""`pricemon schedule`: Show, set, preview and sync the digest schedule."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available

app = typer.Typer(
    help="Show, set, preview and sync the digest schedule.", invoke_without_command=True
)


@app.callback()
def schedule(ctx: typer.Context) -> None:
    not_available("schedule", 6)
