"""`pricemon db`: Apply and inspect database migrations."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available

app = typer.Typer(help="Apply and inspect database migrations.", invoke_without_command=True)


@app.callback()
def db(ctx: typer.Context) -> None:
    not_available("db", 2)
