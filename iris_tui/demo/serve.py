"""Serve the fake IRIS over real HTTP with uvicorn: `iris-tui demo-server`, and tests over loopback.

The demo API key is public, so binding to anything but loopback needs `allow_remote=True`.
An injected "dropped connection" fault closes the socket mid-answer, as a broken network would:
the client sees a protocol/network error, never a complete 200.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from iris_tui.demo import DEMO_API_KEY, DemoApp, create_app
from iris_tui.demo.faults import ConnectionDropped


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def base_url(host: str, port: int, scheme: str = "http") -> str:
    host = host.strip("[]")
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


class _DropSocket:
    """ASGI wrapper: a ConnectionDropped makes uvicorn close the connection. If nothing was sent
    yet, a response head announcing a body is sent first, so that the close is a truncated
    answer (a network error for any client) rather than uvicorn's own 500 page."""

    def __init__(self, app: DemoApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ConnectionDropped:
            if not started:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")]})
            raise


class _QuietDrops(logging.Filter):
    """Injected drops are intended: keep them out of uvicorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_QUIET = _QuietDrops()


def _config(app: DemoApp, host: str, port: int, **kwargs: Any) -> uvicorn.Config:
    config = uvicorn.Config(_DropSocket(app), host=host, port=port, lifespan="off", **kwargs)
    logging.getLogger("uvicorn.error").addFilter(_QUIET)  # after Config set logging up; idempotent
    return config


def _bound_port(server: uvicorn.Server, default: int) -> int:
    for listener in getattr(server, "servers", ()):
        for sock in listener.sockets:
            return int(sock.getsockname()[1])
    return default


def serve(host: str = "127.0.0.1", port: int = 8000, *, allow_remote: bool = False,
          latency: float = 0.0, scale: dict[str, int] | None = None, seed: str = "demo") -> None:
    """Serve until interrupted; prints the URL and the (public) demo API key once listening."""
    if not allow_remote and not is_loopback(host):
        raise ValueError(f"refusing to serve on non-loopback address {host!r} without --allow-remote "
                         "(the demo API key is public)")
    app = create_app(seed=seed, latency=latency, scale=scale)

    class Announcing(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"Demo IRIS 2.4.20 listening on {base_url(host, _bound_port(self, port))}", flush=True)
                print(f"API key: {DEMO_API_KEY}", flush=True)

    Announcing(_config(app, host, port, log_level="warning", access_log=False)).run()


@contextlib.contextmanager
def running_server(app: DemoApp | None = None, *, host: str = "127.0.0.1", seed: str = "demo",
                   latency: float = 0.0, scale: dict[str, int] | None = None,
                   ssl_certfile: str | None = None,
                   ssl_keyfile: str | None = None) -> Iterator[tuple[str, DemoApp]]:
    """Run the fake on an ephemeral loopback port in a background thread; yields (base URL, app).

    With `ssl_certfile` (PEM: the certificate chain, and the key unless `ssl_keyfile` is given)
    it serves HTTPS, for TLS tests with a certificate made in the test."""
    if not is_loopback(host):
        raise ValueError("running_server only binds to loopback")
    app = app or create_app(seed=seed, latency=latency, scale=scale)
    server = uvicorn.Server(_config(app, host, 0, log_level="warning", access_log=False,
                                    timeout_graceful_shutdown=1, ssl_certfile=ssl_certfile,
                                    ssl_keyfile=ssl_keyfile))
    thread = threading.Thread(target=server.run, name="iris-demo-server", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the demo server failed to start")
            thread.join(0.01)
        yield base_url(host, _bound_port(server, 0), "https" if ssl_certfile else "http"), app
    finally:
        server.should_exit = True
        thread.join(10)
