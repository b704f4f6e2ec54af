"""Cron patterns and their next runs in an IANA timezone, correct across clock changes.

This is the one function that decides when a digest fires: the worker plans its delayed
jobs with `next_runs`, and `pricemon schedule preview` prints what it returns.

Why not bullmq's own maths: bullmq 3.4.4 (Python) evaluates patterns with croniter, which on
the days the clocks change fires a daily 09:00 twice, or at 10:00 (measured for
Australia/Sydney and Europe/Berlin in 2026). Here the pattern is matched against local
wall-clock times, and each matching wall-clock time becomes one instant:

- a time that does not exist (spring forward, e.g. 02:30 in Berlin on the last Sunday of
  March) fires once, at the first valid instant after the gap (03:00 local);
- a time that happens twice (fall back) fires once, at its first occurrence.

Patterns have 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds
first, as BullMQ and cron-parser read them. Day-of-week is 0-7 (0 and 7 are Sunday) or
MON..SUN; months 1-12 or JAN..DEC. When both day fields are restricted a day matches either
(classic cron).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pricemon.errors import InputError

# How far ahead to look for a matching day: "0 0 29 2 *" recurs every 4 years, and 8
# across 2100 (not a leap year); 29 years covers every pattern that can match at all.
MAX_SEARCH_DAYS = 366 * 29
# Clock changes move wall time by at most 2 hours; scan from a little before `after`.
_SCAN_MARGIN = timedelta(hours=3)

_DAY_NAMES = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}
_MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
        start=1,
    )
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass(frozen=True)
class CronPattern:
    """A parsed cron pattern: the allowed values of each field."""

    text: str
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # cron numbering: 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays

    def times_of_day(self) -> Iterator[time]:
        for hour in self.hours:
            for minute in self.minutes:
                for second in self.seconds:
                    yield time(hour, minute, second)


def _field_values(text: str, low: int, high: int, names: dict[str, int], what: str) -> set[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else (1 if not step_text else 0)
        if step <= 0:
            raise ValueError(f"bad step in {what} field {text!r}")
        if body == "*":
            start, end = low, high
        else:
            first, _, last = body.partition("-")
            start = names[first] if first in names else int(first)
            end = (names[last] if last in names else int(last)) if last else start
            if step_text and not last:
                end = high  # "5/15" means from 5 to the end, every 15
        if not (low <= start <= high and low <= end <= high and start <= end):
            raise ValueError(f"{what} field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def parse_cron(pattern: str) -> CronPattern:
    """Parse a 5-field (or 6-field, seconds first) cron pattern, or raise InputError."""
    fields = pattern.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise InputError(
            f"cron pattern {pattern!r} has {len(pattern.split())} fields",
            hint="use 5 fields (minute hour day month weekday), e.g. '0 9 * * *'",
        )
    sec, minute, hour, day, month, weekday = fields
    try:
        weekdays = _field_values(weekday, 0, 7, _DAY_NAMES, "day-of-week")
        parsed = CronPattern(
            text=pattern,
            seconds=tuple(sorted(_field_values(sec, 0, 59, {}, "second"))),
            minutes=tuple(sorted(_field_values(minute, 0, 59, {}, "minute"))),
            hours=tuple(sorted(_field_values(hour, 0, 23, {}, "hour"))),
            days=frozenset(_field_values(day, 1, 31, {}, "day-of-month")),
            months=frozenset(_field_values(month, 1, 12, _MONTH_NAMES, "month")),
            weekdays=frozenset(w % 7 for w in weekdays),
            days_restricted=day != "*",
            weekdays_restricted=weekday != "*",
        )
    except (ValueError, KeyError) as exc:
        raise InputError(
            f"cron pattern {pattern!r} is invalid: {exc}",
            hint="use 5 fields (minute hour day month weekday), e.g. '30 8 * * 1' for Mondays",
        ) from None
    return parsed


def zone(name: str) -> ZoneInfo:
    """The IANA timezone `name`, or InputError with a hint."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown timezone {name!r}",
            hint="use an IANA name such as Europe/Berlin, Australia/Sydney or UTC",
        ) from None


