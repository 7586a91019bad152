"""JSON log lines, one object per line, for log collectors (`LOG_FORMAT=json`).

Each line has `ts` (UTC, ISO 8601), `level`, `logger`, `message` and, for an
error, `exc`. What goes into a message is unchanged: card, ID and phone numbers
are masked, and one-time codes never logged, before anything reaches a logger.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import IO

# Loggers that servers configure with handlers of their own: sent to ours instead.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "sanic.root", "sanic.error")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record's time, level, logger, message and exception."""
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def wanted(value: str | None) -> bool:
    """Whether a `LOG_FORMAT` value asks for JSON."""
    return (value or "").strip().lower() == "json"


def install(stream: IO[str] | None = None, level: int = logging.INFO) -> None:
    """Send every log record, the server's own too, through one JSON handler."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
