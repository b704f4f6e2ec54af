"""The digest schedule as the dashboard shows and edits it (the rules live in
`pricemon.digest_settings`; this module only shapes input and output)."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from typing import Any

from pricemon.digest_settings import validate_emails
from pricemon.models import AppSettings

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@cache
def timezones() -> tuple[str, ...]:
    """Every IANA timezone name this system knows, sorted, for the picker."""
    return tuple(sorted(zoneinfo.available_timezones()))


def parse_recipients(text: str | list[str]) -> list[str]:
    """Addresses from "a@x.com, b@y.org" (commas, semicolons or new lines), validated."""
    items = text if isinstance(text, list) else re.split(r"[,;\n]", text)
    return validate_emails(items)


def to_dict(row: AppSettings) -> dict[str, Any]:
    """The JSON shape of the digest settings (GET/PUT /api/settings)."""
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
