"""`pricemon schedule` and `pricemon digest` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.config import Settings
from tests.digest.factories import seed_product
from tests.digest.resend_stub import ResendStub


def _env(settings: Settings) -> dict[str, str]:
    env = {
        "DATABASE_URL": settings.effective_database_url,
        "REDIS_URL": settings.redis_url or "",
        "PRICEMON_DATA_DIR": str(settings.data_dir),
        "RESEND_BASE_URL": settings.resend_base_url,
    }
    if settings.resend_api_key:
        env["RESEND_API_KEY"] = settings.resend_api_key.get_secret_value()
    if settings.email_from:
        env["EMAIL_FROM"] = settings.email_from
    return env


def run(settings: Settings | None, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=_env(settings) if settings else None)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("tz", "after", "expected"),
    [
        ("Australia/Sydney", "2026-10-02T12:00:00+10:00",
         ["2026-10-03T09:00:00+10:00", "2026-10-04T09:00:00+11:00", "2026-10-05T09:00:00+11:00"]),
        ("Europe/Berlin", "2026-10-24T00:00",
         ["2026-10-24T09:00:00+02:00", "2026-10-25T09:00:00+01:00", "2026-10-26T09:00:00+01:00"]),
        ("America/New_York", "2027-03-13T12:00:00Z",
         ["2027-03-13T09:00:00-05:00", "2027-03-14T09:00:00-04:00", "2027-03-15T09:00:00-04:00"]),
    ],
)  # fmt: skip
def test_preview_json_gives_local_times_with_offsets(
    tz: str, after: str, expected: list[str]
) -> None:
    code, out, _ = run(None, "schedule", "preview", "0 9 * * *", "--tz", tz, "--after", after,
                       "--count", "3", "--json")  # fmt: skip
    assert code == 0
    assert json.loads(out) == {"next_runs": expected}


def test_preview_text_shows_local_and_utc() -> None:
    code, out, _ = run(None, "schedule", "preview", "30 2 * * *", "--tz", "Europe/Berlin",
                       "--after", "2026-03-29T00:00", "--count", "1")  # fmt: skip
    assert code == 0
    assert out.strip() == "Sun 2026-03-29 03:00 CEST (UTC+02:00)  = 2026-03-29 01:00 UTC"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["0 9 * *", "--tz", "UTC"], "Error: cron pattern '0 9 * *' has 4 fields"),
        (["0 9 * * *", "--tz", "Mars/Base"], "Error: unknown timezone 'Mars/Base'"),
        (
            ["0 9 * * *", "--after", "yesterday"],
            "Error: --after 'yesterday' is not an ISO-8601 time",
        ),
    ],
)
def test_preview_errors(args: list[str], error: str) -> None:
    code, _, err = run(None, "schedule", "preview", *args)
    assert code == 1
    assert err.splitlines()[0] == error
    assert err.splitlines()[1].startswith("Hint: ")


def test_set_show_and_disable(engine: Engine, settings: Settings) -> None:
    code, out, _ = run(settings, "schedule", "set", "--weekly", "sunday", "--at", "18:30",
                       "--tz", "Europe/Berlin", "--to", "ann@example.com")  # fmt: skip
    assert code == 0, out
    assert out.splitlines()[0] == "Digest schedule: weekly on Sunday at 18:30 Europe/Berlin"
    assert out.splitlines()[1].startswith("Next run: Sun ")

    code, out, _ = run(settings, "schedule", "show", "--json")
    report = json.loads(out)
    assert report["database"]["pattern"] == "30 18 * * 0"
    assert report["database"]["timezone"] == "Europe/Berlin"
    assert len(report["database"]["next_runs"]) == 5
    assert report["in_sync"] is False  # no worker has reconciled it yet
    assert report["redis"]["registered"] is None

    code, out, _ = run(settings, "schedule", "sync")
    assert code == 0 and out.startswith("Schedule updated in Redis.")
    code, out, _ = run(settings, "schedule", "show")
    assert "In sync:   yes" in out and "Redis:     weekly on Sunday at 18:30" in out

    code, out, _ = run(settings, "schedule", "set", "--disable")
    assert code == 0 and out.startswith("Digest schedule: disabled")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--daily"], "Error: say when to send"),
        (["--daily", "--weekly", "monday", "--at", "09:00"], "Error: say when to send"),
        (["--daily", "--at", "25:00"], "Error: '25:00' is not a time of day"),
        (["--weekly", "someday", "--at", "09:00"], "Error: 'someday' is not a day of the week"),
        (["--daily", "--at", "09:00", "--tz", "Nowhere"], "Error: unknown timezone 'Nowhere'"),
        (["--daily", "--at", "09:00", "--to", "x@"], "Error: 'x@' is not an email address"),
        (["--disable", "--daily"], "Error: --disable cannot be combined with a schedule"),
    ],
)  # fmt: skip
def test_set_rejects_bad_input(
    sqlite_url: str, settings: Settings, args: list[str], error: str
) -> None:
    code, _, err = run(settings, "schedule", "set", *args)
    assert code == 1
    assert err.splitlines()[0] == error


def test_digest_preview_writes_html(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    seed_product(engine, "Espresso <b>machine</b>", ["199.00", "179.00"])
    out_file = tmp_path / "digest.html"
    code, out, _ = run(settings, "digest", "preview", "--out", str(out_file))
    assert code == 0 and out.startswith(f"Wrote {out_file} (Price Monitor Report - ")
    html = out_file.read_text()
    assert "Espresso &lt;b&gt;machine&lt;/b&gt;" in html and "&darr;" in html
    code, out, _ = run(settings, "digest", "preview")
    assert "Espresso <b>machine</b>" in out and "↓ down" in out


def test_digest_send_to(engine: Engine, mail_settings: Settings, resend: ResendStub) -> None:
    code, out, _ = run(mail_settings, "digest", "send", "--to", "zed@example.com")
    assert code == 0, out
    assert out.startswith("Sent 'Price Monitor Report - ")
    assert resend.requests[0].body["to"] == ["zed@example.com"]
    assert resend.requests[0].headers["idempotency-key"].startswith("digest-manual-")


def test_digest_send_without_key_explains(engine: Engine, settings: Settings) -> None:
    code, _, err = run(settings, "digest", "send", "--to", "zed@example.com")
    assert code == 1
    assert err.splitlines() == [
        "Error: RESEND_API_KEY is not set, so no email can be sent",
        "Hint: create an API key at https://resend.com/api-keys and set RESEND_API_KEY",
    ]


def test_help_texts() -> None:
    for group, commands in (
        ("schedule", ["show", "set", "preview", "sync"]),
        ("digest", ["send", "preview"]),
    ):
        for command in commands:
            code, out, _ = run(None, group, command, "--help")
            assert code == 0 and "Usage:" in out


def test_a_bad_digest_cron_fails_at_start_up_naming_the_variable() -> None:
    result = CliRunner().invoke(
        app, ["schedule", "show"], env={"PRICEMON_DIGEST_CRON": "61 * * * *"}
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("Error: PRICEMON_DIGEST_CRON is invalid")
