"""Next-run maths across the 2026-2028 clock changes (table-driven, pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pricemon.domain.schedule import (
    DigestSchedule,
    cron_pattern,
    is_slot,
    next_runs,
    parse_cron,
    parse_slot_key,
    slot_key,
)
from pricemon.errors import InputError

# (timezone, pattern, start day (local), expected local runs as ISO strings with offsets)
DAILY_0900 = [
    # Sydney: clocks go back on the first Sunday of April, forward on the first of October.
    (
        "Australia/Sydney",
        "2026-04-04",
        ["2026-04-04T09:00:00+11:00", "2026-04-05T09:00:00+10:00", "2026-04-06T09:00:00+10:00"],
    ),
    (
        "Australia/Sydney",
        "2026-10-03",
        ["2026-10-03T09:00:00+10:00", "2026-10-04T09:00:00+11:00", "2026-10-05T09:00:00+11:00"],
    ),
    (
        "Australia/Sydney",
        "2027-04-03",
        ["2027-04-03T09:00:00+11:00", "2027-04-04T09:00:00+10:00", "2027-04-05T09:00:00+10:00"],
    ),
    (
        "Australia/Sydney",
        "2027-10-02",
        ["2027-10-02T09:00:00+10:00", "2027-10-03T09:00:00+11:00", "2027-10-04T09:00:00+11:00"],
    ),
    (
        "Australia/Sydney",
        "2028-04-01",
        ["2028-04-01T09:00:00+11:00", "2028-04-02T09:00:00+10:00", "2028-04-03T09:00:00+10:00"],
    ),
    (
        "Australia/Sydney",
        "2028-09-30",
        ["2028-09-30T09:00:00+10:00", "2028-10-01T09:00:00+11:00", "2028-10-02T09:00:00+11:00"],
    ),
    # Berlin: forward on the last Sunday of March, back on the last Sunday of October.
    (
        "Europe/Berlin",
        "2026-03-28",
        ["2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00", "2026-03-30T09:00:00+02:00"],
    ),
    (
        "Europe/Berlin",
        "2026-10-24",
        ["2026-10-24T09:00:00+02:00", "2026-10-25T09:00:00+01:00", "2026-10-26T09:00:00+01:00"],
    ),
    (
        "Europe/Berlin",
        "2027-03-27",
        ["2027-03-27T09:00:00+01:00", "2027-03-28T09:00:00+02:00", "2027-03-29T09:00:00+02:00"],
    ),
    (
        "Europe/Berlin",
        "2027-10-30",
        ["2027-10-30T09:00:00+02:00", "2027-10-31T09:00:00+01:00", "2027-11-01T09:00:00+01:00"],
    ),
    (
        "Europe/Berlin",
        "2028-03-25",
        ["2028-03-25T09:00:00+01:00", "2028-03-26T09:00:00+02:00", "2028-03-27T09:00:00+02:00"],
    ),
    (
        "Europe/Berlin",
        "2028-10-28",
        ["2028-10-28T09:00:00+02:00", "2028-10-29T09:00:00+01:00", "2028-10-30T09:00:00+01:00"],
    ),
    # New York: forward on the second Sunday of March, back on the first Sunday of November.
    (
        "America/New_York",
        "2026-03-07",
        ["2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "2026-03-09T09:00:00-04:00"],
    ),
    (
        "America/New_York",
        "2026-10-31",
        ["2026-10-31T09:00:00-04:00", "2026-11-01T09:00:00-05:00", "2026-11-02T09:00:00-05:00"],
    ),
    (
        "America/New_York",
        "2027-03-13",
        ["2027-03-13T09:00:00-05:00", "2027-03-14T09:00:00-04:00", "2027-03-15T09:00:00-04:00"],
    ),
    (
        "America/New_York",
        "2027-11-06",
        ["2027-11-06T09:00:00-04:00", "2027-11-07T09:00:00-05:00", "2027-11-08T09:00:00-05:00"],
    ),
    (
        "America/New_York",
        "2028-03-11",
        ["2028-03-11T09:00:00-05:00", "2028-03-12T09:00:00-04:00", "2028-03-13T09:00:00-04:00"],
    ),
    (
        "America/New_York",
        "2028-11-04",
        ["2028-11-04T09:00:00-04:00", "2028-11-05T09:00:00-05:00", "2028-11-06T09:00:00-05:00"],
    ),
]


def _local_midnight(day: str, tz: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(tz))


@pytest.mark.parametrize(("tz", "day", "expected"), DAILY_0900)
def test_daily_0900_fires_once_at_0900_local_across_clock_changes(
    tz: str, day: str, expected: list[str]
) -> None:
    runs = next_runs("0 9 * * *", tz, after=_local_midnight(day, tz), count=3)
    assert [run.isoformat() for run in runs] == expected


# Wall times that are skipped (spring forward) fire once when the gap ends; wall times that
# happen twice (fall back) fire once, at the first occurrence.
EDGE_TIMES = [
    (
        "Europe/Berlin",
        "30 2 * * *",
        "2026-03-28",
        ["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"],
    ),
    (
        "Europe/Berlin",
        "30 2 * * *",
        "2026-10-24",
        ["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"],
    ),
    (
        "Australia/Sydney",
        "30 2 * * *",
        "2027-10-02",
        ["2027-10-02T02:30:00+10:00", "2027-10-03T03:00:00+11:00", "2027-10-04T02:30:00+11:00"],
    ),
    (
        "Australia/Sydney",
        "30 2 * * *",
        "2028-04-01",
        ["2028-04-01T02:30:00+11:00", "2028-04-02T02:30:00+11:00", "2028-04-03T02:30:00+10:00"],
    ),
    (
        "America/New_York",
        "30 2 * * *",
        "2028-03-11",
        ["2028-03-11T02:30:00-05:00", "2028-03-12T03:00:00-04:00", "2028-03-13T02:30:00-04:00"],
    ),
    (
        "America/New_York",
        "30 1 * * *",
        "2027-11-06",
        ["2027-11-06T01:30:00-04:00", "2027-11-07T01:30:00-04:00", "2027-11-08T01:30:00-05:00"],
    ),
    # Hourly on the spring-forward night: 02:00 is skipped and folds into 03:00, once.
    (
        "Europe/Berlin",
        "0 * * * *",
        "2027-03-28",
        [
            "2027-03-28T00:00:00+01:00",
            "2027-03-28T01:00:00+01:00",
            "2027-03-28T03:00:00+02:00",
            "2027-03-28T04:00:00+02:00",
        ],
    ),
    # Hourly on the fall-back night: 02:00 happens twice and fires once.
    (
        "Europe/Berlin",
        "0 * * * *",
        "2027-10-31",
        [
            "2027-10-31T00:00:00+02:00",
            "2027-10-31T01:00:00+02:00",
            "2027-10-31T02:00:00+02:00",
            "2027-10-31T03:00:00+01:00",
        ],
    ),
    # Weekly on Sundays (the day of the change) at 09:00.
    (
        "Australia/Sydney",
        "0 9 * * 0",
        "2026-09-26",
        ["2026-09-27T09:00:00+10:00", "2026-10-04T09:00:00+11:00", "2026-10-11T09:00:00+11:00"],
    ),
]


@pytest.mark.parametrize(("tz", "pattern", "day", "expected"), EDGE_TIMES)
def test_skipped_and_repeated_wall_times(
    tz: str, pattern: str, day: str, expected: list[str]
) -> None:
    runs = next_runs(
        pattern, tz, after=_local_midnight(day, tz) - timedelta(seconds=1), count=len(expected)
    )
    assert [run.isoformat() for run in runs] == expected


def test_runs_are_strictly_after_the_given_instant() -> None:
    slot = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # 09:00 in Sydney (+11)
    runs = next_runs("0 9 * * *", "Australia/Sydney", after=slot, count=2)
    assert runs[0] == slot + timedelta(days=1)
    assert is_slot("0 9 * * *", "Australia/Sydney", slot)
    assert not is_slot("0 9 * * *", "Australia/Sydney", slot + timedelta(minutes=1))


def test_six_fields_have_seconds_first() -> None:
    after = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    runs = next_runs("*/20 * * * * *", "UTC", after=after, count=3)
    assert [r.strftime("%H:%M:%S") for r in runs] == ["12:00:20", "12:00:40", "12:01:00"]


@pytest.mark.parametrize(
    ("pattern", "expected_first"),
    [
        ("0 8 * * MON-FRI", "2026-01-02T08:00:00+00:00"),  # Jan 1st 2026 is a Thursday
        ("0 8 1 * *", "2026-02-01T08:00:00+00:00"),
        ("15,45 */6 * JAN *", "2026-01-01T12:15:00+00:00"),
        ("0 0 29 2 *", "2028-02-29T00:00:00+00:00"),
        ("0 9 * * 7", "2026-01-04T09:00:00+00:00"),  # 7 is Sunday too
        ("0 9 13 * 5", "2026-01-02T09:00:00+00:00"),  # day 13 OR Friday (classic cron)
    ],
)
def test_cron_syntax(pattern: str, expected_first: str) -> None:
    after = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert next_runs(pattern, "UTC", after=after, count=1)[0].isoformat() == expected_first


@pytest.mark.parametrize(
    "pattern", ["0 9 * *", "61 9 * * *", "0 25 * * *", "0 9 * * FUNDAY", "*/0 * * * *", "a b c d e"]
)
def test_bad_patterns_raise_input_error(pattern: str) -> None:
    with pytest.raises(InputError) as info:
        parse_cron(pattern)
    assert info.value.hint


def test_unknown_timezone_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown timezone 'Mars/Olympus'"):
        next_runs("0 9 * * *", "Mars/Olympus", after=datetime(2026, 1, 1, tzinfo=UTC))


def test_digest_settings_to_pattern() -> None:
    assert cron_pattern("daily", day=0, hour=9, minute=5) == "5 9 * * *"
    assert cron_pattern("weekly", day=0, hour=7, minute=30) == "30 7 * * 1"  # Monday
    assert cron_pattern("weekly", day=6, hour=7, minute=30) == "30 7 * * 0"  # Sunday
    schedule = DigestSchedule(True, "weekly", 6, 18, 0, "Europe/Berlin")
    assert schedule.describe() == "weekly on Sunday at 18:00 Europe/Berlin"
    override = DigestSchedule(True, "daily", 0, 9, 0, "UTC", pattern_override="*/5 * * * * *")
    assert override.pattern == "*/5 * * * * *"


def test_slot_keys_are_utc_without_colons_and_round_trip() -> None:
    slot = datetime(2026, 11, 29, 9, 0, tzinfo=ZoneInfo("Australia/Sydney"))
    key = slot_key(slot)
    assert key == "digest-2026-11-28T220000Z"
    assert ":" not in key
    assert parse_slot_key(key) == slot
