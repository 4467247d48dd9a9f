"""One error hierarchy for everything the IRIS API can answer.

Every error carries the request (method, path), the HTTP status, the server's message and, for
validation failures, the per-field messages, so the UI can show the text next to the right field.
The API key is never part of an error: paths are logged without query strings and headers are
never copied.
"""

from __future__ import annotations

from typing import Any


class IrisError(Exception):
    """Base of every error raised by `iris_tui.api`."""

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        data: Any = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.data = data
        self.fields: dict[str, list[str]] = fields or {}
        super().__init__(str(self))

    def __str__(self) -> str:
        text = self.message
        if self.fields:
            details = "; ".join(
                f"{name}: {' '.join(msgs)}" if name else " ".join(msgs)
                for name, msgs in self.fields.items()
            )
            text = f"{text} ({details})"
        where = " ".join(p for p in (self.method, self.path) if p)
        if where or self.status is not None:
            status = f" -> {self.status}" if self.status is not None else ""
            text = f"{text} [{where}{status}]"
        return text


class IrisConnectionError(IrisError):
    """The server could not be reached, or the connection broke mid-way."""


class IrisTimeoutError(IrisConnectionError):
    """The server did not answer in time."""


class IrisAuthError(IrisError):
    """The API key was refused (401, or a redirect to the login page)."""


class IrisPermissionError(IrisError):
    """403: no access to this case, or a missing user permission."""


class IrisNotFoundError(IrisError):
    """The object (or the case, or the endpoint) does not exist."""


class IrisBadRequestError(IrisError):
    """400: the server refused the request (a business rule, a bad value)."""


class IrisValidationError(IrisBadRequestError):
    """Bad input, with per-field messages in `fields` (key `""` for messages without a field)."""


class IrisServerError(IrisError):
    """5xx, or an HTML error page where JSON was expected."""


class IrisUnsupportedError(IrisError):
    """The server does not offer this feature (older release, removed endpoint)."""


class IrisProtocolError(IrisError):
    """The answer did not look like IRIS: not JSON, or not the expected shape."""
