"""Logging set-up: readable text by default, JSON lines with ``--log-format json``.

Every record carries a ``feed`` field (empty when no feed is concerned), so every line about
a feed names it. Secrets (chat tokens) are masked in every line, whatever logged them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Literal, TextIO

from pythonjsonlogger.json import JsonFormatter

__all__ = ["SecretMask", "configure_logging"]

_TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s%(feed_label)s: %(message)s"


class SecretMask(logging.Filter):
    """Adds ``feed``/``feed_label`` to every record and masks secret values in it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        feed = getattr(record, "feed", None) or ""
        record.feed = feed
        record.feed_label = f" [{feed}]" if feed else ""
        if self.secrets:
            message = self._mask(record.getMessage())
            record.msg, record.args = message, None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = self._mask(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def configure_logging(
    fmt: Literal["text", "json"] = "text",
    level: str = "INFO",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route every log record to ``stream`` (stderr) in the chosen format. Returns the
    handler (tests remove it)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(feed)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    handler.addFilter(SecretMask(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_hotline", False)]:
        root.removeHandler(old)
    handler._hotline = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "slack_bolt", "slack_sdk", "nio", "aiohttp"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return handler
