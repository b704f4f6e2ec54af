"""`pricemon check`: Check one URL's price now and show how it was found."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available


def register(app: typer.Typer) -> None:
    @app.command("check", help="Check one URL's price now and show how it was found.")
    def check() -> None:
        not_available("check", 3)
