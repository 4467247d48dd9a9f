"""The fake IRIS as an ASGI app: routing, API-key auth, latency, injected faults, request log."""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
import traceback
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from iris_tui.demo.faults import Faults
from iris_tui.demo.store import Store
from iris_tui.demo.web import (
    ROUTES,
    Iris,
    Reply,
    RouteSpec,
    fail,
    html_error,
    not_found,
    redirect_to_login,
)

log = logging.getLogger("iris_tui.demo")

# one module per IRIS area; each registers its endpoints with @route when imported
ROUTE_MODULES = (
    "system", "lookups", "cases", "assets", "iocs", "tasks", "timeline", "evidences",
    "comments", "notes", "datastore", "global_tasks", "misc",
)


def _load_routes() -> list[tuple[Route, RouteSpec]]:
    for name in ROUTE_MODULES:
        module = f"iris_tui.demo.routes.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a module still being written
            if exc.name != module:
                raise
    return [(Route(spec.path, endpoint=_never, methods=[spec.method]), spec) for spec in ROUTES]


async def _never(request: Request) -> Response:  # pragma: no cover - matching only
    raise AssertionError


@dataclass
class Received:
    """What the server received, for tests to assert on."""

    method: str
    path: str
    query: dict[str, str]
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    status: int = 0


class DemoApp:
    """ASGI callable. `store` holds the data, `faults` injects failures, `received` logs requests."""

    def __init__(self, store: Store, *, latency: float = 0.0) -> None:
        self.store = store
        self.latency = latency
        self.faults = Faults()
        self.received: list[Received] = []
        self._routes = _load_routes()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if "//" in scope["path"]:  # Werkzeug merges repeated slashes and serves the page (467)
            scope = {**scope, "path": re.sub("/{2,}", "/", scope["path"])}
        request = Request(scope, receive)
        entry = Received(request.method, request.url.path, dict(request.query_params))
        self.received.append(entry)
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self.faults.take(request.method, request.url.path)
        if fault is not None:
            await fault.apply(request, scope, receive, send)
            entry.status = -1
            return
        response = await self._dispatch(request, scope, entry)
        entry.status = response.status_code
        await response(scope, receive, send)

    async def _dispatch(self, request: Request, scope: dict[str, Any], entry: Received) -> Response:
        allowed: list[str] = []
        for route, spec in self._routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                scope.update(child)
                return await self._handle(request, spec, entry)
            if match == Match.PARTIAL:
                allowed.extend(route.methods or ())
        if allowed:
            return html_error(405, {"allow": ", ".join(sorted(set(allowed)))})
        return not_found(request)

    async def _handle(self, request: Request, spec: RouteSpec, entry: Received) -> Response:
        user = self._authenticate(request)
        if user is None and spec.auth == "json":
            return fail(401, "Authentication required")
        if user is None and spec.auth == "page":
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return redirect_to_login(path.replace("=", "%3D"))
        ctx = Iris(request, self.store, user or {"user_id": 0})
        try:
            response = await spec.handler(ctx)
        except Reply as reply:
            response = reply.response
        except Exception:  # the real server answers unhandled errors with an HTML 500
            log.warning("demo server error on %s %s\n%s", request.method, request.url.path,
                        traceback.format_exc())
            response = html_error(500)
        entry.json = ctx._body if ctx._body_read else None
        return response

    def _authenticate(self, request: Request) -> dict[str, Any] | None:
        """`X-IRIS-AUTH` first, then `Authorization` with or without `Bearer ` (2.2)."""
        for header in ("x-iris-auth", "authorization"):
            value = request.headers.get(header)
            if not value:
                continue
            key = value[7:] if value.startswith("Bearer ") else value
            user = self.store.user_by_key(key.strip())
            if user is not None and not self.faults.revoked(key.strip()):
                return user
        return None
