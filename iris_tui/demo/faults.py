"""Injected failures, for tests and benchmarks: what real networks and servers do to a client.

`app.faults.add("server_error", path="/case/ioc/list", count=1)` makes the next matching request
fail. Kinds: server_error (HTML 500), bad_gateway (HTML 502 from a proxy), unavailable (HTML 503),
timeout (the server never answers), login_redirect (302 to /login, an expired SSO session),
reset (the connection drops after part of the answer), malformed_json, forbidden (403 on a case),
unauthorized (401). `revoke(key)` makes a key invalid from now on (key revoked mid-session).
`reset` with `after=N` cuts a file download instead: a 200 binary answer announcing more bytes
than the N it sends.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from iris_tui.demo.store import new_uuid
from iris_tui.demo.web import fail, html_error, redirect_to_login

KINDS = (
    "server_error", "bad_gateway", "unavailable", "timeout", "login_redirect", "reset",
    "malformed_json", "forbidden", "unauthorized",
)


class ConnectionDropped(Exception):
    """Raised inside the app to cut the connection; the in-process transport maps it to an
    httpx network error, a real server (uvicorn) closes the socket."""


@dataclass
class Fault:
    kind: str
    path: str | None = None
    method: str | None = None
    count: int = 1  # how many requests it hits; -1 for every one
    hang: float = 3600.0  # seconds a "timeout" keeps the request waiting
    after: int | None = None  # "reset": drop a binary download after this many body bytes

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return self.path is None or path.startswith(self.path)

    async def apply(self, request: Request, scope: Any, receive: Any, send: Any) -> None:
        if self.kind == "timeout":
            await asyncio.sleep(self.hang)
            raise ConnectionDropped("timed out")
        if self.kind == "reset":
            headers = [(b"content-type", b"application/json")]
            body = b'{"status": "success", "da'
            if self.after is not None:
                body = bytes(self.after)
                headers = [(b"content-type", b"application/octet-stream"),
                           (b"content-length", str(self.after + (1 << 20)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": True})
            raise ConnectionDropped("connection reset by the demo server")
        await self.response(request)(scope, receive, send)

    def response(self, request: Request) -> Response:
        if self.kind == "server_error":
            return html_error(500)
        if self.kind == "bad_gateway":
            return html_error(502)
        if self.kind == "unavailable":
            return html_error(503)
        if self.kind == "login_redirect":
            return redirect_to_login(request.url.path)
        if self.kind == "malformed_json":
            return Response(b'{"status": "success", "data": [1, 2', media_type="application/json")
        if self.kind == "forbidden":
            cid = request.query_params.get("cid") or "0"
            return fail(403, "Permission denied",
                        {"user_id": 1, "case_id": int(cid) if cid.isdigit() else 0,
                         "error_uuid": new_uuid()})
        if self.kind == "unauthorized":
            return fail(401, "Authentication required")
        raise ValueError(f"unknown fault kind {self.kind!r}")


@dataclass
class Faults:
    pending: list[Fault] = field(default_factory=list)
    revoked_keys: set[str] = field(default_factory=set)

    def add(self, kind: str, *, path: str | None = None, method: str | None = None,
            count: int = 1, hang: float = 3600.0, after: int | None = None) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        fault = Fault(kind, path, method, count, hang, after)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()
        self.revoked_keys.clear()

    def revoke(self, key: str) -> None:
        self.revoked_keys.add(key)

    def revoked(self, key: str) -> bool:
        return key in self.revoked_keys

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.pending:
            if fault.matches(method, path):
                if fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.pending.remove(fault)
                return fault
        return None
