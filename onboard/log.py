"""Logging: a quiet console and a full debug log per run, both passed through redaction."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from onboard.redact import redact

LOGGER_NAME = "onboard"


class RedactingFilter(logging.Filter):
    """Render the record's message once, redacted, so that no handler receives a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
        return True


def start_run_log(folder: Path, command: str) -> Path:
    """Attach a debug log file for this run under `folder/logs/` and return its path."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / "logs" / f"{stamp}-{command}.log"
    path.parent.mkdir(parents=True, exist_ok=True)

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    return path


def stop_run_logs() -> None:
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, logging.FileHandler):
            handler.close()
            logger.removeHandler(handler)