def _exists(naive: datetime, tz: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def _end_of_gap(naive: datetime, tz: ZoneInfo) -> datetime:
    """The first instant after the clock jump that skipped the wall time `naive`."""
    # For a skipped time, fold=1 reads it with the offset after the jump (an instant before
    # the jump) and fold=0 with the offset before it (an instant after the jump).
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    after_offset = high.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == after_offset:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def to_instant(naive: datetime, tz: ZoneInfo) -> datetime:
    """The instant (UTC) at which a wall-clock time in `tz` fires (see module docstring)."""
    if not _exists(naive, tz):
        return _end_of_gap(naive, tz)
    # fold=0 is the first of two occurrences when the clocks go back.
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _wall_times(cron: CronPattern, start: datetime) -> Iterator[datetime]:
    """Matching naive wall-clock times from `start` (naive) on, in order."""
    day = start.date()
    for _ in range(MAX_SEARCH_DAYS):
        if cron.matches_day(day):
            for moment in cron.times_of_day():
                candidate = datetime.combine(day, moment)
                if candidate >= start:
                    yield candidate
        day += timedelta(days=1)


def next_runs(pattern: str, timezone: str, *, after: datetime, count: int = 5) -> list[datetime]:
    """The next `count` instants strictly after `after` at which `pattern` fires in
    `timezone`, as aware datetimes in that timezone (their offsets say summer or winter).

    Each wall-clock match fires once; skipped times fire when the gap ends; repeated times
    fire at their first occurrence.
    """
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    cron = parse_cron(pattern)
    tz = zone(timezone)
    start = after.astimezone(tz).replace(tzinfo=None, microsecond=0) - _SCAN_MARGIN
    runs: list[datetime] = []
    last: datetime | None = None
    for wall in _wall_times(cron, start):
        instant = to_instant(wall, tz)
        if instant <= after or (last is not None and instant <= last):
            continue
        runs.append(instant.astimezone(tz))
        last = instant
        if len(runs) >= count:
            break
    if len(runs) < count and not runs:
        raise InputError(
            f"cron pattern {pattern!r} never fires", hint="check the day and month fields"
        )
    return runs


def next_run(pattern: str, timezone: str, *, after: datetime) -> datetime:
    """The first run strictly after `after` (see `next_runs`)."""
    return next_runs(pattern, timezone, after=after, count=1)[0]


def is_slot(pattern: str, timezone: str, slot: datetime) -> bool:
    """Whether `slot` is an instant at which `pattern` fires in `timezone`."""
    return next_run(pattern, timezone, after=slot - timedelta(seconds=1)) == slot


# The digest schedule ------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSchedule:
    """The digest schedule as edited in the dashboard (the `app_settings` row)."""

    enabled: bool
    frequency: str  # "daily" or "weekly"
    day: int  # 0 = Monday ... 6 = Sunday (Python's weekday()), weekly only
    hour: int
    minute: int
    timezone: str
    pattern_override: str | None = None  # DIGEST_CRON: replaces frequency/day/hour/minute

    @property
    def pattern(self) -> str:
        """The cron pattern the worker plans: from the settings, or DIGEST_CRON."""
        if self.pattern_override:
            return self.pattern_override
        return cron_pattern(self.frequency, day=self.day, hour=self.hour, minute=self.minute)

    def describe(self) -> str:
        if not self.enabled:
            return "disabled"
        if self.pattern_override:
            return f"cron {self.pattern_override!r} ({self.timezone})"
        when = f"{self.hour:02d}:{self.minute:02d} {self.timezone}"
        if self.frequency == "weekly":
            return f"weekly on {WEEKDAYS[self.day].capitalize()} at {when}"
        return f"daily at {when}"


def cron_pattern(frequency: str, *, day: int, hour: int, minute: int) -> str:
    """The cron pattern of a daily or weekly digest (`day`: 0 = Monday, as in weekday())."""
    if frequency == "weekly":
        return f"{minute} {hour} * * {(day + 1) % 7}"
    if frequency == "daily":
        return f"{minute} {hour} * * *"
    raise InputError(f"unknown digest frequency {frequency!r}", hint="use daily or weekly")


def slot_key(slot: datetime) -> str:
    """The id of one digest slot: job id, EmailSend key and Resend Idempotency-Key.

    UTC, without colons (BullMQ job ids must not contain ':'), e.g. digest-2026-11-28T220000Z.
    """
    return "digest-" + slot.astimezone(UTC).strftime("%Y-%m-%dT%H%M%SZ")


def parse_slot_key(key: str) -> datetime:
    """The slot instant (UTC) named by `slot_key`, or InputError."""
    try:
        return datetime.strptime(key.removeprefix("digest-"), "%Y-%m-%dT%H%M%SZ").replace(
            tzinfo=UTC
        )
    except ValueError:
        raise InputError(f"{key!r} is not a digest slot key") from None
