"""configure_logging: readable lines in development, JSON lines in production, LOG_LEVEL."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.config import Settings
from pricemon.logs import configure_logging


def test_development_lines() -> None:
    stream = io.StringIO()
    configure_logging(Settings(), stream=stream)
    logging.getLogger("pricemon.test").info("checked %d products", 3)
    line = stream.getvalue().strip()
    assert re.fullmatch(r"\d\d:\d\d:\d\d INFO    pricemon\.test: checked 3 products", line)


def test_production_json_lines() -> None:
    stream = io.StringIO()
    configure_logging(Settings(env="production"), stream=stream)
    log = logging.getLogger("pricemon.test")
    log.warning("job %s failed", "j1", extra={"job_id": "j1", "duration_ms": 12})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("crashed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines() if line[:1] == "{")
    assert first["level"] == "warning" and first["logger"] == "pricemon.test"
    assert first["message"] == "job j1 failed"
    assert first["job_id"] == "j1" and first["duration_ms"] == 12
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["time"])
    assert second["message"] == "crashed" and "ValueError: boom" in second["exc_info"]


def test_log_level_filters() -> None:
    stream = io.StringIO()
    configure_logging(Settings(log_level="warning"), stream=stream)
    logging.getLogger("pricemon.test").info("hidden")
    logging.getLogger("pricemon.test").warning("shown")
    assert "hidden" not in stream.getvalue() and "shown" in stream.getvalue()
    # Third parties that are chatty at INFO stay at WARNING even with LOG_LEVEL=DEBUG.
    configure_logging(Settings(log_level="DEBUG"), stream=stream)
    assert logging.getLogger("alembic").level == logging.WARNING
    assert logging.getLogger().level == logging.DEBUG


def test_called_twice_replaces_only_its_own_handler() -> None:
    other = logging.NullHandler()
    logging.getLogger().addHandler(other)
    configure_logging(Settings())
    configure_logging(Settings(env="production"))
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_pricemon_handler", False)]
    assert len(ours) == 1
    assert other in logging.getLogger().handlers


def test_default_stream_follows_sys_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings())
    logging.getLogger("pricemon.test").warning("to stderr")
    assert "to stderr" in capsys.readouterr().err


def test_commands_configure_logging(runner: CliRunner, tmp_path: Path) -> None:
    """An entrypoint's logs follow the settings: JSON lines on stderr in production."""
    env = {"PRICEMON_ENV": "production", "PRICEMON_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(app, ["products", "list"], env=env)
    assert result.exit_code == 0
    # The embedded database was migrated on first use, and said so in JSON.
    logged = [json.loads(line) for line in result.stderr.splitlines()]
    assert logged[0]["level"] == "info" and logged[0]["logger"] == "pricemon.db"
    assert logged[0]["message"].startswith("applied ")
