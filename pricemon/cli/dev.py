"""`pricemon dev`: Run pricemon on embedded defaults (SQLite, private Redis)."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available


def register(app: typer.Typer) -> None:
    @app.command("dev", help="Run pricemon on embedded defaults (SQLite, private Redis).")
    def dev() -> None:
        not_available("dev", 2)
