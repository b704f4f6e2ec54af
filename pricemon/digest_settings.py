"""The digest settings row (`app_settings`, id 1): read it, validate and change it.

The dashboard and `pricemon schedule set` both change the schedule through
`update_schedule`, then call `pricemon.worker.scheduler.notify_schedule_changed` so that
workers re-plan within seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from pricemon.config import Settings
from pricemon.domain.schedule import WEEKDAYS, DigestSchedule, cron_pattern, parse_cron, zone
from pricemon.errors import InputError
from pricemon.models import AppSettings, DigestFrequency

_EMAIL = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$")


def get_app_settings(session: Session, settings: Settings) -> AppSettings:
    """The settings row, created on first use with SCHEDULER_TIMEZONE as its timezone (the
    old system's global default)."""
    row = session.get(AppSettings, 1)
    if row is None:
        # Several workers start at once: create the row in its own transaction and let
        # the losers of that race read the winner's row.
        engine = session.get_bind().engine
        try:
            with engine.connect() as conn:
                conn.execute(
                    sa.insert(AppSettings).values(
                        id=1,
                        digest_timezone=settings.scheduler_timezone,
                        updated_at=datetime.now(UTC),
                    )
                )
                conn.commit()
        except IntegrityError:
            pass
        row = session.get(AppSettings, 1)
        assert row is not None
    return row


def digest_schedule(row: AppSettings, settings: Settings) -> DigestSchedule:
    """The schedule the worker plans: the row, with DIGEST_CRON replacing the time if set."""
    return DigestSchedule(
        enabled=row.digest_enabled,
        frequency=row.digest_frequency,
        day=row.digest_day,
        hour=row.digest_hour,
        minute=row.digest_minute,
        timezone=row.digest_timezone,
        pattern_override=settings.digest_cron,
    )


def recipients_for(row: AppSettings, settings: Settings) -> list[str]:
    """The digest recipients: the row's list, else ALERT_EMAIL."""
    return row.recipients or ([settings.alert_email] if settings.alert_email else [])


def validate_emails(addresses: Sequence[str]) -> list[str]:
    """The addresses stripped and de-duplicated, or InputError naming the first bad one."""
    cleaned = list(dict.fromkeys(a.strip() for a in addresses if a.strip()))
    for address in cleaned:
        if not _EMAIL.match(address):
            raise InputError(
                f"{address!r} is not an email address", hint="give addresses like ann@example.com"
            )
    return cleaned


def parse_time_of_day(text: str) -> tuple[int, int]:
    """(hour, minute) from `HH:MM`, or InputError."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InputError(f"{text!r} is not a time of day", hint="use HH:MM, e.g. 09:00 or 18:30")
    return int(match[1]), int(match[2])


def parse_weekday(text: str) -> int:
    """0 (Monday) ... 6 (Sunday) from a day name or its first three letters, or InputError."""
    name = text.strip().lower()
    for index, day in enumerate(WEEKDAYS):
        if name in (day, day[:3]):
            return index
    raise InputError(f"{text!r} is not a day of the week", hint="use monday ... sunday")


def update_schedule(
    session: Session,
    settings: Settings,
    *,
    enabled: bool,
    frequency: str | None = None,
    day: int | None = None,
    hour: int | None = None,
    minute: int | None = None,
    timezone: str | None = None,
    recipients: Sequence[str] | None = None,
) -> AppSettings:
    """Change the digest schedule (fields left None keep their value) after validating it."""
    row = get_app_settings(session, settings)
    if timezone is not None:
        zone(timezone)
        row.digest_timezone = timezone
    if frequency is not None:
        if frequency not in (DigestFrequency.DAILY, DigestFrequency.WEEKLY):
            raise InputError(f"unknown frequency {frequency!r}", hint="use daily or weekly")
        row.digest_frequency = frequency
    for name, value, high in (("day", day, 6), ("hour", hour, 23), ("minute", minute, 59)):
        if value is not None:
            if not 0 <= value <= high:
                raise InputError(f"digest {name} {value} is outside 0-{high}")
            setattr(row, f"digest_{name}", value)
    if recipients is not None:
        row.digest_recipients = ",".join(validate_emails(recipients))
    row.digest_enabled = enabled
    # The pattern must parse: a bad row would stop every worker's schedule sync.
    parse_cron(
        cron_pattern(row.digest_frequency, day=row.digest_day, hour=row.digest_hour,
                     minute=row.digest_minute)
    )  # fmt: skip
    row.updated_at = datetime.now(UTC)
    session.add(row)
    session.flush()
    return row
