"""`IrisClient`: the async entry point to one IRIS server."""

from __future__ import annotations

from types import TracebackType

import httpx

from iris_tui.api.activities import Activities
from iris_tui.api.assets import Assets
from iris_tui.api.cases import Cases
from iris_tui.api.datastore import Datastore
from iris_tui.api.events import Events
from iris_tui.api.evidences import Evidences
from iris_tui.api.global_tasks import GlobalTasks
from iris_tui.api.hooks import Hooks
from iris_tui.api.iocs import Iocs
from iris_tui.api.lookups import Lookups
from iris_tui.api.notes import Notes
from iris_tui.api.server import Server, ServerVersions, User
from iris_tui.api.tasks import Tasks
from iris_tui.api.transport import DEFAULT_USER_AGENT, Transport


class IrisClient:
    """An async client for one IRIS server and one API key.

    ```python
    async with IrisClient("https://iris.example", key) as iris:
        print(await iris.versions())
        for ioc in await iris.iocs.list(cid=3):
            print(ioc.ioc_value)
    ```

    `verify` is True, False or the path of a CA bundle. `transport` lets tests and the demo mode
    talk to an in-process ASGI app (`httpx.ASGITransport`).
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        verify: bool | str = True,
        proxy: str | None = None,
        timeout: float = 30.0,
        user_agent: str = DEFAULT_USER_AGENT,
        max_concurrency: int = 8,
        retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = Transport(
            url, api_key, verify=verify, proxy=proxy, timeout=timeout, user_agent=user_agent,
            max_concurrency=max_concurrency, retries=retries, transport=transport,
        )
        self.lookups = Lookups(self._http)
        self.server = Server(self)
        self.cases = Cases(self)
        self.assets = Assets(self)
        self.iocs = Iocs(self)
        self.tasks = Tasks(self)
        self.events = Events(self)
        self.evidences = Evidences(self)
        self.notes = Notes(self)
        self.datastore = Datastore(self)
        self.global_tasks = GlobalTasks(self)
        self.activities = Activities(self)
        self.hooks = Hooks(self)

    def __repr__(self) -> str:
        return f"<IrisClient {self.url}>"

    async def __aenter__(self) -> IrisClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # shortcuts for the calls everyone makes first
    async def ping(self) -> bool:
        return await self.server.ping()

    async def versions(self) -> ServerVersions:
        return await self.server.versions()

    async def whoami(self) -> User:
        return await self.server.whoami()
