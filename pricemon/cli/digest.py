"""`pricemon digest`: send or preview the digest email."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pricemon.cli.base import get_settings

app = typer.Typer(help="Send or preview the digest email.", no_args_is_help=True)


@app.command()
def send(
    ctx: typer.Context,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", metavar="EMAIL", help="Send to EMAIL instead (repeatable)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Check every price first (needs a worker).")
    ] = False,
) -> None:
    """Send the digest now.

    Goes to the configured recipients (or ALERT_EMAIL), or to --to. With --refresh, every
    price is checked first (a worker must be running), within PRICEMON_DIGEST_REFRESH_TIMEOUT.
    """
    import asyncio

    from pricemon.db import engine_from_settings, require_current
    from pricemon.digest import send_digest_now
    from pricemon.digest_settings import validate_emails

    settings = get_settings(ctx)
    engine = engine_from_settings(settings)
    require_current(engine)
    recipients = validate_emails(to) if to else None
    outcome = asyncio.run(send_digest_now(settings, engine, to=recipients, refresh=refresh))
    typer.echo(f"Sent {outcome.subject!r} to {', '.join(outcome.recipients)} "
               f"(Resend id {outcome.provider_id or 'n/a'}).")  # fmt: skip


@app.command()
def preview(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE.html", help="Write the HTML here (else print text)."),
    ] = None,
) -> None:
    """Build the digest from the current prices without sending it.

    Prints the plain-text part, or writes the HTML part to --out to open in a browser.
    """
    from datetime import UTC, datetime

    from pricemon.db import engine_from_settings, require_current
    from pricemon.digest import build_content
    from pricemon.email_render import render_digest

    settings = get_settings(ctx)
    engine = engine_from_settings(settings)
    require_current(engine)
    email = render_digest(build_content(settings, engine, now=datetime.now(UTC)))
    if out is None:
        typer.echo(email.text)
        return
    out.write_text(email.html, encoding="utf-8")
    typer.echo(f"Wrote {out} ({email.subject}).")
