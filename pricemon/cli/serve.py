"""`pricemon serve`: run the web dashboard and JSON API under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from pricemon.cli.base import get_settings


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[
            str | None,
            typer.Option(
                help="Address to bind. Default: PRICEMON_HOST, else 0.0.0.0 in production "
                "and 127.0.0.1 in development."
            ),
        ] = None,
        port: Annotated[
            int | None,
            typer.Option(help="Port to listen on. Default: PORT, else 8000.", min=1, max=65535),
        ] = None,
    ) -> None:
        """Run the web dashboard and JSON API.

        With PRICEMON_ENV=production it refuses to start unless PRICEMON_ADMIN_PASSWORD is
        set. Proxy headers are trusted from PRICEMON_FORWARDED_ALLOW_IPS (default 127.0.0.1).
        """
        from pricemon.logs import configure_logging
        from pricemon.web.auth import check_web_settings
        from pricemon.web.server import run_server

        settings = get_settings(ctx)
        check_web_settings(settings)  # before any import of FastAPI or the database
        configure_logging(settings)
        run_server(settings, host=host, port=port)
