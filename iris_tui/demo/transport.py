"""Talk to the fake in-process: an httpx transport that also turns injected network faults
(timeouts, dropped connections) into the httpx errors a real network would raise."""

from __future__ import annotations

import asyncio

import httpx

from iris_tui.demo.faults import ConnectionDropped


class DemoTransport(httpx.ASGITransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout") or {}
        limit = timeouts.get("read")
        try:
            if limit:
                return await asyncio.wait_for(super().handle_async_request(request), limit)
            return await super().handle_async_request(request)
        except asyncio.TimeoutError:
            raise httpx.ReadTimeout("the demo server did not answer in time", request=request) from None
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None
