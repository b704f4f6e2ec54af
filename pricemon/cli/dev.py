"""`pricemon dev`: run pricemon on embedded defaults (SQLite, private Redis)."""

from __future__ import annotations

from typing import Annotated

import typer

from pricemon.cli.base import start_command


def register(app: typer.Typer) -> None:
    @app.command("dev")
    def dev(
        ctx: typer.Context,
        host: Annotated[
            str | None,
            typer.Option(
                "--host",
                help="Address the dashboard listens on [default: PRICEMON_HOST, 127.0.0.1].",
            ),
        ] = None,
        port: Annotated[
            int | None,
            typer.Option("--port", min=1, max=65535, help="Dashboard port [default: PORT, 8000]."),
        ] = None,
        open_browser: Annotated[
            bool, typer.Option("--open", help="Open the dashboard in a web browser.")
        ] = False,
    ) -> None:
        """Run pricemon on embedded defaults (SQLite, private Redis).

        Uses the SQLite file and a private Redis server under PRICEMON_DATA_DIR (default
        ./.pricemon) unless DATABASE_URL / REDIS_URL are set, applies migrations, then runs
        `pricemon serve` and `pricemon work` until Ctrl-C. Data survives restarts.
        """
        from pricemon.devstack import DevOptions, run_dev

        settings = start_command(ctx)
        chosen_port = port or settings.port

        def open_in_browser(url: str) -> None:
            import webbrowser

            webbrowser.open(url)

        options = DevOptions(
            host=host or settings.host,
            port=chosen_port,
            announce=typer.echo,
            on_ready=open_in_browser if open_browser else None,
        )
        run_dev(settings, options)
