"""`pricemon serve`: Run the web dashboard and JSON API."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available


def register(app: typer.Typer) -> None:
    @app.command("serve", help="Run the web dashboard and JSON API.")
    def serve() -> None:
        not_available("serve", 5)
