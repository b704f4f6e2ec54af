"""Reading and changing the digest schedule row (`AppSettings`, id 1) with validation."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlmodel import Session

from pricemon.errors import InputError
from pricemon.models import AppSettings, DigestFrequency, utcnow

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Deliberately loose: the email provider is the judge; this catches typos and pasted lists.
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@cache
def timezones() -> tuple[str, ...]:
    """Every IANA timezone name this system knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def load(session: Session) -> AppSettings:
    """The settings row, created with defaults on first use."""
    row = session.get(AppSettings, 1)
    if row is None:
        row = AppSettings(id=1)
        session.add(row)
        session.flush()
    return row


@dataclass(frozen=True)
class DigestChanges:
    enabled: bool
    frequency: str
    day: int
    hour: int
    minute: int
    timezone: str
    recipients: list[str]
    refresh: bool | None = None


def parse_recipients(text: str | list[str]) -> list[str]:
    """Addresses from "a@x.com, b@y.org" (commas, semicolons or new lines), validated."""
    items = text if isinstance(text, list) else re.split(r"[,;\n]", text)
    addresses = [item.strip() for item in items if item.strip()]
    for address in addresses:
        if not _EMAIL.match(address):
            raise InputError(
                f"{address[:80]!r} is not an email address",
                hint="separate addresses with commas, e.g. me@example.com, you@example.org",
            )
    return addresses


def validate(changes: DigestChanges) -> None:
    """Raise InputError naming the first field that is out of range."""
    if changes.frequency not in (DigestFrequency.DAILY, DigestFrequency.WEEKLY):
        raise InputError(f"unknown frequency {changes.frequency!r}", hint="use daily or weekly")
    for name, value, high in (("day", changes.day, 6), ("hour", changes.hour, 23)):
        if not 0 <= value <= high:
            raise InputError(f"{name} must be between 0 and {high}, got {value}")
    if not 0 <= changes.minute <= 59:
        raise InputError(f"minute must be between 0 and 59, got {changes.minute}")
    if changes.timezone not in timezones():
        raise InputError(
            f"unknown timezone {changes.timezone[:64]!r}",
            hint="use an IANA name such as Europe/Berlin or Australia/Sydney",
        )
    parse_recipients(changes.recipients)


def save(session: Session, changes: DigestChanges) -> AppSettings:
    """Validate and store the schedule; the caller then tells the workers."""
    validate(changes)
    row = load(session)
    row.digest_enabled = changes.enabled
    row.digest_frequency = changes.frequency
    row.digest_day = changes.day
    row.digest_hour = changes.hour
    row.digest_minute = changes.minute
    row.digest_timezone = changes.timezone
    row.digest_recipients = ", ".join(changes.recipients)
    if changes.refresh is not None:
        row.digest_refresh = changes.refresh
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def to_dict(row: AppSettings) -> dict[str, Any]:
    return {
        "digest_enabled": row.digest_enabled,
        "digest_frequency": row.digest_frequency,
        "digest_day": row.digest_day,
        "digest_hour": row.digest_hour,
        "digest_minute": row.digest_minute,
        "digest_timezone": row.digest_timezone,
        "digest_recipients": row.recipients,
        "digest_refresh": row.digest_refresh,
        "updated_at": row.updated_at.isoformat(),
    }
