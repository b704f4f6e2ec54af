"""`pricemon redeploy`: Redeploy the web and worker applications on Coolify and follow them."""

from __future__ import annotations

import typer

from pricemon.cli.base import not_available


def register(app: typer.Typer) -> None:
    @app.command(
        "redeploy", help="Redeploy the web and worker applications on Coolify and follow them."
    )
    def redeploy() -> None:
        not_available("redeploy", 7)
