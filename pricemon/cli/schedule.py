"""`pricemon schedule`: show, set, preview and sync the digest schedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from pricemon.cli.base import get_settings
from pricemon.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

app = typer.Typer(help="Show, set, preview and sync the digest schedule.", no_args_is_help=True)


def _run_line(run: datetime) -> str:
    """`Sun 2026-11-29 09:00 AEDT (UTC+11:00)  = 2026-11-28 22:00 UTC`."""
    offset = run.strftime("%z")
    local = run.strftime("%a %Y-%m-%d %H:%M %Z")
    return f"{local} (UTC{offset[:3]}:{offset[3:]})  = {run.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _engine(ctx: typer.Context) -> Engine:
    from pricemon.db import engine_from_settings, require_current

    engine = engine_from_settings(get_settings(ctx))
    require_current(engine)
    return engine


@app.command()
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the schedule: database vs Redis, next runs, drift, last digest.

    Prints the database schedule, the scheduler registered in Redis (pattern, timezone,
    planned job) with its next 5 runs in local time and UTC, any drift between the two,
    and the last digest sent.
    """
    from pricemon.worker.scheduler import inspect_schedule

    report = inspect_schedule(get_settings(ctx), _engine(ctx))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    db = report.database
    typer.echo(f"Database:  {db.describe()}  (pattern {db.pattern!r})")
    for run in report.database_next_runs if db.enabled else []:
        typer.echo(f"  next     {_run_line(run)}")
    reg = report.registered
    if reg is None:
        typer.echo("Redis:     no scheduler registered")
    else:
        typer.echo(f"Redis:     {reg.description}  (pattern {reg.pattern!r}, tz {reg.timezone})")
        typer.echo(f"  planned  job {reg.job_id} ({reg.job_state}); set by {reg.updated_by} "
                   f"at {reg.updated_at}")  # fmt: skip
        for run in reg.next_runs:
            typer.echo(f"  next     {_run_line(run)}")
    typer.echo(f"Kept by:   {', '.join(report.syncers) or 'no running worker'}")
    typer.echo(f"In sync:   {'yes' if report.in_sync else 'NO'}")
    for problem in report.problems:
        typer.echo(f"Problem:   {problem}")
    last = report.last_digest
    if last is None:
        typer.echo("Last digest: none sent yet")
    else:
        when = last["sent_at"] or last["created_at"]
        typer.echo(f"Last digest: {last['outcome']} at {when} to {', '.join(last['recipients'])}"
                   f"{' (' + last['error'] + ')' if last['error'] else ''}")  # fmt: skip


@app.command("set")
def set_schedule(
    ctx: typer.Context,
    daily: Annotated[bool, typer.Option("--daily", help="Send every day.")] = False,
    weekly: Annotated[
        str | None, typer.Option("--weekly", metavar="DAY", help="Send weekly on DAY (monday...).")
    ] = None,
    at: Annotated[str | None, typer.Option("--at", metavar="HH:MM", help="Local time.")] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", metavar="ZONE", help="IANA timezone, e.g. Europe/Berlin.")
    ] = None,
    to: Annotated[
        list[str] | None, typer.Option("--to", metavar="EMAIL", help="Recipient (repeatable).")
    ] = None,
    disable: Annotated[bool, typer.Option("--disable", help="Stop sending digests.")] = False,
) -> None:
    """Set the digest schedule, or disable it.

    Give --daily or --weekly DAY with --at HH:MM (and --tz ZONE to change the timezone),
    or --disable. Running workers pick the change up within seconds.
    """
    from pricemon.db import session_scope
    from pricemon.digest_settings import (
        digest_schedule,
        parse_time_of_day,
        parse_weekday,
        recipients_for,
        update_schedule,
    )
    from pricemon.domain.schedule import next_run
    from pricemon.worker.scheduler import notify_schedule_changed

    settings = get_settings(ctx)
    if disable and (daily or weekly or at):
        raise InputError(
            "--disable cannot be combined with a schedule", hint="give one or the other"
        )
    if not disable and (daily == (weekly is not None) or at is None):
        raise InputError(
            "say when to send", hint="use --daily or --weekly DAY, with --at HH:MM, or --disable"
        )
    hour, minute = parse_time_of_day(at) if at else (None, None)
    with session_scope(_engine(ctx)) as session:
        row = update_schedule(
            session, settings, enabled=not disable,
            frequency=None if disable else ("weekly" if weekly else "daily"),
            day=parse_weekday(weekly) if weekly else None, hour=hour, minute=minute,
            timezone=tz, recipients=to,
        )  # fmt: skip
        schedule = digest_schedule(row, settings)
        recipients = recipients_for(row, settings)
    typer.echo(f"Digest schedule: {schedule.describe()}")
    if schedule.enabled and not recipients:
        typer.echo("Note: no recipients yet; add them with --to EMAIL or set ALERT_EMAIL.")
    if schedule.enabled:
        run = next_run(schedule.pattern, schedule.timezone, after=datetime.now(UTC))
        typer.echo(f"Next run: {_run_line(run)}")
    if not notify_schedule_changed(settings):
        typer.echo("Note: Redis is unreachable; workers will pick the change up within 5 minutes.")


@app.command()
def preview(
    cron: Annotated[str, typer.Argument(help="Cron pattern, e.g. '0 9 * * *' (quote it).")],
    tz: Annotated[str, typer.Option("--tz", metavar="ZONE", help="IANA timezone.")] = "UTC",
    after: Annotated[
        str | None,
        typer.Option("--after", metavar="ISO-8601", help="Start after this time (default now)."),
    ] = None,
    count: Annotated[int, typer.Option("--count", min=1, max=1000, help="How many runs.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the next runs of a cron pattern in a timezone.

    Computed by the same code the worker plans digests with, so clock changes show as
    they will happen. 5 fields, or 6 with seconds first.
    """
    from pricemon.domain.schedule import next_runs, zone

    start = datetime.now(UTC)
    if after:
        try:
            start = datetime.fromisoformat(after)
        except ValueError:
            raise InputError(
                f"--after {after!r} is not an ISO-8601 time", hint="e.g. 2026-10-03T12:00+10:00"
            ) from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=zone(tz))
    runs = next_runs(cron, tz, after=start, count=count)
    if as_json:
        typer.echo(json.dumps({"next_runs": [run.isoformat() for run in runs]}))
        return
    for run in runs:
        typer.echo(_run_line(run))


@app.command()
def sync(ctx: typer.Context) -> None:
    """Reconcile the schedule in Redis with the database now.

    Workers with ENABLE_SCHEDULER do this at start-up, every 5 minutes and after changes.
    """
    import asyncio

    from pricemon.worker.scheduler import inspect_schedule, reconcile_schedule

    settings, engine = get_settings(ctx), _engine(ctx)
    changed = asyncio.run(reconcile_schedule(settings, engine))
    report = inspect_schedule(settings, engine)
    if changed is None:
        typer.echo("Another worker is reconciling the schedule right now; showing its result.")
    else:
        typer.echo(
            "Schedule updated in Redis." if changed else "Redis already matched the database."
        )
    if report.registered and report.registered.next_slot:
        typer.echo(f"Next run: {_run_line(report.registered.next_runs[0])}")
    for problem in report.problems:
        typer.echo(f"Problem: {problem}")
