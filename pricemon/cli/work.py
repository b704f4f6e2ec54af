"""`pricemon work`: Run the price-check worker."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available


def register(app: typer.Typer) -> None:
    @app.command("work", help="Run the price-check worker.")
    def work() -> None:
        not_available("work", 4)
