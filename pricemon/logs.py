"""Logging, configured once per entrypoint: readable lines in development, JSON in production."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from pricemon.config import Settings

_OURS = "_pricemon_handler"  # marks the handler configure_logging installed
_STD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class _CurrentStderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever `sys.stderr` is at the time of each record.

    A handler bound to the stream of the moment would keep writing to a stream that test
    runners (CliRunner, pytest's capture) have since closed.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> None:
    """Set up the root logger for this process: call once at each entrypoint.

    Development: `12:00:01 INFO    pricemon.x: message` lines. Production
    (`PRICEMON_ENV=production`): one JSON object per line. Level from `LOG_LEVEL`. Safe to
    call again: it replaces the handler it installed before and leaves other handlers
    (pytest's log capture, for example) alone.
    """
    handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()
    if settings.is_production:
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
    setattr(handler, _OURS, True)
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, _OURS, False)] + [handler]
    root.setLevel(settings.log_level)
    # Third parties that log every request or every poll at INFO.
    for noisy in ("httpx", "httpcore", "alembic", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
