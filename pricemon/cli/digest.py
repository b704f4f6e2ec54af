"""`pricemon digest`: Send or preview the digest email."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available

app = typer.Typer(help="Send or preview the digest email.", invoke_without_command=True)


@app.callback()
def digest(ctx: typer.Context) -> None:
    not_available("digest", 6)
