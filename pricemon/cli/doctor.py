"""`pricemon doctor`: Diagnose settings, database, Redis, Chromium, AI, email and Coolify."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available


def register(app: typer.Typer) -> None:
    @app.command(
        "doctor", help="Diagnose settings, database, Redis, Chromium, AI, email and Coolify."
    )
    def doctor() -> None:
        not_available("doctor", 7)
