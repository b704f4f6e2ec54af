"""`pricemon products check`: queue price checks, and optionally wait for their results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pricemon.cli.base import get_settings, open_engine

if TYPE_CHECKING:
    from pricemon.worker.progress import CheckSummary


def _show_summary(summary: CheckSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("ID", "Product", "Result", "Price", "Before", "Reason")
    for line in summary.lines:
        price = f"{line.price} {line.currency or ''}".strip() if line.price is not None else ""
        before = str(line.previous_price) if line.previous_price is not None else ""
        result = "changed" if line.changed else line.outcome
        table.add_row(str(line.product_id), line.name[:60], result, price, before, line.error or "")
    console = Console()
    console.print(table)
    console.print(
        f"{summary.checked} checked, {summary.changed} changed, {summary.failed} failed"
        + (f", {summary.pending} still pending" if summary.pending else "")
    )


def queue_first_checks(ctx: typer.Context, product_ids: list[int]) -> None:
    """Queue the first check of products just added, or say it is pending (never fails:
    the products are saved either way). Said on stderr: stdout is the command's result."""
    if not product_ids:
        return
    import asyncio

    from pricemon.queue import QueueUnavailable, enqueue_checks

    try:
        asyncio.run(enqueue_checks(get_settings(ctx), product_ids))
    except QueueUnavailable as exc:
        ids = " ".join(str(pid) for pid in product_ids[:5]) + (
            " ..." if len(product_ids) > 5 else ""
        )
        typer.echo(f"First check pending: {exc.message}.", err=True)
        typer.echo(f"Run `pricemon products check {ids}` once Redis is reachable.", err=True)
        return
    typer.echo(f"First check queued for {len(product_ids)} product(s).", err=True)


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        ctx: typer.Context,
        products: Annotated[
            list[str] | None,
            typer.Argument(metavar="ID|URL", help="Product ids or URLs.", show_default=False),
        ] = None,
        all_active: Annotated[
            bool, typer.Option("--all", help="Check every active product.")
        ] = False,
        wait: Annotated[
            bool, typer.Option("--wait", help="Show progress until done, then a summary.")
        ] = False,
        timeout: Annotated[
            float, typer.Option("--timeout", min=1, help="Seconds --wait waits (exit 1 after).")
        ] = 600.0,
    ) -> None:
        """Queue a price check for products now (the worker runs them).

        With --wait, shows a progress bar until every check finished and prints what each
        found: checked, changed and failed, with the reasons.
        """
        import asyncio

        from rich.progress import Progress

        from pricemon.worker.progress import (
            queue_checks,
            resolve_products,
            summarise_checks,
            wait_for_jobs,
        )

        settings = get_settings(ctx)
        engine = open_engine(ctx)
        chosen = resolve_products(engine, products or [], all_active=all_active)
        if not chosen:
            typer.echo("No active products to check.")
            return
        jobs = asyncio.run(queue_checks(settings, chosen))
        typer.echo(f"Queued {len(jobs)} check(s).")
        if not wait:
            return
        with Progress(transient=True) as bar:
            task = bar.add_task("Checking", total=len(jobs))
            pending = asyncio.run(
                wait_for_jobs(
                    settings,
                    list(jobs),
                    timeout_s=timeout,
                    on_progress=lambda done, total: bar.update(task, completed=done),
                )
            )
        _show_summary(summarise_checks(engine, jobs, pending))
        if pending:
            typer.echo(
                f"Error: {len(pending)} check(s) not finished within {timeout:g} s", err=True
            )
            typer.echo("Hint: is `pricemon work` running? See `pricemon work --check`.", err=True)
            raise typer.Exit(1)
