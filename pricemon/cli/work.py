"""`pricemon work`: run the price-check worker, or check that one is alive (`--check`)."""

from __future__ import annotations

from typing import Annotated

import typer

from pricemon.cli.base import get_settings


def register(app: typer.Typer) -> None:
    @app.command("work")
    def work(
        ctx: typer.Context,
        concurrency: Annotated[
            int | None,
            typer.Option(
                "--concurrency",
                "-c",
                min=1,
                help="Jobs run at once [default: PRICEMON_WORKER_CONCURRENCY, 8].",
            ),
        ] = None,
        scheduler: Annotated[
            bool | None,
            typer.Option(
                "--scheduler/--no-scheduler",
                help="Keep the digest schedule in sync [default: ENABLE_SCHEDULER, on].",
                show_default=False,
            ),
        ] = None,
        check: Annotated[
            bool,
            typer.Option(
                "--check",
                help="Exit 0 if a worker on this host is alive (fresh heartbeat), else 1. "
                "For container health checks.",
            ),
        ] = False,
    ) -> None:
        """Run the price-check worker until SIGTERM or Ctrl-C.

        Takes jobs from Redis (checks, check-all, digests), records every check in the
        database, and writes a heartbeat that `pricemon work --check` reads. On SIGTERM it
        stops taking jobs, lets running ones finish (PRICEMON_WORKER_SHUTDOWN_TIMEOUT) and
        exits 0.
        """
        settings = get_settings(ctx)
        if check:
            from pricemon.worker.heartbeat import find_live_worker

            beat = find_live_worker(settings)
            if beat is None:
                typer.echo("no live worker on this host", err=True)
                raise typer.Exit(1)
            typer.echo(f"worker {beat['host']}:{beat['pid']} alive ({beat['completed']} jobs done)")
            return
        import asyncio

        from pricemon.logs import configure_logging
        from pricemon.worker.main import run_worker

        configure_logging(settings)
        asyncio.run(
            run_worker(
                settings,
                concurrency=concurrency or settings.worker_concurrency,
                scheduler=settings.enable_scheduler if scheduler is None else scheduler,
            )
        )
