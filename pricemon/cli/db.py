"""`pricemon db`: apply and inspect database migrations.

Works on the database named by DATABASE_URL, or the embedded SQLite file under
PRICEMON_DATA_DIR when it is unset.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pricemon.cli.base import start_command

app = typer.Typer(
    help="Apply and inspect database migrations.", no_args_is_help=True, rich_markup_mode=None
)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@app.command("push")
def push(ctx: typer.Context) -> None:
    """Apply every migration the database does not have yet. Safe to run again: an
    up-to-date database is left alone."""
    from pricemon import db

    engine = db.engine_from_settings(start_command(ctx))
    ctx.call_on_close(engine.dispose)
    before = db.upgrade(engine)
    where = db.describe_url(engine)
    if not before.pending:
        typer.echo(f"Database is up to date at {before.head} ({where})")
        return
    typer.echo(
        f"Applied {_plural(len(before.pending), 'migration')} "
        f"({before.current or 'empty'} -> {before.head}) to {where}"
    )


@app.command("status")
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Show the database's revision and the latest one. Exits 1 when migrations are
    pending (run `pricemon db push`)."""
    from pricemon import db

    engine = db.engine_from_settings(start_command(ctx))
    ctx.call_on_close(engine.dispose)
    state = db.migration_status(engine)
    if as_json:
        import json

        payload = {
            "database": db.describe_url(engine),
            "current": state.current,
            "head": state.head,
            "pending": state.pending,
            "up_to_date": state.up_to_date,
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        typer.echo(f"Database:         {db.describe_url(engine)}")
        typer.echo(f"Current revision: {state.current or 'none (empty database)'}")
        typer.echo(f"Latest revision:  {state.head}")
        if state.up_to_date:
            typer.echo("Up to date.")
        else:
            typer.echo(
                f"Behind: {_plural(len(state.pending), 'migration')} pending "
                f"({', '.join(state.pending)}). Run `pricemon db push`."
            )
    if not state.up_to_date:
        raise typer.Exit(1)
