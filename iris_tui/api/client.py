"""`IrisClient`: the async entry point to one IRIS server."""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from iris_tui.api.lookups import Lookups
from iris_tui.api.server import Server, ServerVersions, User
from iris_tui.api.transport import DEFAULT_USER_AGENT, Transport

if TYPE_CHECKING:
    from iris_tui.api.activities import Activities
    from iris_tui.api.assets import Assets
    from iris_tui.api.cases import Cases
    from iris_tui.api.datastore import Datastore
    from iris_tui.api.events import Events
    from iris_tui.api.evidences import Evidences
    from iris_tui.api.global_tasks import GlobalTasks
    from iris_tui.api.hooks import Hooks
    from iris_tui.api.iocs import Iocs
    from iris_tui.api.notes import Notes
    from iris_tui.api.tasks import Tasks


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
        max_concurrency: int = 10,  # a case opens with 9 requests at once: one round trip
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

    def __repr__(self) -> str:
        return f"<IrisClient {self.url}>"

    # Resources are built on first use: importing all of them costs start-up time.
    @cached_property
    def cases(self) -> Cases:
        from iris_tui.api.cases import Cases

        return Cases(self)

    @cached_property
    def assets(self) -> Assets:
        from iris_tui.api.assets import Assets

        return Assets(self)

    @cached_property
    def iocs(self) -> Iocs:
        from iris_tui.api.iocs import Iocs

        return Iocs(self)

    @cached_property
    def tasks(self) -> Tasks:
        from iris_tui.api.tasks import Tasks

        return Tasks(self)

    @cached_property
    def events(self) -> Events:
        from iris_tui.api.events import Events

        return Events(self)

    @cached_property
    def evidences(self) -> Evidences:
        from iris_tui.api.evidences import Evidences

        return Evidences(self)

    @cached_property
    def notes(self) -> Notes:
        from iris_tui.api.notes import Notes

        return Notes(self)

    @cached_property
    def datastore(self) -> Datastore:
        from iris_tui.api.datastore import Datastore

        return Datastore(self)

    @cached_property
    def global_tasks(self) -> GlobalTasks:
        from iris_tui.api.global_tasks import GlobalTasks

        return GlobalTasks(self)

    @cached_property
    def activities(self) -> Activities:
        from iris_tui.api.activities import Activities

        return Activities(self)

    @cached_property
    def hooks(self) -> Hooks:
        from iris_tui.api.hooks import Hooks

        return Hooks(self)

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
