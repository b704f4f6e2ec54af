"""`pricemon products`: Add, list, remove, import and export monitored products."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available

app = typer.Typer(
    help="Add, list, remove, import and export monitored products.", invoke_without_command=True
)


@app.callback()
def products(ctx: typer.Context) -> None:
    not_available("products", 2)
