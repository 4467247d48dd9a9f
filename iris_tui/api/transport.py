"""HTTP transport: one httpx.AsyncClient, the IRIS envelope, retries and typed errors.

Only this module knows httpx. Resource modules call `Transport.call()` (enveloped legacy API),
`Transport.call_bare()` (the develop branch's `/api/v2`, no envelope) and `Transport.stream()`
(downloads); they get decoded JSON back or one of the errors of `iris_tui.api.errors`.
"""

from __future__ import annotations

import asyncio
import gc
import http.cookiejar
import json
import logging
import re
import ssl
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, NamedTuple

import httpx
import msgspec

from iris_tui import __version__
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
from iris_tui.logs import register_secret

log = logging.getLogger("iris_tui.api")
DEFAULT_USER_AGENT = f"iris-tui/{__version__}"
RETRY_STATUSES = frozenset({502, 503, 504})
# "object not found inside a valid case" is a 400 with a text message on IRIS 2.4 (iris-api.md 2.4)
_NOT_FOUND = re.compile(
    r"(invalid|not a valid|unknown) .*\b(id|identifier)\b|not found|does not exist", re.I
)
_TAGS = re.compile(r"<[^>]+>")


class Envelope(msgspec.Struct):
    """The `{"status", "message", "data"}` wrapper of every legacy JSON answer."""

    status: str = ""
    message: str = ""
    data: Any = None


class RawEnvelope(msgspec.Struct):
    """An envelope whose `data` stays undecoded JSON (`msgspec.Raw`): big lists decode typed."""

    status: str = ""
    message: str = ""
    data: msgspec.Raw = msgspec.Raw(b"null")


class Reply(NamedTuple):
    """An answer's status, headers and body, apart from httpx's Response: a Response sits in a
    reference cycle (it and its stream) until the garbage collector runs, and must not keep a
    40 MB list body alive that long."""

    status_code: int
    headers: httpx.Headers
    content: bytes | bytearray
    encoding: str = "utf-8"

    @classmethod
    def of(cls, response: httpx.Response, body: bytes | bytearray) -> Reply:
        return cls(response.status_code, response.headers, body, response.encoding or "utf-8")

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, "replace")


_decode_envelope = msgspec.json.Decoder(Envelope).decode
_decode_raw_envelope = msgspec.json.Decoder(RawEnvelope).decode
_decode_any = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def _decode(content: bytes, decode: Any = _decode_envelope) -> Any:
    """Decode an envelope; big answers (100,000 rows) decode with the GC paused, twice as fast."""
    if len(content) < 1_000_000 or not gc.isenabled():
        return decode(content)
    gc.disable()
    try:
        return decode(content)
    finally:
        gc.enable()


def decode_json(content: bytes | msgspec.Raw) -> Any:
    """Untyped JSON, with the lenient fallback; raises `msgspec.DecodeError` when malformed."""
    try:
        return _decode(content, _decode_any)
    except msgspec.DecodeError:
        return _lenient(bytes(content))


def _lenient(content: bytes) -> Any:
    """Python's JSON parser, for what msgspec refuses but JSON allows: a lone surrogate escape
    (`"\\ud800"`) in one hostile value must not make a whole list unreadable."""
    try:
        return json.loads(content)
    except ValueError:
        raise msgspec.DecodeError("malformed JSON") from None


def _connection_failed(exc: httpx.TransportError) -> str:
    """The reason a connection failed; a refused TLS certificate says so and how to fix it."""
    text = str(exc) or type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return (f"the server's TLS certificate was not accepted: {text}. For a self-signed "
                "certificate or a private CA, give the CA certificate file (a CA bundle)")
    return f"connection failed: {text}"


def _no_cookies() -> http.cookiejar.CookieJar:
    """A jar that refuses every cookie: a replayed IRIS session cookie changes server behaviour."""
    return http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def _ssl_verify(verify: bool | str) -> bool | ssl.SSLContext:
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return verify


def html_snippet(text: str, limit: int = 160) -> str:
    """A short plain-text summary of an HTML error page, for messages."""
    plain = " ".join(_TAGS.sub(" ", text).split())
    return plain[:limit] + ("…" if len(plain) > limit else "")


def field_errors(data: Any) -> dict[str, list[str]]:
    """Normalise IRIS validation data: a field -> messages dict, or a bare list (key "")."""
    if isinstance(data, dict):
        out: dict[str, list[str]] = {}
        for key, value in data.items():
            if isinstance(value, list):
                out[str(key)] = [str(v) for v in value]
            elif isinstance(value, dict):
                for sub, msgs in field_errors(value).items():
                    out[f"{key}.{sub}" if sub else str(key)] = msgs
            else:
                out[str(key)] = [str(value)]
        return out
    if isinstance(data, list) and data:
        return {"": [str(v) for v in data]}
    if isinstance(data, str) and data:
        return {"": [data]}
    return {}


