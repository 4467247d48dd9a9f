"""Async client for the DFIR-IRIS REST API (IRIS 2.4.x, and the develop branch's /api/v2).

Knows HTTP and IRIS; knows nothing of Textual. See `IrisClient`.
"""

from iris_tui.api.client import IrisClient
from iris_tui.api.errors import (
    IrisAuthError,
    IrisBadRequestError,
    IrisConnectionError,
    IrisError,
    IrisNotFoundError,
    IrisPermissionError,
    IrisProtocolError,
    IrisServerError,
    IrisTimeoutError,
    IrisUnsupportedError,
    IrisValidationError,
)

__all__ = [
    "IrisAuthError",
    "IrisBadRequestError",
    "IrisClient",
    "IrisConnectionError",
    "IrisError",
    "IrisNotFoundError",
    "IrisPermissionError",
    "IrisProtocolError",
    "IrisServerError",
    "IrisTimeoutError",
    "IrisUnsupportedError",
    "IrisValidationError",
]
