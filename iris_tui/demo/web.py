"""HTTP conventions of IRIS 2.4.20 for the fake's route modules: envelope, errors, cid, bodies.

A route module declares its endpoints with `@route("GET", "/case/assets/list")` and handles an
`Iris` context: `ctx.store`, `ctx.user`, `await ctx.case("ro"|"full")` (cid resolution and access
check, 403 as the real server answers), `await ctx.json()` (strict JSON body rules, HTML 415/400/500
like Werkzeug), `ctx.ok(data, message)`, `ctx.fail(400, message, data)`, `ctx.data_error(...)`.
Raise `Reply(response)` anywhere to answer early.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from iris_tui.demo.store import INT32_MAX, Store, new_uuid

Handler = Callable[["Iris"], Awaitable[Response]]


@dataclass
class RouteSpec:
    method: str
    path: str
    handler: Handler
    auth: str = "json"  # "json": 401 envelope without a key; "page": 302 to /login; "none"


ROUTES: list[RouteSpec] = []


def route(method: str, path: str, *, auth: str = "json") -> Callable[[Handler], Handler]:
    """Register an endpoint (Starlette path syntax: `/case/assets/{asset_id:int}`)."""

    def register(fn: Handler) -> Handler:
        ROUTES.append(RouteSpec(method.upper(), path, fn, auth))
        return fn

    return register


class Reply(Exception):
    """Answer with `response` now (raised from helpers deep inside a handler)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class _JSON(JSONResponse):
    """Flask escapes what UTF-8 cannot carry (lone surrogates) as `\\ud800`; so does the fake."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


def envelope(status: int, state: str, message: str, data: Any) -> JSONResponse:
    return _JSON({"status": state, "message": message, "data": data}, status_code=status)


def ok(data: Any = None, message: str = "") -> JSONResponse:
    return envelope(200, "success", message, [] if data is None else data)


def fail(status: int, message: str, data: Any = None) -> JSONResponse:
    return envelope(status, "error", message, [] if data is None else data)


_WERKZEUG = {
    400: ("Bad Request", "The browser (or proxy) sent a request that this server could not understand."),
    404: ("Not Found", "The requested URL was not found on the server."),
    405: ("Method Not Allowed", "The method is not allowed for the requested URL."),
    413: ("Request Entity Too Large", "The data value transmitted exceeds the capacity limit."),
    415: ("Unsupported Media Type", "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."),
    500: ("Internal Server Error", "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."),
    502: ("Bad Gateway", "The proxy server received an invalid response from an upstream server."),
    503: ("Service Unavailable", "The server is temporarily unable to service your request."),
    504: ("Gateway Timeout", "The gateway did not receive a timely response."),
}


def html_error(status: int, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The HTML error page Werkzeug (or nginx in front) sends: never JSON."""
    title, text = _WERKZEUG.get(status, ("Error", "Error"))
    body = (
        f"<!doctype html>\n<html lang=en>\n<title>{status} {title}</title>\n"
        f"<h1>{title}</h1>\n<p>{text}</p>\n"
    )
    return HTMLResponse(body, status_code=status, headers=headers)


def redirect_to_login(path: str) -> HTMLResponse:
    target = f"/login?next={path}"
    body = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
        f'<p>You should be redirected automatically to the target URL: <a href="{target}">{target}</a>.'
        " If not, click the link.\n"
    )
    return HTMLResponse(body, status_code=302, headers={"location": target})


def not_found(request: Request) -> Response:
    """Unknown route: JSON only when the request carried a JSON content type (iris-api.md 2.1)."""
    if "application/json" in request.headers.get("content-type", ""):
        return fail(404, "Resource not found")
    return html_error(404)


@dataclass
class Iris:
    """One request as a route handler sees it."""

    request: Request
    store: Store
    user: dict[str, Any]
    _body: Any = field(default=None, init=False)
    _body_read: bool = field(default=False, init=False)

    @property
    def params(self) -> dict[str, Any]:
        return self.request.path_params

    @property
    def query(self) -> Any:
        return self.request.query_params

    @property
    def user_id(self) -> int:
        return int(self.user["user_id"])

    # -- bodies -----------------------------------------------------------------------------

    async def json(self, *, required: bool = True) -> dict[str, Any]:
        """The JSON object body, with Werkzeug's answers to bad bodies.

        No body and no content type is accepted as `{}` (460); a missing or other content type
        with a body -> HTML 415; malformed JSON -> HTML 400; a JSON array -> HTML 500.
        """
        if self._body_read:
            return self._body
        raw = await self.request.body()
        ctype = self.request.headers.get("content-type", "")
        if not raw and not ctype:
            body: Any = {}
        elif "application/json" not in ctype:
            raise Reply(html_error(415))
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                raise Reply(html_error(400)) from None
            if body is None:
                raise Reply(html_error(400))
        if not isinstance(body, dict):
            raise Reply(html_error(500))
        self._body, self._body_read = body, True
        return body

    # -- case context -----------------------------------------------------------------------

    async def cid(self) -> int:
        """Which case this request is about (iris-api.md 2.3.1): query, JSON body, context case."""
        text = self.query.get("cid")
        if text is not None:
            try:
                value = int(text)
            except ValueError:
                value = 0
            if value:
                return value
        ctype = self.request.headers.get("content-type", "")
        if ctype == "application/json" and self.request.method == "POST":
            body = await self.json()
            if "cid" in body:
                value = body.pop("cid")
                try:
                    if int(value):
                        return int(value)
                except (TypeError, ValueError):
                    pass
        return self.store.context_case.get(self.user_id, 1)

    async def case(self, level: str = "ro") -> int:
        """The resolved case id, after checking the user's access (403 like the real server)."""
        cid = await self.cid()
        self.require_access(cid, level)
        return cid

    def require_access(self, cid: int, level: str = "ro") -> None:
        have = self.store.access_level(self.user_id, cid)
        need = 4 if level == "full" else 2
        if have < need or have == 1:
            raise Reply(
                fail(403, "Permission denied",
                     {"user_id": self.user_id, "case_id": cid, "error_uuid": new_uuid()})
            )

    # -- answers ----------------------------------------------------------------------------

    ok = staticmethod(ok)
    fail = staticmethod(fail)

    @staticmethod
    def data_error(data: Any, message: str = "Data error") -> JSONResponse:
        """Validation failure: `data` is a field -> messages dict, or a bare list of messages."""
        return fail(400, message, data)


def int_id(value: Any) -> int:
    """An object id from the path; ids past int32 are refused as the database does (472)."""
    number = int(value)
    if number > INT32_MAX:
        raise Reply(fail(400, "Invalid data - max value exceeded"))
    return number


def as_int(value: Any) -> int | None:
    """IRIS accepts ids as JSON numbers or numeric strings almost everywhere (2.5)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError(value)


def as_bool(value: Any) -> bool | None:
    """Marshmallow's boolean parsing: JSON booleans and the usual strings."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "t", "y", "yes", "1", "on"}:
        return True
    if text in {"false", "f", "n", "no", "0", "off"}:
        return False
    raise ValueError(value)
