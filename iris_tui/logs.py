"""`--debug FILE`: a debug log of what the client did, with every known secret redacted.

API keys reach this module through `register_secret()` (the transport registers its key), and a
filter on the log handler replaces them wherever they would appear, whatever logged them.
"""

from __future__ import annotations

import logging
import os

_SECRETS: set[str] = set()
REDACTED = "[redacted]"
LOGGERS = ("iris_tui", "httpx", "httpcore", "keyring")


def register_secret(value: str | None) -> None:
    """Never write `value` to the debug log (short strings would redact too much: ignored)."""
    if value and len(value) >= 8:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def setup(path: str | os.PathLike[str]) -> logging.Handler:
    """Send DEBUG logs of the client, httpx and keyring to `path` (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    return handler
