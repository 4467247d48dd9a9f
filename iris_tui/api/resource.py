"""What every resource module shares: the transport, the lookups and the server's abilities."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iris_tui.api.client import IrisClient


class Resource:
    """Base of `iris.cases`, `iris.assets`, ...: holds the client it belongs to."""

    def __init__(self, client: IrisClient) -> None:
        self._client = client
        self._http = client._http
        self._lookups = client.lookups