class Transport:
    """Async HTTP for one IRIS server and one API key.

    `cid` always goes in the query string; cookies are never kept; redirects are never followed
    (a redirect to `/login` means the key was refused). Idempotent GETs retry with backoff on
    connection errors and 502/503/504; writes never retry. A semaphore bounds parallel requests.
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
        backoff: float = 0.25,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        register_secret(api_key)
        self.base_url = url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._limit = asyncio.Semaphore(max_concurrency)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": user_agent},
            verify=_ssl_verify(verify),
            proxy=proxy,
            timeout=timeout,
            follow_redirects=False,
            cookies=_no_cookies(),
            transport=transport,
        )

    def __repr__(self) -> str:  # never show the key
        return f"<Transport {self.base_url}>"

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- requests ---------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        path: str,
        *,
        cid: int | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        retry: bool | None = None,
    ) -> Envelope:
        """One enveloped request; returns the envelope or raises a typed error."""
        response = await self._send(
            method, path, cid=cid, params=params, json=json, data=data, files=files, retry=retry
        )
        return self._envelope(method, path, response)

    async def data(self, method: str, path: str, **kwargs: Any) -> Any:
        """Like `call()` but returns only the envelope's `data`."""
        return (await self.call(method, path, **kwargs)).data

    async def data_raw(self, method: str, path: str, **kwargs: Any) -> msgspec.Raw | Any:
        """Like `data()`, but `data` comes back undecoded (`msgspec.Raw`) so a big list can be
        decoded straight into models. Errors are raised exactly as by `call()`. When only the
        lenient parser can read the answer, the decoded value is returned instead of a Raw."""
        response = await self._send(method, path, **kwargs)
        return self._envelope(method, path, response, raw=True).data

    async def call_bare(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        retry: bool | None = None,
    ) -> Any:
        """One request to the develop branch's `/api/v2`: bare JSON bodies, 201/204, no envelope."""
        response = await self._send(method, path, params=params, json=json, retry=retry)
        if response.status_code >= 400:
            self._raise(method, path, response)
        if response.status_code == 204 or not response.content:
            return None
        if not _is_json(response):
            raise IrisProtocolError(
                "expected JSON, got " + (response.headers.get("content-type") or "no content type"),
                method=method, path=path, status=response.status_code,
            )
        return self._json(method, path, response)

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        cid: int | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """A streamed download. Raises the typed error when the server answers with JSON/HTML."""
        query = self._query(cid, params)
        async with self._limit:
            try:
                async with self._client.stream(method, path, params=query) as response:
                    if response.status_code >= 300 or _is_json(response):
                        self._raise(method, path, Reply.of(response, await response.aread()))
                    yield response
            except httpx.TimeoutException as exc:
                raise IrisTimeoutError(
                    f"the server did not answer in time ({type(exc).__name__})",
                    method=method, path=path,
                ) from None
            except httpx.TransportError as exc:
                raise IrisConnectionError(_connection_failed(exc), method=method, path=path) from None

    async def upload(
        self,
        path: str,
        *,
        cid: int | None,
        data: Mapping[str, Any],
        files: Any,
        size: int = 0,
    ) -> Envelope:
        """A multipart POST (never retried: it writes).

        After the last byte of `size` bytes IRIS hashes (and for IOC files zips) the upload
        before it answers: the read timeout grows by a second per 10 MB so big files do not
        time out while the server is still working.
        """
        timeout = httpx.Timeout(self.timeout, read=self.timeout + size / 10e6)
        response = await self._send(
            "POST", path, cid=cid, data=data, files=files, retry=False, timeout=timeout
        )
        return self._envelope("POST", path, response)

    # -- internals --------------------------------------------------------------------------

    @staticmethod
    def _query(cid: int | None, params: Mapping[str, Any] | None) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if params:
            query.update({k: v for k, v in params.items() if v is not None})
        if cid is not None:
            query["cid"] = int(cid)
        return query

    async def _send(
        self,
        method: str,
        path: str,
        *,
        cid: int | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        retry: bool | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> Reply:
        method = method.upper()
        if retry is None:
            retry = method == "GET"
        attempts = 1 + (self.retries if retry else 0)
        headers: dict[str, str] = {}
        content: bytes | None = None
        if json is not None:
            # exactly application/json: IRIS only honours body fallbacks for that exact string
            headers["Content-Type"] = "application/json"
            content = _encode(json)
        elif method == "POST" and data is None and files is None:
            headers["Content-Type"] = "application/json"
            content = b"{}"
        query = self._query(cid, params)
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                async with self._limit:
                    response = await self._fetch(self._client.build_request(
                        method, path, params=query, content=content, data=data, files=files,
                        headers=headers,
                        timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                    ))
            except httpx.TimeoutException as exc:
                log.debug("%s %s: %s (attempt %d of %d)", method, path, type(exc).__name__,
                          attempt + 1, attempts)
                if attempt + 1 < attempts:
                    await asyncio.sleep(self.backoff * 2**attempt)
                    continue
                raise IrisTimeoutError(
                    f"the server did not answer in time ({type(exc).__name__})",
                    method=method, path=path,
                ) from None
            except httpx.TransportError as exc:
                log.debug("%s %s: %s: %s (attempt %d of %d)", method, path, type(exc).__name__,
                          exc, attempt + 1, attempts)
                if attempt + 1 < attempts:
                    await asyncio.sleep(self.backoff * 2**attempt)
                    continue
                raise IrisConnectionError(_connection_failed(exc), method=method, path=path) from None
            log.debug("%s %s cid=%s -> %d (%.0f ms)", method, path, query.get("cid"),
                      response.status_code, (time.perf_counter() - started) * 1000)
            if response.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                await asyncio.sleep(self.backoff * 2**attempt)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def _fetch(self, request: httpx.Request) -> Reply:
        """Send, and read the whole body into one growing buffer.

        httpx's own read keeps every network chunk and then joins them: twice a 40 MB list in
        memory at once, and a heap left full of 64 kB holes. msgspec decodes the buffer in place
        (rows left as `msgspec.Raw` point into it), so it is never copied either.
        """
        response = await self._client.send(request, stream=True)
        try:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
        finally:
            await response.aclose()
        return Reply.of(response, body)

    def _json(self, method: str, path: str, response: Reply) -> Any:
        try:
            try:
                return _decode_any(response.content)
            except msgspec.DecodeError:
                return _lenient(response.content)
        except msgspec.DecodeError:
            raise IrisProtocolError(
                "the server sent malformed JSON", method=method, path=path,
                status=response.status_code,
            ) from None

    def _envelope(
        self, method: str, path: str, response: Reply, raw: bool = False
    ) -> Envelope:
        if response.status_code >= 300 or not _is_json(response):
            self._raise(method, path, response)
        try:
            try:
                if raw:
                    envelope = _decode(response.content, _decode_raw_envelope)
                    if envelope.status == "error":  # error data is read as usual
                        envelope = _decode(response.content)
                else:
                    envelope = _decode(response.content)
            except msgspec.DecodeError:
                envelope = msgspec.convert(_lenient(response.content), Envelope)
        except msgspec.DecodeError:
            raise IrisProtocolError(
                "the server sent malformed JSON", method=method, path=path,
                status=response.status_code,
            ) from None
        if envelope.status == "error":
            self._raise(method, path, response, envelope)
        return envelope

    def _raise(
        self,
        method: str,
        path: str,
        response: Reply,
        envelope: Envelope | None = None,
    ) -> None:
        """Turn any failed answer into the right IrisError."""
        status = response.status_code
        where = {"method": method, "path": path, "status": status}
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            if "/login" in location:
                raise IrisAuthError(
                    "the server redirected to its login page: the API key was not accepted",
                    **where,
                )
            raise IrisProtocolError(f"unexpected redirect to {location or '?'}", **where)
        if envelope is None and _is_json(response):
            try:
                body = _decode_any(response.content) if response.content else None
            except msgspec.DecodeError:
                body = None
            if isinstance(body, dict):
                envelope = Envelope(
                    status=str(body.get("status", "error")),
                    message=str(body.get("message") or ""),
                    data=body.get("data"),
                )
        if envelope is None:
            self._raise_non_json(response, **where)
        message = envelope.message or "error"
        data = envelope.data
        if status == 401:
            raise IrisAuthError(message or "Authentication required", data=data, **where)
        if status == 403:
            raise IrisPermissionError(message, data=data, **where)
        if status == 404:
            raise IrisNotFoundError(message, data=data, **where)
        if status == 410:
            raise IrisUnsupportedError(message, data=data, **where)
        if status >= 500:
            raise IrisServerError(message, data=data, **where)
        fields = field_errors(data) if isinstance(data, dict) or message == "Data error" else {}
        if fields:
            raise IrisValidationError(message, data=data, fields=fields, **where)
        if isinstance(data, str) and data:
            message = f"{message}: {data}"
        if _NOT_FOUND.search(message):
            raise IrisNotFoundError(message, data=data, **where)
        raise IrisBadRequestError(message, data=data, **where)

    @staticmethod
    def _raise_non_json(response: Reply, **where: Any) -> None:
        status = response.status_code
        snippet = html_snippet(response.text) if response.content else ""
        if status == 401:
            raise IrisAuthError("Authentication required", **where)
        if status == 403:
            raise IrisPermissionError("Permission denied", **where)
        if status == 404:
            raise IrisNotFoundError(
                "not found: this server has no such endpoint (HTML 404)", **where
            )
        if status == 405:
            raise IrisUnsupportedError("this server does not accept that method here", **where)
        if status == 410:
            raise IrisUnsupportedError("this endpoint was removed from the server", **where)
        if status == 413:
            raise IrisBadRequestError("the request is too large for the server", **where)
        if status >= 500:
            raise IrisServerError(
                f"server error {status}" + (f": {snippet}" if snippet else ""), **where
            )
        if status >= 400:
            raise IrisBadRequestError(
                f"the server refused the request ({status})" + (f": {snippet}" if snippet else ""),
                **where,
            )
        ctype = response.headers.get("content-type") or "no content type"
        raise IrisProtocolError(f"expected JSON, got {ctype}", **where)


def _is_json(response: Reply | httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "")


__all__ = ["Envelope", "IrisError", "Transport", "decode_json", "field_errors", "html_snippet"]
